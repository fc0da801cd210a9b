// DeleteBucket: the row first, then the directory tree, then the reply.
//
//   Start()      storage  refuse a bucket with objects or uploads; delete the row
//   OnDeleted()  loop     refuse new writes to it
//   Remove()     I/O      remove <root>/<bucket> and all below it, fsync the root
//   Finish()     loop     reply
//
// The reply waits for the tree's removal, so a CreateBucket of the same
// name that follows it finds no old directory to lose. A crash before the
// removal leaves a directory no bucket names; the startup check reports it
// and leaves it alone (a CreateBucket of that name reuses it, and the next
// check removes whatever files are in it, since no row names them).
#include <spdlog/spdlog.h>

#include "sink/sink_core.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

class DeleteBucketOp {
 public:
  DeleteBucketOp(SinkCore& core, std::string name, Callback<bool> done)
      : scope_(core), core_(core), name_(std::move(name)), done_(std::move(done)) {}

  void Start() {
    Metadata* metadata = &core_.metadata;
    core_.Storage([this, metadata](sqlite3* db) { return metadata->DeleteBucket(db, name_); },
                  [this](Status status) { OnDeleted(std::move(status)); });
  }

 private:
  void OnDeleted(Status status) {
    if (!status.ok()) return Finish(status);
    core_.buckets.erase(name_);
    core_.Pool([this] { removed_ = core_.files.RemoveBucketTree(name_); },
               [this] {
                 if (!removed_.ok()) {
                   // The bucket is gone all the same: its row is.
                   spdlog::warn("sink: bucket {} deleted, but its directory was not removed: {}", name_,
                                removed_.message());
                 }
                 Finish(true);
               });
  }

  void Finish(Result<bool> result) {
    done_(std::move(result));
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  const std::string name_;
  Callback<bool> done_;
  Status removed_;  // written on an I/O thread
};

}  // namespace

void RunDeleteBucket(SinkCore& core, std::string name, Callback<bool> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateBucketName(name); !valid.ok()) return done(valid);
  if (core.buckets.count(name) == 0) return done(NoSuchBucket(name));
  (new DeleteBucketOp(core, std::move(name), std::move(done)))->Start();
}

}  // namespace sluice::sink
