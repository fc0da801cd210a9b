// Put: one object, made durable in the order object_files.h lays out.
//
//   Start()        loop     validate, pick the active KEK (pinned), new generation
//   Seal()         I/O      encrypt into <root>/.tmp, fsync, rename into place,
//                           fsync the directory
//   Commit()       storage  upsert the row naming the new generation
//   OnCommitted()  loop     reply; the old generation's file is now garbage
//   RemoveFile()   I/O      unlink the replaced file (or ours, if the row
//                           was refused)
//   Finish()       loop     delete the op
#include <rapidjson/document.h>

#include "sink/sink_core.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

class PutOp {
 public:
  PutOp(SinkCore& core, PutRequest request, Kek kek, Callback<ObjectInfo> done)
      : scope_(core), core_(core), request_(std::move(request)), kek_(std::move(kek)),
        done_(std::move(done)) {
    info_.bucket = request_.bucket;
    info_.key = request_.key;
    info_.content_type = request_.content_type;
    info_.user_metadata = request_.user_metadata;
    info_.generation = NewGeneration();
    info_.created_ms = core_.clock.NowMillis();
    info_.key_version = static_cast<int>(kek_.version);
    core_.Pin(info_.key_version);
  }

  void Start() { Seal(); }

 private:
  ObjectBinding Binding() const { return ObjectBinding{info_.bucket, info_.key, info_.generation}; }

  void Seal() {
    core_.Pool(
        [this] {
          Result<std::unique_ptr<ObjectFileWriter>> writer = core_.files.BeginWrite(Binding(), kek_);
          if (!writer.ok()) {
            sealed_ = writer.status();
          } else {
            sealed_ = (*writer)->Append(request_.body);
            if (sealed_.ok()) sealed_ = (*writer)->Commit();
            info_.size = (*writer)->size();
            info_.etag = (*writer)->etag();
          }
          std::string().swap(request_.body);  // freed here, off the loop
        },
        [this] { OnSealed(); });
  }

  void OnSealed() {
    if (!sealed_.ok()) {
      core_.Unpin(info_.key_version);
      Reply(sealed_);
      return Finish();
    }
    Commit();
  }

  void Commit() {
    Metadata* metadata = &core_.metadata;
    core_.Storage(
        [this, metadata](sqlite3* db) {
          Result<std::optional<std::string>> replaced = metadata->Upsert(db, info_);
          if (!replaced.ok()) return replaced.status();
          replaced_generation_ = std::move(replaced).value();
          return Status::Ok();
        },
        [this](Status status) { OnCommitted(std::move(status)); });
  }

  void OnCommitted(Status status) {
    core_.Unpin(info_.key_version);
    if (status.ok()) {
      // The file and its directory entry were fsynced in Seal() and the row
      // naming them has committed: only now is the put acknowledged.
      Reply(info_);
      if (replaced_generation_ && *replaced_generation_ != info_.generation) {
        return RemoveFile(ObjectBinding{info_.bucket, info_.key, *replaced_generation_});
      }
      return Finish();
    }
    Reply(status);
    if (status.code() == Code::kStorageFailed) {
      // The commit's outcome is unknown: the row may be durable after all.
      // Keep the file; the startup check removes it if no row names it.
      return Finish();
    }
    // The op's own savepoint rolled back (e.g. the bucket is gone): no row
    // names the new file.
    RemoveFile(Binding());
  }

  void RemoveFile(ObjectBinding object) {
    core_.Pool([this, object = std::move(object)] { (void)core_.files.Remove(object); },
               [this] { Finish(); });
  }

  void Reply(Result<ObjectInfo> result) {
    Callback<ObjectInfo> done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result));
  }

  void Finish() { delete this; }

  OperationScope scope_;
  SinkCore& core_;
  PutRequest request_;
  const Kek kek_;
  Callback<ObjectInfo> done_;
  ObjectInfo info_;
  Status sealed_;                                     // written on an I/O thread
  std::optional<std::string> replaced_generation_;    // written on the storage thread
};

Status ValidateUserMetadata(const std::string& text) {
  if (text.empty()) return Status::Ok();
  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  if (document.HasParseError() || !document.IsObject()) {
    return Status(Code::kInvalidParameterValue, "user metadata must be a JSON object");
  }
  return Status::Ok();
}

}  // namespace

void RunPut(SinkCore& core, PutRequest request, Callback<ObjectInfo> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateBucketName(request.bucket); !valid.ok()) return done(valid);
  if (Status valid = ValidateObjectKey(request.key); !valid.ok()) return done(valid);
  if (Status valid = ValidateUserMetadata(request.user_metadata); !valid.ok()) return done(valid);
  if (request.content_type.empty()) request.content_type = "application/octet-stream";
  if (core.buckets.count(request.bucket) == 0) return done(NoSuchBucket(request.bucket));
  (new PutOp(core, std::move(request), core.keyring->Active(), std::move(done)))->Start();
}

}  // namespace sluice::sink
