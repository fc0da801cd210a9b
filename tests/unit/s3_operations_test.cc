// Classification of requests into S3 operations, and the refusals.
#include <gtest/gtest.h>

#include "s3/operations.h"

namespace sluice::s3 {
namespace {

enum Level { kService, kBucket, kObject };

ClassifyInput Input(const char* method, Level level, const char* query = "", bool copy_source = false) {
  ClassifyInput input;
  input.method = method;
  input.has_bucket = level != kService;
  input.has_key = level == kObject;
  input.query = query;
  input.has_copy_source = copy_source;
  return input;
}

struct Served {
  const char* method;
  Level level;
  const char* query;
  bool copy_source;
  Operation expected;
};

TEST(S3Operations, ServedOperations) {
  const Served cases[] = {
      {"GET", kService, "", false, Operation::kListBuckets},
      {"GET", kService, "x-id=ListBuckets", false, Operation::kListBuckets},
      {"PUT", kBucket, "", false, Operation::kCreateBucket},
      {"HEAD", kBucket, "", false, Operation::kHeadBucket},
      {"DELETE", kBucket, "", false, Operation::kDeleteBucket},
      {"GET", kBucket, "location", false, Operation::kGetBucketLocation},
      {"GET", kBucket, "location=", false, Operation::kGetBucketLocation},
      {"GET", kBucket, "", false, Operation::kListObjects},
      {"GET", kBucket, "prefix=a&delimiter=%2F&encoding-type=url", false, Operation::kListObjects},
      {"GET", kBucket, "list-type=2&prefix=a", false, Operation::kListObjectsV2},
      {"GET", kBucket, "prefix=a&list-type=2", false, Operation::kListObjectsV2},
      {"GET", kBucket, "list-type=1", false, Operation::kListObjects},
      {"GET", kBucket, "uploads", false, Operation::kListMultipartUploads},
      {"GET", kBucket, "uploads&prefix=x&max-uploads=3", false, Operation::kListMultipartUploads},
      {"POST", kBucket, "delete", false, Operation::kDeleteObjects},
      {"POST", kBucket, "delete=", false, Operation::kDeleteObjects},
      {"GET", kBucket, "versioning", false, Operation::kGetBucketVersioning},
      {"GET", kBucket, "acl", false, Operation::kGetBucketAcl},
      {"GET", kObject, "acl", false, Operation::kGetObjectAcl},
      {"GET", kBucket, "encryption", false, Operation::kGetBucketEncryption},
      {"PUT", kBucket, "encryption", false, Operation::kPutBucketEncryption},
      {"DELETE", kBucket, "encryption", false, Operation::kDeleteBucketEncryption},
      {"GET", kBucket, "policy", false, Operation::kGetBucketPolicy},
      {"PUT", kBucket, "policy", false, Operation::kPutBucketPolicy},
      {"DELETE", kBucket, "policy", false, Operation::kDeleteBucketPolicy},
      {"GET", kBucket, "tagging", false, Operation::kGetBucketTagging},
      {"PUT", kBucket, "tagging", false, Operation::kPutBucketTagging},
      {"DELETE", kBucket, "tagging", false, Operation::kDeleteBucketTagging},
      {"GET", kBucket, "publicAccessBlock", false, Operation::kGetPublicAccessBlock},
      {"PUT", kBucket, "publicAccessBlock", false, Operation::kPutPublicAccessBlock},
      {"DELETE", kBucket, "publicAccessBlock", false, Operation::kDeletePublicAccessBlock},
      {"PUT", kObject, "", false, Operation::kPutObject},
      {"PUT", kObject, "x-id=PutObject", false, Operation::kPutObject},
      {"PUT", kObject, "", true, Operation::kCopyObject},
      {"GET", kObject, "", false, Operation::kGetObject},
      {"GET", kObject, "partNumber=2", false, Operation::kGetObject},  // an argument, not a subresource
      {"GET", kObject, "versionId=null", false, Operation::kGetObject},
      {"HEAD", kObject, "", false, Operation::kHeadObject},
      {"HEAD", kObject, "partNumber=1", false, Operation::kHeadObject},
      {"DELETE", kObject, "", false, Operation::kDeleteObject},
      {"POST", kObject, "uploads", false, Operation::kCreateMultipartUpload},
      {"POST", kObject, "uploads=", false, Operation::kCreateMultipartUpload},
      {"PUT", kObject, "partNumber=1&uploadId=abc", false, Operation::kUploadPart},
      {"PUT", kObject, "uploadId=abc&partNumber=1", true, Operation::kUploadPartCopy},
      {"POST", kObject, "uploadId=abc", false, Operation::kCompleteMultipartUpload},
      {"DELETE", kObject, "uploadId=abc", false, Operation::kAbortMultipartUpload},
      {"GET", kObject, "uploadId=abc&max-parts=2", false, Operation::kListParts},
      {"GET", kObject, "tagging", false, Operation::kGetObjectTagging},
  };
  for (const Served& c : cases) {
    S3Result<Operation> operation = Classify(Input(c.method, c.level, c.query, c.copy_source));
    ASSERT_TRUE(operation.ok()) << c.method << " " << c.level << " ?" << c.query << ": " << operation.error().code;
    EXPECT_EQ(*operation, c.expected) << c.method << " " << c.level << " ?" << c.query << " got "
                                      << OperationName(*operation);
  }
}

TEST(S3Operations, Names) {
  EXPECT_STREQ(OperationName(Operation::kPutObject), "PutObject");
  EXPECT_STREQ(OperationName(Operation::kListObjectsV2), "ListObjectsV2");
  EXPECT_STREQ(OperationName(Operation::kUploadPartCopy), "UploadPartCopy");
  EXPECT_STREQ(OperationName(Operation::kListMultipartUploads), "ListMultipartUploads");
  EXPECT_STREQ(OperationName(Operation::kGetBucketVersioning), "GetBucketVersioning");
  // Every operation has a name.
  for (int op = 0; op <= static_cast<int>(Operation::kGetObjectTagging); ++op) {
    EXPECT_STRNE(OperationName(static_cast<Operation>(op)), "Unknown") << op;
  }
}

struct Refused {
  const char* method;
  Level level;
  const char* query;
  const char* code;
  const char* names;  // for NotImplemented: the operation in the message
};

TEST(S3Operations, UnservedSubresourcesAreNotImplemented) {
  const Refused cases[] = {
      {"PUT", kBucket, "acl", "NotImplemented", "PutBucketAcl"},
      {"PUT", kBucket, "versioning", "NotImplemented", "PutBucketVersioning"},
      {"GET", kBucket, "cors", "NotImplemented", "GetBucketCors"},
      {"PUT", kBucket, "lifecycle", "NotImplemented", "PutBucketLifecycleConfiguration"},
      {"GET", kBucket, "website", "NotImplemented", "GetBucketWebsite"},
      {"GET", kBucket, "logging", "NotImplemented", "GetBucketLogging"},
      {"GET", kBucket, "notification", "NotImplemented", "GetBucketNotificationConfiguration"},
      {"PUT", kBucket, "replication", "NotImplemented", "PutBucketReplication"},
      {"GET", kBucket, "ownershipControls", "NotImplemented", "GetBucketOwnershipControls"},
      {"GET", kBucket, "object-lock", "NotImplemented", "GetObjectLockConfiguration"},
      {"GET", kBucket, "versions", "NotImplemented", "ListObjectVersions"},
      {"GET", kBucket, "versions&prefix=a", "NotImplemented", "ListObjectVersions"},
      {"POST", kBucket, "", "NotImplemented", "PostObject"},
      {"PUT", kObject, "tagging", "NotImplemented", "PutObjectTagging"},
      {"DELETE", kObject, "tagging", "NotImplemented", "DeleteObjectTagging"},
      {"GET", kObject, "attributes", "NotImplemented", "GetObjectAttributes"},
      {"PUT", kObject, "retention", "NotImplemented", "PutObjectRetention"},
      {"PUT", kObject, "legal-hold", "NotImplemented", "PutObjectLegalHold"},
      {"POST", kObject, "restore", "NotImplemented", "RestoreObject"},
      {"POST", kObject, "select&select-type=2", "NotImplemented", "SelectObjectContent"},
      // A subresource wins over the copy-source header.
      {"PUT", kObject, "acl", "NotImplemented", "PutObjectAcl"},
  };
  for (const Refused& c : cases) {
    S3Result<Operation> operation = Classify(Input(c.method, c.level, c.query, true));
    ASSERT_FALSE(operation.ok()) << c.method << " ?" << c.query << " -> " << OperationName(*operation);
    EXPECT_EQ(operation.error().code, c.code) << c.method << " ?" << c.query;
    EXPECT_EQ(operation.error().http_status, 501);
    EXPECT_NE(operation.error().message.find(c.names), std::string::npos)
        << c.method << " ?" << c.query << ": " << operation.error().message;
  }
}

std::string AllowHeader(const S3Error& error) {
  for (const http::Header& header : error.headers) {
    if (header.name == "allow") return header.value;
  }
  return "<none>";
}

TEST(S3Operations, WrongMethodIsMethodNotAllowed) {
  struct Case {
    const char* method;
    Level level;
    const char* query;
    const char* allow;
  };
  const Case cases[] = {
      {"PUT", kService, "", "GET"},
      {"DELETE", kService, "", "GET"},
      {"PATCH", kBucket, "", "GET, HEAD, PUT, POST, DELETE"},  // POST: PostObject (unserved)
      {"DELETE", kBucket, "acl", "GET, PUT"},
      {"PUT", kBucket, "location", "GET"},
      {"POST", kBucket, "uploads", "GET"},
      {"GET", kBucket, "delete", "POST"},
      {"POST", kObject, "", "GET, HEAD, PUT, DELETE"},
      {"OPTIONS", kObject, "", "GET, HEAD, PUT, DELETE"},
      {"GET", kObject, "uploads", "POST"},  // ?uploads on a key is only CreateMultipartUpload
      {"PUT", kObject, "uploads", "POST"},
      {"HEAD", kObject, "uploadId=1", "GET, PUT, POST, DELETE"},
      {"HEAD", kBucket, "location", "GET"},
  };
  for (const Case& c : cases) {
    S3Result<Operation> operation = Classify(Input(c.method, c.level, c.query));
    ASSERT_FALSE(operation.ok()) << c.method << " ?" << c.query << " -> " << OperationName(*operation);
    EXPECT_EQ(operation.error().code, "MethodNotAllowed") << c.method << " ?" << c.query;
    EXPECT_EQ(operation.error().http_status, 405);
    EXPECT_EQ(AllowHeader(operation.error()), c.allow) << c.method << " ?" << c.query;
    ASSERT_EQ(operation.error().details.size(), 2u);
    EXPECT_STREQ(operation.error().details[0].name, "Method");
    EXPECT_EQ(operation.error().details[0].value, c.method);
  }
}

TEST(S3Operations, CopySourceDecidesPutKind) {
  EXPECT_EQ(*Classify(Input("PUT", kObject, "", false)), Operation::kPutObject);
  EXPECT_EQ(*Classify(Input("PUT", kObject, "", true)), Operation::kCopyObject);
  EXPECT_EQ(*Classify(Input("PUT", kObject, "uploadId=u&partNumber=3", false)), Operation::kUploadPart);
  EXPECT_EQ(*Classify(Input("PUT", kObject, "uploadId=u&partNumber=3", true)), Operation::kUploadPartCopy);
  // The header only matters for PUT.
  EXPECT_EQ(*Classify(Input("GET", kObject, "", true)), Operation::kGetObject);
  EXPECT_EQ(*Classify(Input("POST", kObject, "uploads", true)), Operation::kCreateMultipartUpload);
}

TEST(S3Operations, SubresourceNamesAreExact) {
  // "uploads-like" or prefixed names are not subresources; values that merely
  // contain a subresource name are not either.
  EXPECT_EQ(*Classify(Input("GET", kBucket, "uploadsx")), Operation::kListObjects);
  EXPECT_EQ(*Classify(Input("GET", kBucket, "prefix=acl")), Operation::kListObjects);
  EXPECT_EQ(*Classify(Input("GET", kBucket, "prefix=x&upload-id-marker=2")), Operation::kListObjects);
  EXPECT_EQ(*Classify(Input("GET", kObject, "response-content-type=text%2Fplain")), Operation::kGetObject);
  // Object-level subresources do not apply to buckets and vice versa.
  EXPECT_EQ(*Classify(Input("GET", kBucket, "uploadId=1")), Operation::kListObjects);
  EXPECT_EQ(*Classify(Input("GET", kObject, "location")), Operation::kGetObject);
}

}  // namespace
}  // namespace sluice::s3
