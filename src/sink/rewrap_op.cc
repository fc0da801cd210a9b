// Rewrap: re-wrap every object's data key with the active KEK, rewriting
// only the fixed-size header of each file, in place. The data is untouched.
//
// A header rewritten in place could be torn by a crash, and a torn header
// would make the object unreadable. So every rewrite is journaled in the
// object's row first (the write-ahead rule), page by page:
//
//   NextPage()       storage  rows not yet wrapped by the target version
//   PrepareHeaders() I/O      read each header, unwrap with its version,
//                             wrap with the target: the new header bytes
//   Journal()        storage  commit the new bytes into each row
//                             (rewrap_header, rewrap_kek_version), only if
//                             the row still names the same generation
//   WriteHeaders()   I/O      pwrite + fdatasync each header, in parallel
//   Complete()       storage  kek_version = rewrap_kek_version, clear the journal
//
// Invariant: while a row's journal is set, the file's header is either the
// old one (which its kek_version unwraps) or the journaled one; readers try
// both (ObjectFiles::Read), and the startup check finishes any journal a
// crash left behind. A put or delete of the key meanwhile replaces or drops
// the row, journal included, so the generation checks skip it.
//
// The target version is pinned for the whole run, so it cannot be retired
// under us; one rewrap runs at a time.
#include <spdlog/spdlog.h>

#include "sink/sink_core.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

constexpr int kPageRows = 64;

class RewrapOp {
 public:
  RewrapOp(SinkCore& core, Callback<RewrapReport> done)
      : scope_(core), core_(core), target_(core.keyring->Active()), done_(std::move(done)) {
    core_.rewrap_running = true;
    core_.Pin(static_cast<int>(target_.version));
    report_.version = static_cast<int>(target_.version);
  }

  void Start() { NextPage(); }

 private:
  struct Pending {
    ObjectRow row;
    std::string header;  // the new header bytes
    Status status;       // of the current step
    bool journaled = false;
    bool written = false;
  };

  static ObjectBinding Binding(const ObjectRow& row) {
    return ObjectBinding{row.info.bucket, row.info.key, row.info.generation};
  }

  void NextPage() {
    Metadata* metadata = &core_.metadata;
    const int target = static_cast<int>(target_.version);
    core_.Storage(
        [this, metadata, target](sqlite3* db) {
          Result<std::vector<ObjectRow>> rows = metadata->NotWrappedBy(db, target, cursor_, kPageRows);
          if (!rows.ok()) return rows.status();
          page_.clear();
          for (ObjectRow& row : *rows) page_.push_back(Pending{std::move(row), {}, {}, false, false});
          return Status::Ok();
        },
        [this](Status status) { PrepareHeaders(std::move(status)); });
  }

  void PrepareHeaders(Status status) {
    if (!status.ok()) return Finish(status);
    if (page_.empty()) return Finish(Status::Ok());
    cursor_ = ObjectCursor{page_.back().row.info.bucket, page_.back().row.info.key};
    core_.Pool([this] { for (Pending& pending : page_) pending.status = Rewrapped(pending); },
               [this] { Journal(); });
  }

  Status Rewrapped(Pending& pending) const {  // I/O thread
    const ObjectBinding object = Binding(pending.row);
    Result<std::string> bytes = core_.files.ReadHeader(object);
    if (!bytes.ok()) return bytes.status();
    Result<EnvelopeHeader> header = EnvelopeHeader::Parse(object, *bytes);
    if (!header.ok()) return header.status();
    Result<Kek> current = core_.keyring->Find(header->kek_version());
    if (!current.ok()) return current.status();
    Result<std::string> rewrapped = RewrapHeader(object, *header, *current, target_);
    if (!rewrapped.ok()) return rewrapped.status();
    pending.header = std::move(rewrapped).value();
    return Status::Ok();
  }

  void Journal() {
    for (Pending& pending : page_) {
      // A vanished file belongs to an object replaced or deleted meanwhile.
      if (!pending.status.ok() && pending.status.code() != Code::kResourceNotFound) {
        report_.failed.push_back(DamagedObject{pending.row.info.bucket, pending.row.info.key,
                                               pending.status.message()});
      }
    }
    Metadata* metadata = &core_.metadata;
    const int target = static_cast<int>(target_.version);
    core_.Storage(
        [this, metadata, target](sqlite3* db) {
          for (Pending& pending : page_) {
            if (!pending.status.ok()) continue;
            Result<bool> journaled = metadata->JournalRewrap(db, pending.row.info, pending.header, target);
            if (!journaled.ok()) return journaled.status();
            pending.journaled = *journaled;
          }
          return Status::Ok();
        },
        [this](Status status) { WriteHeaders(std::move(status)); });
  }

  // The journal is committed: the in-place rewrites may begin.
  void WriteHeaders(Status status) {
    if (!status.ok()) return Finish(status);
    outstanding_ = 1;  // held until every job is posted
    for (Pending& pending : page_) {
      if (!pending.journaled) continue;
      ++outstanding_;
      core_.Pool(
          [this, &pending] {
            pending.status = core_.files.WriteHeader(Binding(pending.row), pending.header);
            pending.written = pending.status.ok();
          },
          [this] { OnHeaderWritten(); });
    }
    OnHeaderWritten();
  }

  void OnHeaderWritten() {
    if (--outstanding_ > 0) return;
    for (Pending& pending : page_) {
      if (pending.journaled && !pending.written && pending.status.code() != Code::kResourceNotFound) {
        report_.failed.push_back(DamagedObject{pending.row.info.bucket, pending.row.info.key,
                                               pending.status.message()});
      }
    }
    // An fsync failure is sticky: stop here; the journal stays for the
    // startup check of the next run.
    if (Status failure = core_.files.failure(); !failure.ok()) return Finish(failure);
    Complete();
  }

  void Complete() {
    Metadata* metadata = &core_.metadata;
    core_.Storage(
        [this, metadata](sqlite3* db) {
          for (Pending& pending : page_) {
            if (!pending.journaled) continue;
            if (pending.written) {
              Result<bool> completed = metadata->CompleteRewrap(db, pending.row.info);
              if (!completed.ok()) return completed.status();
              if (*completed) ++completed_in_page_;
            } else {
              SLUICE_RETURN_IF_ERROR(metadata->AbandonRewrap(db, pending.row.info));
            }
          }
          return Status::Ok();
        },
        [this](Status status) {
          if (!status.ok()) return Finish(status);
          report_.rewrapped += completed_in_page_;
          completed_in_page_ = 0;
          if (page_.size() < static_cast<size_t>(kPageRows)) return Finish(Status::Ok());
          NextPage();
        });
  }

  void Finish(const Status& status) {
    core_.rewrap_running = false;
    core_.Unpin(static_cast<int>(target_.version));
    if (status.ok()) {
      spdlog::info("sink: rewrapped {} objects to key version {} ({} failed)", report_.rewrapped,
                   report_.version, report_.failed.size());
      done_(std::move(report_));
    } else {
      done_(status);
    }
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  const Kek target_;
  Callback<RewrapReport> done_;
  ObjectCursor cursor_;
  std::vector<Pending> page_;  // each step writes it on one thread, then hands it over
  size_t outstanding_ = 0;
  uint64_t completed_in_page_ = 0;  // written on the storage thread
  RewrapReport report_;
};

}  // namespace

void RunRewrap(SinkCore& core, Callback<RewrapReport> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (core.rewrap_running) return done(Status(Code::kConflict, "a rewrap is already running"));
  (new RewrapOp(core, std::move(done)))->Start();
}

}  // namespace sluice::sink
