#include "s3/service.h"

#include <utility>

#include "s3/calls.h"
#include "s3/errors.h"
#include "s3/names.h"
#include "s3/operations.h"
#include "sluice/http/query.h"

namespace sluice::s3 {
namespace {

// The operations and their Calls: one row each.
struct OperationRow {
  Operation operation;
  Call* (*make)(CallArgs args);
};

constexpr OperationRow kOperations[] = {
    {Operation::kListBuckets, NewListBucketsCall},
    {Operation::kCreateBucket, NewCreateBucketCall},
    {Operation::kHeadBucket, NewHeadBucketCall},
    {Operation::kDeleteBucket, NewDeleteBucketCall},
    {Operation::kGetBucketLocation, NewGetBucketLocationCall},
    {Operation::kGetBucketVersioning, NewGetBucketVersioningCall},
    {Operation::kGetBucketEncryption, NewGetBucketEncryptionCall},
    {Operation::kPutBucketEncryption, NewPutBucketEncryptionCall},
    {Operation::kDeleteBucketEncryption, NewDeleteBucketEncryptionCall},
    {Operation::kGetBucketPolicy, NewGetBucketPolicyCall},
    {Operation::kPutBucketPolicy, NewPutBucketPolicyCall},
    {Operation::kDeleteBucketPolicy, NewDeleteBucketPolicyCall},
    {Operation::kGetBucketTagging, NewGetBucketTaggingCall},
    {Operation::kPutBucketTagging, NewPutBucketTaggingCall},
    {Operation::kDeleteBucketTagging, NewDeleteBucketTaggingCall},
    {Operation::kGetPublicAccessBlock, NewGetPublicAccessBlockCall},
    {Operation::kPutPublicAccessBlock, NewPutPublicAccessBlockCall},
    {Operation::kDeletePublicAccessBlock, NewDeletePublicAccessBlockCall},
    {Operation::kListObjects, NewListObjectsCall},
    {Operation::kListObjectsV2, NewListObjectsCall},
    {Operation::kPutObject, NewPutObjectCall},
    {Operation::kUploadPart, NewPutObjectCall},
    {Operation::kCopyObject, NewCopyObjectCall},
    {Operation::kUploadPartCopy, NewCopyObjectCall},
    {Operation::kGetObject, NewGetObjectCall},
    {Operation::kHeadObject, NewGetObjectCall},
    {Operation::kGetObjectTagging, NewGetObjectTaggingCall},
    {Operation::kGetObjectAcl, NewGetObjectAclCall},
    {Operation::kGetBucketAcl, NewGetBucketAclCall},
    {Operation::kDeleteObject, NewDeleteObjectCall},
    {Operation::kDeleteObjects, NewDeleteObjectsCall},
    {Operation::kCreateMultipartUpload, NewCreateMultipartUploadCall},
    {Operation::kCompleteMultipartUpload, NewCompleteMultipartUploadCall},
    {Operation::kAbortMultipartUpload, NewAbortMultipartUploadCall},
    {Operation::kListParts, NewListPartsCall},
    {Operation::kListMultipartUploads, NewListMultipartUploadsCall},
};

const OperationRow* FindRow(Operation operation) {
  for (const OperationRow& row : kOperations) {
    if (row.operation == operation) return &row;
  }
  return nullptr;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

S3Service::S3Service(sink::Sink& sink, const Clock& clock, ServiceOptions options)
    : sink_(sink), clock_(clock), options_(std::move(options)), addressing_(options_.extra_base_domains) {}

bool S3Service::Claims(const http::Request& request) const {
  if (const std::string* authorization = request.FindHeader("authorization")) {
    // SigV4 names the service in its credential scope; SigV2 ("AWS key:sig")
    // is only ever S3's today.
    if (authorization->find("/s3/aws4_request") != std::string::npos) return true;
    if (StartsWith(*authorization, "AWS ")) return true;
  }
  // Every SigV4-signed S3 request carries the payload hash header.
  if (request.FindHeader("x-amz-content-sha256") != nullptr) return true;
  // Presigned URLs: the signature is in the query.
  if (request.query.find("X-Amz-Credential=") != std::string::npos) {
    std::optional<std::string> credential = http::QueryParameter(request.query, "X-Amz-Credential");
    if (credential && credential->find("/s3/aws4_request") != std::string::npos) return true;
  }
  if (request.query.find("AWSAccessKeyId=") != std::string::npos) return true;
  const std::string* host = request.FindHeader("host");
  return host != nullptr && addressing_.BucketFromHost(*host).has_value();
}

bool S3Service::StreamsBody(const http::Request& head) { return head.method == "PUT"; }

void S3Service::Start(std::function<void(Status)> done) {
  sink_.BucketSettings(std::string(kEncryptionSetting),
                       [this, done = std::move(done)](Result<std::map<std::string, std::string>> stored) {
                         if (!stored.ok()) return done(stored.status());
                         for (const auto& [bucket, value] : *stored) {
                           if (std::optional<EncryptionRule> rule = DecodeEncryptionSetting(value)) {
                             encryption_defaults_[bucket] = std::move(*rule);
                           }
                         }
                         done(Status::Ok());
                       });
}

const EncryptionRule* S3Service::EncryptionDefault(const std::string& bucket) const {
  auto it = encryption_defaults_.find(bucket);
  return it == encryption_defaults_.end() ? nullptr : &it->second;
}

void S3Service::SetEncryptionDefault(const std::string& bucket, std::optional<EncryptionRule> rule) {
  if (rule) {
    encryption_defaults_[bucket] = std::move(*rule);
  } else {
    encryption_defaults_.erase(bucket);
  }
}

namespace {

// Answers a request refused before any Call exists. The headers are those
// every S3 answer carries (Call::Respond adds the same); a streamed body
// left unread is the HTTP layer's to deal with (http/server.h).
void Refuse(http::Exchange& exchange, const S3Error& error) {
  const http::Request& request = exchange.request();
  http::Response response = ErrorResponse(error, request.method == "HEAD", request.request_id, request.request_id);
  response.headers.push_back({"x-amz-request-id", request.request_id});
  response.headers.push_back({"x-amz-id-2", request.request_id});
  exchange.Respond(std::move(response));
}

}  // namespace

void S3Service::Handle(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  S3Result<Address> address = addressing_.Resolve(request);
  if (!address.ok()) return Refuse(exchange, address.error());
  ClassifyInput input;
  input.method = request.method;
  input.has_bucket = address->has_bucket();
  input.has_key = address->has_key();
  input.query = request.query;
  input.has_copy_source = request.FindHeader("x-amz-copy-source") != nullptr;
  S3Result<Operation> operation = Classify(input);
  if (!operation.ok()) return Refuse(exchange, operation.error());
  // A bucket S3 would never have created cannot exist: every operation
  // but CreateBucket (which says InvalidBucketName) answers NoSuchBucket.
  if (address->has_bucket() && *operation != Operation::kCreateBucket && ValidateBucketName(address->bucket)) {
    return Refuse(exchange, NoSuchBucketError(address->bucket));
  }
  const OperationRow* row = FindRow(*operation);
  if (row == nullptr) return Refuse(exchange, NotImplementedError(OperationName(*operation)));
  ++in_flight_;
  Call* call = row->make(CallArgs{*this, exchange, *operation, std::move(address.value())});
  call->Start();  // the call owns itself from here
}

}  // namespace sluice::s3
