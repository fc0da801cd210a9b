// Errors are values. A Status carries one code from a fixed set plus a human
// message; the protocol edges (src/sqs/errors.cc, later S3 and the gateway)
// map each code once to the wire: an SQS error type, an HTTP status.
//
// Thread safety: values; copy them freely between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sluice {

enum class Code {
  kOk = 0,
  // Request-shape problems (caller's fault).
  kInvalidParameterValue,   // a member has a wrong value or type
  kMissingParameter,        // a required member is absent
  kMalformedRequest,        // body is not parseable in the protocol's format
  kUnknownOperation,        // no such action
  kInvalidAttributeName,
  kInvalidAttributeValue,
  kUnsupportedOperation,    // valid request for something we do not do (yet)
  kRequestTooLarge,
  // SQS domain.
  kQueueDoesNotExist,
  kQueueNameExists,
  kReceiptHandleIsInvalid,
  kMessageNotInflight,
  kInvalidMessageContents,
  kTooManyEntriesInBatchRequest,
  kEmptyBatchRequest,
  kBatchEntryIdsNotDistinct,
  kInvalidBatchEntryId,
  kBatchRequestTooLong,
  kPurgeQueueInProgress,
  kResourceNotFound,        // e.g. an unknown move task handle or source ARN
  kOverLimit,
  // Server side.
  kStorageFailed,  // a commit or fsync failed; sticky until restart
  kUnavailable,    // shutting down
  kInternal,
  // Refused because of the current state, not the request's shape (HTTP 409):
  // retiring a key that objects still use, a second rewrap while one runs.
  // Declared last so the codes above keep their values.
  kConflict,
  // Object store domain (the sink; S3 maps them to its own error codes).
  kNoSuchBucket,
  kNoSuchKey,
  kNoSuchUpload,
  kBucketNotEmpty,
  kBadDigest,         // a body does not match the digest or checksum sent with it
  kInvalidPart,       // a part named in a completion is missing or its ETag differs
  kInvalidPartOrder,  // parts not in ascending order
  kEntityTooSmall,    // a part other than the last is under the minimum size
  kPreconditionFailed,
  // A rate quota is spent (SQS FIFO throughput); retry later.
  kThrottled,
};

// The code's identifier without the leading 'k' ("QueueDoesNotExist").
const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "QueueDoesNotExist: The specified queue does not exist."
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  Result(Code code, std::string message) : status_(code, std::move(message)) {}

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

#define SLUICE_RETURN_IF_ERROR(expr)        \
  do {                                      \
    ::sluice::Status _status = (expr);      \
    if (!_status.ok()) return _status;      \
  } while (0)

}  // namespace sluice
