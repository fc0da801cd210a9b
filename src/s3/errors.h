// S3's errors on the wire: the codes we answer with and their HTTP statuses,
// the one mapping from sluice::Status to them, and the XML error body.
//
// An S3 error body is
//   <?xml version="1.0"?>
//   <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>
//   <Key>photos/cat.jpg</Key><RequestId>...</RequestId><HostId>...</HostId></Error>
// botocore (parsers.py, RestXMLParser._parse_error_from_body) takes every
// child of <Error> as Error.<name> and moves RequestId and HostId to
// ResponseMetadata, so the resource elements (Key, BucketName, UploadId) and
// the code-specific ones (Condition, RangeRequested, ArgumentName, ...) reach
// the user as Error fields exactly as real S3 sends them. HEAD answers and
// 304 Not Modified carry no body: clients then see the bare status ("404").
//
// Sources for codes, statuses and messages: the S3 API reference's error
// code list, and AWS responses recorded in LocalStack's snapshot tests.
//
// Threads: any (values and pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sluice/http/server.h"
#include "sluice/status.h"

namespace sluice::s3 {

// The S3 error codes Sluice answers with. Each has one row in errors.cc
// (code text, HTTP status, S3's standard message).
enum class ErrorCode {
  kBadDigest,
  kBucketAlreadyExists,
  kBucketAlreadyOwnedByYou,
  kBucketNotEmpty,
  kConditionalRequestConflict,
  kEntityTooLarge,
  kEntityTooSmall,
  kIncompleteBody,
  kInternalError,
  kInvalidArgument,
  kInvalidBucketName,
  kInvalidDigest,
  kInvalidLocationConstraint,
  kInvalidPart,
  kInvalidPartNumber,
  kInvalidPartOrder,
  kInvalidRange,
  kInvalidRequest,
  kInvalidStorageClass,
  kInvalidTag,
  kInvalidURI,
  kKeyTooLongError,
  kMalformedPolicy,
  kMalformedTrailerError,
  kMalformedXML,
  kMetadataTooLarge,
  kMethodNotAllowed,
  kMissingContentLength,
  kNoSuchBucket,
  kNoSuchBucketPolicy,
  kNoSuchKey,
  kNoSuchPublicAccessBlockConfiguration,
  kNoSuchTagSet,
  kNoSuchUpload,
  kNotImplemented,
  kNotModified,
  kOperationAborted,
  kPreconditionFailed,
  kServerSideEncryptionConfigurationNotFoundError,
  kServiceUnavailable,
  kSlowDown,
  kXAmzContentSHA256Mismatch,
};

// An element of the error body after <Message>, such as
// <Condition>If-Match</Condition>. `name` is one of our constants.
struct ErrorDetail {
  const char* name;
  std::string value;
};

struct S3Error {
  std::string code;       // "NoSuchKey"
  int http_status = 500;
  std::string message;
  // Resource elements, written when non-empty.
  std::string bucket_name;  // <BucketName>
  std::string key;          // <Key>
  std::string upload_id;    // <UploadId>
  std::vector<ErrorDetail> details;
  // Response headers the error needs, e.g. Content-Range: bytes */SIZE on 416.
  std::vector<http::Header> headers;

  // Adds a detail element; returns *this for chaining.
  S3Error& With(const char* name, std::string value);
};

// An error with `code`'s status and, when `message` is empty, S3's standard
// message for it.
S3Error MakeError(ErrorCode code, std::string message = {});

// The error code called `name` ("IncompleteBody"), for codes other modules
// report by name; nullopt when we have no row for it.
std::optional<ErrorCode> ErrorCodeNamed(std::string_view name);

// Common shapes.
S3Error NoSuchBucketError(std::string_view bucket);
S3Error NoSuchKeyError(std::string_view key);
S3Error NoSuchUploadError(std::string_view upload_id);
// InvalidArgument with <ArgumentName> and, when given, <ArgumentValue>.
S3Error InvalidArgumentError(std::string message, std::string_view argument_name,
                             std::optional<std::string_view> argument_value = std::nullopt);
// NotImplemented for an operation we know but do not offer ("PutBucketAcl").
S3Error NotImplementedError(std::string_view operation);

// Names the resource a sluice::Status is about, for the resource elements.
struct ErrorContext {
  std::string_view bucket;
  std::string_view key;
  std::string_view upload_id;
};

// The one mapping from sluice::Code to S3 (see the table in errors.cc).
// Object-store codes get S3's standard message and the resource element from
// `context`; request-shape codes keep the Status's message. Integrity
// failures (sink::IsIntegrityError) are InternalError with their message.
// kStorageFailed is InternalError (sticky until restart; SDKs retry 500s),
// kUnavailable is ServiceUnavailable. A kOk Status is a caller bug and maps
// to InternalError.
S3Error FromStatus(const Status& status, const ErrorContext& context = {});

// The XML error body (see the top of this file).
std::string ErrorXml(const S3Error& error, std::string_view request_id, std::string_view host_id);

// The whole response: status, the error's headers, and for anything but a
// HEAD request or a 304 the XML body with Content-Type application/xml.
http::Response ErrorResponse(const S3Error& error, bool head_request, std::string_view request_id,
                             std::string_view host_id);

// A value or the S3 error saying why there is none. The S3 codec's analogue
// of sluice::Result, for failures that are already S3 errors.
template <typename T>
class [[nodiscard]] S3Result {
 public:
  S3Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  S3Result(S3Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  const S3Error& error() const { return std::get<1>(state_); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, S3Error> state_;
};

}  // namespace sluice::s3
