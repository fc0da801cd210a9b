// Maps a Status to SQS's wire error: the JSON protocol's __type, the
// awsQueryCompatible x-amzn-query-error code, the fault side and the HTTP
// status. The one place where sluice::Code meets SQS error names.
//
// Threads: any (pure functions).
#pragma once

#include <string>

#include "sluice/status.h"

namespace sluice::sqs {

struct WireError {
  int http_status = 400;
  std::string type;        // "QueueDoesNotExist" -> __type "com.amazonaws.sqs#QueueDoesNotExist"
  std::string query_code;  // "AWS.SimpleQueueService.NonExistentQueue"; empty: send no header
  bool sender_fault = true;
  std::string message;
  // The __type's namespace. SQS's modeled errors live in com.amazonaws.sqs;
  // framework-level ones (unparseable body, unknown X-Amz-Target, internal
  // failures) in com.amazon.coral.service, as AWS JSON services answer them.
  std::string type_namespace = "com.amazonaws.sqs";
};

WireError ToWireError(const Status& status);

// {"__type":"com.amazonaws.sqs#...","message":"..."}
std::string EncodeJsonError(const WireError& error);

// The x-amzn-query-error header value: "<query_code>;Sender" or ";Receiver".
// Empty when the error has no query code: then send no such header (botocore
// then reports the __type name as Error.Code).
std::string QueryErrorHeader(const WireError& error);

// The Code of a batch entry failure as SQS names it in BatchResultErrorEntry.Code:
// the query code ("InvalidParameterValue", "ReceiptHandleIsInvalid").
std::string BatchEntryErrorCode(Code code);

}  // namespace sluice::sqs
