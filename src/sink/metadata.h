// The sink's metadata in SQLite (storage/002_sink.sql, storage/005_s3.sql):
// buckets, one row per object naming its current file generation, the
// rewrap journal, and the multipart uploads with one row per part. Every
// function runs inside a StorageThread Work (one op's savepoint), so a
// multi-statement change is all or nothing.
//
// Parts in the object-shaped functions: the rewrap, verify and startup
// passes treat an upload's part like an object of the pseudo-bucket
// kUploadsArea under PartKey(upload id, part) (names.h): ObjectRow, Scan,
// NotWrappedBy, Generations(kUploadsArea, ...) and the journal functions
// dispatch on that bucket name to sink_upload_parts. In (bucket, key) order
// kUploadsArea comes before every bucket ('.' sorts before letters and
// digits), so a scan meets the parts first.
//
// Ownership: owns its cached statements, compiled for the connection it is
// handed; Clear() finalizes them and must run on the storage thread before
// the connection closes.
// Errors: kStorageFailed for SQLite failures; kNoSuchBucket, kNoSuchKey,
// kNoSuchUpload, kBucketNotEmpty and kPreconditionFailed as each says.
// Threads: storage thread only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include "sluice/sink/types.h"
#include "sluice/status.h"
#include "sluice/storage/statement_cache.h"

namespace sluice::sink {

struct ObjectRow {
  ObjectInfo info;
  std::string rewrap_header;  // "" unless a rewrap is journaled
  int rewrap_kek_version = 0;
};

// An upload's part with what names and opens its file.
struct PartRow {
  PartInfo info;
  std::string generation;
  int kek_version = 0;
  std::string rewrap_header;  // "" unless a rewrap is journaled
};

// A (bucket, key) position to continue a scan after.
struct ObjectCursor {
  std::string bucket;
  std::string key;
};

// A conditional write (WriteRequest's If-Match / If-None-Match).
struct WriteConditions {
  std::optional<std::string> if_match_etag;
  bool if_none_match_any = false;
};

Status NoSuchBucket(const std::string& bucket);
Status NoSuchKey(const std::string& bucket, const std::string& key);
Status NoSuchUpload(const std::string& upload_id);

class Metadata {
 public:
  // ---- buckets ----
  // Creates the bucket unless it exists; *created says which.
  Status CreateBucket(sqlite3* db, const std::string& name, const std::string& region,
                      int64_t now_ms, bool* created);
  Result<std::vector<std::string>> BucketNames(sqlite3* db);
  // Every bucket with its object count and bytes (scans the objects).
  Result<std::vector<BucketInfo>> Buckets(sqlite3* db);
  // One bucket without counts. kNoSuchBucket.
  Result<BucketInfo> FindBucket(sqlite3* db, const std::string& name);
  // kNoSuchBucket; kBucketNotEmpty while it has objects or uploads. The
  // bucket's settings go with it.
  Status DeleteBucket(sqlite3* db, const std::string& name);
  // A bucket setting's value, nullopt when unset. kNoSuchBucket.
  Result<std::optional<std::string>> BucketSetting(sqlite3* db, const std::string& bucket,
                                                   const std::string& name);
  // Sets (or with nullopt removes) a bucket setting. kNoSuchBucket.
  Status PutBucketSetting(sqlite3* db, const std::string& bucket, const std::string& name,
                          const std::optional<std::string>& value);
  // Every bucket's value of setting `name`: bucket -> value.
  Result<std::map<std::string, std::string>> BucketSettings(sqlite3* db, const std::string& name);

  // ---- objects ----
  // Inserts or replaces the row of (bucket, key); returns the generation it
  // replaced. kNoSuchBucket when the bucket does not exist;
  // kPreconditionFailed when `conditions` do not hold.
  Result<std::optional<std::string>> Upsert(sqlite3* db, const ObjectInfo& info,
                                            const WriteConditions& conditions = {});
  Result<std::optional<ObjectRow>> Find(sqlite3* db, const std::string& bucket, const std::string& key);
  // Removes the row; returns the generation it named.
  Result<std::optional<std::string>> Delete(sqlite3* db, const std::string& bucket,
                                            const std::string& key);
  // `request` is validated (limit in range, bucket known or absent).
  Result<ListResult> List(sqlite3* db, const ListRequest& request);
  // Up to `limit` rows after `after` in (bucket, key) order: upload parts
  // (kUploadsArea) first, then every bucket's objects.
  Result<std::vector<ObjectRow>> Scan(sqlite3* db, const ObjectCursor& after, int limit);
  // (key, generation) of one bucket's rows after `after_key`, in key order;
  // for kUploadsArea, the parts (PartKey, generation).
  Result<std::vector<std::pair<std::string, std::string>>> Generations(
      sqlite3* db, const std::string& bucket, const std::string& after_key, int limit);

  // ---- key versions (objects and parts) ----
  Result<std::map<int, uint64_t>> CountByKeyVersion(sqlite3* db);
  // Objects and parts whose data key `version` wraps, or will once a
  // journaled rewrap is finished.
  Result<uint64_t> CountUsing(sqlite3* db, int version);
  // Rows not wrapped by `version` and without a journaled rewrap, after
  // `after` in (bucket, key) order, parts first.
  Result<std::vector<ObjectRow>> NotWrappedBy(sqlite3* db, int version, const ObjectCursor& after,
                                              int limit);
  // Journals the new header of (bucket, key) if its row still names
  // `generation`; false when the object changed meanwhile.
  Result<bool> JournalRewrap(sqlite3* db, const ObjectInfo& object, const std::string& header,
                             int version);
  // Moves a journaled rewrap into kek_version and clears the journal.
  Result<bool> CompleteRewrap(sqlite3* db, const ObjectInfo& object);
  // Drops a journaled rewrap without applying it.
  Status AbandonRewrap(sqlite3* db, const ObjectInfo& object);
  Result<std::vector<ObjectRow>> JournaledRewraps(sqlite3* db);

  // ---- multipart uploads (upload_metadata.cc) ----
  // kNoSuchBucket.
  Status CreateUpload(sqlite3* db, const UploadInfo& upload);
  // The upload if it exists for (bucket, key); kNoSuchUpload otherwise.
  Result<UploadInfo> FindUpload(sqlite3* db, const std::string& bucket, const std::string& key,
                                const std::string& upload_id);
  // Inserts or replaces a part of an existing upload (kNoSuchUpload);
  // returns the generation it replaced.
  Result<std::optional<std::string>> UpsertPart(sqlite3* db, const UploadInfo& upload,
                                                const PartRow& part);
  // Up to `limit` parts numbered above `after_number`, ascending.
  Result<std::vector<PartRow>> Parts(sqlite3* db, const std::string& upload_id, int after_number,
                                     int limit);
  // Deletes the upload and its part rows; returns the parts it held.
  // kNoSuchUpload.
  Result<std::vector<PartRow>> DeleteUpload(sqlite3* db, const std::string& bucket,
                                            const std::string& key, const std::string& upload_id);
  Result<ListUploadsResult> ListUploads(sqlite3* db, const ListUploadsRequest& request);

  void Clear() { statements_.reset(); }

 private:
  Status CheckBucket(sqlite3* db, const std::string& bucket);
  Status ListBucket(sqlite3* db, const std::string& bucket, const std::string& lower,
                    const std::string& upper, size_t want, ListResult* result);
  // The parts-shaped halves of the object functions above (part_rows.cc).
  enum class PartJournal { kJournal, kComplete, kAbandon };
  Result<std::vector<ObjectRow>> ScanParts(sqlite3* db, const ObjectCursor& after,
                                           std::optional<int> not_wrapped_by, int limit);
  Result<std::vector<std::pair<std::string, std::string>>> PartGenerations(
      sqlite3* db, const std::string& after_key, int limit);
  Result<bool> UpdatePartJournal(sqlite3* db, PartJournal step, const ObjectInfo& part,
                                 const std::string* header, int version);
  Status AppendJournaledParts(sqlite3* db, std::vector<ObjectRow>* rows);
  // The statements of `db`, compiled afresh if the connection changed.
  storage::StatementCache& Statements(sqlite3* db);

  std::optional<storage::StatementCache> statements_;
};

// The upload-id-and-part position of a cursor in kUploadsArea: parts after
// it are (upload_id, part_number) > this pair.
std::pair<std::string, int> PartCursor(const ObjectCursor& after);

}  // namespace sluice::sink
