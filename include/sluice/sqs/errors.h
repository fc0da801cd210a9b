// Maps a Status to SQS's wire error: the JSON protocol's __type, the
// awsQueryCompatible x-amzn-query-error code (which is also the Query
// protocol's <Code>), the fault side and the HTTP status. The one place where
// sluice::Code meets SQS error names.
//
// Threads: any (pure functions).
#pragma once

#include <string>
#include <string_view>

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
  // The Query protocol's <Error><Code>: the query code, or for errors that
  // have none in the JSON protocol, the Query protocol's own name
  // ("MalformedQueryString").
  std::string xml_code;
};

WireError ToWireError(const Status& status);

// {"__type":"com.amazonaws.sqs#...","message":"..."}
std::string EncodeJsonError(const WireError& error);

// The Query protocol's error body:
// <?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">
// <Error><Type>Sender|Receiver</Type><Code>...</Code><Message>...</Message><Detail/></Error>
// <RequestId>...</RequestId></ErrorResponse>
std::string EncodeXmlError(const WireError& error, std::string_view request_id);

// The x-amzn-query-error header value: "<query_code>;Sender" or ";Receiver".
// Empty when the error has no query code: then send no such header (botocore
// then reports the __type name as Error.Code).
std::string QueryErrorHeader(const WireError& error);

// The Code of a batch entry failure as SQS names it in BatchResultErrorEntry.Code:
// the query code ("InvalidParameterValue", "ReceiptHandleIsInvalid").
std::string BatchEntryErrorCode(Code code);

}  // namespace sluice::sqs
