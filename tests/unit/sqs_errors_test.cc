// Every sluice::Code mapped to the error real SQS returns. With
// SLUICE_SQS_DUMP_DIR set, each error response is also written there (status,
// header, body) for tests/unit/sqs_codec_check.py.
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "sluice/sqs/errors.h"
#include "sqs_test_util.h"

namespace sluice::sqs {
namespace {

struct Expected {
  Code code;
  int http_status;
  const char* type;  // the __type, namespace included
  const char* header;  // x-amzn-query-error, "" for none
};

// clang-format off
const Expected kExpected[] = {
  {Code::kInvalidParameterValue, 400, "com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue;Sender"},
  {Code::kMissingParameter, 400, "com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender"},
  {Code::kMalformedRequest, 400, "com.amazon.coral.service#SerializationException", ""},
  {Code::kUnknownOperation, 400, "com.amazon.coral.service#UnknownOperationException", "InvalidAction;Sender"},
  {Code::kInvalidAttributeName, 400, "com.amazonaws.sqs#InvalidAttributeName", "InvalidAttributeName;Sender"},
  {Code::kInvalidAttributeValue, 400, "com.amazonaws.sqs#InvalidAttributeValue", "InvalidAttributeValue;Sender"},
  {Code::kUnsupportedOperation, 400, "com.amazonaws.sqs#UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation;Sender"},
  {Code::kRequestTooLarge, 400, "com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue;Sender"},
  {Code::kQueueDoesNotExist, 400, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue;Sender"},
  {Code::kQueueNameExists, 400, "com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists;Sender"},
  {Code::kReceiptHandleIsInvalid, 400, "com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid;Sender"},
  {Code::kMessageNotInflight, 400, "com.amazonaws.sqs#MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight;Sender"},
  {Code::kInvalidMessageContents, 400, "com.amazonaws.sqs#InvalidMessageContents", "InvalidMessageContents;Sender"},
  {Code::kTooManyEntriesInBatchRequest, 400, "com.amazonaws.sqs#TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest;Sender"},
  {Code::kEmptyBatchRequest, 400, "com.amazonaws.sqs#EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest;Sender"},
  {Code::kBatchEntryIdsNotDistinct, 400, "com.amazonaws.sqs#BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct;Sender"},
  {Code::kInvalidBatchEntryId, 400, "com.amazonaws.sqs#InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId;Sender"},
  {Code::kBatchRequestTooLong, 400, "com.amazonaws.sqs#BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong;Sender"},
  {Code::kPurgeQueueInProgress, 403, "com.amazonaws.sqs#PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress;Sender"},
  {Code::kResourceNotFound, 404, "com.amazonaws.sqs#ResourceNotFoundException", "ResourceNotFoundException;Sender"},
  {Code::kOverLimit, 403, "com.amazonaws.sqs#OverLimit", "OverLimit;Sender"},
  {Code::kStorageFailed, 500, "com.amazon.coral.service#InternalFailure", "AWS.SimpleQueueService.InternalError;Receiver"},
  {Code::kUnavailable, 503, "com.amazon.coral.service#ServiceUnavailable", "ServiceUnavailable;Receiver"},
  {Code::kInternal, 500, "com.amazon.coral.service#InternalFailure", "AWS.SimpleQueueService.InternalError;Receiver"},
};
// clang-format on

TEST(SqsErrors, EveryCodeIsMapped) {
  // Every code after kOk, in declaration order, has a row above.
  int expected_code = static_cast<int>(Code::kOk) + 1;
  for (const Expected& row : kExpected) {
    EXPECT_EQ(static_cast<int>(row.code), expected_code++) << CodeName(row.code);
  }
  EXPECT_EQ(expected_code, static_cast<int>(Code::kInternal) + 1);
}

TEST(SqsErrors, WireErrorMatchesSqs) {
  for (const Expected& row : kExpected) {
    SCOPED_TRACE(CodeName(row.code));
    WireError error = ToWireError(Status(row.code, "detail"));
    EXPECT_EQ(error.http_status, row.http_status);
    EXPECT_EQ(error.type_namespace + "#" + error.type, row.type);
    EXPECT_EQ(QueryErrorHeader(error), row.header);
    EXPECT_EQ(error.sender_fault, row.http_status < 500);
    EXPECT_EQ(error.message, "detail");

    std::string body = EncodeJsonError(error);
    rapidjson::Document json = testing::ParseJson(body);
    EXPECT_EQ(json.MemberCount(), 2u);
    EXPECT_STREQ(json["__type"].GetString(), row.type);
    EXPECT_STREQ(json["message"].GetString(), "detail");

    if (const char* dir = std::getenv("SLUICE_SQS_DUMP_DIR")) {
      std::ofstream out(std::string(dir) + "/error-" + CodeName(row.code) + ".txt");
      out << error.http_status << "\n" << QueryErrorHeader(error) << "\n" << body;
    }
  }
}

// FIFO throttling: the modeled shape (client.exceptions.RequestThrottled)
// with the code SQS's guide names, which botocore's retry handlers retry.
TEST(SqsErrors, ThrottlingIsTheModeledShapeWithARetryableCode) {
  WireError error = ToWireError(Status(Code::kThrottled, ""));
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.type_namespace + "#" + error.type, "com.amazonaws.sqs#RequestThrottled");
  EXPECT_EQ(QueryErrorHeader(error), "ThrottlingException;Sender");
  EXPECT_EQ(error.xml_code, "ThrottlingException");
  EXPECT_EQ(error.message, "Rate exceeded");
}

TEST(SqsErrors, EmptyMessageGetsTheDefault) {
  EXPECT_EQ(ToWireError(Status(Code::kQueueDoesNotExist, "")).message,
            "The specified queue does not exist.");
  EXPECT_FALSE(ToWireError(Status(Code::kInternal, "")).message.empty());
}

TEST(SqsErrors, OkIsNeverSentAsSuccess) {
  // A bug upstream (an error path with an OK status) must not look like a 2xx.
  WireError error = ToWireError(Status::Ok());
  EXPECT_EQ(error.http_status, 500);
  EXPECT_FALSE(error.sender_fault);
}

TEST(SqsErrors, MessagesAreEscaped) {
  WireError error = ToWireError(Status(Code::kInvalidParameterValue, "bad \"value\"\n\\"));
  rapidjson::Document json = testing::ParseJson(EncodeJsonError(error));
  EXPECT_STREQ(json["message"].GetString(), "bad \"value\"\n\\");
}

TEST(SqsErrors, BatchEntryCodesAreQueryCodes) {
  EXPECT_EQ(BatchEntryErrorCode(Code::kInvalidParameterValue), "InvalidParameterValue");
  EXPECT_EQ(BatchEntryErrorCode(Code::kReceiptHandleIsInvalid), "ReceiptHandleIsInvalid");
  EXPECT_EQ(BatchEntryErrorCode(Code::kMessageNotInflight),
            "AWS.SimpleQueueService.MessageNotInflight");
  EXPECT_EQ(BatchEntryErrorCode(Code::kInvalidMessageContents), "InvalidMessageContents");
  EXPECT_EQ(BatchEntryErrorCode(Code::kStorageFailed), "AWS.SimpleQueueService.InternalError");
  EXPECT_EQ(BatchEntryErrorCode(Code::kMalformedRequest), "SerializationException");
}

}  // namespace
}  // namespace sluice::sqs
