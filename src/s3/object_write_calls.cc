// PutObject and UploadPart: a body streamed from the socket into the sink.
//
// Steps: Start (validate headers: key, metadata, Content-MD5, checksum,
// conditions, aws-chunked framing) -> Sink::BeginPut / BeginPart -> OnBegun
// (the UploadStream pumps the body) -> OnBodyDone (verify the checksum the
// client sent, in a header or the aws-chunked trailer, against the one the
// sink's I/O thread computed) -> ObjectUpload::Commit -> OnCommitted.
//
// Rule: no reply before it is durable. The 200 is sent from OnCommitted,
// which runs only after the sink fsynced the file and committed its row. A
// body that fails any check is never committed: the upload is destroyed
// with the Call, which removes its temp file.
#include <cstdlib>
#include <memory>
#include <utility>

#include "s3/aws_chunked.h"
#include "s3/calls.h"
#include "s3/checksums.h"
#include "s3/conditions.h"
#include "s3/names.h"
#include "s3/object_headers.h"
#include "s3/service.h"
#include "s3/upload_stream.h"

namespace sluice::s3 {
namespace {

// S3's default Content-Type for objects stored without one.
constexpr const char* kDefaultContentType = "binary/octet-stream";

bool IsAwsChunked(const http::Request& request) {
  const std::string* encoding = request.FindHeader("content-encoding");
  return encoding != nullptr && encoding->find("aws-chunked") != std::string::npos;
}

class PutObjectCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    part_ = operation() == Operation::kUploadPart;
    std::optional<S3Error> invalid = Prepare();
    if (invalid) return Fail(*invalid);
    if (part_) {
      sink().BeginPart(bucket(), key(), upload_id_, part_number_, std::move(write_),
                       [this](Result<std::unique_ptr<sink::ObjectUpload>> upload) { OnBegun(std::move(upload)); });
    } else {
      sink().BeginPut(std::move(write_),
                      [this](Result<std::unique_ptr<sink::ObjectUpload>> upload) { OnBegun(std::move(upload)); });
    }
  }

 private:
  // Everything that can be refused before a byte of the body is read.
  std::optional<S3Error> Prepare() {
    if (std::optional<S3Error> invalid = ValidateObjectKey(key())) return invalid;
    write_.bucket = bucket();
    write_.key = key();
    if (part_) {
      upload_id_ = Query("uploadId").value_or("");
      S3Result<int> number = PartNumber();
      if (!number.ok()) return number.error();
      part_number_ = *number;
    } else {
      S3Result<UserMetadata> metadata = CollectUserMetadata(request().headers);
      if (!metadata.ok()) return metadata.error();
      write_.user_metadata = UserMetadataToJson(*metadata);
      S3Result<HeaderList> stored = StorableHeaders(request());
      if (!stored.ok()) return stored.error();
      stored_ = std::move(stored.value());
      ApplyEncryptionDefault(&stored_);
      write_.content_type = std::string(Header("content-type").value_or(kDefaultContentType));
      WriteConditions conditions = WriteConditionsFrom(request());
      if (std::optional<S3Error> invalid = ValidateWriteConditions(conditions)) return invalid;
      if (conditions.if_none_match) write_.if_none_match_any = true;
      if (conditions.if_match) {
        std::string etag = *conditions.if_match;
        if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
        write_.if_match_etag = std::move(etag);
      }
    }
    if (std::optional<std::string_view> md5 = Header("content-md5")) {
      Result<std::string> hex = ParseContentMd5(*md5);
      if (!hex.ok()) return MakeError(ErrorCode::kInvalidDigest, hex.status().message());
      write_.expected_md5_hex = std::move(hex.value());
    }
    Result<std::optional<RequestChecksum>> checksum = RequestChecksumFromHeaders(
        [this](std::string_view name) { return Header(name); });
    if (!checksum.ok()) return MakeError(ErrorCode::kInvalidRequest, checksum.status().message());
    requested_checksum_ = std::move(checksum.value());
    if (requested_checksum_) {
      checksum_ = std::make_unique<Checksum>(requested_checksum_->algorithm);
      // Runs on a sink I/O thread, piece by piece; the Call outlives the upload.
      write_.observe = [checksum = checksum_.get()](std::string_view piece) { checksum->Update(piece); };
    }
    std::optional<AwsChunkedFormat> format = AwsChunkedFormatFor(Header("x-amz-content-sha256").value_or(""));
    if (format || IsAwsChunked(request())) {
      AwsChunkedDecoder::Options options;
      if (format) options.format = *format;
      if (std::optional<std::string_view> length = Header("x-amz-decoded-content-length")) {
        char* end = nullptr;
        std::string text(*length);
        unsigned long long parsed = std::strtoull(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0') {
          return InvalidArgumentError("x-amz-decoded-content-length is not a number",
                                      "x-amz-decoded-content-length", text);
        }
        options.decoded_content_length = parsed;
      }
      if (std::optional<std::string_view> trailer = Header("x-amz-trailer")) {
        options.announced_trailers = ParseTrailerNames(*trailer);
      }
      decoder_ = std::make_unique<AwsChunkedDecoder>(std::move(options));
    }
    return std::nullopt;
  }

  void OnBegun(Result<std::unique_ptr<sink::ObjectUpload>> upload) {
    if (!upload.ok()) return FailStatus(upload.status());
    upload_ = std::move(upload.value());
    if (request().body_streamed) {
      stream_ = std::make_unique<UploadStream>(exchange(), std::move(decoder_), *upload_,
                                               [this](Status status) { OnBodyDone(std::move(status)); });
      stream_->Start();
      return;
    }
    // A small body the HTTP layer buffered (not a PUT it streamed).
    std::string body = request().body;
    if (decoder_ != nullptr) {
      std::string decoded;
      Status fed = decoder_->Feed(body, &decoded);
      if (fed.ok()) fed = decoder_->Finish();
      if (!fed.ok()) return FailBody(fed, decoder_.get());
      body = std::move(decoded);
    }
    upload_->Write(std::move(body), [this](Status written) { OnBodyDone(std::move(written)); });
  }

  void FailBody(const Status& status, const AwsChunkedDecoder* decoder) {
    if (decoder != nullptr && decoder->failure() != AwsChunkedFailure::kNone) {
      std::optional<ErrorCode> code = ErrorCodeNamed(AwsChunkedS3ErrorCode(decoder->failure()));
      return Fail(MakeError(code.value_or(ErrorCode::kInvalidRequest), status.message()));
    }
    if (status.code() == Code::kUnavailable) {
      return Fail(MakeError(ErrorCode::kIncompleteBody, status.message()));
    }
    FailStatus(status);
  }

  const AwsChunkedDecoder* decoder() const {
    return stream_ != nullptr ? stream_->decoder() : decoder_.get();
  }

  void OnBodyDone(Status status) {
    if (!status.ok()) return FailBody(status, decoder());
    if (checksum_ != nullptr) {
      std::string computed = checksum_->Finish();
      std::string expected = requested_checksum_->expected;
      std::string header(ChecksumHeaderName(requested_checksum_->algorithm));
      if (requested_checksum_->source == RequestChecksum::Source::kTrailer) {
        const AwsChunkedDecoder* framing = decoder();
        const std::string* trailer = nullptr;
        if (framing != nullptr) {
          auto found = framing->trailers().find(header);
          if (found != framing->trailers().end()) trailer = &found->second;
        }
        if (trailer == nullptr) {
          return Fail(MakeError(ErrorCode::kMalformedTrailerError,
                                "The request announced a " + header + " trailer that did not arrive."));
        }
        expected = *trailer;
        Status valid = ValidateChecksumValue(requested_checksum_->algorithm, expected, header);
        if (!valid.ok()) return Fail(MakeError(ErrorCode::kInvalidRequest, valid.message()));
      }
      if (requested_checksum_->source != RequestChecksum::Source::kAlgorithmOnly) {
        Status verified = VerifyChecksum(requested_checksum_->algorithm, expected, computed);
        if (!verified.ok()) {
          return Fail(MakeError(ErrorCode::kBadDigest,
                                std::string("The ") + std::string(ChecksumAlgorithmName(requested_checksum_->algorithm)) +
                                    " you specified did not match the calculated checksum."));
        }
      }
      SetStoredHeader(&stored_, header, computed);
      SetStoredHeader(&stored_, "x-amz-checksum-type", "FULL_OBJECT");
      response_checksum_ = {header, computed};
    }
    upload_->SetAttributes(StoredHeadersJson(stored_));
    upload_->Commit([this](Result<sink::ObjectInfo> info) { OnCommitted(std::move(info)); });
  }

  void OnCommitted(Result<sink::ObjectInfo> info) {
    if (!info.ok()) return FailStatus(info.status());
    HeaderList headers;
    headers.push_back({"etag", QuotedEtag(info->etag)});
    if (!response_checksum_.name.empty()) headers.push_back(response_checksum_);
    if (!response_checksum_.name.empty() && !part_) headers.push_back({"x-amz-checksum-type", "FULL_OBJECT"});
    // A part is encrypted like its upload; its SSE answer is the upload's.
    for (http::Header& header : EncryptionHeaders(part_ ? StoredHeaders(info->attributes) : stored_)) {
      headers.push_back(std::move(header));
    }
    RespondEmpty(200, std::move(headers));
  }

  bool part_ = false;
  int part_number_ = 0;
  sink::WriteRequest write_;
  HeaderList stored_;
  std::optional<RequestChecksum> requested_checksum_;
  // Updated on a sink I/O thread while the upload writes, read on the loop
  // after the last write completed (the completion orders the two).
  std::unique_ptr<Checksum> checksum_;
  std::unique_ptr<AwsChunkedDecoder> decoder_;  // moved into stream_ when streaming
  std::unique_ptr<sink::ObjectUpload> upload_;
  std::unique_ptr<UploadStream> stream_;
  http::Header response_checksum_;
};

}  // namespace

Call* NewPutObjectCall(CallArgs args) { return new PutObjectCall(std::move(args)); }

}  // namespace sluice::s3
