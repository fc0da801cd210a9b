// Metadata of multipart uploads (storage/005_s3.sql): sink_uploads and
// sink_upload_parts. See metadata.h.
#include <algorithm>

#include "sink/metadata.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

#define SINK_UPLOAD_COLUMNS "upload_id, bucket, key, content_type, user_metadata, attributes, initiated_at"
#define SINK_PART_ROW_COLUMNS \
  "part_number, etag, size, modified_at, attributes, generation, kek_version, rewrap_header"

const char kBucketExists[] = "SELECT 1 FROM sink_buckets WHERE name = ?1";
const char kInsertUpload[] =
    "INSERT INTO sink_uploads(" SINK_UPLOAD_COLUMNS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const char kSelectUpload[] = "SELECT " SINK_UPLOAD_COLUMNS " FROM sink_uploads WHERE upload_id = ?1";
const char kSelectPartGeneration[] =
    "SELECT generation FROM sink_upload_parts WHERE upload_id = ?1 AND part_number = ?2";
const char kUpsertPart[] =
    "INSERT INTO sink_upload_parts(upload_id, part_number, generation, size, etag, attributes, "
    "modified_at, kek_version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT(upload_id, part_number) DO UPDATE SET generation = excluded.generation, "
    "size = excluded.size, etag = excluded.etag, attributes = excluded.attributes, "
    "modified_at = excluded.modified_at, kek_version = excluded.kek_version, "
    "rewrap_header = NULL, rewrap_kek_version = NULL";
const char kSelectParts[] =
    "SELECT " SINK_PART_ROW_COLUMNS " FROM sink_upload_parts WHERE upload_id = ?1 AND part_number > ?2 "
    "ORDER BY part_number LIMIT ?3";
const char kDeleteParts[] = "DELETE FROM sink_upload_parts WHERE upload_id = ?1";
const char kDeleteUpload[] = "DELETE FROM sink_uploads WHERE upload_id = ?1";
// Uploads of ?1 with key >= ?2 (and, in the Bounded form, < ?5) whose
// (key, upload_id) > (?3, ?4): one query serves both marker forms.
const char kListUploads[] =
    "SELECT " SINK_UPLOAD_COLUMNS " FROM sink_uploads WHERE bucket = ?1 AND key >= ?2 "
    "AND (key, upload_id) > (?3, ?4) ORDER BY key, upload_id LIMIT ?5";
const char kListUploadsBounded[] =
    "SELECT " SINK_UPLOAD_COLUMNS " FROM sink_uploads WHERE bucket = ?1 AND key >= ?2 "
    "AND (key, upload_id) > (?3, ?4) AND key < ?6 ORDER BY key, upload_id LIMIT ?5";

UploadInfo ReadUpload(const storage::Statement& row) {
  UploadInfo upload;
  upload.upload_id = std::string(row.Text(0));
  upload.bucket = std::string(row.Text(1));
  upload.key = std::string(row.Text(2));
  upload.content_type = std::string(row.Text(3));
  upload.user_metadata = std::string(row.Text(4));
  upload.attributes = std::string(row.Text(5));
  upload.initiated_ms = row.Int(6);
  return upload;
}

PartRow ReadPart(const storage::Statement& row) {
  PartRow part;
  part.info.number = static_cast<int>(row.Int(0));
  part.info.etag = std::string(row.Text(1));
  part.info.size = static_cast<uint64_t>(row.Int(2));
  part.info.modified_ms = row.Int(3);
  part.info.attributes = std::string(row.Text(4));
  part.generation = std::string(row.Text(5));
  part.kek_version = static_cast<int>(row.Int(6));
  if (!row.IsNull(7)) part.rewrap_header = std::string(row.Blob(7));
  return part;
}

// See Metadata::List: the smallest string above every one starting with
// `prefix` ("" when there is none).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

}  // namespace

Status Metadata::CreateUpload(sqlite3* db, const UploadInfo& upload) {
  {
    storage::Statement select = Statements(db).Prepare(kBucketExists);
    select.BindText(upload.bucket);
    const bool found = select.Step();
    SLUICE_RETURN_IF_ERROR(select.status());
    if (!found) return NoSuchBucket(upload.bucket);
  }
  storage::Statement insert = Statements(db).Prepare(kInsertUpload);
  insert.BindText(upload.upload_id)
      .BindText(upload.bucket)
      .BindText(upload.key)
      .BindText(upload.content_type)
      .BindTextOrNull(upload.user_metadata)
      .BindTextOrNull(upload.attributes)
      .BindInt(upload.initiated_ms);
  return insert.Run();
}

Result<UploadInfo> Metadata::FindUpload(sqlite3* db, const std::string& bucket, const std::string& key,
                                        const std::string& upload_id) {
  storage::Statement select = Statements(db).Prepare(kSelectUpload);
  select.BindText(upload_id);
  if (!select.Step()) {
    SLUICE_RETURN_IF_ERROR(select.status());
    return NoSuchUpload(upload_id);
  }
  UploadInfo upload = ReadUpload(select);
  // An upload id names one (bucket, key): another pair does not see it.
  if (upload.bucket != bucket || upload.key != key) return NoSuchUpload(upload_id);
  return upload;
}

Result<std::optional<std::string>> Metadata::UpsertPart(sqlite3* db, const UploadInfo& upload,
                                                        const PartRow& part) {
  Result<UploadInfo> found = FindUpload(db, upload.bucket, upload.key, upload.upload_id);
  if (!found.ok()) return found.status();
  std::optional<std::string> replaced;
  {
    storage::Statement select = Statements(db).Prepare(kSelectPartGeneration);
    select.BindText(upload.upload_id).BindInt(part.info.number);
    if (select.Step()) replaced = std::string(select.Text(0));
    SLUICE_RETURN_IF_ERROR(select.status());
  }
  storage::Statement upsert = Statements(db).Prepare(kUpsertPart);
  upsert.BindText(upload.upload_id)
      .BindInt(part.info.number)
      .BindText(part.generation)
      .BindInt(static_cast<int64_t>(part.info.size))
      .BindText(part.info.etag)
      .BindTextOrNull(part.info.attributes)
      .BindInt(part.info.modified_ms)
      .BindInt(part.kek_version);
  SLUICE_RETURN_IF_ERROR(upsert.Run());
  return replaced;
}

Result<std::vector<PartRow>> Metadata::Parts(sqlite3* db, const std::string& upload_id, int after_number,
                                             int limit) {
  storage::Statement select = Statements(db).Prepare(kSelectParts);
  select.BindText(upload_id).BindInt(after_number).BindInt(limit);
  std::vector<PartRow> parts;
  while (select.Step()) parts.push_back(ReadPart(select));
  if (!select.ok()) return select.status();
  return parts;
}

Result<std::vector<PartRow>> Metadata::DeleteUpload(sqlite3* db, const std::string& bucket,
                                                    const std::string& key, const std::string& upload_id) {
  Result<UploadInfo> found = FindUpload(db, bucket, key, upload_id);
  if (!found.ok()) return found.status();
  Result<std::vector<PartRow>> parts = Parts(db, upload_id, 0, kMaxPartNumber);
  if (!parts.ok()) return parts.status();
  for (const char* sql : {kDeleteParts, kDeleteUpload}) {
    storage::Statement remove = Statements(db).Prepare(sql);
    remove.BindText(upload_id);
    SLUICE_RETURN_IF_ERROR(remove.Run());
  }
  return parts;
}

Result<ListUploadsResult> Metadata::ListUploads(sqlite3* db, const ListUploadsRequest& request) {
  SLUICE_RETURN_IF_ERROR(CheckBucket(db, request.bucket));
  const int limit = std::clamp(request.limit, 1, 1000);
  const std::string upper = request.prefix.empty() ? "" : PrefixEnd(request.prefix);
  storage::Statement select = Statements(db).Prepare(upper.empty() ? kListUploads : kListUploadsBounded);
  // Without an upload id marker, every upload of the marker key is skipped:
  // ids are lower-case hex, so "g" sorts above them all.
  const std::string id_marker =
      request.key_marker.empty() ? "" : (request.upload_id_marker.empty() ? "g" : request.upload_id_marker);
  select.BindText(request.bucket)
      .BindText(request.prefix)
      .BindText(request.key_marker)
      .BindText(id_marker)
      .BindInt(limit + 1);
  if (!upper.empty()) select.BindText(upper);
  ListUploadsResult result;
  while (select.Step()) result.uploads.push_back(ReadUpload(select));
  if (!select.ok()) return select.status();
  if (result.uploads.size() > static_cast<size_t>(limit)) {
    result.uploads.resize(static_cast<size_t>(limit));
    result.truncated = true;
  }
  return result;
}

}  // namespace sluice::sink
