// Rotate and Retire: changes to the keyring. The keyring file is rewritten
// and fsynced on an I/O thread; the loop thread decides what is allowed.
//
// Retiring erases key material for good, so it must never happen while an
// object still needs the version. Objects need it in two ways: a committed
// row names it (or a journaled rewrap does), or a put sealed with it and
// has not committed yet (SinkCore::pinned_versions). The checks run in the
// order that closes the race between them:
//   (1) on the loop thread: the version exists, is not active, and no write
//       in flight pinned it. Only the active version gets pinned and versions
//       never become active again, so no new pin can appear after (1);
//   (2) on the storage thread, after every commit of the writes seen in (1):
//       no row uses it (Metadata::CountUsing);
//   (3) on an I/O thread: Keyring::Retire erases it.
#include <spdlog/spdlog.h>

#include "sink/sink_core.h"

namespace sluice::sink {
namespace {

class RotateOp {
 public:
  RotateOp(SinkCore& core, Callback<int> done) : scope_(core), core_(core), done_(std::move(done)) {}

  void Start() {
    core_.rotation_running = true;
    core_.Pool([this] { rotated_ = core_.keyring->Rotate(); }, [this] { Finish(); });
  }

 private:
  void Finish() {
    core_.rotation_running = false;
    if (rotated_.ok()) {
      spdlog::info("sink: key version {} is now active ({})", *rotated_, core_.keyring->path());
      done_(static_cast<int>(*rotated_));
    } else {
      done_(rotated_.status());
    }
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  Callback<int> done_;
  Result<uint32_t> rotated_ = Status(Code::kInternal, "rotation did not run");
};

class RetireOp {
 public:
  RetireOp(SinkCore& core, int version, Callback<int> done)
      : scope_(core), core_(core), version_(version), done_(std::move(done)) {}

  // (1)
  void Start() {
    if (Status allowed = CheckState(); !allowed.ok()) return Finish(allowed);
    Metadata* metadata = &core_.metadata;
    const int version = version_;
    core_.Storage(
        [this, metadata, version](sqlite3* db) {
          Result<uint64_t> count = metadata->CountUsing(db, version);
          if (!count.ok()) return count.status();
          objects_ = *count;
          return Status::Ok();
        },
        [this](Status status) { OnCounted(std::move(status)); });
  }

 private:
  Status CheckState() const {
    if (version_ <= 0) {
      return Status(Code::kInvalidParameterValue, "version must be a positive integer");
    }
    bool known = false;
    for (const KeyVersionInfo& info : core_.keyring->Versions()) {
      if (info.version != version_) continue;
      known = true;
      if (info.state == KeyState::kActive) {
        return Status(Code::kConflict, "key version " + std::to_string(version_) +
                                           " is the active version; rotate to a new one first");
      }
    }
    if (!known) {
      return Status(Code::kResourceNotFound, "no key version " + std::to_string(version_));
    }
    auto pinned = core_.pinned_versions.find(version_);
    if (pinned != core_.pinned_versions.end()) {
      return Status(Code::kConflict, "key version " + std::to_string(version_) + " is sealing " +
                                         std::to_string(pinned->second) +
                                         " writes in progress; try again");
    }
    return Status::Ok();
  }

  // (2)
  void OnCounted(Status status) {
    if (!status.ok()) return Finish(status);
    if (objects_ > 0) {
      return Finish(Status(Code::kConflict,
                           "key version " + std::to_string(version_) + " still wraps the data keys of " +
                               std::to_string(objects_) + " objects; run `sluice keys rewrap` first"));
    }
    // (3)
    core_.Pool([this] { retired_ = core_.keyring->Retire(static_cast<uint32_t>(version_)); },
               [this] {
                 if (retired_.ok()) {
                   spdlog::info("sink: key version {} retired; its material is erased from {}",
                                version_, core_.keyring->path());
                 }
                 Finish(retired_);
               });
  }

  void Finish(const Status& status) {
    if (status.ok()) {
      done_(version_);
    } else {
      done_(status);
    }
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  const int version_;
  Callback<int> done_;
  uint64_t objects_ = 0;  // written on the storage thread before the commit
  Status retired_;        // written on an I/O thread
};

}  // namespace

void RunRotate(SinkCore& core, Callback<int> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  (new RotateOp(core, std::move(done)))->Start();
}

void RunRetire(SinkCore& core, int version, Callback<int> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  (new RetireOp(core, version, std::move(done)))->Start();
}

}  // namespace sluice::sink
