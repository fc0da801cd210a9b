// CreateBucket: the directory first (durable), then the row. A crash in
// between leaves an empty directory, which the next attempt reuses.
//
//   Start()        I/O      mkdir <root>/<bucket>, fsync <root>
//   Commit()       storage  insert the bucket row unless it exists
//   OnCommitted()  loop     admit puts to it, reply
#include "sink/sink_core.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

class CreateBucketOp {
 public:
  CreateBucketOp(SinkCore& core, std::string name, std::string region, Callback<bool> done)
      : scope_(core), core_(core), name_(std::move(name)), region_(std::move(region)), done_(std::move(done)) {}

  void Start() {
    core_.Pool([this] { prepared_ = core_.files.PrepareBucket(name_); }, [this] { Commit(); });
  }

 private:
  void Commit() {
    if (!prepared_.ok()) return Finish(prepared_);
    Metadata* metadata = &core_.metadata;
    const int64_t now = core_.clock.NowMillis();
    core_.Storage([this, metadata, now](sqlite3* db) { return metadata->CreateBucket(db, name_, region_, now, &created_); },
                  [this](Status status) { OnCommitted(std::move(status)); });
  }

  void OnCommitted(Status status) {
    if (!status.ok()) return Finish(status);
    core_.buckets.insert(name_);
    Finish(created_);
  }

  void Finish(Result<bool> result) {
    done_(std::move(result));
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  const std::string name_;
  const std::string region_;
  Callback<bool> done_;
  Status prepared_;      // written on an I/O thread
  bool created_ = false;  // written on the storage thread
};

}  // namespace

void RunCreateBucket(SinkCore& core, std::string name, std::string region, Callback<bool> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateBucketName(name); !valid.ok()) return done(valid);
  (new CreateBucketOp(core, std::move(name), std::move(region), std::move(done)))->Start();
}

}  // namespace sluice::sink
