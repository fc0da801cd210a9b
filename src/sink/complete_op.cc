// CompleteUpload: the chosen parts, in order, streamed into one new object.
//
//   Start()      loop     check the list's shape and order; mark the upload
//                         as completing (part commits for it are refused)
//   Load()       storage  the upload and its parts: every part named exists
//                         with that ETag, all but the last are big enough
//   Create()     I/O      the object's temp file (BeginWrite)
//   Pump()       I/O      each part's file authenticated and appended, in
//                         order, a few MiB per job; `observe` sees it all
//   Install()    I/O      seal the object, fsync, rename, fsync the directory
//   CommitWrite  storage  in one transaction: the object's row, the upload's
//                         and its parts' rows deleted; reply; then the part
//                         files and the upload's directory removed
//
// Durability: the reply comes only after the object's file and directory
// entry are fsynced and the transaction committed. A crash before that
// commit leaves the upload as it was (the new file is an orphan the startup
// check removes); a crash after it leaves part files no row names, removed
// by the same check.
#include "sink/object_file_reader.h"
#include "sink/sink_core.h"
#include "sink/write_commit.h"
#include "sluice/md5.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

constexpr uint64_t kBytesPerJob = 16 << 20;
constexpr size_t kPieceBytes = 768 << 10;

std::string NormalizedEtag(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  for (char& c : etag) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return etag;
}

int HexValue(char c) { return c >= 'a' ? c - 'a' + 10 : c - '0'; }

// S3's multipart ETag: the MD5 of the parts' binary MD5s, then "-N".
std::string MultipartEtag(const std::vector<PartRow>& parts) {
  std::string digests;
  for (const PartRow& part : parts) {
    const std::string& hex = part.info.etag;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      digests.push_back(static_cast<char>(HexValue(hex[i]) * 16 + HexValue(hex[i + 1])));
    }
  }
  return Md5Hex(digests) + "-" + std::to_string(parts.size());
}

class CompleteOp {
 public:
  CompleteOp(SinkCore& core, std::string bucket, std::string key, std::string upload_id,
             std::vector<CompletedPart> parts, std::function<void(std::string_view)> observe,
             CompletionAttributes attributes, Callback<ObjectInfo> done)
      : scope_(core), core_(core), requested_(std::move(parts)), observe_(std::move(observe)),
        attributes_(std::move(attributes)), done_(std::move(done)) {
    target_.kind = WriteTarget::Kind::kCompletion;
    target_.info.bucket = std::move(bucket);
    target_.info.key = std::move(key);
    target_.upload_id = std::move(upload_id);
    core_.completing_uploads.insert(target_.upload_id);
  }

  void Start() { Load(); }

 private:
  void Load() {
    Metadata* metadata = &core_.metadata;
    const uint64_t min_part_bytes = core_.config.min_part_bytes;
    core_.Storage([this, metadata, min_part_bytes](sqlite3* db) { return Check(*metadata, db, min_part_bytes); },
                  [this](Status status) { OnLoaded(std::move(status)); });
  }

  Status Check(Metadata& metadata, sqlite3* db, uint64_t min_part_bytes) {  // storage thread
    const ObjectInfo& info = target_.info;
    Result<UploadInfo> upload = metadata.FindUpload(db, info.bucket, info.key, target_.upload_id);
    if (!upload.ok()) return upload.status();
    upload_ = std::move(upload).value();
    Result<std::vector<PartRow>> parts = metadata.Parts(db, target_.upload_id, 0, kMaxPartNumber);
    if (!parts.ok()) return parts.status();
    size_t next = 0;  // parts are ascending, and so is the request (checked in Start)
    for (size_t i = 0; i < requested_.size(); ++i) {
      const CompletedPart& wanted = requested_[i];
      while (next < parts->size() && (*parts)[next].info.number < wanted.number) ++next;
      if (next == parts->size() || (*parts)[next].info.number != wanted.number ||
          (*parts)[next].info.etag != NormalizedEtag(wanted.etag)) {
        return Status(Code::kInvalidPart, "part " + std::to_string(wanted.number) +
                                              " was not uploaded with ETag " + wanted.etag);
      }
      PartRow& part = (*parts)[next];
      if (i + 1 < requested_.size() && part.info.size < min_part_bytes) {
        return Status(Code::kEntityTooSmall, "part " + std::to_string(wanted.number) + " holds " +
                                                 std::to_string(part.info.size) + " bytes; every part but the last " +
                                                 "must hold at least " + std::to_string(min_part_bytes));
      }
      chosen_.push_back(std::move(part));
    }
    return Status::Ok();
  }

  void OnLoaded(Status status) {
    if (!status.ok()) return Fail(status);
    ObjectInfo& info = target_.info;
    info.content_type = upload_.content_type;
    info.user_metadata = upload_.user_metadata;
    if (attributes_) {
      std::vector<PartInfo> parts;
      for (const PartRow& part : chosen_) parts.push_back(part.info);
      Result<std::string> attributes = attributes_(upload_, parts);
      if (!attributes.ok()) return Fail(attributes.status());
      info.attributes = std::move(attributes).value();
    } else {
      info.attributes = upload_.attributes;
    }
    info.parts_count = static_cast<uint32_t>(chosen_.size());
    info.etag = MultipartEtag(chosen_);
    info.generation = NewGeneration();
    kek_ = core_.keyring->Active();
    info.key_version = static_cast<int>(kek_.version);
    core_.Pin(info.key_version);
    pinned_ = true;
    for (const PartRow& part : chosen_) target_.completed_parts.emplace_back(part.info.number, part.generation);
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
    if (next_part_ == chosen_.size() && !reader_) return Install();
    core_.Pool([this] { step_ = Pump(); }, [this] { OnStep(); });
  }

  Status Pump() {  // I/O thread
    uint64_t moved = 0;
    std::string piece;
    while (moved < kBytesPerJob) {
      if (!reader_) {
        if (next_part_ == chosen_.size()) return Status::Ok();
        const PartRow& part = chosen_[next_part_++];
        const ObjectBinding binding{std::string(kUploadsArea), PartKey(target_.upload_id, part.info.number),
                                    part.generation};
        Result<std::unique_ptr<ObjectFileReader>> reader = ObjectFileReader::Open(
            core_.files, binding, *core_.keyring, part.rewrap_header, part.info.size, std::nullopt);
        if (reader.status().code() == Code::kResourceNotFound) return IntegrityError(binding, "its file is missing");
        if (!reader.ok()) return reader.status();
        reader_ = std::move(reader).value();
      }
      piece.clear();
      SLUICE_RETURN_IF_ERROR(reader_->ReadSome(kPieceBytes, &piece));
      SLUICE_RETURN_IF_ERROR(writer_->Append(piece));
      if (observe_) observe_(piece);
      moved += piece.size();
      if (reader_->done()) reader_.reset();
    }
    return Status::Ok();
  }

  void Install() {
    core_.Pool(
        [this] {
          uint64_t size = 0;
          std::string etag;  // the plaintext's MD5; the object's ETag is the multipart one
          step_ = SealAndInstall(*writer_, BodyChecks{}, &size, &etag);
          target_.info.size = size;
          writer_.reset();  // removes the temp file unless it was installed
        },
        [this] {
          if (!step_.ok()) return Fail(step_);
          target_.info.created_ms = core_.clock.NowMillis();
          pinned_ = false;  // CommitWrite takes the pin over
          CommitWrite(core_, target_, [this](Result<ObjectInfo> completed) {
            core_.completing_uploads.erase(target_.upload_id);
            done_(std::move(completed));
            delete this;
          });
        });
  }

  void Fail(Status status) {
    core_.completing_uploads.erase(target_.upload_id);
    if (pinned_) core_.Unpin(target_.info.key_version);
    done_(std::move(status));
    if (!writer_ && !reader_) {
      delete this;
      return;
    }
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
  const std::vector<CompletedPart> requested_;
  const std::function<void(std::string_view)> observe_;
  const CompletionAttributes attributes_;
  Callback<ObjectInfo> done_;
  Kek kek_;
  bool pinned_ = false;
  UploadInfo upload_;                          // written on the storage thread
  std::vector<PartRow> chosen_;                // written on the storage thread
  size_t next_part_ = 0;                       // the I/O jobs' position, one job at a time
  std::unique_ptr<ObjectFileReader> reader_;   // of the part being appended
  std::unique_ptr<ObjectFileWriter> writer_;
  Status step_;
};

}  // namespace

void RunCompleteUpload(SinkCore& core, std::string bucket, std::string key, std::string upload_id,
                       std::vector<CompletedPart> parts, std::function<void(std::string_view)> observe,
                       CompletionAttributes attributes, Callback<ObjectInfo> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, bucket, key); !valid.ok()) return done(valid);
  if (Status valid = ValidateUploadId(upload_id); !valid.ok()) return done(valid);
  if (parts.empty()) {
    return done(Status(Code::kMalformedRequest, "a completion must name at least one part"));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].number < 1 || parts[i].number > kMaxPartNumber) {
      return done(Status(Code::kInvalidPart, "part " + std::to_string(parts[i].number) + " cannot exist"));
    }
    if (i > 0 && parts[i].number <= parts[i - 1].number) {
      return done(Status(Code::kInvalidPartOrder, "part " + std::to_string(parts[i].number) + " follows part " +
                                                      std::to_string(parts[i - 1].number) +
                                                      ": parts must be in ascending order"));
    }
  }
  if (core.completing_uploads.count(upload_id) != 0) {
    return done(Status(Code::kConflict, "multipart upload " + upload_id + " is already being completed"));
  }
  (new CompleteOp(core, std::move(bucket), std::move(key), std::move(upload_id), std::move(parts),
                  std::move(observe), std::move(attributes), std::move(done)))
      ->Start();
}

}  // namespace sluice::sink
