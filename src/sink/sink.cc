// The Sink facade: opening, starting, the rotation timer, shutdown, and the
// one-step metadata queries. The multi-step operations live one per file
// (put_op.cc, get_op.cc, ...).
//
// Lifecycle (SinkCore::State), with the function behind each transition:
//
//   Open()                      -> opened    keyring loaded, root created, I/O threads up
//   Start()                     -> starting  RunStartupCheck() under way
//   Start()'s check completion  -> running   operations admitted, rotation timer armed
//   SinkCore::Shutdown()        -> stopping  new operations refused; in-flight ones finish
//   SinkCore::FinishShutdown()  -> stopped   statements finalized, I/O threads joined
#include "sluice/sink/sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "sink/sink_core.h"
#include "sink/sodium_init.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

constexpr uint64_t kRotationCheckIntervalMs = 60 * 60 * 1000;
constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;

bool IsAbsolute(const std::string& path) { return !path.empty() && path.front() == '/'; }

std::string WithoutTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

Status ValidateObjectName(const SinkCore& core, const std::string& bucket, const std::string& key) {
  SLUICE_RETURN_IF_ERROR(ValidateBucketName(bucket));
  SLUICE_RETURN_IF_ERROR(ValidateObjectKey(key));
  if (core.buckets.count(bucket) == 0) return NoSuchBucket(bucket);
  return Status::Ok();
}

// ---- SinkCore ----

SinkCore::SinkCore(uv_loop_t* loop, storage::StorageThread& storage, SinkConfig config,
                   const Clock& clock, std::unique_ptr<Keyring> keyring, size_t io_threads)
    : loop(loop),
      storage(storage),
      config(std::move(config)),
      clock(clock),
      keyring(std::move(keyring)),
      files(this->config.root_dir),
      pool(loop, io_threads) {}

Status SinkCore::Admit(bool write) const {
  switch (state) {
    case State::kOpened:
    case State::kStarting:
      return Status(Code::kUnavailable, "the sink is starting");
    case State::kStopping:
    case State::kStopped:
      return Status(Code::kUnavailable, "the sink is shutting down");
    case State::kRunning:
      break;
  }
  if (write) {
    SLUICE_RETURN_IF_ERROR(files.failure());
    if (storage.failed()) {
      return Status(Code::kStorageFailed, "storage failed; restart sluice after fixing the cause");
    }
  }
  return Status::Ok();
}

bool SinkCore::healthy() const { return files.failure().ok() && !storage.failed(); }

void SinkCore::Unpin(int version) {
  auto found = pinned_versions.find(version);
  if (found != pinned_versions.end() && --found->second <= 0) pinned_versions.erase(found);
}

void SinkCore::OperationFinished() {
  --in_flight_;
  if (state == State::kStopping && in_flight_ == 0 && shutdown_done_) FinishShutdown();
}

void SinkCore::Shutdown(std::function<void()> done) {
  state = State::kStopping;
  shutdown_done_ = std::move(done);
  if (rotation_timer != nullptr) {
    uv_timer_stop(rotation_timer);
    uv_close(reinterpret_cast<uv_handle_t*>(rotation_timer),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
    rotation_timer = nullptr;
  }
  if (in_flight_ == 0) FinishShutdown();
}

void SinkCore::FinishShutdown() {
  // The cached statements belong to the storage thread's connection: they
  // are finalized there, before the I/O threads stop.
  std::function<void()> done = std::exchange(shutdown_done_, nullptr);
  Storage(
      [this](sqlite3*) {
        metadata.Clear();
        return Status::Ok();
      },
      [this, done = std::move(done)](Status) {
        pool.Shutdown([this, done] {
          state = State::kStopped;
          done();
        });
      });
}

// ---- Sink ----

Result<std::unique_ptr<Sink>> Sink::Open(uv_loop_t* loop, storage::StorageThread& storage,
                                         SinkConfig config, const Clock& clock) {
  EnsureSodium();
  if (!IsAbsolute(config.root_dir)) {
    return Status(Code::kInvalidParameterValue, "sink root_dir must be an absolute path, not '" +
                                                    config.root_dir + "'");
  }
  if (!IsAbsolute(config.keyring_path)) {
    return Status(Code::kInvalidParameterValue, "sink keyring_path must be an absolute path, not '" +
                                                    config.keyring_path + "'");
  }
  config.root_dir = WithoutTrailingSlashes(config.root_dir);
  for (const std::string& bucket : config.buckets) SLUICE_RETURN_IF_ERROR(ValidateBucketName(bucket));
  if (config.rotation_period_days < 0) {
    return Status(Code::kInvalidParameterValue, "sink rotation_period_days must not be negative");
  }
  Result<std::unique_ptr<Keyring>> keyring = Keyring::LoadOrCreate(config.keyring_path, clock);
  if (!keyring.ok()) return keyring.status();
  const size_t io_threads = static_cast<size_t>(std::clamp(config.io_threads, 1, 256));
  auto core = std::make_unique<SinkCore>(loop, storage, std::move(config), clock,
                                         std::move(keyring).value(), io_threads);
  SLUICE_RETURN_IF_ERROR(core->files.PrepareRoot());
  SLUICE_RETURN_IF_ERROR(core->pool.Start());
  return std::unique_ptr<Sink>(new Sink(std::move(core)));
}

Sink::Sink(std::unique_ptr<SinkCore> core) : core_(std::move(core)) {}

Sink::~Sink() = default;

void Sink::Start(std::function<void(Status)> done) {
  if (core_->state != SinkCore::State::kOpened) {
    done(Status(Code::kInternal, "Sink::Start called twice"));
    return;
  }
  core_->state = SinkCore::State::kStarting;
  SinkCore* core = core_.get();
  RunStartupCheck(*core, [this, core, done = std::move(done)](Status status) {
    if (!status.ok() || core->state != SinkCore::State::kStarting) {
      done(status.ok() ? Status(Code::kUnavailable, "the sink is shutting down") : status);
      return;
    }
    core->state = SinkCore::State::kRunning;
    core->rotation_timer = new uv_timer_t;
    uv_timer_init(core->loop, core->rotation_timer);
    core->rotation_timer->data = this;
    uv_timer_start(
        core->rotation_timer,
        [](uv_timer_t* timer) {
          static_cast<Sink*>(timer->data)->CheckRotation([](Result<int> rotated) {
            if (!rotated.ok()) spdlog::error("sink: automatic key rotation failed: {}", rotated.status().ToString());
          });
        },
        kRotationCheckIntervalMs, kRotationCheckIntervalMs);
    CheckRotation([done](Result<int> rotated) {
      // A failed rotation is logged, not fatal: the old key still works.
      if (!rotated.ok()) spdlog::error("sink: automatic key rotation failed: {}", rotated.status().ToString());
      done(Status::Ok());
    });
  });
}

const CheckReport& Sink::check_report() const { return core_->check_report; }

void Sink::Put(PutRequest request, Callback<ObjectInfo> done) { RunPut(*core_, std::move(request), std::move(done)); }

void Sink::Get(std::string bucket, std::string key, Callback<GetResult> done) {
  RunGet(*core_, std::move(bucket), std::move(key), std::move(done));
}

void Sink::Delete(std::string bucket, std::string key, Callback<bool> done) {
  RunDelete(*core_, std::move(bucket), std::move(key), std::move(done));
}

void Sink::List(ListRequest request, Callback<ListResult> done) {
  if (Status admitted = core_->Admit(false); !admitted.ok()) return done(admitted);
  if (request.limit < 1 || request.limit > 1000) {
    return done(Status(Code::kInvalidParameterValue, "limit must be an integer from 1 to 1000"));
  }
  if (request.bucket) {
    if (Status valid = ValidateBucketName(*request.bucket); !valid.ok()) return done(valid);
    if (core_->buckets.count(*request.bucket) == 0) return done(NoSuchBucket(*request.bucket));
  }
  Metadata* metadata = &core_->metadata;
  QueryOp<ListResult>::Run(
      *core_, [metadata, request = std::move(request)](sqlite3* db) { return metadata->List(db, request); },
      std::move(done));
}

void Sink::Buckets(Callback<std::vector<BucketInfo>> done) {
  if (Status admitted = core_->Admit(false); !admitted.ok()) return done(admitted);
  Metadata* metadata = &core_->metadata;
  QueryOp<std::vector<BucketInfo>>::Run(
      *core_, [metadata](sqlite3* db) { return metadata->Buckets(db); }, std::move(done));
}

void Sink::CreateBucket(std::string name, Callback<bool> done) {
  RunCreateBucket(*core_, std::move(name), "", std::move(done));
}

void Sink::CreateBucket(std::string name, std::string region, Callback<bool> done) {
  RunCreateBucket(*core_, std::move(name), std::move(region), std::move(done));
}

void Sink::DeleteBucket(std::string name, Callback<bool> done) {
  RunDeleteBucket(*core_, std::move(name), std::move(done));
}

void Sink::BucketInfoOf(std::string name, Callback<BucketInfo> done) {
  if (Status admitted = core_->Admit(false); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateBucketName(name); !valid.ok()) return done(valid);
  Metadata* metadata = &core_->metadata;
  QueryOp<BucketInfo>::Run(
      *core_, [metadata, name = std::move(name)](sqlite3* db) { return metadata->FindBucket(db, name); },
      std::move(done));
}

void Sink::BucketSetting(std::string bucket, std::string name, Callback<std::optional<std::string>> done) {
  if (Status admitted = core_->Admit(false); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateBucketName(bucket); !valid.ok()) return done(valid);
  Metadata* metadata = &core_->metadata;
  QueryOp<std::optional<std::string>>::Run(
      *core_,
      [metadata, bucket = std::move(bucket), name = std::move(name)](sqlite3* db) {
        return metadata->BucketSetting(db, bucket, name);
      },
      std::move(done));
}

void Sink::PutBucketSetting(std::string bucket, std::string name, std::optional<std::string> value,
                            Callback<bool> done) {
  if (Status admitted = core_->Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateBucketName(bucket); !valid.ok()) return done(valid);
  Metadata* metadata = &core_->metadata;
  QueryOp<bool>::Run(
      *core_,
      [metadata, bucket = std::move(bucket), name = std::move(name), value = std::move(value)](
          sqlite3* db) -> Result<bool> {
        SLUICE_RETURN_IF_ERROR(metadata->PutBucketSetting(db, bucket, name, value));
        return true;
      },
      std::move(done));
}

void Sink::BucketSettings(std::string name, Callback<std::map<std::string, std::string>> done) {
  if (Status admitted = core_->Admit(false); !admitted.ok()) return done(admitted);
  Metadata* metadata = &core_->metadata;
  QueryOp<std::map<std::string, std::string>>::Run(
      *core_, [metadata, name = std::move(name)](sqlite3* db) { return metadata->BucketSettings(db, name); },
      std::move(done));
}

void Sink::BeginPut(WriteRequest request, Callback<std::unique_ptr<ObjectUpload>> done) {
  RunBeginPut(*core_, std::move(request), std::move(done));
}

void Sink::OpenRead(std::string bucket, std::string key, std::optional<ByteRange> range,
                    Callback<std::unique_ptr<ObjectDownload>> done) {
  RunOpenRead(*core_, std::move(bucket), std::move(key), range, std::move(done));
}

void Sink::Stat(std::string bucket, std::string key, Callback<ObjectInfo> done) {
  if (Status admitted = core_->Admit(false); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(*core_, bucket, key); !valid.ok()) return done(valid);
  Metadata* metadata = &core_->metadata;
  QueryOp<ObjectInfo>::Run(
      *core_,
      [metadata, bucket = std::move(bucket), key = std::move(key)](sqlite3* db) -> Result<ObjectInfo> {
        Result<std::optional<ObjectRow>> row = metadata->Find(db, bucket, key);
        if (!row.ok()) return row.status();
        if (!*row) return NoSuchKey(bucket, key);
        return std::move((*row)->info);
      },
      std::move(done));
}

void Sink::Copy(std::string src_bucket, std::string src_key, WriteRequest destination, Callback<ObjectInfo> done) {
  RunCopy(*core_, std::move(src_bucket), std::move(src_key), std::move(destination), std::move(done));
}

void Sink::Verify(std::optional<std::string> bucket, Callback<VerifyReport> done) {
  RunVerify(*core_, std::move(bucket), std::move(done));
}

void Sink::Keys(Callback<KeyringInfo> done) {
  if (Status admitted = core_->Admit(false); !admitted.ok()) return done(admitted);
  Metadata* metadata = &core_->metadata;
  Keyring* keyring = core_->keyring.get();
  QueryOp<std::map<int, uint64_t>>::Run(
      *core_, [metadata](sqlite3* db) { return metadata->CountByKeyVersion(db); },
      [keyring, done = std::move(done)](Result<std::map<int, uint64_t>> counts) {
        if (!counts.ok()) return done(counts.status());
        KeyringInfo info;
        info.path = keyring->path();
        info.versions = keyring->Versions();
        for (KeyVersionInfo& version : info.versions) {
          auto found = counts->find(version.version);
          if (found != counts->end()) version.objects = found->second;
          if (version.state == KeyState::kActive) info.active = version.version;
        }
        done(std::move(info));
      });
}

void Sink::Rotate(Callback<int> done) { RunRotate(*core_, std::move(done)); }

void Sink::Rewrap(Callback<RewrapReport> done) { RunRewrap(*core_, std::move(done)); }

void Sink::Retire(int version, Callback<int> done) { RunRetire(*core_, version, std::move(done)); }

void Sink::CheckRotation(Callback<int> done) {
  const SinkCore& core = *core_;
  if (core.config.rotation_period_days <= 0 || core.rotation_running ||
      core.state != SinkCore::State::kRunning) {
    return done(0);
  }
  const int64_t age_ms = core.clock.NowMillis() - core.keyring->ActiveCreatedMs();
  if (age_ms < core.config.rotation_period_days * kDayMs) return done(0);
  spdlog::info("sink: key version {} is {} days old; rotating (rotation_period_days = {})",
               core.keyring->Active().version, age_ms / kDayMs, core.config.rotation_period_days);
  RunRotate(*core_, std::move(done));
}

bool Sink::healthy() const { return core_->healthy(); }
const std::string& Sink::root_dir() const { return core_->config.root_dir; }
const std::string& Sink::keyring_path() const { return core_->config.keyring_path; }

void Sink::Shutdown(std::function<void()> done) { core_->Shutdown(std::move(done)); }

}  // namespace sluice::sink
