// Streamed writes (ObjectUpload): an object (BeginPut) or an upload's part
// (BeginPart), appended a piece at a time.
//
//   Begin()     loop     validate; for a part, the upload must exist (storage)
//   Open()      I/O      create the temp file (BeginWrite); the KEK is pinned
//   Write()     I/O      seal and write one piece; `observe` sees it
//   Commit()    I/O      seal the rest, check digest and size, fsync, rename,
//                        fsync the directory (SealAndInstall)
//   CommitWrite storage  the row, the reply, the replaced file (write_commit.h)
//
// The caller owns a WriteStream (the handle); the state I/O jobs touch is a
// WriteState, which outlives the handle while a job is in flight and then
// abandons the write off the loop (Close()). The writer itself only ever
// moves between I/O jobs and is destroyed on an I/O thread, since its
// destructor removes the temp file.
#include "sink/sink_core.h"
#include "sink/write_commit.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

class WriteState {
 public:
  WriteState(SinkCore& core, WriteTarget target, Kek kek, const WriteRequest& request)
      : scope_(core), core_(core), target_(std::move(target)), kek_(std::move(kek)),
        checks_{request.expected_md5_hex, request.expected_size}, observe_(request.observe) {
    target_.info.generation = NewGeneration();
    target_.info.key_version = static_cast<int>(kek_.version);
    core_.Pin(target_.info.key_version);
    pinned_ = true;
  }

  // Creates the temp file, then hands the caller its handle.
  void Open(Callback<std::unique_ptr<ObjectUpload>> done);

  void SetAttributes(std::string attributes) { target_.info.attributes = std::move(attributes); }

  void Write(std::string data, std::function<void(Status)> done) {
    if (Status refused = Refusal(); !refused.ok()) return done(refused);
    busy_ = true;
    core_.Pool(
        [this, data = std::move(data)]() mutable {
          step_ = writer_->Append(data);
          if (step_.ok() && observe_) observe_(data);
          std::string().swap(data);  // freed here, off the loop
        },
        [this, done = std::move(done)] {
          busy_ = false;
          if (released_) return Close();
          if (!step_.ok()) failure_ = step_;
          done(step_);
        });
  }

  void Commit(std::function<void(Result<ObjectInfo>)> done) {
    if (Status refused = Refusal(); !refused.ok()) return done(refused);
    busy_ = true;
    committing_ = true;
    core_.Pool(
        [this] {
          step_ = SealAndInstall(*writer_, checks_, &target_.info.size, &target_.info.etag);
          writer_.reset();  // removes the temp file unless it was installed
        },
        [this, done = std::move(done)]() mutable { OnInstalled(std::move(done)); });
  }

  // The handle is gone.
  void Release() {
    released_ = true;
    if (!busy_) Close();
  }

 private:
  Status Refusal() const {
    if (busy_) return Status(Code::kInternal, "a Write or Commit of this upload is still pending");
    if (committing_) return Status(Code::kInternal, "this upload was committed already");
    SLUICE_RETURN_IF_ERROR(failure_);
    return core_.Admit(true);
  }

  void OnInstalled(std::function<void(Result<ObjectInfo>)> done) {
    if (!step_.ok()) {
      failure_ = step_;
      Unpin();
      busy_ = false;
      if (released_) return Close();
      return done(step_);
    }
    // The file is installed: the commit goes on even if the handle goes.
    target_.info.created_ms = core_.clock.NowMillis();
    pinned_ = false;  // CommitWrite takes the pin over
    CommitWrite(core_, target_, [this, done = std::move(done)](Result<ObjectInfo> result) {
      busy_ = false;
      if (released_) return Close();
      done(std::move(result));
    });
  }

  void Unpin() {
    if (pinned_) core_.Unpin(target_.info.key_version);
    pinned_ = false;
  }

  // Abandons an uncommitted write: the writer (and so the temp file) goes
  // on an I/O thread. Loop thread, nothing in flight.
  void Close() {
    Unpin();
    if (!writer_) {
      delete this;
      return;
    }
    ObjectFileWriter* writer = writer_.release();
    core_.Pool([writer] { delete writer; }, [this] { delete this; });
  }

  friend class WriteStream;
  OperationScope scope_;
  SinkCore& core_;
  WriteTarget target_;
  const Kek kek_;
  const BodyChecks checks_;
  const std::function<void(std::string_view)> observe_;
  std::unique_ptr<ObjectFileWriter> writer_;  // used by one I/O job at a time
  Status step_;     // of the last I/O job
  Status failure_;  // sticky: every later call fails with it
  bool busy_ = false;
  bool committing_ = false;
  bool released_ = false;
  bool pinned_ = false;
};

class WriteStream final : public ObjectUpload {
 public:
  explicit WriteStream(WriteState* state) : state_(state) {}
  ~WriteStream() override { state_->Release(); }

  void Write(std::string data, std::function<void(Status)> done) override {
    state_->Write(std::move(data), std::move(done));
  }
  void Commit(std::function<void(Result<ObjectInfo>)> done) override { state_->Commit(std::move(done)); }
  void SetAttributes(std::string attributes) override { state_->SetAttributes(std::move(attributes)); }

 private:
  WriteState* const state_;
};

void WriteState::Open(Callback<std::unique_ptr<ObjectUpload>> done) {
  busy_ = true;
  core_.Pool(
      [this] {
        Result<std::unique_ptr<ObjectFileWriter>> writer = core_.files.BeginWrite(target_.Binding(), kek_);
        step_ = writer.status();
        if (writer.ok()) writer_ = std::move(writer).value();
      },
      [this, done = std::move(done)] {
        busy_ = false;
        if (!step_.ok()) {
          Status failed = step_;
          Close();
          return done(failed);
        }
        done(std::unique_ptr<ObjectUpload>(new WriteStream(this)));
      });
}

Status CheckWriteRequest(const SinkCore& core, WriteRequest& request) {
  SLUICE_RETURN_IF_ERROR(core.Admit(true));
  SLUICE_RETURN_IF_ERROR(ValidateObjectName(core, request.bucket, request.key));
  SLUICE_RETURN_IF_ERROR(ValidateUserMetadata(request.user_metadata));
  if (request.content_type.empty()) request.content_type = "application/octet-stream";
  return Status::Ok();
}

}  // namespace

Status ValidateUploadId(const std::string& upload_id) {
  return IsUploadId(upload_id) ? Status::Ok() : NoSuchUpload(upload_id);
}

Status ValidatePartNumber(int part_number) {
  if (part_number < 1 || part_number > kMaxPartNumber) {
    return Status(Code::kInvalidParameterValue, "part number must be an integer from 1 to 10000");
  }
  return Status::Ok();
}

void RunBeginPut(SinkCore& core, WriteRequest request, Callback<std::unique_ptr<ObjectUpload>> done) {
  if (Status valid = CheckWriteRequest(core, request); !valid.ok()) return done(valid);
  WriteTarget target;
  target.info.bucket = request.bucket;
  target.info.key = request.key;
  target.info.content_type = request.content_type;
  target.info.user_metadata = request.user_metadata;
  target.info.attributes = request.attributes;
  target.conditions = WriteConditions{request.if_match_etag, request.if_none_match_any};
  (new WriteState(core, std::move(target), core.keyring->Active(), request))->Open(std::move(done));
}

void RunBeginPart(SinkCore& core, std::string bucket, std::string key, std::string upload_id, int part_number,
                  WriteRequest part, Callback<std::unique_ptr<ObjectUpload>> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, bucket, key); !valid.ok()) return done(valid);
  if (Status valid = ValidateUploadId(upload_id); !valid.ok()) return done(valid);
  if (Status valid = ValidatePartNumber(part_number); !valid.ok()) return done(valid);
  WriteTarget target;
  target.kind = WriteTarget::Kind::kPart;
  target.info.bucket = std::move(bucket);
  target.info.key = std::move(key);
  target.info.attributes = part.attributes;
  target.upload_id = std::move(upload_id);
  target.part_number = part_number;
  // The upload must exist now (and again when the part commits).
  Metadata* metadata = &core.metadata;
  auto find = [metadata, bucket = target.info.bucket, key = target.info.key,
               upload_id = target.upload_id](sqlite3* db) { return metadata->FindUpload(db, bucket, key, upload_id); };
  QueryOp<UploadInfo>::Run(
      core, std::move(find),
      [&core, target = std::move(target), part = std::move(part), done = std::move(done)](
          Result<UploadInfo> upload) mutable {
        if (!upload.ok()) return done(upload.status());
        if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
        (new WriteState(core, std::move(target), core.keyring->Active(), part))->Open(std::move(done));
      });
}

}  // namespace sluice::sink
