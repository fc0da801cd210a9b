// The dedup records of the ingest routes (table dedup_records,
// storage/003_dedup.sql): which (route, key) was accepted, as which message,
// until when. A record whose expires_millis <= now counts as absent.
//
// Ownership: owns its prepared statements, compiled on first use for the
// connection it is handed and kept until Close().
// Errors: SQLite failures are kStorageFailed; after Close() every call
// returns kUnavailable (so no statement is compiled on a connection that
// is about to close).
// Threads: storage thread only (inside a StorageThread::Work); every method
// runs in the caller's transaction and never commits.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "sluice/status.h"

namespace sluice::storage {
class StatementCache;
}

namespace sluice::gateway {

struct DedupRecord {
  std::string route;
  std::string key;
  std::string queue;
  std::string message_id;
  int64_t created_millis = 0;
  int64_t expires_millis = 0;
};

class DedupStore {
 public:
  DedupStore();
  ~DedupStore();
  DedupStore(const DedupStore&) = delete;
  DedupStore& operator=(const DedupStore&) = delete;

  // The live record of (route, key) at `now_millis`, if any.
  Result<std::optional<DedupRecord>> FindLive(sqlite3* db, std::string_view route, std::string_view key,
                                              int64_t now_millis);

  // Inserts `record`, replacing any earlier (expired) record of its (route, key).
  Status Put(sqlite3* db, const DedupRecord& record);

  // Deletes the live record of (route, key): false when there was none.
  Result<bool> Forget(sqlite3* db, std::string_view route, std::string_view key, int64_t now_millis);

  // Deletes up to `limit` expired records, oldest expiry first; returns how many.
  Result<int> SweepExpired(sqlite3* db, int64_t now_millis, int limit);

  // Finalizes the statements. Call as the last gateway op before the
  // storage thread shuts down.
  void Close();

 private:
  // The statements of `db`, compiled afresh if the connection changed;
  // kUnavailable after Close().
  Result<storage::StatementCache*> Statements(sqlite3* db);

  std::unique_ptr<storage::StatementCache> statements_;
  bool closed_ = false;
};

}  // namespace sluice::gateway
