// DeleteObject and DeleteObjects.
#include <utility>

#include "s3/calls.h"
#include "s3/names.h"
#include "s3/responses.h"
#include "s3/service.h"
#include "s3/xml_bodies.h"

namespace sluice::s3 {
namespace {

// A Delete document of 1000 keys of 1024 bytes fits in a few MiB.
constexpr size_t kMaxDeleteBodyBytes = 4 * 1024 * 1024;

// S3 answers 204 whether or not the key existed; a missing bucket is still
// NoSuchBucket.
class DeleteObjectCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    sink().Delete(bucket(), key(), [this](Result<bool> deleted) {
      if (!deleted.ok() && deleted.status().code() != Code::kNoSuchKey) return FailStatus(deleted.status());
      RespondEmpty(204);
    });
  }
};

// The keys are deleted one after another (each a durable sink delete); the
// answer lists each outcome, or only the failures in Quiet mode.
class DeleteObjectsCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    ReadWholeBody(kMaxDeleteBodyBytes, [this](S3Result<std::string> body) { OnBody(std::move(body)); });
  }

 private:
  void OnBody(S3Result<std::string> body) {
    if (!body.ok()) return Fail(body.error());
    Result<DeleteRequest> parsed = ParseDelete(*body);
    if (!parsed.ok()) return Fail(MakeError(ErrorCode::kMalformedXML, parsed.status().message()));
    request_ = std::move(parsed.value());
    // A missing bucket fails the whole request, as S3 does.
    sink().BucketInfoOf(bucket(), [this](Result<sink::BucketInfo> info) {
      if (!info.ok()) return FailStatus(info.status());
      Next();
    });
  }

  void Next() {
    if (next_ == request_.objects.size()) {
      return RespondXml(DeleteResultXml(deleted_, errors_, request_.quiet));
    }
    const ObjectToDelete& object = request_.objects[next_];
    if (std::optional<S3Error> invalid = ValidateObjectKey(object.key)) {
      errors_.push_back({object.key, invalid->code, invalid->message});
      ++next_;
      return Next();
    }
    sink().Delete(bucket(), object.key, [this](Result<bool> deleted) { OnDeleted(std::move(deleted)); });
  }

  void OnDeleted(Result<bool> deleted) {
    const std::string& key = request_.objects[next_].key;
    if (deleted.ok() || deleted.status().code() == Code::kNoSuchKey) {
      deleted_.push_back({key});
    } else {
      S3Error error = FromStatus(deleted.status(), ErrorContext{bucket(), key, {}});
      errors_.push_back({key, error.code, error.message});
    }
    ++next_;
    Next();
  }

  DeleteRequest request_;
  size_t next_ = 0;
  std::vector<DeletedEntry> deleted_;
  std::vector<DeleteErrorEntry> errors_;
};

}  // namespace

Call* NewDeleteObjectCall(CallArgs args) { return new DeleteObjectCall(std::move(args)); }
Call* NewDeleteObjectsCall(CallArgs args) { return new DeleteObjectsCall(std::move(args)); }

}  // namespace sluice::s3
