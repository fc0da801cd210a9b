// The storage thread: group commit, and the durability it promises.
//
// Every write sluice acknowledges goes through here. The loop thread never
// writes to SQLite: it hands an op (Work, Done) to Submit() and goes on
// serving. This thread takes every pending op at once (up to max_batch_ops),
// opens one transaction, runs each op inside its own savepoint, commits once,
// and only then hands the results back. One fsync pays for a whole batch, and
// under load a batch grows while the previous commit is syncing, which keeps
// throughput up exactly when fsync is slow (LevelDB's DBImpl::Write does the
// same with a queue of writers and one leader).
//
// Invariants:
//
// (1) Done runs only after the COMMIT of the transaction holding the op's
//     writes returned SQLITE_OK. In WAL mode with synchronous=FULL that COMMIT
//     appended the batch's frames to the WAL and fsynced it before returning,
//     so the reply a Done sends describes data that survives power loss. With
//     synchronous=NORMAL the WAL is synced only at checkpoints: the data
//     survives a crash of this process, but a power loss may take the last
//     batches. Enforced in RunBatch(): statuses reach Deliver() only after
//     CommitBatch() has returned.
// (2) This thread is the only writer. Open() prepares the connection before
//     the thread starts and the loop thread never uses it again; the data dir
//     LOCK (data_dir.h) keeps a second sluice away. Between batches the
//     connection is in autocommit mode (asserted in CommitBatch()).
// (3) An op's writes are all or nothing. Each Work runs inside a SAVEPOINT;
//     if it fails, the savepoint is rolled back before the next op runs, so a
//     batch commits exactly the writes of the ops that reported OK and a
//     failing op never takes its neighbours with it (RunOp()).
// (4) One leader per batch: every op of a batch sees the same commit. If the
//     COMMIT fails, no op of that batch reports success, even one whose Work
//     returned OK.
// (5) Failure is sticky. After a failed COMMIT or control statement, an op
//     that ended the transaction itself, or an I/O-class error
//     (IsIoClassError: IOERR, FULL, CORRUPT, CANTOPEN, NOTADB, ...), Fail()
//     rolls the batch back, sets failed_, and no Work runs again: every later
//     op completes with kStorageFailed. We never retry. After a failed fsync
//     the kernel may already have dropped the dirty pages, and a second fsync
//     can report success for data that is gone (PostgreSQL's "fsyncgate");
//     after FULL or CORRUPT the file is no longer what we last committed.
//     A restart reopens the database and SQLite recovers from the WAL.
// (6) Completions run in submission order: pending_ is FIFO, batches run one
//     after another, completed_ is FIFO and the loop thread drains it whole.
// (7) Every op completes exactly once, after Shutdown() too: ops queued before
//     it still run, ops submitted after it complete with kUnavailable in
//     order, and the uv_async closes only when the thread has exited and
//     completed_ is empty.
//
// Hand-off to the loop thread (h2o's lib/common/multithread.c): completions
// go onto completed_ under completed_mu_; only the push that finds the list
// empty calls uv_async_send (libuv coalesces sends, and the callback drains
// everything that is there when it runs).
//
// Lifecycle, with the function behind each transition:
//
//   Open()             -> running   database opened and migrated, thread started
//   Fail()             -> failed    this batch and every later op: kStorageFailed
//   Shutdown()         -> stopping  stopping_ set; queued ops still run
//   ThreadMain() ends  -> stopped   database closed, thread_exited_ set
//   DrainCompletions() -> closing   thread joined, uv_close(async_)
//   OnAsyncClosed()    -> closed    handle freed, Shutdown's done runs

#include "sluice/storage/storage_thread.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <iterator>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "storage/database.h"
#include "storage/sqlite_util.h"

namespace sluice::storage {
namespace {

struct Op {
  StorageThread::Work work;
  StorageThread::Done done;
  bool rejected = false;  // submitted after Shutdown(): completes unrun
};

struct Completion {
  StorageThread::Done done;
  Status status;
};

Status ShuttingDown() { return Status(Code::kUnavailable, "storage is shutting down"); }

// The transaction-control statements, prepared once: a batch of thousands
// of ops steps two of them per op.
struct ControlStatements {
  StatementPtr begin, savepoint, release, rollback_to, commit, rollback;
};

Status Prepare(sqlite3* db, const char* sql, StatementPtr* out) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return Status(Code::kStorageFailed, DescribeError(db, sql));
  }
  out->reset(raw);
  return Status::Ok();
}

}  // namespace

class StorageThread::Impl {
 public:
  Impl(uv_loop_t* loop, StorageOptions options, DatabasePtr db)
      : loop_(loop), options_(std::move(options)), db_(std::move(db)) {
    options_.max_batch_ops = std::max<size_t>(1, options_.max_batch_ops);
  }
  ~Impl();

  Status Start();
  void Submit(Work work, Done done);
  void Shutdown(std::function<void()> done);

  uint64_t committed_batches() const { return committed_batches_.load(std::memory_order_relaxed); }
  uint64_t committed_ops() const { return committed_ops_.load(std::memory_order_relaxed); }
  bool failed() const { return failed_.load(std::memory_order_acquire); }

 private:
  // Storage thread.
  void ThreadMain();
  void RunBatch(std::vector<Op>& batch);
  void CommitBatch(std::vector<Op>& batch, std::vector<Status>& statuses);
  Status RunOp(Op& op);
  void Fail(const std::string& reason);
  void Deliver();

  // Loop thread.
  static void OnAsync(uv_async_t* handle);
  static void OnAsyncClosed(uv_handle_t* handle);
  void DrainCompletions();
  void CompleteAfterExit(Done done);
  static void OnFlush(uv_check_t* handle);
  static void OnFlushBeforePoll(uv_prepare_t* handle);
  void FlushStaged();
  bool OnLoopThread() const { return std::this_thread::get_id() == loop_thread_; }

  uv_loop_t* const loop_;
  StorageOptions options_;
  std::thread::id loop_thread_;
  std::thread thread_;

  // Storage thread only, once started.
  DatabasePtr db_;
  ControlStatements control_;
  Status failure_;  // set once, by Fail()
  std::vector<Completion> outgoing_;

  std::mutex pending_mu_;
  std::condition_variable pending_cv_;
  std::deque<Op> pending_;     // GUARDED_BY(pending_mu_)
  bool stopping_ = false;      // GUARDED_BY(pending_mu_)
  bool stopped_taking_ = false;  // GUARDED_BY(pending_mu_): the thread takes no more ops

  std::mutex completed_mu_;
  std::vector<Completion> completed_;  // GUARDED_BY(completed_mu_)
  bool thread_exited_ = false;         // GUARDED_BY(completed_mu_)

  // Loop thread only.
  // Ops submitted during one loop turn are staged here and handed over in one
  // locked append and one wakeup, before and after the loop polls (Redis's
  // beforeSleep): every request parsed from one epoll batch lands in one
  // storage batch, and the loop pays one futex wake per turn, not per op.
  std::vector<Op> staged_;
  uv_check_t* flush_after_poll_ = nullptr;    // freed in its close callback
  uv_prepare_t* flush_before_poll_ = nullptr; // freed in its close callback
  uv_async_t* async_ = nullptr;  // freed in OnAsyncClosed
  bool shutdown_requested_ = false;
  bool async_closing_ = false;
  std::function<void()> shutdown_done_;

  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> committed_batches_{0};
  std::atomic<uint64_t> committed_ops_{0};
};

Status StorageThread::Impl::Start() {
  sqlite3* db = db_.get();
  SLUICE_RETURN_IF_ERROR(Prepare(db, "BEGIN IMMEDIATE", &control_.begin));
  SLUICE_RETURN_IF_ERROR(Prepare(db, "SAVEPOINT sluice_op", &control_.savepoint));
  SLUICE_RETURN_IF_ERROR(Prepare(db, "RELEASE sluice_op", &control_.release));
  SLUICE_RETURN_IF_ERROR(Prepare(db, "ROLLBACK TO sluice_op", &control_.rollback_to));
  SLUICE_RETURN_IF_ERROR(Prepare(db, "COMMIT", &control_.commit));
  SLUICE_RETURN_IF_ERROR(Prepare(db, "ROLLBACK", &control_.rollback));

  loop_thread_ = std::this_thread::get_id();
  async_ = new uv_async_t;
  if (int rc = uv_async_init(loop_, async_, &Impl::OnAsync); rc != 0) {
    delete async_;
    async_ = nullptr;
    return Status(Code::kInternal, std::string("uv_async_init: ") + uv_strerror(rc));
  }
  async_->data = this;
  flush_after_poll_ = static_cast<uv_check_t*>(std::malloc(sizeof(uv_check_t)));
  uv_check_init(loop_, flush_after_poll_);
  flush_after_poll_->data = this;
  uv_check_start(flush_after_poll_, &Impl::OnFlush);
  uv_unref(reinterpret_cast<uv_handle_t*>(flush_after_poll_));
  flush_before_poll_ = static_cast<uv_prepare_t*>(std::malloc(sizeof(uv_prepare_t)));
  uv_prepare_init(loop_, flush_before_poll_);
  flush_before_poll_->data = this;
  uv_prepare_start(flush_before_poll_, &Impl::OnFlushBeforePoll);
  uv_unref(reinterpret_cast<uv_handle_t*>(flush_before_poll_));
  try {
    thread_ = std::thread(&Impl::ThreadMain, this);
  } catch (const std::system_error& error) {
    return Status(Code::kInternal, std::string("cannot start the storage thread: ") + error.what());
  }
  return Status::Ok();
}

StorageThread::Impl::~Impl() {
  // Normally Shutdown() has run to the end and all of this is already done.
  if (thread_.joinable()) {
    FlushStaged();  // ops submitted this loop turn still run
    {
      std::lock_guard lock(pending_mu_);
      stopping_ = true;
    }
    pending_cv_.notify_one();
    thread_.join();
  }
  for (uv_handle_t* handle : {reinterpret_cast<uv_handle_t*>(flush_after_poll_),
                              reinterpret_cast<uv_handle_t*>(flush_before_poll_)}) {
    if (handle != nullptr) uv_close(handle, [](uv_handle_t* closed) { std::free(closed); });
  }
  if (async_ != nullptr) {
    async_->data = nullptr;  // OnAsyncClosed then only frees the handle
    if (!async_closing_) uv_close(reinterpret_cast<uv_handle_t*>(async_), &Impl::OnAsyncClosed);
  }
}

void StorageThread::Impl::Submit(Work work, Done done) {
  assert(OnLoopThread());
  if (flush_after_poll_ == nullptr) {  // not started, or its handles are closed: hand over now
    staged_.push_back(Op{std::move(work), std::move(done), shutdown_requested_});
    FlushStaged();
    return;
  }
  staged_.push_back(Op{std::move(work), std::move(done), shutdown_requested_});
}

void StorageThread::Impl::OnFlush(uv_check_t* handle) { static_cast<Impl*>(handle->data)->FlushStaged(); }
void StorageThread::Impl::OnFlushBeforePoll(uv_prepare_t* handle) {
  static_cast<Impl*>(handle->data)->FlushStaged();
}

void StorageThread::Impl::FlushStaged() {
  if (staged_.empty()) return;
  std::vector<Op> refused;
  {
    std::lock_guard lock(pending_mu_);
    if (!stopped_taking_) {
      for (Op& op : staged_) pending_.push_back(std::move(op));
    } else {
      refused = std::move(staged_);
    }
  }
  staged_.clear();
  pending_cv_.notify_one();
  for (Op& op : refused) CompleteAfterExit(std::move(op.done));
}

// The thread has exited, so every earlier op is already in completed_ (or
// done): queueing behind them keeps submission order.
void StorageThread::Impl::CompleteAfterExit(Done done) {
  if (async_closing_ || async_ == nullptr) {
    if (done) done(ShuttingDown());  // nothing will drain completed_ again
    return;
  }
  bool was_empty;
  {
    std::lock_guard lock(completed_mu_);
    was_empty = completed_.empty();
    completed_.push_back(Completion{std::move(done), ShuttingDown()});
  }
  if (was_empty) uv_async_send(async_);
}

void StorageThread::Impl::Shutdown(std::function<void()> done) {
  assert(OnLoopThread());
  assert(!shutdown_requested_ && "Shutdown() called twice");
  shutdown_requested_ = true;
  shutdown_done_ = std::move(done);
  FlushStaged();
  for (uv_handle_t* handle : {reinterpret_cast<uv_handle_t*>(flush_after_poll_),
                              reinterpret_cast<uv_handle_t*>(flush_before_poll_)}) {
    if (handle != nullptr) uv_close(handle, [](uv_handle_t* closed) { std::free(closed); });
  }
  flush_after_poll_ = nullptr;
  flush_before_poll_ = nullptr;
  {
    std::lock_guard lock(pending_mu_);
    stopping_ = true;
  }
  pending_cv_.notify_one();
}

void StorageThread::Impl::ThreadMain() {
  std::vector<Op> batch;
  for (;;) {
    {
      std::unique_lock lock(pending_mu_);
      pending_cv_.wait(lock, [this] { return !pending_.empty() || stopping_; });
      if (pending_.empty()) {
        stopped_taking_ = true;
        break;
      }
      const size_t count = std::min(pending_.size(), options_.max_batch_ops);
      auto end = pending_.begin() + static_cast<std::ptrdiff_t>(count);
      batch.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(end));
      pending_.erase(pending_.begin(), end);
    }
    RunBatch(batch);
    batch.clear();
    Deliver();
  }
  control_ = ControlStatements();
  db_.reset();  // closes; the last connection checkpoints the WAL into the file
  {
    std::lock_guard lock(completed_mu_);
    thread_exited_ = true;
  }
  // Safe: the loop thread closes async_ only after joining this thread.
  uv_async_send(async_);
}

void StorageThread::Impl::RunBatch(std::vector<Op>& batch) {
  std::vector<Status> statuses(batch.size());
  CommitBatch(batch, statuses);
  // Invariant (1): only now, after the commit, may the results go out.
  for (size_t i = 0; i < batch.size(); ++i) {
    outgoing_.push_back(Completion{std::move(batch[i].done), std::move(statuses[i])});
  }
}

void StorageThread::Impl::CommitBatch(std::vector<Op>& batch, std::vector<Status>& statuses) {
  sqlite3* db = db_.get();
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].rejected) statuses[i] = ShuttingDown();
  }
  bool begun = false;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].rejected) continue;
    if (failed_.load(std::memory_order_relaxed)) break;
    if (!begun) {
      assert(sqlite3_get_autocommit(db) && "a transaction outlived its batch");
      const int rc = StepOnce(control_.begin.get());
      if ((rc & 0xff) == SQLITE_BUSY) {
        // Another process (a sqlite3 shell?) holds the write lock past the
        // busy timeout. Nothing was written; the file is fine: not sticky.
        const Status busy(Code::kUnavailable,
                          DescribeError(db, "database " + options_.database_path + " is locked"));
        for (size_t j = i; j < batch.size(); ++j) {
          if (!batch[j].rejected) statuses[j] = busy;
        }
        return;
      }
      if (rc != SQLITE_OK) {
        Fail(DescribeError(db, "BEGIN"));
        break;
      }
      begun = true;
    }
    statuses[i] = RunOp(batch[i]);
  }

  if (begun && !failed_.load(std::memory_order_relaxed)) {
    Status fault = options_.fault_before_commit ? options_.fault_before_commit() : Status::Ok();
    if (!fault.ok()) {
      Fail(fault.message());
    } else if (StepOnce(control_.commit.get()) != SQLITE_OK) {
      Fail(DescribeError(db, "COMMIT"));
    }
  }
  if (failed_.load(std::memory_order_relaxed)) {
    // Invariant (4): nobody in this batch hears success.
    if (!sqlite3_get_autocommit(db)) (void)StepOnce(control_.rollback.get());
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!batch[i].rejected) statuses[i] = failure_;
    }
    return;
  }
  if (!begun) return;
  uint64_t succeeded = 0;
  for (const Status& status : statuses) succeeded += status.ok() ? 1 : 0;
  committed_batches_.fetch_add(1, std::memory_order_relaxed);
  committed_ops_.fetch_add(succeeded, std::memory_order_relaxed);
}

Status StorageThread::Impl::RunOp(Op& op) {
  sqlite3* db = db_.get();
  if (StepOnce(control_.savepoint.get()) != SQLITE_OK) {
    Fail(DescribeError(db, "SAVEPOINT"));
    return failure_;
  }
  Status status;
  try {
    status = op.work ? op.work(db) : Status::Ok();
  } catch (const std::exception& error) {
    status = Status(Code::kInternal, std::string("storage op threw: ") + error.what());
  } catch (...) {
    status = Status(Code::kInternal, "storage op threw");
  }
  op.work = nullptr;  // its captures die here, on the storage thread

  if (sqlite3_get_autocommit(db)) {
    // The op committed or rolled back the batch (or SQLite rolled it back
    // after an error): the other ops' writes are in an unknown state.
    Fail(sqlite3_errcode(db) == SQLITE_OK
             ? std::string("an op committed or rolled back the batch transaction itself")
             : DescribeError(db, "the batch transaction ended inside an op"));
    return failure_;
  }
  if (!status.ok() && IsIoClassError(sqlite3_extended_errcode(db))) {
    Fail(DescribeError(db, status.message()));
    return failure_;
  }
  // Invariant (3): a failed op leaves nothing behind.
  if (!status.ok() && StepOnce(control_.rollback_to.get()) != SQLITE_OK) {
    Fail(DescribeError(db, "ROLLBACK TO"));
    return failure_;
  }
  if (StepOnce(control_.release.get()) != SQLITE_OK) {
    Fail(DescribeError(db, "RELEASE"));
    return failure_;
  }
  return status;
}

void StorageThread::Impl::Fail(const std::string& reason) {
  if (failed_.load(std::memory_order_relaxed)) return;
  failure_ = Status(Code::kStorageFailed,
                    "storage failed: " + reason + "; restart sluice after fixing the cause");
  failed_.store(true, std::memory_order_release);
  spdlog::critical("{} ({})", failure_.message(), options_.database_path);
}

void StorageThread::Impl::Deliver() {
  if (outgoing_.empty()) return;
  bool was_empty;
  {
    std::lock_guard lock(completed_mu_);
    was_empty = completed_.empty();
    if (was_empty) {
      completed_.swap(outgoing_);
    } else {
      completed_.insert(completed_.end(), std::make_move_iterator(outgoing_.begin()),
                        std::make_move_iterator(outgoing_.end()));
    }
  }
  outgoing_.clear();
  // Only the push that makes the list non-empty wakes the loop.
  if (was_empty) uv_async_send(async_);
}

void StorageThread::Impl::OnAsync(uv_async_t* handle) {
  static_cast<Impl*>(handle->data)->DrainCompletions();
}

void StorageThread::Impl::DrainCompletions() {
  std::vector<Completion> draining;
  bool exited = false;
  for (;;) {
    {
      std::lock_guard lock(completed_mu_);
      draining.swap(completed_);
      exited = thread_exited_;
    }
    if (draining.empty()) break;
    // A Done may Submit again; that lands in pending_ or completed_, never here.
    for (Completion& completion : draining) {
      if (completion.done) completion.done(std::move(completion.status));
    }
    draining.clear();
  }
  // Invariant (7): the thread is gone and nothing is left to deliver.
  if (exited && !async_closing_) {
    thread_.join();
    async_closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(async_), &Impl::OnAsyncClosed);
  }
}

void StorageThread::Impl::OnAsyncClosed(uv_handle_t* handle) {
  auto* impl = static_cast<Impl*>(handle->data);
  delete reinterpret_cast<uv_async_t*>(handle);
  if (impl == nullptr) return;  // closed by the destructor
  impl->async_ = nullptr;
  // Last: `done` may destroy the StorageThread.
  std::function<void()> done = std::move(impl->shutdown_done_);
  if (done) done();
}

StorageThread::StorageThread(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StorageThread::~StorageThread() = default;

Result<std::unique_ptr<StorageThread>> StorageThread::Open(uv_loop_t* loop,
                                                           StorageOptions options) {
  Result<DatabasePtr> db = OpenDatabase(options);
  if (!db.ok()) return db.status();
  auto impl = std::make_unique<Impl>(loop, std::move(options), std::move(db).value());
  SLUICE_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<StorageThread>(new StorageThread(std::move(impl)));
}

void StorageThread::Submit(Work work, Done done) { impl_->Submit(std::move(work), std::move(done)); }
void StorageThread::Shutdown(std::function<void()> done) { impl_->Shutdown(std::move(done)); }
uint64_t StorageThread::committed_batches() const { return impl_->committed_batches(); }
uint64_t StorageThread::committed_ops() const { return impl_->committed_ops(); }
bool StorageThread::failed() const { return impl_->failed(); }

}  // namespace sluice::storage
