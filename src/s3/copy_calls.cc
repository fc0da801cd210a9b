// CopyObject and UploadPartCopy: Stat the source (conditions, range,
// metadata), then the sink streams the source into the new object or part
// on its I/O threads (decrypt and re-seal; bounded memory).
#include <cstdlib>
#include <utility>

#include "s3/calls.h"
#include "s3/conditions.h"
#include "s3/names.h"
#include "s3/object_headers.h"
#include "s3/ranges.h"
#include "s3/responses.h"
#include "s3/service.h"
#include "sluice/http/query.h"

namespace sluice::s3 {
namespace {


struct CopySource {
  std::string bucket;
  std::string key;
};

// x-amz-copy-source: "bucket/key" or "/bucket/key", percent-encoded, with
// an optional "?versionId=" (we keep one version: "null" or none only).
S3Result<CopySource> ParseCopySource(std::string_view header) {
  std::string_view text = header;
  size_t question = text.find('?');
  std::string_view version;
  if (question != std::string_view::npos) {
    version = text.substr(question + 1);
    text = text.substr(0, question);
  }
  if (!version.empty() && version != "versionId=null") {
    return InvalidArgumentError("Sluice keeps one version of each object: versionId is not supported",
                                "x-amz-copy-source", header);
  }
  std::optional<std::string> decoded = http::PercentDecode(text, false);
  if (!decoded) return InvalidArgumentError("Invalid copy source encoding", "x-amz-copy-source", header);
  std::string_view path = *decoded;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size()) {
    return InvalidArgumentError("Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                                "x-amz-copy-source", header);
  }
  return CopySource{std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

class CopyObjectCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    part_ = operation() == Operation::kUploadPartCopy;
    if (std::optional<S3Error> invalid = ValidateObjectKey(key())) return Fail(*invalid);
    S3Result<CopySource> source = ParseCopySource(Header("x-amz-copy-source").value_or(""));
    if (!source.ok()) return Fail(source.error());
    source_ = std::move(source.value());
    if (part_) {
      upload_id_ = Query("uploadId").value_or("");
      S3Result<int> number = PartNumber();
      if (!number.ok()) return Fail(number.error());
      part_number_ = *number;
    }
    sink().Stat(source_.bucket, source_.key, [this](Result<sink::ObjectInfo> info) { OnSource(std::move(info)); });
  }

 private:
  void OnSource(Result<sink::ObjectInfo> info) {
    if (!info.ok()) {
      return Fail(FromStatus(info.status(), ErrorContext{source_.bucket, source_.key, upload_id_}));
    }
    const sink::ObjectInfo& source = *info;
    ObjectState state{source.etag, source.created_ms};
    if (std::optional<S3Error> refused =
            EvaluateCopySourceConditions(CopySourceConditionsFrom(request()), state, clock().NowMillis())) {
      return Fail(*refused);
    }
    if (part_) return CopyPart(source);
    CopyObject(source);
  }

  void CopyPart(const sink::ObjectInfo& source) {
    std::optional<sink::ByteRange> range;
    if (std::optional<std::string_view> header = Header("x-amz-copy-source-range")) {
      S3Result<ByteRange> resolved = ResolveCopySourceRange(*header, source.size);
      if (!resolved.ok()) return Fail(resolved.error());
      range = sink::ByteRange{resolved->first, resolved->last};
    }
    sink().CopyPart(bucket(), key(), upload_id_, part_number_, source_.bucket, source_.key, range,
                    [this](Result<sink::PartInfo> part) {
                      if (!part.ok()) return FailStatus(part.status());
                      CopyResult result{part->etag, part->modified_ms, {}};
                      RespondXml(CopyPartResultXml(result));
                    });
  }

  void CopyObject(const sink::ObjectInfo& source) {
    std::string directive(Header("x-amz-metadata-directive").value_or("COPY"));
    if (directive != "COPY" && directive != "REPLACE") {
      return Fail(InvalidArgumentError("Unknown metadata directive.", "x-amz-metadata-directive", directive));
    }
    sink::WriteRequest destination;
    destination.bucket = bucket();
    destination.key = key();
    HeaderList source_stored = StoredHeaders(source.attributes);
    HeaderList stored;
    if (directive == "COPY") {
      destination.content_type = source.content_type;
      destination.user_metadata = source.user_metadata;
      stored = source_stored;
    } else {
      S3Result<UserMetadata> metadata = CollectUserMetadata(request().headers);
      if (!metadata.ok()) return Fail(metadata.error());
      destination.user_metadata = UserMetadataToJson(*metadata);
      destination.content_type = std::string(Header("content-type").value_or("binary/octet-stream"));
      S3Result<HeaderList> replaced = StorableHeaders(request());
      if (!replaced.ok()) return Fail(replaced.error());
      stored = std::move(replaced.value());
      // The bytes are the same, so is their checksum.
      for (const http::Header& header : source_stored) {
        if (header.name.rfind("x-amz-checksum-", 0) == 0) SetStoredHeader(&stored, header.name, header.value);
      }
    }
    // SSE and storage class headers on the copy request apply in both modes.
    S3Result<HeaderList> requested = StorableHeaders(request());
    if (!requested.ok()) return Fail(requested.error());
    bool changes_something = directive == "REPLACE";
    for (const http::Header& header : *requested) {
      if (header.name.rfind("x-amz-server-side-encryption", 0) == 0 || header.name == "x-amz-storage-class") {
        SetStoredHeader(&stored, header.name, header.value);
        changes_something = true;
      }
    }
    if (source_.bucket == bucket() && source_.key == key() && !changes_something) {
      return Fail(MakeError(ErrorCode::kInvalidRequest,
                            "This copy request is illegal because it is trying to copy an object to itself "
                            "without changing the object's metadata, storage class, website redirect location "
                            "or encryption attributes."));
    }
    ApplyEncryptionDefault(&stored);
    destination.attributes = StoredHeadersJson(stored);
    stored_ = std::move(stored);
    sink().Copy(source_.bucket, source_.key, std::move(destination), [this](Result<sink::ObjectInfo> copied) {
      if (!copied.ok()) return FailStatus(copied.status());
      CopyResult result{copied->etag, copied->created_ms, StoredChecksums(stored_)};
      RespondXml(CopyObjectResultXml(result), EncryptionHeaders(stored_));
    });
  }

  bool part_ = false;
  int part_number_ = 0;
  CopySource source_;
  HeaderList stored_;
};

}  // namespace

Call* NewCopyObjectCall(CallArgs args) { return new CopyObjectCall(std::move(args)); }

}  // namespace sluice::s3
