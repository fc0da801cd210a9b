// The S3 error table, the Status mapping and the XML error body. With
// SLUICE_S3_DUMP_DIR set, error bodies are also written there as
// error.<case>.<status>.xml for tests/unit/s3_responses_check.py.
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "s3/errors.h"
#include "sluice/sink/envelope.h"

namespace sluice::s3 {
namespace {

void Dump(const std::string& name, const std::string& body) {
  if (const char* dir = std::getenv("SLUICE_S3_DUMP_DIR")) {
    std::ofstream(std::string(dir) + "/" + name, std::ios::binary) << body;
  }
}

struct Row {
  ErrorCode code;
  const char* name;
  int status;
};

// Independent of errors.cc on purpose: the S3 reference's statuses.
// clang-format off
const Row kRows[] = {
  {ErrorCode::kBadDigest, "BadDigest", 400},
  {ErrorCode::kBucketAlreadyExists, "BucketAlreadyExists", 409},
  {ErrorCode::kBucketAlreadyOwnedByYou, "BucketAlreadyOwnedByYou", 409},
  {ErrorCode::kBucketNotEmpty, "BucketNotEmpty", 409},
  {ErrorCode::kConditionalRequestConflict, "ConditionalRequestConflict", 409},
  {ErrorCode::kEntityTooLarge, "EntityTooLarge", 400},
  {ErrorCode::kEntityTooSmall, "EntityTooSmall", 400},
  {ErrorCode::kIncompleteBody, "IncompleteBody", 400},
  {ErrorCode::kInternalError, "InternalError", 500},
  {ErrorCode::kInvalidArgument, "InvalidArgument", 400},
  {ErrorCode::kInvalidBucketName, "InvalidBucketName", 400},
  {ErrorCode::kInvalidDigest, "InvalidDigest", 400},
  {ErrorCode::kInvalidLocationConstraint, "InvalidLocationConstraint", 400},
  {ErrorCode::kInvalidPart, "InvalidPart", 400},
  {ErrorCode::kInvalidPartNumber, "InvalidPartNumber", 416},
  {ErrorCode::kInvalidPartOrder, "InvalidPartOrder", 400},
  {ErrorCode::kInvalidRange, "InvalidRange", 416},
  {ErrorCode::kInvalidRequest, "InvalidRequest", 400},
  {ErrorCode::kInvalidStorageClass, "InvalidStorageClass", 400},
  {ErrorCode::kInvalidTag, "InvalidTag", 400},
  {ErrorCode::kInvalidURI, "InvalidURI", 400},
  {ErrorCode::kKeyTooLongError, "KeyTooLongError", 400},
  {ErrorCode::kMalformedPolicy, "MalformedPolicy", 400},
  {ErrorCode::kMalformedTrailerError, "MalformedTrailerError", 400},
  {ErrorCode::kMalformedXML, "MalformedXML", 400},
  {ErrorCode::kMetadataTooLarge, "MetadataTooLarge", 400},
  {ErrorCode::kMethodNotAllowed, "MethodNotAllowed", 405},
  {ErrorCode::kMissingContentLength, "MissingContentLength", 411},
  {ErrorCode::kNoSuchBucket, "NoSuchBucket", 404},
  {ErrorCode::kNoSuchBucketPolicy, "NoSuchBucketPolicy", 404},
  {ErrorCode::kNoSuchKey, "NoSuchKey", 404},
  {ErrorCode::kNoSuchPublicAccessBlockConfiguration, "NoSuchPublicAccessBlockConfiguration", 404},
  {ErrorCode::kNoSuchTagSet, "NoSuchTagSet", 404},
  {ErrorCode::kNoSuchUpload, "NoSuchUpload", 404},
  {ErrorCode::kNotImplemented, "NotImplemented", 501},
  {ErrorCode::kNotModified, "NotModified", 304},
  {ErrorCode::kOperationAborted, "OperationAborted", 409},
  {ErrorCode::kPreconditionFailed, "PreconditionFailed", 412},
  {ErrorCode::kServerSideEncryptionConfigurationNotFoundError, "ServerSideEncryptionConfigurationNotFoundError", 404},
  {ErrorCode::kServiceUnavailable, "ServiceUnavailable", 503},
  {ErrorCode::kSlowDown, "SlowDown", 503},
  {ErrorCode::kXAmzContentSHA256Mismatch, "XAmzContentSHA256Mismatch", 400},
};
// clang-format on

TEST(S3Errors, EveryCodeHasItsStatusAndAMessage) {
  int expected = 0;
  for (const Row& row : kRows) {
    EXPECT_EQ(static_cast<int>(row.code), expected++) << row.name;  // every enumerator, in order
    S3Error error = MakeError(row.code);
    EXPECT_EQ(error.code, row.name);
    EXPECT_EQ(error.http_status, row.status) << row.name;
    EXPECT_FALSE(error.message.empty()) << row.name;
    EXPECT_EQ(ErrorCodeNamed(row.name), row.code) << row.name;
  }
  EXPECT_EQ(expected, static_cast<int>(ErrorCode::kXAmzContentSHA256Mismatch) + 1);
  EXPECT_EQ(ErrorCodeNamed("NoSuchThing"), std::nullopt);
  EXPECT_EQ(MakeError(ErrorCode::kNoSuchKey).message, "The specified key does not exist.");
  EXPECT_EQ(MakeError(ErrorCode::kInvalidArgument, "bad max-keys").message, "bad max-keys");
}

struct Mapped {
  Code code;
  const char* s3_code;
  int status;
};

TEST(S3Errors, FromStatusMapsEveryStoreCode) {
  // clang-format off
  const Mapped cases[] = {
    {Code::kInvalidParameterValue, "InvalidArgument", 400},
    {Code::kMissingParameter, "InvalidRequest", 400},
    {Code::kMalformedRequest, "MalformedXML", 400},
    {Code::kUnknownOperation, "NotImplemented", 501},
    {Code::kUnsupportedOperation, "NotImplemented", 501},
    {Code::kRequestTooLarge, "EntityTooLarge", 400},
    {Code::kStorageFailed, "InternalError", 500},
    {Code::kUnavailable, "ServiceUnavailable", 503},
    {Code::kInternal, "InternalError", 500},
    {Code::kConflict, "OperationAborted", 409},
    {Code::kNoSuchBucket, "NoSuchBucket", 404},
    {Code::kNoSuchKey, "NoSuchKey", 404},
    {Code::kNoSuchUpload, "NoSuchUpload", 404},
    {Code::kBucketNotEmpty, "BucketNotEmpty", 409},
    {Code::kBadDigest, "BadDigest", 400},
    {Code::kInvalidPart, "InvalidPart", 400},
    {Code::kInvalidPartOrder, "InvalidPartOrder", 400},
    {Code::kEntityTooSmall, "EntityTooSmall", 400},
    {Code::kPreconditionFailed, "PreconditionFailed", 412},
    {Code::kThrottled, "SlowDown", 503},
    // SQS codes cannot come from the object store: reported, not hidden.
    {Code::kQueueDoesNotExist, "InternalError", 500},
  };
  // clang-format on
  for (const Mapped& c : cases) {
    S3Error error = FromStatus(Status(c.code, "detail"), {"photos", "cat.jpg", "upload-1"});
    EXPECT_EQ(error.code, c.s3_code) << CodeName(c.code);
    EXPECT_EQ(error.http_status, c.status) << CodeName(c.code);
  }
}

TEST(S3Errors, FromStatusResourceAndMessage) {
  const ErrorContext context{"photos", "cat.jpg", "upload-1"};
  S3Error bucket = FromStatus(Status(Code::kNoSuchBucket, "no bucket named photos"), context);
  EXPECT_EQ(bucket.message, "The specified bucket does not exist");  // S3's, not ours
  EXPECT_EQ(bucket.bucket_name, "photos");
  EXPECT_TRUE(bucket.key.empty());
  S3Error key = FromStatus(Status(Code::kNoSuchKey, "x"), context);
  EXPECT_EQ(key.key, "cat.jpg");
  EXPECT_TRUE(key.bucket_name.empty());
  S3Error upload = FromStatus(Status(Code::kNoSuchUpload, "x"), context);
  EXPECT_EQ(upload.upload_id, "upload-1");
  S3Error not_empty = FromStatus(Status(Code::kBucketNotEmpty, "x"), context);
  EXPECT_EQ(not_empty.bucket_name, "photos");
  // Request-shape codes keep our message; without one, S3's.
  EXPECT_EQ(FromStatus(Status(Code::kInvalidParameterValue, "key has an empty segment")).message,
            "key has an empty segment");
  EXPECT_EQ(FromStatus(Status(Code::kInvalidParameterValue, "")).message, "Invalid Argument");
  EXPECT_EQ(FromStatus(Status(Code::kBadDigest, "The CRC32 you specified did not match the calculated checksum."))
                .message,
            "The CRC32 you specified did not match the calculated checksum.");
  // The legacy generic not-found names the most specific resource.
  EXPECT_EQ(FromStatus(Status(Code::kResourceNotFound, "x"), {"photos", "cat.jpg", ""}).code, "NoSuchKey");
  EXPECT_EQ(FromStatus(Status(Code::kResourceNotFound, "x"), {"photos", "", ""}).code, "NoSuchBucket");
  // An OK status is a bug, reported as one.
  EXPECT_EQ(FromStatus(Status::Ok()).code, "InternalError");
}

TEST(S3Errors, IntegrityFailuresAreInternalErrorsWithTheirMessage) {
  Status integrity = sink::IntegrityError({"photos", "cat.jpg", "0123456789abcdef"}, "chunk 3 failed to authenticate");
  ASSERT_TRUE(sink::IsIntegrityError(integrity));
  S3Error error = FromStatus(integrity, {"photos", "cat.jpg", ""});
  EXPECT_EQ(error.code, "InternalError");
  EXPECT_EQ(error.http_status, 500);
  EXPECT_EQ(error.message, integrity.message());
  EXPECT_EQ(error.message.rfind("integrity check failed for ", 0), 0u);
}

TEST(S3Errors, XmlBody) {
  S3Error error = NoSuchKeyError("a<b>&\"c\"");
  std::string xml = ErrorXml(error, "req-1", "host-1");
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code>"
            "<Message>The specified key does not exist.</Message>"
            "<Key>a&lt;b&gt;&amp;&quot;c&quot;</Key><RequestId>req-1</RequestId><HostId>host-1</HostId></Error>");
  Dump("error.NoSuchKey.404.xml", xml);

  S3Error precondition = MakeError(ErrorCode::kPreconditionFailed).With("Condition", "If-Match");
  xml = ErrorXml(precondition, "req-2", "host-2");
  EXPECT_NE(xml.find("<Condition>If-Match</Condition><RequestId>"), std::string::npos);
  Dump("error.PreconditionFailed.412.xml", xml);

  Dump("error.NoSuchBucket.404.xml", ErrorXml(NoSuchBucketError("photos"), "req-3", "host-3"));
  Dump("error.NoSuchUpload.404.xml", ErrorXml(NoSuchUploadError("upload-9"), "req-4", "host-4"));
  Dump("error.InvalidArgument.400.xml",
       ErrorXml(InvalidArgumentError("Invalid Encoding Method specified in Request", "encoding-type", "gzip"), "r",
                "h"));
  Dump("error.NotImplemented.501.xml", ErrorXml(NotImplementedError("PutBucketAcl"), "r", "h"));
  Dump("error.InternalError.500.xml",
       ErrorXml(FromStatus(Status(Code::kInternal, "integrity check failed for b/k: bad tag")), "r", "h"));
}

TEST(S3Errors, ResponseHeadAndNotModifiedHaveNoBody) {
  S3Error error = NoSuchKeyError("k");
  http::Response get = ErrorResponse(error, false, "r", "h");
  EXPECT_EQ(get.status, 404);
  EXPECT_EQ(get.body, ErrorXml(error, "r", "h"));
  ASSERT_EQ(get.headers.size(), 1u);
  EXPECT_EQ(get.headers[0].name, "content-type");
  EXPECT_EQ(get.headers[0].value, "application/xml");

  http::Response head = ErrorResponse(error, true, "r", "h");
  EXPECT_EQ(head.status, 404);
  EXPECT_TRUE(head.body.empty());
  EXPECT_TRUE(head.headers.empty());

  http::Response not_modified = ErrorResponse(MakeError(ErrorCode::kNotModified), false, "r", "h");
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());

  S3Error range = MakeError(ErrorCode::kInvalidRange);
  range.headers.push_back({"content-range", "bytes */10"});
  http::Response range_head = ErrorResponse(range, true, "r", "h");
  EXPECT_EQ(range_head.status, 416);
  ASSERT_EQ(range_head.headers.size(), 1u);
  EXPECT_EQ(range_head.headers[0].value, "bytes */10");
}

TEST(S3Errors, Helpers) {
  S3Error argument = InvalidArgumentError("bad", "max-keys", "x");
  ASSERT_EQ(argument.details.size(), 2u);
  EXPECT_STREQ(argument.details[0].name, "ArgumentName");
  EXPECT_EQ(argument.details[0].value, "max-keys");
  EXPECT_EQ(argument.details[1].value, "x");
  EXPECT_EQ(InvalidArgumentError("bad", "continuation-token").details.size(), 1u);
  S3Error not_implemented = NotImplementedError("PutBucketAcl");
  EXPECT_EQ(not_implemented.http_status, 501);
  EXPECT_NE(not_implemented.message.find("PutBucketAcl"), std::string::npos);
}

TEST(S3Errors, ResultHoldsValueOrError) {
  S3Result<int> value = 7;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  S3Result<int> error = MakeError(ErrorCode::kSlowDown);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().http_status, 503);
}

}  // namespace
}  // namespace sluice::s3
