// The S3 operations Sluice serves, and which one a request is.
//
// S3 names an operation by method, target (the service, a bucket or an
// object) and an optional subresource in the query string ("?uploads",
// "?uploadId=..", "?list-type=2", "?acl"). The classification is a table
// (operations.cc): one row per served operation, one per operation the S3
// model knows that we do not serve. Rules, in order:
//   1. The target's subresource is the first of the table's subresource
//      names for that target present in the query (other parameters, such
//      as prefix or partNumber, are arguments, not subresources).
//   2. A served row for (target, method, subresource) wins; rows for
//      PUT on an object tell CopyObject/UploadPartCopy from
//      PutObject/UploadPart by the x-amz-copy-source header.
//   3. A row we do not serve -> NotImplemented (501) naming the operation.
//   4. Otherwise -> MethodNotAllowed (405): the resource exists in S3's
//      model but not with that method (DELETE /bucket?acl, POST /bucket/key,
//      GET /bucket/key?uploads: ?uploads on a key is only the POST of
//      CreateMultipartUpload).
//
// Defaults: two read-only operations SDK and CLI code calls in passing are
// served with fixed answers instead of 501, because the answer is true of
// every Sluice bucket and object: GetBucketVersioning (never enabled: an
// empty VersioningConfiguration), GetObjectTagging (no tags: an empty
// TagSet; the AWS CLI calls it when copying large objects between buckets)
// and GetBucketAcl/GetObjectAcl (private: the owner has FULL_CONTROL).
//
// Threads: any (pure).
#pragma once

#include <string_view>

#include "s3/errors.h"

namespace sluice::s3 {

enum class Operation {
  kListBuckets,
  kCreateBucket,
  kHeadBucket,
  kDeleteBucket,
  kGetBucketLocation,
  kListObjects,
  kListObjectsV2,
  kPutObject,
  kCopyObject,
  kGetObject,
  kHeadObject,
  kDeleteObject,
  kDeleteObjects,
  kCreateMultipartUpload,
  kUploadPart,
  kUploadPartCopy,
  kCompleteMultipartUpload,
  kAbortMultipartUpload,
  kListParts,
  kListMultipartUploads,
  // Bucket settings, kept by the sink (bucket_settings_calls.cc).
  kGetBucketEncryption,
  kPutBucketEncryption,
  kDeleteBucketEncryption,
  kGetBucketPolicy,
  kPutBucketPolicy,
  kDeleteBucketPolicy,
  kGetBucketTagging,
  kPutBucketTagging,
  kDeleteBucketTagging,
  kGetPublicAccessBlock,
  kPutPublicAccessBlock,
  kDeletePublicAccessBlock,
  // Served with fixed answers (see above).
  kGetBucketVersioning,
  kGetObjectTagging,
  kGetBucketAcl,
  kGetObjectAcl,
};

// The operation's name in the S3 API ("PutObject").
const char* OperationName(Operation operation);

struct ClassifyInput {
  std::string_view method;  // "GET", upper-case as sent
  bool has_bucket = false;
  bool has_key = false;
  std::string_view query;   // raw query string, without '?'
  bool has_copy_source = false;  // an x-amz-copy-source header was sent
};

// The operation a request asks for, or NotImplemented / MethodNotAllowed.
S3Result<Operation> Classify(const ClassifyInput& input);

}  // namespace sluice::s3
