// The sink's metadata in SQLite (storage/002_sink.sql): buckets, one row
// per object naming its current file generation, and the rewrap journal.
// Every function runs inside a StorageThread Work (one op's savepoint), so
// a multi-statement change is all or nothing.
//
// Ownership: owns its cached statements, compiled for the connection it is
// handed; Clear() finalizes them and must run on the storage thread before
// the connection closes.
// Errors: kStorageFailed for SQLite failures, kResourceNotFound for a
// missing bucket.
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

// A (bucket, key) position to continue a scan after.
struct ObjectCursor {
  std::string bucket;
  std::string key;
};

Status NoSuchBucket(const std::string& bucket);

class Metadata {
 public:
  // ---- buckets ----
  // Creates the bucket unless it exists; *created says which.
  Status CreateBucket(sqlite3* db, const std::string& name, int64_t now_ms, bool* created);
  Result<std::vector<std::string>> BucketNames(sqlite3* db);
  // Every bucket with its object count and bytes (scans the objects).
  Result<std::vector<BucketInfo>> Buckets(sqlite3* db);

  // ---- objects ----
  // Inserts or replaces the row of (bucket, key); returns the generation it
  // replaced. kResourceNotFound when the bucket does not exist.
  Result<std::optional<std::string>> Upsert(sqlite3* db, const ObjectInfo& info);
  Result<std::optional<ObjectRow>> Find(sqlite3* db, const std::string& bucket, const std::string& key);
  // Removes the row; returns the generation it named.
  Result<std::optional<std::string>> Delete(sqlite3* db, const std::string& bucket,
                                            const std::string& key);
  // `request` is validated (limit in range, bucket known or absent).
  Result<ListResult> List(sqlite3* db, const ListRequest& request);
  // Up to `limit` rows after `after` in (bucket, key) order, every bucket.
  Result<std::vector<ObjectRow>> Scan(sqlite3* db, const ObjectCursor& after, int limit);
  // (key, generation) of one bucket's rows after `after_key`, in key order.
  Result<std::vector<std::pair<std::string, std::string>>> Generations(
      sqlite3* db, const std::string& bucket, const std::string& after_key, int limit);

  // ---- key versions ----
  Result<std::map<int, uint64_t>> CountByKeyVersion(sqlite3* db);
  // Objects whose data key `version` wraps, or will once a journaled rewrap
  // is finished.
  Result<uint64_t> CountUsing(sqlite3* db, int version);
  // Rows not wrapped by `version` and without a journaled rewrap, after
  // `after` in (bucket, key) order.
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

  void Clear() { statements_.reset(); }

 private:
  Status CheckBucket(sqlite3* db, const std::string& bucket);
  Status ListBucket(sqlite3* db, const std::string& bucket, const std::string& lower,
                    const std::string& upper, size_t want, ListResult* result);
  // The statements of `db`, compiled afresh if the connection changed.
  storage::StatementCache& Statements(sqlite3* db);

  std::optional<storage::StatementCache> statements_;
};

}  // namespace sluice::sink
