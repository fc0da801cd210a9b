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
    {Operation::kListObjects, NewListObjectsCall},
    {Operation::kListObjectsV2, NewListObjectsCall},
    {Operation::kPutObject, NewPutObjectCall},
    {Operation::kUploadPart, NewPutObjectCall},
    {Operation::kCopyObject, NewCopyObjectCall},
    {Operation::kUploadPartCopy, NewCopyObjectCall},
    {Operation::kGetObject, NewGetObjectCall},
    {Operation::kHeadObject, NewGetObjectCall},
    {Operation::kGetObjectTagging, NewGetObjectTaggingCall},
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

void S3Service::Handle(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  const bool head = request.method == "HEAD";
  S3Result<Address> address = addressing_.Resolve(request);
  if (!address.ok()) {
    exchange.Respond(ErrorResponse(address.error(), head, request.request_id, request.request_id));
    return;
  }
  ClassifyInput input;
  input.method = request.method;
  input.has_bucket = address->has_bucket();
  input.has_key = address->has_key();
  input.query = request.query;
  input.has_copy_source = request.FindHeader("x-amz-copy-source") != nullptr;
  S3Result<Operation> operation = Classify(input);
  if (!operation.ok()) {
    http::Response response = ErrorResponse(operation.error(), head, request.request_id, request.request_id);
    // A refused request's streamed body is not read: do not keep the
    // connection waiting for it.
    if (request.body_streamed) response.close_connection = true;
    exchange.Respond(std::move(response));
    return;
  }
  // A bucket S3 would never have created cannot exist: every operation
  // but CreateBucket (which says InvalidBucketName) answers NoSuchBucket.
  if (address->has_bucket() && *operation != Operation::kCreateBucket && ValidateBucketName(address->bucket)) {
    http::Response response =
        ErrorResponse(NoSuchBucketError(address->bucket), head, request.request_id, request.request_id);
    if (request.body_streamed) response.close_connection = true;
    exchange.Respond(std::move(response));
    return;
  }
  const OperationRow* row = FindRow(*operation);
  if (row == nullptr) {
    exchange.Respond(ErrorResponse(NotImplementedError(OperationName(*operation)), head, request.request_id,
                                   request.request_id));
    return;
  }
  ++in_flight_;
  Call* call = row->make(CallArgs{*this, exchange, *operation, std::move(address.value())});
  call->Start();  // the call owns itself from here
}

}  // namespace sluice::s3
