// Copy and CopyPart: the source object (or a range of it) streamed into a
// new object or an upload's part, decrypted and sealed again under the
// active KEK, a few MiB per I/O job.
//
//   Start()      loop     validate; for a part, the upload must exist (storage)
//   OpenObject() storage, I/O  the source's row and file (open_object.h)
//   Create()     I/O      the destination's temp file (BeginWrite)
//   Pump()       I/O      read, append, observe; again until the source is done
//   Install()    I/O      seal, check, fsync, rename, fsync the directory
//   CommitWrite  storage  the row, the reply, the replaced file (write_commit.h)
//
// The reader keeps the source's file open, so a source overwritten during
// the copy is copied as it was when the copy began.
#include "sink/open_object.h"
#include "sink/sink_core.h"
#include "sink/write_commit.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

// Plaintext moved per I/O job, and per read within it.
constexpr uint64_t kBytesPerJob = 16 << 20;
constexpr size_t kPieceBytes = 768 << 10;

class CopyOp {
 public:
  CopyOp(SinkCore& core, WriteTarget target, const WriteRequest& request, std::function<void(Result<ObjectInfo>)> done)
      : scope_(core), core_(core), target_(std::move(target)), kek_(core.keyring->Active()),
        checks_{request.expected_md5_hex, request.expected_size}, observe_(request.observe),
        done_(std::move(done)) {
    target_.info.generation = NewGeneration();
    target_.info.key_version = static_cast<int>(kek_.version);
    core_.Pin(target_.info.key_version);
  }

  void Start(std::string src_bucket, std::string src_key, std::optional<ByteRange> range) {
    OpenObject(core_, std::move(src_bucket), std::move(src_key), range,
               [this](Result<OpenedObject> opened) {
                 if (!opened.ok()) return Fail(opened.status());
                 reader_ = std::move(opened.value().reader);
                 Create();
               });
  }

 private:
  void Create() {
    core_.Pool(
        [this] {
          Result<std::unique_ptr<ObjectFileWriter>> writer = core_.files.BeginWrite(target_.Binding(), kek_);
          step_ = writer.status();
          if (writer.ok()) writer_ = std::move(writer).value();
        },
        [this] { OnStep(); });
  }

  void OnStep() {
    if (!step_.ok()) return Fail(step_);
    if (reader_->done()) return Install();
    Pump();
  }

  void Pump() {
    core_.Pool(
        [this] {
          uint64_t moved = 0;
          std::string piece;
          while (moved < kBytesPerJob && !reader_->done()) {
            piece.clear();
            step_ = reader_->ReadSome(kPieceBytes, &piece);
            if (step_.ok()) step_ = writer_->Append(piece);
            if (!step_.ok()) return;
            if (observe_) observe_(piece);
            moved += piece.size();
          }
        },
        [this] { OnStep(); });
  }

  void Install() {
    core_.Pool(
        [this] {
          step_ = SealAndInstall(*writer_, checks_, &target_.info.size, &target_.info.etag);
          writer_.reset();  // removes the temp file unless it was installed
          reader_.reset();
        },
        [this] {
          if (!step_.ok()) return Fail(step_);
          target_.info.created_ms = core_.clock.NowMillis();
          CommitWrite(core_, std::move(target_), std::move(done_));  // takes the pin over
          delete this;
        });
  }

  // Replies, then drops the writer (its temp file) and the reader off the loop.
  void Fail(Status status) {
    core_.Unpin(target_.info.key_version);
    done_(std::move(status));
    core_.Pool(
        [this] {
          writer_.reset();
          reader_.reset();
        },
        [this] { delete this; });
  }

  OperationScope scope_;
  SinkCore& core_;
  WriteTarget target_;
  const Kek kek_;
  const BodyChecks checks_;
  const std::function<void(std::string_view)> observe_;
  std::function<void(Result<ObjectInfo>)> done_;
  std::unique_ptr<ObjectFileReader> reader_;  // used by one I/O job at a time
  std::unique_ptr<ObjectFileWriter> writer_;
  Status step_;  // of the last I/O job
};

}  // namespace

void RunCopy(SinkCore& core, std::string src_bucket, std::string src_key, WriteRequest destination,
             Callback<ObjectInfo> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, src_bucket, src_key); !valid.ok()) return done(valid);
  if (Status valid = ValidateObjectName(core, destination.bucket, destination.key); !valid.ok()) return done(valid);
  if (Status valid = ValidateUserMetadata(destination.user_metadata); !valid.ok()) return done(valid);
  if (destination.content_type.empty()) destination.content_type = "application/octet-stream";
  WriteTarget target;
  target.info.bucket = destination.bucket;
  target.info.key = destination.key;
  target.info.content_type = destination.content_type;
  target.info.user_metadata = destination.user_metadata;
  target.info.attributes = destination.attributes;
  target.conditions = WriteConditions{destination.if_match_etag, destination.if_none_match_any};
  (new CopyOp(core, std::move(target), destination, std::move(done)))
      ->Start(std::move(src_bucket), std::move(src_key), std::nullopt);
}

void RunCopyPart(SinkCore& core, std::string bucket, std::string key, std::string upload_id, int part_number,
                 std::string src_bucket, std::string src_key, std::optional<ByteRange> range,
                 Callback<PartInfo> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, bucket, key); !valid.ok()) return done(valid);
  if (Status valid = ValidateUploadId(upload_id); !valid.ok()) return done(valid);
  if (Status valid = ValidatePartNumber(part_number); !valid.ok()) return done(valid);
  if (Status valid = ValidateObjectName(core, src_bucket, src_key); !valid.ok()) return done(valid);
  WriteTarget target;
  target.kind = WriteTarget::Kind::kPart;
  target.info.bucket = std::move(bucket);
  target.info.key = std::move(key);
  target.upload_id = std::move(upload_id);
  target.part_number = part_number;
  Metadata* metadata = &core.metadata;
  auto find = [metadata, bucket = target.info.bucket, key = target.info.key,
               upload_id = target.upload_id](sqlite3* db) { return metadata->FindUpload(db, bucket, key, upload_id); };
  QueryOp<UploadInfo>::Run(
      core, std::move(find),
      [&core, target = std::move(target), src_bucket = std::move(src_bucket), src_key = std::move(src_key), range,
       part_number, done = std::move(done)](Result<UploadInfo> upload) mutable {
        if (!upload.ok()) return done(upload.status());
        if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
        auto reply = [part_number, done = std::move(done)](Result<ObjectInfo> written) {
          if (!written.ok()) return done(written.status());
          done(PartInfo{part_number, written->etag, written->size, written->created_ms, written->attributes});
        };
        (new CopyOp(core, std::move(target), WriteRequest{}, std::move(reply)))
            ->Start(std::move(src_bucket), std::move(src_key), range);
      });
}

}  // namespace sluice::sink
