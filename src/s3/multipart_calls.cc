// CreateMultipartUpload, CompleteMultipartUpload, AbortMultipartUpload.
// (UploadPart and UploadPartCopy are PutObjectCall and CopyObjectCall;
// ListParts and ListMultipartUploads are in list_calls.cc.)
#include <map>
#include <utility>

#include "s3/calls.h"
#include "s3/checksums.h"
#include "s3/names.h"
#include "s3/object_headers.h"
#include "s3/responses.h"
#include "s3/service.h"
#include "s3/xml_bodies.h"

namespace sluice::s3 {
namespace {

// 10,000 parts of a few hundred bytes of XML each.
constexpr size_t kMaxCompleteBodyBytes = 8 * 1024 * 1024;
constexpr int64_t kMaxPartNumber = 10000;

class CreateMultipartUploadCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    if (std::optional<S3Error> invalid = ValidateObjectKey(key())) return Fail(*invalid);
    S3Result<UserMetadata> metadata = CollectUserMetadata(request().headers);
    if (!metadata.ok()) return Fail(metadata.error());
    S3Result<HeaderList> stored = StorableHeaders(request());
    if (!stored.ok()) return Fail(stored.error());
    stored_ = std::move(stored.value());
    ApplyEncryptionDefault(&stored_);
    std::optional<ChecksumAlgorithm> algorithm;
    if (std::optional<std::string_view> name = Header("x-amz-checksum-algorithm")) {
      algorithm = ParseChecksumAlgorithm(*name);
      if (!algorithm) {
        return Fail(InvalidArgumentError("Checksum algorithm provided is unsupported.", "x-amz-checksum-algorithm",
                                         *name));
      }
    }
    Result<std::optional<ChecksumType>> type = MultipartChecksumType(algorithm, Header("x-amz-checksum-type"));
    if (!type.ok()) return Fail(MakeError(ErrorCode::kInvalidRequest, type.status().message()));
    if (algorithm && *type) {
      response_headers_.push_back({"x-amz-checksum-algorithm", std::string(ChecksumAlgorithmName(*algorithm))});
      response_headers_.push_back({"x-amz-checksum-type", std::string(ChecksumTypeName(**type))});
      // Remembered with the upload for ListParts and ListMultipartUploads.
      SetStoredHeader(&stored_, "x-amz-checksum-algorithm", std::string(ChecksumAlgorithmName(*algorithm)));
      SetStoredHeader(&stored_, "x-amz-checksum-type", std::string(ChecksumTypeName(**type)));
    }
    sink::WriteRequest upload;
    upload.bucket = bucket();
    upload.key = key();
    upload.content_type = std::string(Header("content-type").value_or("binary/octet-stream"));
    upload.user_metadata = UserMetadataToJson(*metadata);
    upload.attributes = StoredHeadersJson(stored_);
    sink().CreateUpload(std::move(upload), [this](Result<sink::UploadInfo> info) { OnCreated(std::move(info)); });
  }

 private:
  void OnCreated(Result<sink::UploadInfo> info) {
    if (!info.ok()) return FailStatus(info.status());
    for (http::Header& header : EncryptionHeaders(stored_)) response_headers_.push_back(std::move(header));
    RespondXml(InitiateMultipartUploadXml(bucket(), key(), info->upload_id), std::move(response_headers_));
  }

  HeaderList stored_;
  HeaderList response_headers_;
};

// The sink checks the parts (InvalidPart, InvalidPartOrder,
// EntityTooSmall) and re-seals them into one object on its I/O threads.
class CompleteMultipartUploadCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    upload_id_ = Query("uploadId").value_or("");
    ReadWholeBody(kMaxCompleteBodyBytes, [this](S3Result<std::string> body) { OnBody(std::move(body)); });
  }

 private:
  void OnBody(S3Result<std::string> body) {
    if (!body.ok()) return Fail(body.error());
    Result<CompleteMultipartUploadRequest> parsed = ParseCompleteMultipartUpload(*body);
    if (!parsed.ok()) return Fail(MakeError(ErrorCode::kMalformedXML, parsed.status().message()));
    std::vector<sink::CompletedPart> parts;
    for (const CompletedPart& part : parsed->parts) {
      if (part.part_number < 1 || part.part_number > kMaxPartNumber) {
        return Fail(InvalidArgumentError("Part number must be an integer between 1 and 10000, inclusive",
                                         "PartNumber", std::to_string(part.part_number)));
      }
      parts.push_back({static_cast<int>(part.part_number), part.etag});
      if (!part.checksums.empty()) sent_checksums_[static_cast<int>(part.part_number)] = part.checksums;
    }
    sink().CompleteUpload(
        bucket(), key(), upload_id_, std::move(parts), nullptr,
        [this](const sink::UploadInfo& upload, const std::vector<sink::PartInfo>& chosen) {
          return ObjectAttributes(upload, chosen);
        },
        [this](Result<sink::ObjectInfo> info) { OnCompleted(std::move(info)); });
  }

  // A checksum the completion names for a part must be the one the part was
  // uploaded with (S3: InvalidPart). A part stored without that checksum
  // has nothing to compare: accepted, as its ETag already matched.
  Status CheckSentChecksums(const std::vector<sink::PartInfo>& parts) const {
    for (const sink::PartInfo& part : parts) {
      auto sent = sent_checksums_.find(part.number);
      if (sent == sent_checksums_.end()) continue;
      HeaderList part_stored = StoredHeaders(part.attributes);
      for (const auto& [algorithm, value] : sent->second) {
        std::string stored = StoredHeader(part_stored, ChecksumHeaderName(algorithm));
        if (!stored.empty() && stored != value) {
          return Status(Code::kInvalidPart, "part " + std::to_string(part.number) + " was uploaded with " +
                                                std::string(ChecksumHeaderName(algorithm)) + " " + stored +
                                                ", not " + value);
        }
      }
    }
    return Status::Ok();
  }

  // The completed object's stored headers: the upload's, with the object
  // checksum the upload asked for (x-amz-checksum-algorithm at Create)
  // combined from the part checksums: COMPOSITE "<b64>-N" or FULL_OBJECT.
  // Without a checksum on every part, the object has none.
  Result<std::string> ObjectAttributes(const sink::UploadInfo& upload,
                                       const std::vector<sink::PartInfo>& parts) const {
    SLUICE_RETURN_IF_ERROR(CheckSentChecksums(parts));
    HeaderList stored;
    std::string algorithm_name, type_name;
    for (const http::Header& header : StoredHeaders(upload.attributes)) {
      if (header.name == "x-amz-checksum-algorithm") {
        algorithm_name = header.value;
      } else if (header.name == "x-amz-checksum-type") {
        type_name = header.value;
      } else {
        stored.push_back(header);
      }
    }
    std::optional<ChecksumAlgorithm> algorithm = ParseChecksumAlgorithm(algorithm_name);
    std::optional<ChecksumType> type = ParseChecksumType(type_name);
    if (!algorithm || !type) return StoredHeadersJson(stored);
    std::string header(ChecksumHeaderName(*algorithm));
    std::vector<PartChecksum> part_checksums;
    for (const sink::PartInfo& part : parts) {
      std::string value = StoredHeader(StoredHeaders(part.attributes), header);
      if (value.empty()) return StoredHeadersJson(stored);
      part_checksums.push_back({std::move(value), part.size});
    }
    Result<std::string> combined = MultipartChecksum(*algorithm, *type, part_checksums);
    if (combined.ok()) {
      SetStoredHeader(&stored, header, std::move(combined.value()));
      SetStoredHeader(&stored, "x-amz-checksum-type", std::string(ChecksumTypeName(*type)));
    }
    return StoredHeadersJson(stored);
  }

  void OnCompleted(Result<sink::ObjectInfo> info) {
    if (!info.ok()) return FailStatus(info.status());
    CompleteResult result;
    const std::string* host = request().FindHeader("host");
    result.location = "http://" + (host != nullptr ? *host : std::string("localhost")) + "/" + bucket() + "/" + key();
    result.bucket = bucket();
    result.key = key();
    result.etag = info->etag;
    HeaderList stored = StoredHeaders(info->attributes);
    result.checksums = StoredChecksums(stored);
    RespondXml(CompleteMultipartUploadXml(result), EncryptionHeaders(stored));
  }

  std::map<int, std::map<ChecksumAlgorithm, std::string>> sent_checksums_;  // by part number
};

class AbortMultipartUploadCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    upload_id_ = Query("uploadId").value_or("");
    sink().AbortUpload(bucket(), key(), upload_id_, [this](Result<bool> aborted) {
      if (!aborted.ok()) return FailStatus(aborted.status());
      RespondEmpty(204);
    });
  }
};

}  // namespace

Call* NewCreateMultipartUploadCall(CallArgs args) { return new CreateMultipartUploadCall(std::move(args)); }
Call* NewCompleteMultipartUploadCall(CallArgs args) { return new CompleteMultipartUploadCall(std::move(args)); }
Call* NewAbortMultipartUploadCall(CallArgs args) { return new AbortMultipartUploadCall(std::move(args)); }

}  // namespace sluice::s3
