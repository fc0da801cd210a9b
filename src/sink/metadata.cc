#include "sink/metadata.h"

#include <algorithm>

#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

#define SINK_OBJECT_COLUMNS                                                                  \
  "bucket, key, generation, size, etag, content_type, user_metadata, created_at, kek_version, " \
  "rewrap_header, rewrap_kek_version, attributes, parts_count"

const char kSelectBucket[] = "SELECT 1 FROM sink_buckets WHERE name = ?1";
const char kInsertBucket[] =
    "INSERT INTO sink_buckets(name, created_at, region) VALUES(?1, ?2, ?3) "
    "ON CONFLICT(name) DO NOTHING";
const char kSelectBucketNames[] = "SELECT name FROM sink_buckets ORDER BY name";
const char kSelectBuckets[] =
    "SELECT b.name, b.created_at, count(o.key), coalesce(sum(o.size), 0), b.region "
    "FROM sink_buckets b LEFT JOIN sink_objects o ON o.bucket = b.name "
    "GROUP BY b.name ORDER BY b.name";
const char kSelectBucketInfo[] = "SELECT name, created_at, region FROM sink_buckets WHERE name = ?1";
const char kAnyObjectIn[] = "SELECT 1 FROM sink_objects WHERE bucket = ?1 LIMIT 1";
const char kAnyUploadIn[] = "SELECT 1 FROM sink_uploads WHERE bucket = ?1 LIMIT 1";
const char kDeleteBucket[] = "DELETE FROM sink_buckets WHERE name = ?1";
const char kSelectSetting[] = "SELECT value FROM sink_bucket_settings WHERE bucket = ?1 AND name = ?2";
const char kSelectSettingOfAll[] = "SELECT bucket, value FROM sink_bucket_settings WHERE name = ?1 ORDER BY bucket";
const char kUpsertSetting[] =
    "INSERT INTO sink_bucket_settings(bucket, name, value) VALUES(?1, ?2, ?3) "
    "ON CONFLICT(bucket, name) DO UPDATE SET value = excluded.value";
const char kDeleteSetting[] = "DELETE FROM sink_bucket_settings WHERE bucket = ?1 AND name = ?2";
const char kDeleteSettingsOf[] = "DELETE FROM sink_bucket_settings WHERE bucket = ?1";

const char kSelectObject[] =
    "SELECT " SINK_OBJECT_COLUMNS " FROM sink_objects WHERE bucket = ?1 AND key = ?2";
const char kSelectGeneration[] =
    "SELECT generation, etag FROM sink_objects WHERE bucket = ?1 AND key = ?2";
const char kUpsertObject[] =
    "INSERT INTO sink_objects(bucket, key, generation, size, etag, content_type, user_metadata, "
    "created_at, kek_version, attributes, parts_count) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT(bucket, key) DO UPDATE SET generation = excluded.generation, "
    "size = excluded.size, etag = excluded.etag, content_type = excluded.content_type, "
    "user_metadata = excluded.user_metadata, created_at = excluded.created_at, "
    "kek_version = excluded.kek_version, attributes = excluded.attributes, "
    "parts_count = excluded.parts_count, rewrap_header = NULL, rewrap_kek_version = NULL";
const char kDeleteObject[] = "DELETE FROM sink_objects WHERE bucket = ?1 AND key = ?2 RETURNING generation";
// Keys from ?2 (inclusive) in one bucket; the "Bounded" form stops before ?3.
const char kListFrom[] =
    "SELECT " SINK_OBJECT_COLUMNS " FROM sink_objects WHERE bucket = ?1 AND key >= ?2 "
    "ORDER BY key LIMIT ?3";
const char kListFromBounded[] =
    "SELECT " SINK_OBJECT_COLUMNS " FROM sink_objects WHERE bucket = ?1 AND key >= ?2 AND key < ?3 "
    "ORDER BY key LIMIT ?4";
const char kScan[] =
    "SELECT " SINK_OBJECT_COLUMNS " FROM sink_objects WHERE (bucket, key) > (?1, ?2) "
    "ORDER BY bucket, key LIMIT ?3";
const char kGenerations[] =
    "SELECT key, generation FROM sink_objects WHERE bucket = ?1 AND key > ?2 ORDER BY key LIMIT ?3";

const char kCountByKeyVersion[] =
    "SELECT kek_version, count(*) FROM sink_objects GROUP BY kek_version "
    "UNION ALL SELECT kek_version, count(*) FROM sink_upload_parts GROUP BY kek_version";
const char kCountUsing[] =
    "SELECT (SELECT count(*) FROM sink_objects WHERE kek_version = ?1) + "
    "(SELECT count(*) FROM sink_upload_parts WHERE kek_version = ?1)";
const char kCountJournaledTo[] =
    "SELECT (SELECT count(*) FROM sink_objects WHERE rewrap_header IS NOT NULL "
    "AND rewrap_kek_version = ?1) + (SELECT count(*) FROM sink_upload_parts "
    "WHERE rewrap_header IS NOT NULL AND rewrap_kek_version = ?1)";
const char kNotWrappedBy[] =
    "SELECT " SINK_OBJECT_COLUMNS " FROM sink_objects WHERE (bucket, key) > (?1, ?2) "
    "AND kek_version != ?3 AND rewrap_header IS NULL ORDER BY bucket, key LIMIT ?4";
const char kJournalRewrap[] =
    "UPDATE sink_objects SET rewrap_header = ?4, rewrap_kek_version = ?5 "
    "WHERE bucket = ?1 AND key = ?2 AND generation = ?3";
const char kCompleteRewrap[] =
    "UPDATE sink_objects SET kek_version = rewrap_kek_version, rewrap_header = NULL, "
    "rewrap_kek_version = NULL WHERE bucket = ?1 AND key = ?2 AND generation = ?3 "
    "AND rewrap_header IS NOT NULL";
const char kAbandonRewrap[] =
    "UPDATE sink_objects SET rewrap_header = NULL, rewrap_kek_version = NULL "
    "WHERE bucket = ?1 AND key = ?2 AND generation = ?3";
const char kJournaledRewraps[] =
    "SELECT " SINK_OBJECT_COLUMNS " FROM sink_objects WHERE rewrap_header IS NOT NULL "
    "ORDER BY bucket, key";

ObjectRow ReadRow(const storage::Statement& row) {
  ObjectRow object;
  object.info.bucket = std::string(row.Text(0));
  object.info.key = std::string(row.Text(1));
  object.info.generation = std::string(row.Text(2));
  object.info.size = static_cast<uint64_t>(row.Int(3));
  object.info.etag = std::string(row.Text(4));
  object.info.content_type = std::string(row.Text(5));
  object.info.user_metadata = std::string(row.Text(6));
  object.info.created_ms = row.Int(7);
  object.info.key_version = static_cast<int>(row.Int(8));
  if (!row.IsNull(9)) {
    object.rewrap_header = std::string(row.Blob(9));
    object.rewrap_kek_version = static_cast<int>(row.Int(10));
  }
  object.info.attributes = std::string(row.Text(11));
  object.info.parts_count = static_cast<uint32_t>(row.Int(12));
  return object;
}

// An If-Match ETag without the quotes a client may have kept.
std::string_view Unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

// The smallest string greater than every string starting with `prefix`, or
// "" when there is none (a prefix of 0xFF bytes only).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// The smallest valid key after `key`: keys hold no NUL byte, so none lies
// between `key` and `key` + "\x01".
std::string KeyAfter(const std::string& key) { return key + '\x01'; }

}  // namespace

Status NoSuchBucket(const std::string& bucket) {
  return Status(Code::kNoSuchBucket, "no bucket named " + bucket);
}

Status NoSuchKey(const std::string& bucket, const std::string& key) {
  return Status(Code::kNoSuchKey, "no object " + DisplayName(bucket, key));
}

Status NoSuchUpload(const std::string& upload_id) {
  return Status(Code::kNoSuchUpload, "no multipart upload " + upload_id.substr(0, 64) + " in progress");
}

storage::StatementCache& Metadata::Statements(sqlite3* db) {
  // emplace() finalizes the statements of an earlier connection first.
  if (!statements_ || statements_->connection() != db) statements_.emplace(db, "sink metadata ");
  return *statements_;
}

Status Metadata::CheckBucket(sqlite3* db, const std::string& bucket) {
  storage::Statement select = Statements(db).Prepare(kSelectBucket);
  select.BindText(bucket);
  const bool found = select.Step();
  SLUICE_RETURN_IF_ERROR(select.status());
  return found ? Status::Ok() : NoSuchBucket(bucket);
}

Status Metadata::CreateBucket(sqlite3* db, const std::string& name, const std::string& region,
                              int64_t now_ms, bool* created) {
  storage::Statement insert = Statements(db).Prepare(kInsertBucket);
  insert.BindText(name).BindInt(now_ms).BindText(region);
  SLUICE_RETURN_IF_ERROR(insert.Run());
  *created = sqlite3_changes(db) > 0;
  return Status::Ok();
}

Result<BucketInfo> Metadata::FindBucket(sqlite3* db, const std::string& name) {
  storage::Statement select = Statements(db).Prepare(kSelectBucketInfo);
  select.BindText(name);
  if (!select.Step()) {
    SLUICE_RETURN_IF_ERROR(select.status());
    return NoSuchBucket(name);
  }
  BucketInfo info;
  info.name = std::string(select.Text(0));
  info.created_ms = select.Int(1);
  info.region = std::string(select.Text(2));
  return info;
}

Status Metadata::DeleteBucket(sqlite3* db, const std::string& name) {
  SLUICE_RETURN_IF_ERROR(CheckBucket(db, name));
  for (const char* sql : {kAnyObjectIn, kAnyUploadIn}) {
    storage::Statement select = Statements(db).Prepare(sql);
    select.BindText(name);
    const bool found = select.Step();
    SLUICE_RETURN_IF_ERROR(select.status());
    if (found) {
      return Status(Code::kBucketNotEmpty,
                    "bucket " + name + (sql == kAnyObjectIn ? " holds objects" : " has multipart uploads in progress"));
    }
  }
  storage::Statement settings = Statements(db).Prepare(kDeleteSettingsOf);
  settings.BindText(name);
  SLUICE_RETURN_IF_ERROR(settings.Run());
  storage::Statement remove = Statements(db).Prepare(kDeleteBucket);
  remove.BindText(name);
  return remove.Run();
}

Result<std::optional<std::string>> Metadata::BucketSetting(sqlite3* db, const std::string& bucket,
                                                           const std::string& name) {
  SLUICE_RETURN_IF_ERROR(CheckBucket(db, bucket));
  storage::Statement select = Statements(db).Prepare(kSelectSetting);
  select.BindText(bucket).BindText(name);
  if (!select.Step()) {
    SLUICE_RETURN_IF_ERROR(select.status());
    return std::optional<std::string>();
  }
  return std::optional<std::string>(std::string(select.Text(0)));
}

Status Metadata::PutBucketSetting(sqlite3* db, const std::string& bucket, const std::string& name,
                                  const std::optional<std::string>& value) {
  SLUICE_RETURN_IF_ERROR(CheckBucket(db, bucket));
  if (!value) {
    storage::Statement remove = Statements(db).Prepare(kDeleteSetting);
    remove.BindText(bucket).BindText(name);
    return remove.Run();
  }
  storage::Statement upsert = Statements(db).Prepare(kUpsertSetting);
  upsert.BindText(bucket).BindText(name).BindText(*value);
  return upsert.Run();
}

Result<std::map<std::string, std::string>> Metadata::BucketSettings(sqlite3* db, const std::string& name) {
  storage::Statement select = Statements(db).Prepare(kSelectSettingOfAll);
  select.BindText(name);
  std::map<std::string, std::string> values;
  while (select.Step()) values.emplace(std::string(select.Text(0)), std::string(select.Text(1)));
  SLUICE_RETURN_IF_ERROR(select.status());
  return values;
}

Result<std::vector<std::string>> Metadata::BucketNames(sqlite3* db) {
  storage::Statement select = Statements(db).Prepare(kSelectBucketNames);
  std::vector<std::string> names;
  while (select.Step()) names.emplace_back(select.Text(0));
  if (!select.ok()) return select.status();
  return names;
}

Result<std::vector<BucketInfo>> Metadata::Buckets(sqlite3* db) {
  storage::Statement select = Statements(db).Prepare(kSelectBuckets);
  std::vector<BucketInfo> buckets;
  while (select.Step()) {
    buckets.push_back(BucketInfo{std::string(select.Text(0)), select.Int(1),
                                 static_cast<uint64_t>(select.Int(2)),
                                 static_cast<uint64_t>(select.Int(3)), std::string(select.Text(4))});
  }
  if (!select.ok()) return select.status();
  return buckets;
}

Result<std::optional<std::string>> Metadata::Upsert(sqlite3* db, const ObjectInfo& info,
                                                    const WriteConditions& conditions) {
  SLUICE_RETURN_IF_ERROR(CheckBucket(db, info.bucket));
  std::optional<std::string> replaced;
  std::string replaced_etag;
  {
    storage::Statement select = Statements(db).Prepare(kSelectGeneration);
    select.BindText(info.bucket).BindText(info.key);
    if (select.Step()) {
      replaced = std::string(select.Text(0));
      replaced_etag = std::string(select.Text(1));
    }
    SLUICE_RETURN_IF_ERROR(select.status());
  }
  // Checked here, in the transaction that writes the row: nothing can come
  // between the check and the write.
  if (conditions.if_none_match_any && replaced) {
    return Status(Code::kPreconditionFailed, "an object " + DisplayName(info.bucket, info.key) +
                                                 " exists (If-None-Match: *)");
  }
  if (conditions.if_match_etag) {
    const std::string_view wanted = Unquoted(*conditions.if_match_etag);
    if (!replaced || (wanted != "*" && wanted != replaced_etag)) {
      return Status(Code::kPreconditionFailed,
                    replaced ? "the ETag of " + DisplayName(info.bucket, info.key) + " is not " + std::string(wanted)
                             : "no object " + DisplayName(info.bucket, info.key) + " to match (If-Match)");
    }
  }
  storage::Statement upsert = Statements(db).Prepare(kUpsertObject);
  upsert.BindText(info.bucket)
      .BindText(info.key)
      .BindText(info.generation)
      .BindInt(static_cast<int64_t>(info.size))
      .BindText(info.etag)
      .BindText(info.content_type)
      .BindTextOrNull(info.user_metadata)
      .BindInt(info.created_ms)
      .BindInt(info.key_version)
      .BindTextOrNull(info.attributes)
      .BindInt(info.parts_count);
  SLUICE_RETURN_IF_ERROR(upsert.Run());
  return replaced;
}

Result<std::optional<ObjectRow>> Metadata::Find(sqlite3* db, const std::string& bucket,
                                                const std::string& key) {
  storage::Statement select = Statements(db).Prepare(kSelectObject);
  select.BindText(bucket).BindText(key);
  std::optional<ObjectRow> row;
  if (select.Step()) row = ReadRow(select);
  if (!select.ok()) return select.status();
  return row;
}

Result<std::optional<std::string>> Metadata::Delete(sqlite3* db, const std::string& bucket,
                                                    const std::string& key) {
  storage::Statement remove = Statements(db).Prepare(kDeleteObject);
  remove.BindText(bucket).BindText(key);
  std::optional<std::string> generation;
  if (remove.Step()) generation = std::string(remove.Text(0));
  SLUICE_RETURN_IF_ERROR(remove.Run());
  return generation;
}

Status Metadata::ListBucket(sqlite3* db, const std::string& bucket, const std::string& lower,
                            const std::string& upper, size_t want, ListResult* result) {
  storage::Statement select = Statements(db).Prepare(upper.empty() ? kListFrom : kListFromBounded);
  select.BindText(bucket).BindText(lower);
  if (!upper.empty()) select.BindText(upper);
  select.BindInt(static_cast<int64_t>(want));
  while (select.Step()) result->objects.push_back(ReadRow(select).info);
  return select.status();
}

Result<ListResult> Metadata::List(sqlite3* db, const ListRequest& request) {
  const size_t limit = static_cast<size_t>(std::clamp(request.limit, 1, 1000));
  const std::string upper = request.prefix.empty() ? "" : PrefixEnd(request.prefix);
  ListResult result;
  // One row more than asked tells whether more remain.
  const size_t want = limit + 1;
  if (request.bucket) {
    SLUICE_RETURN_IF_ERROR(CheckBucket(db, *request.bucket));
    std::string lower = request.after.empty() ? request.prefix
                                              : std::max(request.prefix, KeyAfter(request.after));
    SLUICE_RETURN_IF_ERROR(ListBucket(db, *request.bucket, lower, upper, want, &result));
  } else {
    // "bucket/key": bucket names hold no '/'.
    std::string after_bucket, after_key;
    if (!request.after.empty()) {
      const size_t slash = request.after.find('/');
      after_bucket = request.after.substr(0, slash);
      if (slash != std::string::npos) after_key = request.after.substr(slash + 1);
    }
    Result<std::vector<std::string>> buckets = BucketNames(db);
    if (!buckets.ok()) return buckets.status();
    for (const std::string& bucket : *buckets) {
      if (result.objects.size() >= want) break;
      if (bucket < after_bucket) continue;
      std::string lower = request.prefix;
      if (bucket == after_bucket && !after_key.empty()) lower = std::max(lower, KeyAfter(after_key));
      SLUICE_RETURN_IF_ERROR(
          ListBucket(db, bucket, lower, upper, want - result.objects.size(), &result));
    }
  }
  if (result.objects.size() > limit) {
    result.objects.resize(limit);
    const ObjectInfo& last = result.objects.back();
    result.next_after = request.bucket ? last.key : last.bucket + "/" + last.key;
  }
  return result;
}

Result<std::vector<ObjectRow>> Metadata::Scan(sqlite3* db, const ObjectCursor& after, int limit) {
  Result<std::vector<ObjectRow>> parts = ScanParts(db, after, std::nullopt, limit);
  if (!parts.ok()) return parts.status();
  std::vector<ObjectRow> rows = std::move(parts).value();
  if (rows.size() >= static_cast<size_t>(limit)) return rows;
  // No object has the bucket kUploadsArea, and every bucket sorts after it.
  storage::Statement select = Statements(db).Prepare(kScan);
  select.BindText(after.bucket).BindText(after.key).BindInt(limit - static_cast<int>(rows.size()));
  while (select.Step()) rows.push_back(ReadRow(select));
  if (!select.ok()) return select.status();
  return rows;
}

Result<std::vector<std::pair<std::string, std::string>>> Metadata::Generations(
    sqlite3* db, const std::string& bucket, const std::string& after_key, int limit) {
  if (bucket == kUploadsArea) return PartGenerations(db, after_key, limit);
  storage::Statement select = Statements(db).Prepare(kGenerations);
  select.BindText(bucket).BindText(after_key).BindInt(limit);
  std::vector<std::pair<std::string, std::string>> rows;
  while (select.Step()) rows.emplace_back(std::string(select.Text(0)), std::string(select.Text(1)));
  if (!select.ok()) return select.status();
  return rows;
}

Result<std::map<int, uint64_t>> Metadata::CountByKeyVersion(sqlite3* db) {
  storage::Statement select = Statements(db).Prepare(kCountByKeyVersion);
  std::map<int, uint64_t> counts;
  while (select.Step()) counts[static_cast<int>(select.Int(0))] += static_cast<uint64_t>(select.Int(1));
  if (!select.ok()) return select.status();
  return counts;
}

Result<uint64_t> Metadata::CountUsing(sqlite3* db, int version) {
  uint64_t count = 0;
  for (const char* sql : {kCountUsing, kCountJournaledTo}) {
    storage::Statement select = Statements(db).Prepare(sql);
    select.BindInt(version);
    if (select.Step()) count += static_cast<uint64_t>(select.Int(0));
    if (!select.ok()) return select.status();
  }
  return count;
}

Result<std::vector<ObjectRow>> Metadata::NotWrappedBy(sqlite3* db, int version,
                                                      const ObjectCursor& after, int limit) {
  Result<std::vector<ObjectRow>> parts = ScanParts(db, after, version, limit);
  if (!parts.ok()) return parts.status();
  std::vector<ObjectRow> rows = std::move(parts).value();
  if (rows.size() >= static_cast<size_t>(limit)) return rows;
  storage::Statement select = Statements(db).Prepare(kNotWrappedBy);
  select.BindText(after.bucket).BindText(after.key).BindInt(version).BindInt(limit - static_cast<int>(rows.size()));
  while (select.Step()) rows.push_back(ReadRow(select));
  if (!select.ok()) return select.status();
  return rows;
}

Result<bool> Metadata::JournalRewrap(sqlite3* db, const ObjectInfo& object, const std::string& header,
                                     int version) {
  if (object.bucket == kUploadsArea) return UpdatePartJournal(db, PartJournal::kJournal, object, &header, version);
  storage::Statement update = Statements(db).Prepare(kJournalRewrap);
  update.BindText(object.bucket).BindText(object.key).BindText(object.generation).BindBlob(header).BindInt(version);
  SLUICE_RETURN_IF_ERROR(update.Run());
  return sqlite3_changes(db) > 0;
}

Result<bool> Metadata::CompleteRewrap(sqlite3* db, const ObjectInfo& object) {
  if (object.bucket == kUploadsArea) return UpdatePartJournal(db, PartJournal::kComplete, object, nullptr, 0);
  storage::Statement update = Statements(db).Prepare(kCompleteRewrap);
  update.BindText(object.bucket).BindText(object.key).BindText(object.generation);
  SLUICE_RETURN_IF_ERROR(update.Run());
  return sqlite3_changes(db) > 0;
}

Status Metadata::AbandonRewrap(sqlite3* db, const ObjectInfo& object) {
  if (object.bucket == kUploadsArea) return UpdatePartJournal(db, PartJournal::kAbandon, object, nullptr, 0).status();
  storage::Statement update = Statements(db).Prepare(kAbandonRewrap);
  update.BindText(object.bucket).BindText(object.key).BindText(object.generation);
  return update.Run();
}

Result<std::vector<ObjectRow>> Metadata::JournaledRewraps(sqlite3* db) {
  std::vector<ObjectRow> rows;
  SLUICE_RETURN_IF_ERROR(AppendJournaledParts(db, &rows));
  storage::Statement select = Statements(db).Prepare(kJournaledRewraps);
  while (select.Step()) rows.push_back(ReadRow(select));
  if (!select.ok()) return select.status();
  return rows;
}

}  // namespace sluice::sink
