#include "s3/operations.h"

#include <string>
#include <vector>

namespace sluice::s3 {
namespace {

enum class Target { kService, kBucket, kObject };
enum class CopySource { kAny, kAbsent, kPresent };

struct ServedRow {
  Operation operation;
  const char* name;
  Target target;
  const char* method;
  const char* subresource;      // nullptr: none
  const char* value = nullptr;  // the subresource's required value; nullptr: any
  CopySource copy_source = CopySource::kAny;
};

// Served operations. Order matters only among rows for the same target and
// subresource: the first that matches wins.
// clang-format off
constexpr ServedRow kServed[] = {
  {Operation::kListBuckets, "ListBuckets", Target::kService, "GET", nullptr},
  {Operation::kCreateBucket, "CreateBucket", Target::kBucket, "PUT", nullptr},
  {Operation::kHeadBucket, "HeadBucket", Target::kBucket, "HEAD", nullptr},
  {Operation::kDeleteBucket, "DeleteBucket", Target::kBucket, "DELETE", nullptr},
  {Operation::kListObjects, "ListObjects", Target::kBucket, "GET", nullptr},
  {Operation::kGetBucketLocation, "GetBucketLocation", Target::kBucket, "GET", "location"},
  {Operation::kListObjectsV2, "ListObjectsV2", Target::kBucket, "GET", "list-type", "2"},
  {Operation::kListObjects, "ListObjects", Target::kBucket, "GET", "list-type"},  // list-type other than 2
  {Operation::kListMultipartUploads, "ListMultipartUploads", Target::kBucket, "GET", "uploads"},
  {Operation::kDeleteObjects, "DeleteObjects", Target::kBucket, "POST", "delete"},
  {Operation::kGetBucketVersioning, "GetBucketVersioning", Target::kBucket, "GET", "versioning"},
  {Operation::kGetBucketEncryption, "GetBucketEncryption", Target::kBucket, "GET", "encryption"},
  {Operation::kPutBucketEncryption, "PutBucketEncryption", Target::kBucket, "PUT", "encryption"},
  {Operation::kDeleteBucketEncryption, "DeleteBucketEncryption", Target::kBucket, "DELETE", "encryption"},
  {Operation::kGetBucketPolicy, "GetBucketPolicy", Target::kBucket, "GET", "policy"},
  {Operation::kPutBucketPolicy, "PutBucketPolicy", Target::kBucket, "PUT", "policy"},
  {Operation::kDeleteBucketPolicy, "DeleteBucketPolicy", Target::kBucket, "DELETE", "policy"},
  {Operation::kGetBucketTagging, "GetBucketTagging", Target::kBucket, "GET", "tagging"},
  {Operation::kPutBucketTagging, "PutBucketTagging", Target::kBucket, "PUT", "tagging"},
  {Operation::kDeleteBucketTagging, "DeleteBucketTagging", Target::kBucket, "DELETE", "tagging"},
  {Operation::kGetPublicAccessBlock, "GetPublicAccessBlock", Target::kBucket, "GET", "publicAccessBlock"},
  {Operation::kPutPublicAccessBlock, "PutPublicAccessBlock", Target::kBucket, "PUT", "publicAccessBlock"},
  {Operation::kDeletePublicAccessBlock, "DeletePublicAccessBlock", Target::kBucket, "DELETE", "publicAccessBlock"},
  {Operation::kPutObject, "PutObject", Target::kObject, "PUT", nullptr, nullptr, CopySource::kAbsent},
  {Operation::kCopyObject, "CopyObject", Target::kObject, "PUT", nullptr, nullptr, CopySource::kPresent},
  {Operation::kGetObject, "GetObject", Target::kObject, "GET", nullptr},
  {Operation::kHeadObject, "HeadObject", Target::kObject, "HEAD", nullptr},
  {Operation::kDeleteObject, "DeleteObject", Target::kObject, "DELETE", nullptr},
  {Operation::kCreateMultipartUpload, "CreateMultipartUpload", Target::kObject, "POST", "uploads"},
  {Operation::kUploadPart, "UploadPart", Target::kObject, "PUT", "uploadId", nullptr, CopySource::kAbsent},
  {Operation::kUploadPartCopy, "UploadPartCopy", Target::kObject, "PUT", "uploadId", nullptr, CopySource::kPresent},
  {Operation::kCompleteMultipartUpload, "CompleteMultipartUpload", Target::kObject, "POST", "uploadId"},
  {Operation::kAbortMultipartUpload, "AbortMultipartUpload", Target::kObject, "DELETE", "uploadId"},
  {Operation::kListParts, "ListParts", Target::kObject, "GET", "uploadId"},
  {Operation::kGetObjectTagging, "GetObjectTagging", Target::kObject, "GET", "tagging"},
  {Operation::kGetBucketAcl, "GetBucketAcl", Target::kBucket, "GET", "acl"},
  {Operation::kGetObjectAcl, "GetObjectAcl", Target::kObject, "GET", "acl"},
};
// clang-format on

struct UnservedRow {
  Target target;
  const char* method;
  const char* subresource;
  const char* name;
};

// Operations of the S3 model (botocore's s3 service-2.json) we do not serve.
// Where the model has two operations on one (method, subresource) the
// current one is named (GetBucketLifecycleConfiguration, not
// GetBucketLifecycle; the Get of a configuration, not its List).
// clang-format off
constexpr UnservedRow kUnserved[] = {
  {Target::kBucket, "GET", "abac", "GetBucketAbac"},
  {Target::kBucket, "PUT", "abac", "PutBucketAbac"},
  {Target::kBucket, "GET", "accelerate", "GetBucketAccelerateConfiguration"},
  {Target::kBucket, "PUT", "accelerate", "PutBucketAccelerateConfiguration"},
  {Target::kBucket, "PUT", "acl", "PutBucketAcl"},
  {Target::kBucket, "GET", "analytics", "GetBucketAnalyticsConfiguration"},
  {Target::kBucket, "PUT", "analytics", "PutBucketAnalyticsConfiguration"},
  {Target::kBucket, "DELETE", "analytics", "DeleteBucketAnalyticsConfiguration"},
  {Target::kBucket, "GET", "cors", "GetBucketCors"},
  {Target::kBucket, "PUT", "cors", "PutBucketCors"},
  {Target::kBucket, "DELETE", "cors", "DeleteBucketCors"},
  {Target::kBucket, "GET", "intelligent-tiering", "GetBucketIntelligentTieringConfiguration"},
  {Target::kBucket, "PUT", "intelligent-tiering", "PutBucketIntelligentTieringConfiguration"},
  {Target::kBucket, "DELETE", "intelligent-tiering", "DeleteBucketIntelligentTieringConfiguration"},
  {Target::kBucket, "GET", "inventory", "GetBucketInventoryConfiguration"},
  {Target::kBucket, "PUT", "inventory", "PutBucketInventoryConfiguration"},
  {Target::kBucket, "DELETE", "inventory", "DeleteBucketInventoryConfiguration"},
  {Target::kBucket, "GET", "lifecycle", "GetBucketLifecycleConfiguration"},
  {Target::kBucket, "PUT", "lifecycle", "PutBucketLifecycleConfiguration"},
  {Target::kBucket, "DELETE", "lifecycle", "DeleteBucketLifecycle"},
  {Target::kBucket, "GET", "logging", "GetBucketLogging"},
  {Target::kBucket, "PUT", "logging", "PutBucketLogging"},
  {Target::kBucket, "GET", "metadataConfiguration", "GetBucketMetadataConfiguration"},
  {Target::kBucket, "POST", "metadataConfiguration", "CreateBucketMetadataConfiguration"},
  {Target::kBucket, "DELETE", "metadataConfiguration", "DeleteBucketMetadataConfiguration"},
  {Target::kBucket, "PUT", "metadataInventoryTable", "UpdateBucketMetadataInventoryTableConfiguration"},
  {Target::kBucket, "PUT", "metadataJournalTable", "UpdateBucketMetadataJournalTableConfiguration"},
  {Target::kBucket, "GET", "metadataTable", "GetBucketMetadataTableConfiguration"},
  {Target::kBucket, "POST", "metadataTable", "CreateBucketMetadataTableConfiguration"},
  {Target::kBucket, "DELETE", "metadataTable", "DeleteBucketMetadataTableConfiguration"},
  {Target::kBucket, "GET", "metrics", "GetBucketMetricsConfiguration"},
  {Target::kBucket, "PUT", "metrics", "PutBucketMetricsConfiguration"},
  {Target::kBucket, "DELETE", "metrics", "DeleteBucketMetricsConfiguration"},
  {Target::kBucket, "GET", "notification", "GetBucketNotificationConfiguration"},
  {Target::kBucket, "PUT", "notification", "PutBucketNotificationConfiguration"},
  {Target::kBucket, "GET", "object-lock", "GetObjectLockConfiguration"},
  {Target::kBucket, "PUT", "object-lock", "PutObjectLockConfiguration"},
  {Target::kBucket, "GET", "ownershipControls", "GetBucketOwnershipControls"},
  {Target::kBucket, "PUT", "ownershipControls", "PutBucketOwnershipControls"},
  {Target::kBucket, "DELETE", "ownershipControls", "DeleteBucketOwnershipControls"},
  {Target::kBucket, "GET", "policyStatus", "GetBucketPolicyStatus"},
  {Target::kBucket, "GET", "replication", "GetBucketReplication"},
  {Target::kBucket, "PUT", "replication", "PutBucketReplication"},
  {Target::kBucket, "DELETE", "replication", "DeleteBucketReplication"},
  {Target::kBucket, "GET", "requestPayment", "GetBucketRequestPayment"},
  {Target::kBucket, "PUT", "requestPayment", "PutBucketRequestPayment"},
  {Target::kBucket, "GET", "session", "CreateSession"},
  {Target::kBucket, "PUT", "versioning", "PutBucketVersioning"},
  {Target::kBucket, "GET", "versions", "ListObjectVersions"},
  {Target::kBucket, "GET", "website", "GetBucketWebsite"},
  {Target::kBucket, "PUT", "website", "PutBucketWebsite"},
  {Target::kBucket, "DELETE", "website", "DeleteBucketWebsite"},
  // Browser-form uploads: POST on the bucket itself.
  {Target::kBucket, "POST", nullptr, "PostObject"},
  {Target::kObject, "PUT", "acl", "PutObjectAcl"},
  {Target::kObject, "GET", "attributes", "GetObjectAttributes"},
  {Target::kObject, "PUT", "encryption", "UpdateObjectEncryption"},
  {Target::kObject, "GET", "legal-hold", "GetObjectLegalHold"},
  {Target::kObject, "PUT", "legal-hold", "PutObjectLegalHold"},
  {Target::kObject, "PUT", "renameObject", "RenameObject"},
  {Target::kObject, "POST", "restore", "RestoreObject"},
  {Target::kObject, "GET", "retention", "GetObjectRetention"},
  {Target::kObject, "PUT", "retention", "PutObjectRetention"},
  {Target::kObject, "POST", "select", "SelectObjectContent"},
  {Target::kObject, "PUT", "tagging", "PutObjectTagging"},
  {Target::kObject, "DELETE", "tagging", "DeleteObjectTagging"},
  {Target::kObject, "GET", "torrent", "GetObjectTorrent"},
};
// clang-format on

constexpr const char* kMethods[] = {"GET", "HEAD", "PUT", "POST", "DELETE"};

bool Same(const char* a, std::string_view b) { return a != nullptr && b == a; }

// Parameter names and values of a raw query string, in order, undecoded
// (subresource names are plain ASCII).
struct Parameter {
  std::string_view name;
  std::string_view value;
};

std::vector<Parameter> SplitQuery(std::string_view query) {
  std::vector<Parameter> parameters;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    parameters.push_back({pair.substr(0, eq), eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1)});
  }
  return parameters;
}

const Parameter* FindParameter(const std::vector<Parameter>& parameters, const char* name) {
  for (const Parameter& parameter : parameters) {
    if (parameter.name == name) return &parameter;
  }
  return nullptr;
}

// Rule 1: the first subresource name (table order, served rows first) for
// `target` that the query carries; nullptr when none does.
const char* FindSubresource(Target target, const std::vector<Parameter>& parameters) {
  for (const ServedRow& row : kServed) {
    if (row.target == target && row.subresource != nullptr && FindParameter(parameters, row.subresource)) {
      return row.subresource;
    }
  }
  for (const UnservedRow& row : kUnserved) {
    if (row.target == target && row.subresource != nullptr && FindParameter(parameters, row.subresource)) {
      return row.subresource;
    }
  }
  return nullptr;
}

bool SameSubresource(const char* row, const char* wanted) {
  if (row == nullptr || wanted == nullptr) return row == wanted;
  return std::string_view(row) == wanted;
}

bool ServedRowMatches(const ServedRow& row, Target target, std::string_view method, const char* subresource,
                      const std::vector<Parameter>& parameters, bool has_copy_source) {
  if (row.target != target || !Same(row.method, method) || !SameSubresource(row.subresource, subresource)) {
    return false;
  }
  if (row.value != nullptr && FindParameter(parameters, row.subresource)->value != row.value) return false;
  if (row.copy_source == CopySource::kAbsent && has_copy_source) return false;
  if (row.copy_source == CopySource::kPresent && !has_copy_source) return false;
  return true;
}

const char* ResourceType(Target target) {
  switch (target) {
    case Target::kService: return "SERVICE";
    case Target::kBucket: return "BUCKET";
    case Target::kObject: return "OBJECT";
  }
  return "OBJECT";
}

// 405 with the methods the resource does allow (RFC 9110 requires Allow).
S3Error MethodNotAllowed(Target target, std::string_view method, const char* subresource) {
  std::string allow;
  for (const char* candidate : kMethods) {
    bool allowed = false;
    for (const ServedRow& row : kServed) {
      allowed |= row.target == target && Same(row.method, candidate) && SameSubresource(row.subresource, subresource);
    }
    for (const UnservedRow& row : kUnserved) {
      allowed |= row.target == target && Same(row.method, candidate) && SameSubresource(row.subresource, subresource);
    }
    if (!allowed) continue;
    if (!allow.empty()) allow += ", ";
    allow += candidate;
  }
  S3Error error = MakeError(ErrorCode::kMethodNotAllowed);
  error.With("Method", std::string(method)).With("ResourceType", ResourceType(target));
  if (!allow.empty()) error.headers.push_back({"allow", std::move(allow)});
  return error;
}

}  // namespace

const char* OperationName(Operation operation) {
  for (const ServedRow& row : kServed) {
    if (row.operation == operation) return row.name;
  }
  return "Unknown";
}

S3Result<Operation> Classify(const ClassifyInput& input) {
  const Target target = !input.has_bucket ? Target::kService : input.has_key ? Target::kObject : Target::kBucket;
  const std::vector<Parameter> parameters = SplitQuery(input.query);
  const char* subresource = target == Target::kService ? nullptr : FindSubresource(target, parameters);
  for (const ServedRow& row : kServed) {
    if (ServedRowMatches(row, target, input.method, subresource, parameters, input.has_copy_source)) {
      return row.operation;
    }
  }
  for (const UnservedRow& row : kUnserved) {
    if (row.target == target && Same(row.method, input.method) && SameSubresource(row.subresource, subresource)) {
      return NotImplementedError(row.name);
    }
  }
  return MethodNotAllowed(target, input.method, subresource);
}

}  // namespace sluice::s3
