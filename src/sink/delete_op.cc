// Delete: the row goes first, in one commit; once it is gone no reader can
// reach the file, which is removed after the reply. A crash in between
// leaves an orphan that the startup check removes.
//
//   Start()      storage  delete the row, learn its generation
//   OnDeleted()  loop     reply; then unlink the file on an I/O thread
#include "sink/sink_core.h"

namespace sluice::sink {
namespace {

class DeleteOp {
 public:
  DeleteOp(SinkCore& core, std::string bucket, std::string key, Callback<bool> done)
      : scope_(core), core_(core), bucket_(std::move(bucket)), key_(std::move(key)),
        done_(std::move(done)) {}

  void Start() {
    Metadata* metadata = &core_.metadata;
    core_.Storage(
        [this, metadata](sqlite3* db) {
          Result<std::optional<std::string>> generation = metadata->Delete(db, bucket_, key_);
          if (!generation.ok()) return generation.status();
          generation_ = std::move(generation).value();
          return Status::Ok();
        },
        [this](Status status) { OnDeleted(std::move(status)); });
  }

 private:
  void OnDeleted(Status status) {
    Callback<bool> done = std::move(done_);
    if (!status.ok()) {
      done(status);
      delete this;
      return;
    }
    done(generation_.has_value());
    if (!generation_) {
      delete this;
      return;
    }
    core_.Pool([this] { (void)core_.files.Remove(ObjectBinding{bucket_, key_, *generation_}); },
               [this] { delete this; });
  }

  OperationScope scope_;
  SinkCore& core_;
  const std::string bucket_;
  const std::string key_;
  Callback<bool> done_;
  std::optional<std::string> generation_;  // written on the storage thread
};

}  // namespace

void RunDelete(SinkCore& core, std::string bucket, std::string key, Callback<bool> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, bucket, key); !valid.ok()) return done(valid);
  (new DeleteOp(core, std::move(bucket), std::move(key), std::move(done)))->Start();
}

}  // namespace sluice::sink
