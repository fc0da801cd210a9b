#include "s3/errors.h"

#include "sluice/xml_writer.h"

namespace sluice::s3 {
namespace {

struct ErrorRow {
  ErrorCode code;
  const char* name;
  int http_status;
  const char* message;  // S3's standard message
};

// clang-format off
constexpr ErrorRow kErrors[] = {
  {ErrorCode::kBadDigest, "BadDigest", 400, "The Content-MD5 you specified did not match what we received."},
  {ErrorCode::kBucketAlreadyExists, "BucketAlreadyExists", 409,
   "The requested bucket name is not available. The bucket namespace is shared by all users of the system. "
   "Please select a different name and try again."},
  {ErrorCode::kBucketAlreadyOwnedByYou, "BucketAlreadyOwnedByYou", 409,
   "Your previous request to create the named bucket succeeded and you already own it."},
  {ErrorCode::kBucketNotEmpty, "BucketNotEmpty", 409, "The bucket you tried to delete is not empty"},
  {ErrorCode::kConditionalRequestConflict, "ConditionalRequestConflict", 409,
   "The conditional request cannot succeed due to a conflicting operation against this resource."},
  {ErrorCode::kEntityTooLarge, "EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size"},
  {ErrorCode::kEntityTooSmall, "EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed size"},
  {ErrorCode::kIncompleteBody, "IncompleteBody", 400,
   "You did not provide the number of bytes specified by the Content-Length HTTP header."},
  {ErrorCode::kInternalError, "InternalError", 500, "We encountered an internal error. Please try again."},
  {ErrorCode::kInvalidArgument, "InvalidArgument", 400, "Invalid Argument"},
  {ErrorCode::kInvalidBucketName, "InvalidBucketName", 400, "The specified bucket is not valid."},
  {ErrorCode::kInvalidDigest, "InvalidDigest", 400, "The Content-MD5 you specified was invalid."},
  {ErrorCode::kInvalidLocationConstraint, "InvalidLocationConstraint", 400,
   "The specified location-constraint is not valid"},
  {ErrorCode::kInvalidPart, "InvalidPart", 400,
   "One or more of the specified parts could not be found.  The part may not have been uploaded, or the "
   "specified entity tag may not match the part's entity tag."},
  {ErrorCode::kInvalidPartNumber, "InvalidPartNumber", 416, "The requested partnumber is not satisfiable"},
  {ErrorCode::kInvalidPartOrder, "InvalidPartOrder", 400,
   "The list of parts was not in ascending order. Parts must be ordered by part number."},
  {ErrorCode::kInvalidRange, "InvalidRange", 416, "The requested range is not satisfiable"},
  {ErrorCode::kInvalidRequest, "InvalidRequest", 400, "Invalid Request"},
  {ErrorCode::kInvalidStorageClass, "InvalidStorageClass", 400, "The storage class you specified is not valid"},
  {ErrorCode::kInvalidTag, "InvalidTag", 400, "The TagValue you have provided is invalid"},
  {ErrorCode::kInvalidURI, "InvalidURI", 400, "Couldn't parse the specified URI."},
  {ErrorCode::kKeyTooLongError, "KeyTooLongError", 400, "Your key is too long"},
  {ErrorCode::kMalformedPolicy, "MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'"},
  {ErrorCode::kMalformedTrailerError, "MalformedTrailerError", 400,
   "The request contained trailing data that was not well-formed or did not conform to our published schema."},
  {ErrorCode::kMalformedXML, "MalformedXML", 400,
   "The XML you provided was not well-formed or did not validate against our published schema"},
  {ErrorCode::kMetadataTooLarge, "MetadataTooLarge", 400,
   "Your metadata headers exceed the maximum allowed metadata size"},
  {ErrorCode::kMethodNotAllowed, "MethodNotAllowed", 405, "The specified method is not allowed against this resource."},
  {ErrorCode::kMissingContentLength, "MissingContentLength", 411, "You must provide the Content-Length HTTP header."},
  {ErrorCode::kNoSuchBucket, "NoSuchBucket", 404, "The specified bucket does not exist"},
  {ErrorCode::kNoSuchBucketPolicy, "NoSuchBucketPolicy", 404, "The bucket policy does not exist"},
  {ErrorCode::kNoSuchKey, "NoSuchKey", 404, "The specified key does not exist."},
  {ErrorCode::kNoSuchPublicAccessBlockConfiguration, "NoSuchPublicAccessBlockConfiguration", 404,
   "The public access block configuration was not found"},
  {ErrorCode::kNoSuchTagSet, "NoSuchTagSet", 404, "The TagSet does not exist"},
  {ErrorCode::kNoSuchUpload, "NoSuchUpload", 404,
   "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or "
   "completed."},
  {ErrorCode::kNotImplemented, "NotImplemented", 501,
   "A header you provided implies functionality that is not implemented"},
  {ErrorCode::kNotModified, "NotModified", 304, "Not Modified"},
  {ErrorCode::kOperationAborted, "OperationAborted", 409,
   "A conflicting conditional operation is currently in progress against this resource. Try again."},
  {ErrorCode::kPreconditionFailed, "PreconditionFailed", 412,
   "At least one of the pre-conditions you specified did not hold"},
  {ErrorCode::kServerSideEncryptionConfigurationNotFoundError, "ServerSideEncryptionConfigurationNotFoundError", 404,
   "The server side encryption configuration was not found"},
  {ErrorCode::kServiceUnavailable, "ServiceUnavailable", 503, "Please reduce your request rate."},
  {ErrorCode::kSlowDown, "SlowDown", 503, "Please reduce your request rate."},
  {ErrorCode::kXAmzContentSHA256Mismatch, "XAmzContentSHA256Mismatch", 400,
   "The provided 'x-amz-content-sha256' header does not match what was computed."},
};
// clang-format on

const ErrorRow& RowFor(ErrorCode code) {
  for (const ErrorRow& row : kErrors) {
    if (row.code == code) return row;
  }
  return RowFor(ErrorCode::kInternalError);  // every code has a row (tested)
}

// Which context field names the resource of a mapped Status.
enum class Resource { kNone, kBucket, kKey, kUploadId };

struct StatusRow {
  Code code;
  ErrorCode error;
  Resource resource;
  bool keep_message;  // the Status's message (when non-empty) instead of S3's
};

// sluice::Code -> S3, once. Codes without a row (the SQS domain, kOk) are
// InternalError with the Status's message: they cannot come from the object
// store, so reaching here is a bug worth reporting verbatim.
// clang-format off
constexpr StatusRow kStatusRows[] = {
  {Code::kInvalidParameterValue, ErrorCode::kInvalidArgument, Resource::kNone, true},
  {Code::kMissingParameter, ErrorCode::kInvalidRequest, Resource::kNone, true},
  {Code::kMalformedRequest, ErrorCode::kMalformedXML, Resource::kNone, true},
  {Code::kUnknownOperation, ErrorCode::kNotImplemented, Resource::kNone, true},
  {Code::kInvalidAttributeName, ErrorCode::kInvalidArgument, Resource::kNone, true},
  {Code::kInvalidAttributeValue, ErrorCode::kInvalidArgument, Resource::kNone, true},
  {Code::kUnsupportedOperation, ErrorCode::kNotImplemented, Resource::kNone, true},
  {Code::kRequestTooLarge, ErrorCode::kEntityTooLarge, Resource::kNone, true},
  {Code::kOverLimit, ErrorCode::kInvalidRequest, Resource::kNone, true},
  {Code::kStorageFailed, ErrorCode::kInternalError, Resource::kNone, true},
  {Code::kUnavailable, ErrorCode::kServiceUnavailable, Resource::kNone, true},
  {Code::kInternal, ErrorCode::kInternalError, Resource::kNone, true},
  {Code::kConflict, ErrorCode::kOperationAborted, Resource::kNone, true},
  {Code::kNoSuchBucket, ErrorCode::kNoSuchBucket, Resource::kBucket, false},
  {Code::kNoSuchKey, ErrorCode::kNoSuchKey, Resource::kKey, false},
  {Code::kNoSuchUpload, ErrorCode::kNoSuchUpload, Resource::kUploadId, false},
  {Code::kBucketNotEmpty, ErrorCode::kBucketNotEmpty, Resource::kBucket, false},
  // The checksum code words its mismatches the way S3 does ("The CRC32 you
  // specified did not match the calculated checksum."): keep them.
  {Code::kBadDigest, ErrorCode::kBadDigest, Resource::kNone, true},
  {Code::kInvalidPart, ErrorCode::kInvalidPart, Resource::kUploadId, false},
  {Code::kInvalidPartOrder, ErrorCode::kInvalidPartOrder, Resource::kUploadId, false},
  {Code::kEntityTooSmall, ErrorCode::kEntityTooSmall, Resource::kNone, false},
  {Code::kPreconditionFailed, ErrorCode::kPreconditionFailed, Resource::kNone, false},
  {Code::kThrottled, ErrorCode::kSlowDown, Resource::kNone, true},
};
// clang-format on

void SetResource(S3Error& error, Resource resource, const ErrorContext& context) {
  switch (resource) {
    case Resource::kNone: break;
    case Resource::kBucket: error.bucket_name = std::string(context.bucket); break;
    case Resource::kKey: error.key = std::string(context.key); break;
    case Resource::kUploadId: error.upload_id = std::string(context.upload_id); break;
  }
}

}  // namespace

S3Error& S3Error::With(const char* name, std::string value) {
  details.push_back({name, std::move(value)});
  return *this;
}

S3Error MakeError(ErrorCode code, std::string message) {
  const ErrorRow& row = RowFor(code);
  S3Error error;
  error.code = row.name;
  error.http_status = row.http_status;
  error.message = message.empty() ? row.message : std::move(message);
  return error;
}

std::optional<ErrorCode> ErrorCodeNamed(std::string_view name) {
  for (const ErrorRow& row : kErrors) {
    if (name == row.name) return row.code;
  }
  return std::nullopt;
}

S3Error NoSuchBucketError(std::string_view bucket) {
  S3Error error = MakeError(ErrorCode::kNoSuchBucket);
  error.bucket_name = std::string(bucket);
  return error;
}

S3Error NoSuchKeyError(std::string_view key) {
  S3Error error = MakeError(ErrorCode::kNoSuchKey);
  error.key = std::string(key);
  return error;
}

S3Error NoSuchUploadError(std::string_view upload_id) {
  S3Error error = MakeError(ErrorCode::kNoSuchUpload);
  error.upload_id = std::string(upload_id);
  return error;
}

S3Error InvalidArgumentError(std::string message, std::string_view argument_name,
                             std::optional<std::string_view> argument_value) {
  S3Error error = MakeError(ErrorCode::kInvalidArgument, std::move(message));
  error.With("ArgumentName", std::string(argument_name));
  if (argument_value) error.With("ArgumentValue", std::string(*argument_value));
  return error;
}

S3Error NotImplementedError(std::string_view operation) {
  return MakeError(ErrorCode::kNotImplemented,
                   "Sluice does not implement " + std::string(operation) + ".");
}

S3Error FromStatus(const Status& status, const ErrorContext& context) {
  if (status.code() == Code::kResourceNotFound) {
    // The sink's generic "not found" from before it had object-store codes:
    // the most specific resource the request named is the one missing.
    return context.key.empty() ? NoSuchBucketError(context.bucket) : NoSuchKeyError(context.key);
  }
  for (const StatusRow& row : kStatusRows) {
    if (row.code != status.code()) continue;
    // Integrity failures (sink::IsIntegrityError) are kInternal: their
    // message, kept, says which object failed.
    S3Error error = MakeError(row.error, row.keep_message ? status.message() : std::string());
    SetResource(error, row.resource, context);
    return error;
  }
  return MakeError(ErrorCode::kInternalError,
                   status.ok() ? std::string("an OK status was reported as an error") : status.ToString());
}

std::string ErrorXml(const S3Error& error, std::string_view request_id, std::string_view host_id) {
  std::string out;
  out.reserve(256 + error.message.size() + error.key.size());
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("Error");
  xml.Element("Code", error.code);
  xml.Element("Message", error.message);
  if (!error.bucket_name.empty()) xml.Element("BucketName", error.bucket_name);
  if (!error.key.empty()) xml.Element("Key", error.key);
  if (!error.upload_id.empty()) xml.Element("UploadId", error.upload_id);
  for (const ErrorDetail& detail : error.details) xml.Element(detail.name, detail.value);
  xml.Element("RequestId", request_id);
  xml.Element("HostId", host_id);
  xml.End();
  return out;
}

http::Response ErrorResponse(const S3Error& error, bool head_request, std::string_view request_id,
                             std::string_view host_id) {
  http::Response response;
  response.status = error.http_status;
  response.headers = error.headers;
  // RFC 9110: HEAD answers carry no content, and 304 never has a body.
  if (!head_request && error.http_status != 304) {
    response.headers.push_back({"content-type", "application/xml"});
    response.body = ErrorXml(error, request_id, host_id);
  }
  return response;
}

}  // namespace sluice::s3
