#include "sluice/status.h"

namespace sluice {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "Ok";
    case Code::kInvalidParameterValue: return "InvalidParameterValue";
    case Code::kMissingParameter: return "MissingParameter";
    case Code::kMalformedRequest: return "MalformedRequest";
    case Code::kUnknownOperation: return "UnknownOperation";
    case Code::kInvalidAttributeName: return "InvalidAttributeName";
    case Code::kInvalidAttributeValue: return "InvalidAttributeValue";
    case Code::kUnsupportedOperation: return "UnsupportedOperation";
    case Code::kRequestTooLarge: return "RequestTooLarge";
    case Code::kQueueDoesNotExist: return "QueueDoesNotExist";
    case Code::kQueueNameExists: return "QueueNameExists";
    case Code::kReceiptHandleIsInvalid: return "ReceiptHandleIsInvalid";
    case Code::kMessageNotInflight: return "MessageNotInflight";
    case Code::kInvalidMessageContents: return "InvalidMessageContents";
    case Code::kTooManyEntriesInBatchRequest: return "TooManyEntriesInBatchRequest";
    case Code::kEmptyBatchRequest: return "EmptyBatchRequest";
    case Code::kBatchEntryIdsNotDistinct: return "BatchEntryIdsNotDistinct";
    case Code::kInvalidBatchEntryId: return "InvalidBatchEntryId";
    case Code::kBatchRequestTooLong: return "BatchRequestTooLong";
    case Code::kPurgeQueueInProgress: return "PurgeQueueInProgress";
    case Code::kResourceNotFound: return "ResourceNotFound";
    case Code::kOverLimit: return "OverLimit";
    case Code::kStorageFailed: return "StorageFailed";
    case Code::kUnavailable: return "Unavailable";
    case Code::kInternal: return "Internal";
    case Code::kConflict: return "Conflict";
    case Code::kNoSuchBucket: return "NoSuchBucket";
    case Code::kNoSuchKey: return "NoSuchKey";
    case Code::kNoSuchUpload: return "NoSuchUpload";
    case Code::kBucketNotEmpty: return "BucketNotEmpty";
    case Code::kBadDigest: return "BadDigest";
    case Code::kInvalidPart: return "InvalidPart";
    case Code::kInvalidPartOrder: return "InvalidPartOrder";
    case Code::kEntityTooSmall: return "EntityTooSmall";
    case Code::kPreconditionFailed: return "PreconditionFailed";
    case Code::kThrottled: return "Throttled";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "Ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace sluice
