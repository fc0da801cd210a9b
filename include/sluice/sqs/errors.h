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
  std::string query_code;  // "AWS.SimpleQueueService.NonExistentQueue"
  bool sender_fault = true;
  std::string message;
};

WireError ToWireError(const Status& status);

// {"__type":"com.amazonaws.sqs#...","message":"..."}
std::string EncodeJsonError(const WireError& error);

// The x-amzn-query-error header value: "<query_code>;Sender" or ";Receiver".
std::string QueryErrorHeader(const WireError& error);

// The Code of a batch entry failure as SQS names it in BatchResultErrorEntry.Code.
std::string BatchEntryErrorCode(Code code);

}  // namespace sluice::sqs
