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
// durable). The durability essay with its numbered invariants heads
// src/storage/storage_thread.cc.
//
// Errors: an op's own failure is its Status. A failed COMMIT (or fsync, or
// any SQLite I/O error) makes the storage sticky-failed: that batch and every
// later op complete with kStorageFailed until restart. Ops submitted after
// Shutdown() complete with kUnavailable without running.
//
// Ownership: owns the sqlite3 connection, the thread and the uv_async. A
// Work is destroyed on the storage thread after it ran, a Done on the loop
// thread after it ran.
// Threads: Open/Submit/Shutdown and the counters on the loop thread; Work
// runs on the storage thread; Done runs on the loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
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
  // At most this many ops share one transaction, so a flood of submissions
  // cannot hold every completion back behind one giant commit.
  size_t max_batch_ops = 4096;
  // TEST ONLY. Called on the storage thread just before each COMMIT; a
  // non-OK Status is treated exactly like a failed COMMIT (the batch rolls
  // back and the storage becomes sticky-failed with that message).
  std::function<Status()> fault_before_commit;
};

class StorageThread {
 public:
  // Runs on the storage thread inside the batch transaction. A non-OK Status
  // rolls back this op's savepoint only. Must not BEGIN/COMMIT/ROLLBACK the
  // transaction itself (doing so makes the storage sticky-failed) and must
  // reset every statement it stepped.
  using Work = std::function<Status(sqlite3* db)>;
  // Runs on the loop thread after the batch committed: `status` is Work's
  // status, or kStorageFailed if the commit failed. Must not throw.
  using Done = std::function<void(Status status)>;

  // Opens (creating if needed) the database, sets WAL and the synchronous
  // level, applies the embedded migrations, and starts the thread. Refuses
  // a schema newer than this binary knows. Call before uv_run on `loop`, on
  // the thread that will run it.
  static Result<std::unique_ptr<StorageThread>> Open(uv_loop_t* loop, StorageOptions options);

  // Shutdown() must have completed (its `done` ran). Destroying a running
  // StorageThread still runs the queued ops and joins the thread, but their
  // Done never run and the uv_async is freed only when the loop runs again.
  ~StorageThread();

  // Queues an op. Loop thread only. Ops complete in submission order.
  // Submitting before uv_run is fine (startup work): the op runs at once on
  // the storage thread, its Done when the loop runs.
  // After Shutdown() the op does not run: `done` gets kUnavailable (still in
  // order; synchronously, from inside Submit, once Shutdown's done has run).
  void Submit(Work work, Done done);

  // Lets queued ops finish, stops the thread, closes the database and the
  // uv_async, then calls `done` on the loop thread. Call once.
  void Shutdown(std::function<void()> done);

  // Counters for /health and benchmarks (loop thread; cheap atomics).
  // committed_ops counts ops whose Work succeeded in a committed batch.
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
