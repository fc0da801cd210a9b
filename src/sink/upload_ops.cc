// The one-step multipart operations: CreateUpload (a row; the upload's
// directory appears with its first part), AbortUpload (the rows in one
// commit, then the part files), ListParts and ListUploads (queries).
//
//   AbortUpload:  Start()     storage  delete the upload and part rows
//                 OnDeleted() loop     reply
//                 Collect()   I/O      remove the part files and the directory
#include <spdlog/spdlog.h>

#include <algorithm>

#include "sink/sink_core.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

class AbortUploadOp {
 public:
  AbortUploadOp(SinkCore& core, std::string bucket, std::string key, std::string upload_id, Callback<bool> done)
      : scope_(core), core_(core), bucket_(std::move(bucket)), key_(std::move(key)),
        upload_id_(std::move(upload_id)), done_(std::move(done)) {}

  void Start() {
    Metadata* metadata = &core_.metadata;
    core_.Storage(
        [this, metadata](sqlite3* db) {
          Result<std::vector<PartRow>> parts = metadata->DeleteUpload(db, bucket_, key_, upload_id_);
          if (!parts.ok()) return parts.status();
          parts_ = std::move(parts).value();
          return Status::Ok();
        },
        [this](Status status) { OnDeleted(std::move(status)); });
  }

 private:
  void OnDeleted(Status status) {
    // The rows are gone for good: no reader or completion can reach the
    // files any more. A crash before Collect() leaves orphans the startup
    // check removes.
    done_(status.ok() ? Result<bool>(true) : Result<bool>(status));
    if (!status.ok()) {
      delete this;
      return;
    }
    core_.Pool(
        [this] {
          for (const PartRow& part : parts_) {
            Status removed = core_.files.Remove(
                ObjectBinding{std::string(kUploadsArea), PartKey(upload_id_, part.info.number), part.generation});
            if (!removed.ok()) spdlog::warn("sink: {}", removed.message());
          }
          core_.files.RemoveUploadDirectory(upload_id_);
        },
        [this] { delete this; });
  }

  OperationScope scope_;
  SinkCore& core_;
  const std::string bucket_;
  const std::string key_;
  const std::string upload_id_;
  Callback<bool> done_;
  std::vector<PartRow> parts_;  // written on the storage thread
};

}  // namespace

void RunAbortUpload(SinkCore& core, std::string bucket, std::string key, std::string upload_id,
                    Callback<bool> done) {
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, bucket, key); !valid.ok()) return done(valid);
  if (Status valid = ValidateUploadId(upload_id); !valid.ok()) return done(valid);
  if (core.completing_uploads.count(upload_id) != 0) {
    return done(Status(Code::kConflict, "multipart upload " + upload_id + " is being completed"));
  }
  (new AbortUploadOp(core, std::move(bucket), std::move(key), std::move(upload_id), std::move(done)))->Start();
}

// ---- the facade's multipart methods ----

void Sink::CreateUpload(WriteRequest request, Callback<UploadInfo> done) {
  SinkCore& core = *core_;
  if (Status admitted = core.Admit(true); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, request.bucket, request.key); !valid.ok()) return done(valid);
  if (Status valid = ValidateUserMetadata(request.user_metadata); !valid.ok()) return done(valid);
  UploadInfo upload;
  upload.bucket = std::move(request.bucket);
  upload.key = std::move(request.key);
  upload.upload_id = NewUploadId();
  upload.content_type = request.content_type.empty() ? "application/octet-stream" : std::move(request.content_type);
  upload.user_metadata = std::move(request.user_metadata);
  upload.attributes = std::move(request.attributes);
  upload.initiated_ms = core.clock.NowMillis();
  Metadata* metadata = &core.metadata;
  QueryOp<UploadInfo>::Run(
      core,
      [metadata, upload = std::move(upload)](sqlite3* db) -> Result<UploadInfo> {
        SLUICE_RETURN_IF_ERROR(metadata->CreateUpload(db, upload));
        return upload;
      },
      std::move(done));
}

void Sink::BeginPart(std::string bucket, std::string key, std::string upload_id, int part_number, WriteRequest part,
                     Callback<std::unique_ptr<ObjectUpload>> done) {
  RunBeginPart(*core_, std::move(bucket), std::move(key), std::move(upload_id), part_number, std::move(part),
               std::move(done));
}

void Sink::CopyPart(std::string bucket, std::string key, std::string upload_id, int part_number,
                    std::string src_bucket, std::string src_key, std::optional<ByteRange> range,
                    Callback<PartInfo> done) {
  RunCopyPart(*core_, std::move(bucket), std::move(key), std::move(upload_id), part_number, std::move(src_bucket),
              std::move(src_key), range, std::move(done));
}

void Sink::ListParts(std::string bucket, std::string key, std::string upload_id, int part_number_marker, int limit,
                     Callback<ListPartsResult> done) {
  SinkCore& core = *core_;
  if (Status admitted = core.Admit(false); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, bucket, key); !valid.ok()) return done(valid);
  if (Status valid = ValidateUploadId(upload_id); !valid.ok()) return done(valid);
  limit = std::clamp(limit, 1, 1000);
  part_number_marker = std::max(part_number_marker, 0);
  Metadata* metadata = &core.metadata;
  QueryOp<ListPartsResult>::Run(
      core,
      [metadata, bucket = std::move(bucket), key = std::move(key), upload_id = std::move(upload_id),
       part_number_marker, limit](sqlite3* db) -> Result<ListPartsResult> {
        Result<UploadInfo> upload = metadata->FindUpload(db, bucket, key, upload_id);
        if (!upload.ok()) return upload.status();
        Result<std::vector<PartRow>> parts = metadata->Parts(db, upload_id, part_number_marker, limit + 1);
        if (!parts.ok()) return parts.status();
        ListPartsResult result;
        result.upload = std::move(upload).value();
        for (PartRow& part : *parts) result.parts.push_back(std::move(part.info));
        if (result.parts.size() > static_cast<size_t>(limit)) {
          result.parts.resize(static_cast<size_t>(limit));
          result.truncated = true;
        }
        return result;
      },
      std::move(done));
}

void Sink::ListUploads(ListUploadsRequest request, Callback<ListUploadsResult> done) {
  SinkCore& core = *core_;
  if (Status admitted = core.Admit(false); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateBucketName(request.bucket); !valid.ok()) return done(valid);
  if (core.buckets.count(request.bucket) == 0) return done(NoSuchBucket(request.bucket));
  Metadata* metadata = &core.metadata;
  QueryOp<ListUploadsResult>::Run(
      core, [metadata, request = std::move(request)](sqlite3* db) { return metadata->ListUploads(db, request); },
      std::move(done));
}

void Sink::CompleteUpload(std::string bucket, std::string key, std::string upload_id, std::vector<CompletedPart> parts,
                          std::function<void(std::string_view)> observe, Callback<ObjectInfo> done) {
  RunCompleteUpload(*core_, std::move(bucket), std::move(key), std::move(upload_id), std::move(parts),
                    std::move(observe), nullptr, std::move(done));
}

void Sink::CompleteUpload(std::string bucket, std::string key, std::string upload_id, std::vector<CompletedPart> parts,
                          std::function<void(std::string_view)> observe, CompletionAttributes attributes,
                          Callback<ObjectInfo> done) {
  RunCompleteUpload(*core_, std::move(bucket), std::move(key), std::move(upload_id), std::move(parts),
                    std::move(observe), std::move(attributes), std::move(done));
}

void Sink::AbortUpload(std::string bucket, std::string key, std::string upload_id, Callback<bool> done) {
  RunAbortUpload(*core_, std::move(bucket), std::move(key), std::move(upload_id), std::move(done));
}

}  // namespace sluice::sink
