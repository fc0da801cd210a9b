// The storage thread: the only owner of the SQLite write connection.
//
// Handlers on the loop thread Submit() operations. The storage thread drains
// every pending operation into ONE transaction: each op runs inside its own
// SAVEPOINT (a failed op is rolled back alone), then the batch COMMITs once,
// so one fsync covers the whole batch (group commit). After the commit, every
// op's `done` runs on the loop thread, delivered through one uv_async and a
// locked list drained whole each time.
//
// Durability: with synchronous=FULL (default) a commit survives power loss;
// with NORMAL it survives a process crash. `done` never runs before the
// commit that holds the op's writes has returned (rule: no reply before it is
// durable).
//
// Errors: an op's own failure is its Status. A failed COMMIT (or fsync, or
// any SQLite I/O error) makes the storage sticky-failed: that batch and every
// later op complete with kStorageFailed until restart.
//
// Ownership: owns the sqlite3 connection, the thread and the uv_async.
// Threads: Open/Submit/Shutdown on the loop thread; Work runs on the storage
// thread; Done runs on the loop thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <sqlite3.h>
#include <uv.h>

#include "sluice/status.h"

namespace sluice::storage {

enum class Durability {
  kFull,    // synchronous=FULL: survives power loss
  kNormal,  // synchronous=NORMAL in WAL: survives a process crash
};

struct StorageOptions {
  std::string database_path;  // e.g. <data-dir>/sluice.db
  Durability durability = Durability::kFull;
};

class StorageThread {
 public:
  // Runs on the storage thread inside the batch transaction. A non-OK Status
  // rolls back this op's savepoint only.
  using Work = std::function<Status(sqlite3* db)>;
  // Runs on the loop thread after the batch committed: `status` is Work's
  // status, or kStorageFailed if the commit failed.
  using Done = std::function<void(Status status)>;

  // Opens (creating if needed) the database, sets WAL and the synchronous
  // level, applies the embedded migrations, and starts the thread. Refuses
  // a schema newer than this binary knows. Call before uv_run on `loop`.
  static Result<std::unique_ptr<StorageThread>> Open(uv_loop_t* loop, StorageOptions options);

  ~StorageThread();  // Shutdown() must have completed.

  // Queues an op. Loop thread only. Ops complete in submission order.
  void Submit(Work work, Done done);

  // Lets queued ops finish, stops the thread, closes the database and the
  // uv_async, then calls `done` on the loop thread.
  void Shutdown(std::function<void()> done);

  // Counters for /health and benchmarks (loop thread).
  uint64_t committed_batches() const;
  uint64_t committed_ops() const;
  bool failed() const;

 private:
  class Impl;
  explicit StorageThread(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The highest schema version this binary knows (the largest storage/NNN_*.sql).
int KnownSchemaVersion();

}  // namespace sluice::storage
