// The state every sink operation shares, and the rules for running one.
//
// An operation (put_op.cc, get_op.cc, ..., one per file) is an object with
// named steps. Each step runs in one place: on the loop thread, on an I/O
// thread (Pool), or on the storage thread (Storage), and hands over to the
// next step through the loop. The operation deletes itself in its last step;
// OperationScope counts it in flight, so Shutdown() can wait for it.
//
// Ownership: the Sink owns the SinkCore; the core owns the keyring, the
// object files, the I/O pool and the metadata statements.
// Threads: loop thread for everything but the members marked otherwise.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <uv.h>

#include "sink/io_pool.h"
#include "sink/keyring.h"
#include "sink/metadata.h"
#include "sink/object_files.h"
#include "sluice/clock.h"
#include "sluice/sink/sink.h"
#include "sluice/sink/sink_config.h"
#include "sluice/storage/storage_thread.h"

namespace sluice::sink {

class SinkCore {
 public:
  enum class State { kOpened, kStarting, kRunning, kStopping, kStopped };

  SinkCore(uv_loop_t* loop, storage::StorageThread& storage, SinkConfig config, const Clock& clock,
           std::unique_ptr<Keyring> keyring, size_t io_threads);

  uv_loop_t* const loop;
  storage::StorageThread& storage;
  const SinkConfig config;
  const Clock& clock;
  const std::unique_ptr<Keyring> keyring;  // any thread
  ObjectFiles files;                       // any thread
  IoPool pool;
  Metadata metadata;                       // storage thread only

  State state = State::kOpened;
  std::set<std::string> buckets;       // committed bucket names
  std::map<int, int> pinned_versions;  // KEK version -> writes sealing with it, not yet committed
  std::set<std::string> completing_uploads;  // CompleteUpload under way (upload ids)
  bool rewrap_running = false;
  bool rotation_running = false;
  CheckReport check_report;
  uv_timer_t* rotation_timer = nullptr;  // freed in its close callback

  // OK when an operation may start now: the sink is running, and for a
  // write, nothing failed for good.
  Status Admit(bool write) const;
  bool healthy() const;

  // `work` on an I/O thread, then `done` on the loop.
  void Pool(std::function<void()> work, std::function<void()> done) {
    pool.Post(std::move(work), std::move(done));
  }
  // `work` on the storage thread inside a batch, `done` after its commit.
  void Storage(storage::StorageThread::Work work, storage::StorageThread::Done done) {
    storage.Submit(std::move(work), std::move(done));
  }

  void Pin(int version) { ++pinned_versions[version]; }
  void Unpin(int version);

  // In-flight accounting (see OperationScope).
  void OperationStarted() { ++in_flight_; }
  void OperationFinished();
  void Shutdown(std::function<void()> done);

 private:
  void FinishShutdown();

  size_t in_flight_ = 0;
  std::function<void()> shutdown_done_;
};

// Counts one operation in flight for its lifetime. A member of every
// operation object.
class OperationScope {
 public:
  explicit OperationScope(SinkCore& core) : core_(core) { core_.OperationStarted(); }
  ~OperationScope() { core_.OperationFinished(); }
  OperationScope(const OperationScope&) = delete;
  OperationScope& operator=(const OperationScope&) = delete;

 private:
  SinkCore& core_;
};

// A one-step operation: `query` runs on the storage thread (inside its own
// savepoint: a failure rolls its writes back), `done` gets its result on the
// loop thread after the commit.
template <typename T>
class QueryOp {
 public:
  using Query = std::function<Result<T>(sqlite3*)>;

  static void Run(SinkCore& core, Query query, Callback<T> done) {
    auto* op = new QueryOp(core, std::move(query), std::move(done));
    core.Storage([op](sqlite3* db) { return op->Execute(db); },
                 [op](Status status) { op->Complete(std::move(status)); });
  }

 private:
  QueryOp(SinkCore& core, Query query, Callback<T> done)
      : scope_(core), query_(std::move(query)), done_(std::move(done)) {}

  Status Execute(sqlite3* db) {  // storage thread
    result_.emplace(query_(db));
    return result_->status();
  }
  void Complete(Status status) {  // loop thread, after the commit
    if (status.ok() && result_) {
      done_(std::move(*result_));
    } else {
      done_(status.ok() ? Status(Code::kInternal, "query did not run") : std::move(status));
    }
    delete this;
  }

  OperationScope scope_;
  Query query_;
  Callback<T> done_;
  std::optional<Result<T>> result_;  // written on the storage thread before the commit
};

// Bucket and key are valid and the bucket exists (loop thread).
Status ValidateObjectName(const SinkCore& core, const std::string& bucket, const std::string& key);
// "" or a JSON object.
Status ValidateUserMetadata(const std::string& text);
// An upload id's shape (kNoSuchUpload otherwise) and a part number's range.
Status ValidateUploadId(const std::string& upload_id);
Status ValidatePartNumber(int part_number);

// The operations. Each starts itself and reports through `done` (on the
// loop thread, possibly before returning for a refused request).
void RunPut(SinkCore& core, PutRequest request, Callback<ObjectInfo> done);
void RunGet(SinkCore& core, std::string bucket, std::string key, Callback<GetResult> done);
void RunDelete(SinkCore& core, std::string bucket, std::string key, Callback<bool> done);
void RunCreateBucket(SinkCore& core, std::string name, std::string region, Callback<bool> done);
void RunDeleteBucket(SinkCore& core, std::string name, Callback<bool> done);
void RunBeginPut(SinkCore& core, WriteRequest request, Callback<std::unique_ptr<ObjectUpload>> done);
void RunBeginPart(SinkCore& core, std::string bucket, std::string key, std::string upload_id, int part_number,
                  WriteRequest part, Callback<std::unique_ptr<ObjectUpload>> done);
void RunOpenRead(SinkCore& core, std::string bucket, std::string key, std::optional<ByteRange> range,
                 Callback<std::unique_ptr<ObjectDownload>> done);
void RunCopy(SinkCore& core, std::string src_bucket, std::string src_key, WriteRequest destination,
             Callback<ObjectInfo> done);
void RunCopyPart(SinkCore& core, std::string bucket, std::string key, std::string upload_id, int part_number,
                 std::string src_bucket, std::string src_key, std::optional<ByteRange> range,
                 Callback<PartInfo> done);
void RunCompleteUpload(SinkCore& core, std::string bucket, std::string key, std::string upload_id,
                       std::vector<CompletedPart> parts, std::function<void(std::string_view)> observe,
                       CompletionAttributes attributes, Callback<ObjectInfo> done);
void RunAbortUpload(SinkCore& core, std::string bucket, std::string key, std::string upload_id,
                    Callback<bool> done);
void RunVerify(SinkCore& core, std::optional<std::string> bucket, Callback<VerifyReport> done);
void RunRewrap(SinkCore& core, Callback<RewrapReport> done);
void RunRotate(SinkCore& core, Callback<int> done);
void RunRetire(SinkCore& core, int version, Callback<int> done);
void RunStartupCheck(SinkCore& core, std::function<void(Status)> done);

}  // namespace sluice::sink
