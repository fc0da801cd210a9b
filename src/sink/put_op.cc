// Put: one object from a whole body, made durable in the order
// object_files.h lays out.
//
//   Start()        loop     validate, pick the active KEK (pinned), new generation
//   Seal()         I/O      encrypt into <root>/.tmp, fsync, rename into place,
//                           fsync the directory
//   CommitWrite()  storage  upsert the row naming the new generation, reply,
//                           remove the replaced file (write_commit.h)
#include <rapidjson/document.h>

#include "sink/sink_core.h"
#include "sink/write_commit.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

class PutOp {
 public:
  PutOp(SinkCore& core, PutRequest request, Kek kek, Callback<ObjectInfo> done)
      : scope_(core), core_(core), request_(std::move(request)), kek_(std::move(kek)),
        done_(std::move(done)) {
    ObjectInfo& info = target_.info;
    info.bucket = request_.bucket;
    info.key = request_.key;
    info.content_type = request_.content_type;
    info.user_metadata = request_.user_metadata;
    info.attributes = request_.attributes;
    info.generation = NewGeneration();
    info.created_ms = core_.clock.NowMillis();
    info.key_version = static_cast<int>(kek_.version);
    core_.Pin(info.key_version);
  }

  void Start() { Seal(); }

 private:
  void Seal() {
    core_.Pool(
        [this] {
          ObjectInfo& info = target_.info;
          Result<std::unique_ptr<ObjectFileWriter>> writer = core_.files.BeginWrite(target_.Binding(), kek_);
          if (!writer.ok()) {
            sealed_ = writer.status();
          } else {
            sealed_ = (*writer)->Append(request_.body);
            if (sealed_.ok()) sealed_ = SealAndInstall(**writer, BodyChecks{}, &info.size, &info.etag);
            writer->reset();  // removes the temp file unless installed
          }
          std::string().swap(request_.body);  // freed here, off the loop
        },
        [this] { OnSealed(); });
  }

  void OnSealed() {
    if (!sealed_.ok()) {
      core_.Unpin(target_.info.key_version);
      done_(sealed_);
    } else {
      CommitWrite(core_, std::move(target_), std::move(done_));
    }
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  PutRequest request_;
  const Kek kek_;
  Callback<ObjectInfo> done_;
  WriteTarget target_;
  Status sealed_;  // written on an I/O thread
};

}  // namespace

Status ValidateUserMetadata(const std::string& text) {
  if (text.empty()) return Status::Ok();
  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  if (document.HasParseError() || !document.IsObject()) {
    return Status(Code::kInvalidParameterValue, "user metadata must be a JSON object");
  }
  return Status::Ok();
}

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
