// sluice::Code -> SQS's errors on the wire, as one table.
//
// SQS speaks AWS JSON 1.0 with the awsQueryCompatible trait: the body's
// __type carries the error *shape* name of the JSON model ("QueueDoesNotExist"),
// and the x-amzn-query-error header carries the code SQS used in the old
// Query protocol ("AWS.SimpleQueueService.NonExistentQueue;Sender"). botocore
// (parsers.py, _do_query_compatible_error_parse) reports the header's code as
// Error.Code and keeps the shape name as Error.QueryErrorCode, from which it
// picks the modeled exception class (client.exceptions.QueueDoesNotExist).
// So both must match real SQS for `except` clauses and Error.Code checks to
// behave as they do against AWS. The Query protocol's XML errors
// (EncodeXmlError) carry the same query code as <Code>, the fault side as
// <Type> and the same HTTP status.
//
// Sources: the Query-era SQS model (aws/aws-sdk-go,
// models/apis/sqs/2012-11-05/api-2.json: "error": {code, httpStatusCode});
// responses recorded from AWS in LocalStack's snapshot tests
// (tests/aws/services/sqs/test_sqs*.snapshot.json) for InvalidParameterValue,
// MissingParameter, QueueAlreadyExists, PurgeQueueInProgress (403) and
// ResourceNotFoundException (404); SQS's Common Errors page for
// InvalidAction and InternalError. Framework-level errors (a body that is not
// JSON, an unknown X-Amz-Target) take Coral's names, as AWS JSON services
// answer them.
#include "sluice/sqs/errors.h"

#include "sqs/json_encode.h"
#include "sqs/query_encode.h"
#include "sluice/xml_writer.h"

namespace sluice::sqs {
namespace {

constexpr const char* kSqs = "com.amazonaws.sqs";
constexpr const char* kCoral = "com.amazon.coral.service";

struct ErrorRow {
  Code code;
  int http_status;
  const char* type_namespace;
  const char* type;
  const char* query_code;  // "" : no x-amzn-query-error header
  bool sender_fault;
  const char* default_message;  // used when the Status has none
  const char* xml_code = nullptr;  // the Query protocol's Code when query_code is ""
};

// clang-format off
constexpr ErrorRow kErrors[] = {
  {Code::kInvalidParameterValue, 400, kSqs, "InvalidParameterValueException", "InvalidParameterValue", true,
   "One or more parameters cannot be validated."},
  {Code::kMissingParameter, 400, kSqs, "MissingRequiredParameterException", "MissingParameter", true,
   "A required parameter is missing."},
  {Code::kMalformedRequest, 400, kCoral, "SerializationException", "", true,
   "The request body could not be parsed as JSON.", "MalformedQueryString"},
  {Code::kUnknownOperation, 400, kCoral, "UnknownOperationException", "InvalidAction", true,
   "The action or operation requested is invalid."},
  {Code::kInvalidAttributeName, 400, kSqs, "InvalidAttributeName", "InvalidAttributeName", true,
   "The specified attribute doesn't exist."},
  {Code::kInvalidAttributeValue, 400, kSqs, "InvalidAttributeValue", "InvalidAttributeValue", true,
   "A queue attribute value is invalid."},
  {Code::kUnsupportedOperation, 400, kSqs, "UnsupportedOperation",
   "AWS.SimpleQueueService.UnsupportedOperation", true, "Unsupported operation."},
  // SQS reports an oversized message as an invalid parameter, not as 413.
  {Code::kRequestTooLarge, 400, kSqs, "InvalidParameterValueException", "InvalidParameterValue", true,
   "One or more parameters are invalid. Reason: the request is too large."},
  {Code::kQueueDoesNotExist, 400, kSqs, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
   true, "The specified queue does not exist."},
  {Code::kQueueNameExists, 400, kSqs, "QueueNameExists", "QueueAlreadyExists", true,
   "A queue already exists with the same name and a different value for an attribute."},
  {Code::kReceiptHandleIsInvalid, 400, kSqs, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", true,
   "The specified receipt handle isn't valid."},
  {Code::kMessageNotInflight, 400, kSqs, "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
   true, "The specified message isn't in flight."},
  {Code::kInvalidMessageContents, 400, kSqs, "InvalidMessageContents", "InvalidMessageContents", true,
   "The message contains characters outside the allowed set."},
  {Code::kTooManyEntriesInBatchRequest, 400, kSqs, "TooManyEntriesInBatchRequest",
   "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", true,
   "The batch request contains more entries than permissible."},
  {Code::kEmptyBatchRequest, 400, kSqs, "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
   true, "The batch request doesn't contain any entries."},
  {Code::kBatchEntryIdsNotDistinct, 400, kSqs, "BatchEntryIdsNotDistinct",
   "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", true,
   "Two or more batch entries in the request have the same Id."},
  {Code::kInvalidBatchEntryId, 400, kSqs, "InvalidBatchEntryId",
   "AWS.SimpleQueueService.InvalidBatchEntryId", true,
   "The Id of a batch entry in a batch request doesn't abide by the specification."},
  {Code::kBatchRequestTooLong, 400, kSqs, "BatchRequestTooLong",
   "AWS.SimpleQueueService.BatchRequestTooLong", true,
   "The length of all the messages put together is more than the limit."},
  {Code::kPurgeQueueInProgress, 403, kSqs, "PurgeQueueInProgress",
   "AWS.SimpleQueueService.PurgeQueueInProgress", true,
   "Only one PurgeQueue operation on a queue is allowed every 60 seconds."},
  {Code::kResourceNotFound, 404, kSqs, "ResourceNotFoundException", "ResourceNotFoundException", true,
   "One or more specified resources don't exist."},
  {Code::kOverLimit, 403, kSqs, "OverLimit", "OverLimit", true,
   "The specified action violates a limit."},
  // Server side: 5xx, which SDKs retry.
  {Code::kStorageFailed, 500, kCoral, "InternalFailure", "AWS.SimpleQueueService.InternalError", false,
   "The request could not be made durable; the server must be restarted."},
  // The modeled shape is RequestThrottled (client.exceptions.RequestThrottled);
  // the code, as SQS's FIFO throttling guide names it, is ThrottlingException,
  // which botocore's and the other SDKs' retry handlers treat as throttling.
  {Code::kThrottled, 400, kSqs, "RequestThrottled", "ThrottlingException", true,
   "Rate exceeded"},
  {Code::kUnavailable, 503, kCoral, "ServiceUnavailable", "ServiceUnavailable", false,
   "The server is shutting down."},
  {Code::kInternal, 500, kCoral, "InternalFailure", "AWS.SimpleQueueService.InternalError", false,
   "The request processing has failed because of an unknown error."},
};
// clang-format on

const ErrorRow& FindRow(Code code) {
  for (const ErrorRow& row : kErrors) {
    if (row.code == code) return row;
  }
  // kOk and any code added to status.h without a row: an error on our side.
  for (const ErrorRow& row : kErrors) {
    if (row.code == Code::kInternal) return row;
  }
  return kErrors[0];  // unreachable: kInternal has a row
}

}  // namespace

WireError ToWireError(const Status& status) {
  const ErrorRow& row = FindRow(status.code());
  WireError error;
  error.http_status = row.http_status;
  error.type = row.type;
  error.query_code = row.query_code;
  error.sender_fault = row.sender_fault;
  error.message = status.message().empty() ? row.default_message : status.message();
  error.type_namespace = row.type_namespace;
  error.xml_code = *row.query_code != '\0' ? row.query_code
                   : row.xml_code != nullptr ? row.xml_code
                                             : row.type;
  return error;
}

std::string EncodeJsonError(const WireError& error) {
  std::string out;
  out.reserve(96 + error.type.size() + error.message.size());
  StringSink sink(&out);
  JsonWriter writer(sink);
  writer.StartObject();
  WriteKey(writer, "__type");
  WriteString(writer, error.type_namespace + "#" + error.type);
  WriteKey(writer, "message");
  WriteString(writer, error.message);
  writer.EndObject();
  return out;
}

std::string EncodeXmlError(const WireError& error, std::string_view request_id) {
  std::string out;
  out.reserve(256 + error.message.size());
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("ErrorResponse", kSqsXmlNamespace);
  xml.Start("Error");
  xml.Element("Type", error.sender_fault ? "Sender" : "Receiver");
  xml.Element("Code", error.xml_code);
  xml.Element("Message", error.message);
  xml.EmptyElement("Detail");
  xml.End();
  xml.Element("RequestId", request_id);
  xml.End();
  return out;
}

std::string QueryErrorHeader(const WireError& error) {
  if (error.query_code.empty()) return {};
  return error.query_code + (error.sender_fault ? ";Sender" : ";Receiver");
}

std::string BatchEntryErrorCode(Code code) {
  const ErrorRow& row = FindRow(code);
  return *row.query_code != '\0' ? row.query_code : row.type;
}

}  // namespace sluice::sqs
