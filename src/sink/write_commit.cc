#include "sink/write_commit.h"

#include <spdlog/spdlog.h>

#include "sink/sink_core.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

class CommitWriteOp {
 public:
  CommitWriteOp(SinkCore& core, WriteTarget target, std::function<void(Result<ObjectInfo>)> reply)
      : scope_(core), core_(core), target_(std::move(target)), reply_(std::move(reply)) {}

  void Start() {
    if (target_.kind == WriteTarget::Kind::kPart && core_.completing_uploads.count(target_.upload_id) != 0) {
      // The completion read the upload's parts already; a part changing
      // under it would not be in the object it makes.
      return OnCommitted(Status(Code::kConflict, "multipart upload " + target_.upload_id + " is being completed"));
    }
    Metadata* metadata = &core_.metadata;
    core_.Storage([this, metadata](sqlite3* db) { return Commit(*metadata, db); },
                  [this](Status status) { OnCommitted(std::move(status)); });
  }

 private:
  Status Commit(Metadata& metadata, sqlite3* db) {  // storage thread
    const ObjectInfo& info = target_.info;
    switch (target_.kind) {
      case WriteTarget::Kind::kObject: {
        Result<std::optional<std::string>> replaced = metadata.Upsert(db, info, target_.conditions);
        if (!replaced.ok()) return replaced.status();
        if (*replaced && **replaced != info.generation) {
          garbage_.push_back(ObjectBinding{info.bucket, info.key, **replaced});
        }
        return Status::Ok();
      }
      case WriteTarget::Kind::kPart: {
        UploadInfo upload;
        upload.bucket = info.bucket;
        upload.key = info.key;
        upload.upload_id = target_.upload_id;
        PartRow part;
        part.info = PartInfo{target_.part_number, info.etag, info.size, info.created_ms, info.attributes};
        part.generation = info.generation;
        part.kek_version = info.key_version;
        Result<std::optional<std::string>> replaced = metadata.UpsertPart(db, upload, part);
        if (!replaced.ok()) return replaced.status();
        if (*replaced && **replaced != info.generation) {
          garbage_.push_back(
              ObjectBinding{std::string(kUploadsArea), PartKey(target_.upload_id, target_.part_number), **replaced});
        }
        return Status::Ok();
      }
      case WriteTarget::Kind::kCompletion: {
        Result<std::vector<PartRow>> parts = metadata.DeleteUpload(db, info.bucket, info.key, target_.upload_id);
        if (!parts.ok()) return parts.status();
        for (const auto& [number, generation] : target_.completed_parts) {
          bool current = false;
          for (const PartRow& part : *parts) current = current || (part.info.number == number && part.generation == generation);
          if (!current) {
            return Status(Code::kConflict, "part " + std::to_string(number) + " of multipart upload " +
                                               target_.upload_id + " changed during its completion");
          }
        }
        Result<std::optional<std::string>> replaced = metadata.Upsert(db, info, target_.conditions);
        if (!replaced.ok()) return replaced.status();
        if (*replaced && **replaced != info.generation) {
          garbage_.push_back(ObjectBinding{info.bucket, info.key, **replaced});
        }
        for (const PartRow& part : *parts) {
          garbage_.push_back(
              ObjectBinding{std::string(kUploadsArea), PartKey(target_.upload_id, part.info.number), part.generation});
        }
        return Status::Ok();
      }
    }
    return Status(Code::kInternal, "unknown write kind");
  }

  void OnCommitted(Status status) {
    core_.Unpin(target_.info.key_version);
    std::function<void(Result<ObjectInfo>)> reply = std::move(reply_);
    if (status.ok()) {
      // The file and its directory entry were fsynced before this op began
      // (ObjectFileWriter::Install) and the row naming them has committed:
      // only now is the write acknowledged.
      reply(target_.info);
      return Collect();
    }
    reply(status);
    if (status.code() == Code::kStorageFailed) {
      // The commit's outcome is unknown: the row may be durable after all.
      // Keep the file; the startup check removes it if no row names it.
      delete this;
      return;
    }
    // The op's savepoint rolled back (a condition failed, the bucket or the
    // upload is gone): no row names the new file.
    garbage_.clear();
    garbage_.push_back(target_.Binding());
    completed_ = false;
    Collect();
  }

  void Collect() {
    const bool remove_directory = completed_ && target_.kind == WriteTarget::Kind::kCompletion;
    core_.Pool(
        [this, remove_directory] {
          for (const ObjectBinding& file : garbage_) {
            Status removed = core_.files.Remove(file);
            if (!removed.ok()) spdlog::warn("sink: {}", removed.message());
          }
          if (remove_directory) core_.files.RemoveUploadDirectory(target_.upload_id);
        },
        [this] { delete this; });
  }

  OperationScope scope_;
  SinkCore& core_;
  WriteTarget target_;
  std::function<void(Result<ObjectInfo>)> reply_;
  std::vector<ObjectBinding> garbage_;  // written on the storage thread
  bool completed_ = true;
};

}  // namespace

ObjectBinding WriteTarget::Binding() const {
  if (kind == Kind::kPart) return ObjectBinding{std::string(kUploadsArea), PartKey(upload_id, part_number), info.generation};
  return ObjectBinding{info.bucket, info.key, info.generation};
}

Status SealAndInstall(ObjectFileWriter& writer, const BodyChecks& checks, uint64_t* size, std::string* etag) {
  SLUICE_RETURN_IF_ERROR(writer.Seal());
  // Checked before the file gets its name: a refused body stores nothing.
  if (checks.expected_size && writer.size() != *checks.expected_size) {
    return Status(Code::kInvalidParameterValue,
                  "IncompleteBody: the body holds " + std::to_string(writer.size()) + " bytes, not the " +
                      std::to_string(*checks.expected_size) + " announced");
  }
  if (checks.expected_md5_hex && Lower(*checks.expected_md5_hex) != writer.etag()) {
    return Status(Code::kBadDigest, "the body's MD5 is " + writer.etag() + ", not the " +
                                        *checks.expected_md5_hex + " sent with it");
  }
  SLUICE_RETURN_IF_ERROR(writer.Install());
  *size = writer.size();
  *etag = writer.etag();
  return Status::Ok();
}

void CommitWrite(SinkCore& core, WriteTarget target, std::function<void(Result<ObjectInfo>)> reply) {
  (new CommitWriteOp(core, std::move(target), std::move(reply)))->Start();
}

}  // namespace sluice::sink
