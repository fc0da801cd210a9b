// Each result type encoded as the SQS JSON model names it, checked by parsing
// the text back. With SLUICE_SQS_DUMP_DIR set, the samples are also written
// there for tests/unit/sqs_codec_check.py to feed to botocore's parser.
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "sqs/json_encode.h"
#include "sqs_test_util.h"

namespace sluice::sqs {
namespace {

using testing::ParseJson;

const EncodeContext kContext{"http://127.0.0.1:4566", "000000000000"};

// Parses `text` and, when asked to, saves it as <dump dir>/<sample>.json.
rapidjson::Document Sample(const std::string& sample, const std::string& text) {
  if (const char* dir = std::getenv("SLUICE_SQS_DUMP_DIR")) {
    std::ofstream(std::string(dir) + "/" + sample + ".json") << text;
  }
  return ParseJson(text);
}

queue::SendMessageResult SendResult(std::string id) {
  queue::SendMessageResult result;
  result.message_id = std::move(id);
  result.md5_of_message_body = "5d41402abc4b2a76b9719d911017c592";
  return result;
}

TEST(SqsEncode, EmptyResultIsAnEmptyObject) {
  rapidjson::Document json = Sample("DeleteQueue", EncodeResult(queue::EmptyResult{}, kContext));
  EXPECT_TRUE(json.IsObject());
  EXPECT_EQ(json.MemberCount(), 0u);
}

TEST(SqsEncode, QueueUrlsAreBuiltFromTheContext) {
  rapidjson::Document create =
      Sample("CreateQueue", EncodeResult(queue::CreateQueueResult{"orders", true}, kContext));
  EXPECT_STREQ(create["QueueUrl"].GetString(), "http://127.0.0.1:4566/000000000000/orders");
  EXPECT_EQ(create.MemberCount(), 1u);
  rapidjson::Document get =
      Sample("GetQueueUrl",
             EncodeResult(queue::GetQueueUrlResult{"jobs"}, {"http://sluice:80", "1"}));
  EXPECT_STREQ(get["QueueUrl"].GetString(), "http://sluice:80/1/jobs");
}

TEST(SqsEncode, ListQueues) {
  queue::ListQueuesResult result{{"a", "b"}, "next"};
  rapidjson::Document json = Sample("ListQueues", EncodeResult(result, kContext));
  ASSERT_TRUE(json["QueueUrls"].IsArray());
  ASSERT_EQ(json["QueueUrls"].Size(), 2u);
  EXPECT_STREQ(json["QueueUrls"][1].GetString(), "http://127.0.0.1:4566/000000000000/b");
  EXPECT_STREQ(json["NextToken"].GetString(), "next");

  // Like SQS: no queues, no QueueUrls member; last page, no NextToken.
  rapidjson::Document none =
      Sample("ListQueues-empty", EncodeResult(queue::ListQueuesResult{}, kContext));
  EXPECT_EQ(none.MemberCount(), 0u);
}

TEST(SqsEncode, ListDeadLetterSourceQueuesUsesLowerCaseQueueUrls) {
  queue::ListDeadLetterSourceQueuesResult result{{"src"}, ""};
  rapidjson::Document json = Sample("ListDeadLetterSourceQueues", EncodeResult(result, kContext));
  EXPECT_FALSE(json.HasMember("QueueUrls"));
  ASSERT_TRUE(json.HasMember("queueUrls"));
  EXPECT_STREQ(json["queueUrls"][0].GetString(), "http://127.0.0.1:4566/000000000000/src");
  EXPECT_FALSE(json.HasMember("NextToken"));
  // Required by the model: present even when empty.
  rapidjson::Document empty =
      Sample("ListDeadLetterSourceQueues-empty",
             EncodeResult(queue::ListDeadLetterSourceQueuesResult{}, kContext));
  ASSERT_TRUE(empty["queueUrls"].IsArray());
  EXPECT_EQ(empty["queueUrls"].Size(), 0u);
}

TEST(SqsEncode, AttributeAndTagMaps) {
  queue::GetQueueAttributesResult attributes{{{"DelaySeconds", "5"}, {"QueueArn", "arn:x"}}};
  rapidjson::Document json = Sample("GetQueueAttributes", EncodeResult(attributes, kContext));
  EXPECT_STREQ(json["Attributes"]["DelaySeconds"].GetString(), "5");  // strings, as in the model
  EXPECT_STREQ(json["Attributes"]["QueueArn"].GetString(), "arn:x");
  EXPECT_EQ(Sample("GetQueueAttributes-empty",
                   EncodeResult(queue::GetQueueAttributesResult{}, kContext))
                .MemberCount(),
            0u);

  rapidjson::Document tags =
      Sample("ListQueueTags",
             EncodeResult(queue::ListQueueTagsResult{{{"team", "pay"}}}, kContext));
  EXPECT_STREQ(tags["Tags"]["team"].GetString(), "pay");
  EXPECT_EQ(EncodeResult(queue::ListQueueTagsResult{}, kContext), "{}");
}

TEST(SqsEncode, SendMessageOmitsEmptyOptionalMembers) {
  rapidjson::Document plain = Sample("SendMessage", EncodeResult(SendResult("id-1"), kContext));
  EXPECT_STREQ(plain["MessageId"].GetString(), "id-1");
  EXPECT_STREQ(plain["MD5OfMessageBody"].GetString(), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_FALSE(plain.HasMember("MD5OfMessageAttributes"));
  EXPECT_FALSE(plain.HasMember("MD5OfMessageSystemAttributes"));
  EXPECT_FALSE(plain.HasMember("SequenceNumber"));

  queue::SendMessageResult full = SendResult("id-2");
  full.md5_of_message_attributes = "aaaa";
  full.md5_of_message_system_attributes = "bbbb";
  rapidjson::Document json = Sample("SendMessage-attributes", EncodeResult(full, kContext));
  EXPECT_STREQ(json["MD5OfMessageAttributes"].GetString(), "aaaa");
  EXPECT_STREQ(json["MD5OfMessageSystemAttributes"].GetString(), "bbbb");
}

TEST(SqsEncode, SendMessageBatchAlwaysHasSuccessfulAndFailed) {
  queue::SendMessageBatchResult result;
  result.successful = {SendResult("id-1")};
  result.successful_ids = {"m1"};
  result.failed = {{"m2", Code::kInvalidParameterValue, "Message must be shorter.", true},
                   {"m3", Code::kStorageFailed, "", false}};
  rapidjson::Document json = Sample("SendMessageBatch", EncodeResult(result, kContext));
  ASSERT_EQ(json["Successful"].Size(), 1u);
  EXPECT_STREQ(json["Successful"][0]["Id"].GetString(), "m1");
  EXPECT_STREQ(json["Successful"][0]["MessageId"].GetString(), "id-1");
  EXPECT_STREQ(json["Successful"][0]["MD5OfMessageBody"].GetString(),
               "5d41402abc4b2a76b9719d911017c592");
  EXPECT_FALSE(json["Successful"][0].HasMember("MD5OfMessageAttributes"));
  ASSERT_EQ(json["Failed"].Size(), 2u);
  const auto& failed = json["Failed"][0];
  EXPECT_STREQ(failed["Id"].GetString(), "m2");
  EXPECT_TRUE(failed["SenderFault"].IsTrue());
  EXPECT_STREQ(failed["Code"].GetString(), "InvalidParameterValue");
  EXPECT_STREQ(failed["Message"].GetString(), "Message must be shorter.");
  EXPECT_TRUE(json["Failed"][1]["SenderFault"].IsFalse());
  EXPECT_FALSE(json["Failed"][1].HasMember("Message"));

  rapidjson::Document none =
      Sample("SendMessageBatch-empty", EncodeResult(queue::SendMessageBatchResult{}, kContext));
  EXPECT_TRUE(none["Successful"].IsArray());
  EXPECT_TRUE(none["Failed"].IsArray());
}

TEST(SqsEncode, BatchResultForDeletesAndVisibility) {
  queue::BatchResult result{{"a", "b"}, {{"c", Code::kReceiptHandleIsInvalid, "bad handle", true}}};
  rapidjson::Document json = Sample("DeleteMessageBatch", EncodeResult(result, kContext));
  ASSERT_EQ(json["Successful"].Size(), 2u);
  EXPECT_STREQ(json["Successful"][1]["Id"].GetString(), "b");
  EXPECT_EQ(json["Successful"][1].MemberCount(), 1u);
  EXPECT_STREQ(json["Failed"][0]["Code"].GetString(), "ReceiptHandleIsInvalid");
}

TEST(SqsEncode, ReceiveMessage) {
  queue::ReceivedMessage message;
  message.message_id = "id-1";
  message.receipt_handle = "rh-1";
  message.body = "caf\xc3\xa9 \"quoted\"\n";
  message.md5_of_body = "md5";
  message.md5_of_message_attributes = "md5attrs";
  message.attributes = {{"ApproximateReceiveCount", "1"}, {"SentTimestamp", "1767225600000"}};
  message.message_attributes = {
      {"blob", {"Binary", "", std::string("\x00\x01\xfe\xff", 4)}},
      {"count", {"Number", "42", ""}},
      {"tag", {"String.custom", "v", ""}},
  };
  queue::ReceiveMessageResult result;
  result.messages = {message};
  rapidjson::Document json = Sample("ReceiveMessage", EncodeResult(result, kContext));
  ASSERT_EQ(json["Messages"].Size(), 1u);
  const auto& out = json["Messages"][0];
  EXPECT_STREQ(out["MessageId"].GetString(), "id-1");
  EXPECT_STREQ(out["ReceiptHandle"].GetString(), "rh-1");
  EXPECT_STREQ(out["MD5OfBody"].GetString(), "md5");
  EXPECT_EQ(std::string(out["Body"].GetString(), out["Body"].GetStringLength()), message.body);
  EXPECT_STREQ(out["Attributes"]["SentTimestamp"].GetString(), "1767225600000");
  EXPECT_STREQ(out["MD5OfMessageAttributes"].GetString(), "md5attrs");
  const auto& attributes = out["MessageAttributes"];
  EXPECT_STREQ(attributes["blob"]["DataType"].GetString(), "Binary");
  EXPECT_STREQ(attributes["blob"]["BinaryValue"].GetString(), "AAH+/w==");
  EXPECT_FALSE(attributes["blob"].HasMember("StringValue"));
  EXPECT_STREQ(attributes["count"]["StringValue"].GetString(), "42");
  EXPECT_FALSE(attributes["count"].HasMember("BinaryValue"));
  EXPECT_STREQ(attributes["tag"]["DataType"].GetString(), "String.custom");

  queue::ReceivedMessage bare{"id-2", "rh-2", "b", "md5b", "", {}, {}};
  result.messages = {bare};
  rapidjson::Document minimal = Sample("ReceiveMessage-bare", EncodeResult(result, kContext));
  EXPECT_EQ(minimal["Messages"][0].MemberCount(), 4u);

  // SQS leaves "Messages" out when nothing was received.
  rapidjson::Document none =
      Sample("ReceiveMessage-empty", EncodeResult(queue::ReceiveMessageResult{}, kContext));
  EXPECT_EQ(none.MemberCount(), 0u);
}

TEST(SqsEncode, BodiesWithControlCharactersAndNulRoundTrip) {
  queue::ReceiveMessageResult result;
  result.messages = {{"id", "rh", std::string("a\0b\x01\t\x7f", 6), "md5", "", {}, {}}};
  rapidjson::Document json = ParseJson(EncodeResult(result, kContext));
  const auto& body = json["Messages"][0]["Body"];
  EXPECT_EQ(std::string(body.GetString(), body.GetStringLength()),
            std::string("a\0b\x01\t\x7f", 6));
}

TEST(SqsEncode, MessageMoveTasks) {
  rapidjson::Document start = Sample(
      "StartMessageMoveTask", EncodeResult(queue::StartMessageMoveTaskResult{"handle"}, kContext));
  EXPECT_STREQ(start["TaskHandle"].GetString(), "handle");

  rapidjson::Document cancel =
      Sample("CancelMessageMoveTask",
             EncodeResult(queue::CancelMessageMoveTaskResult{5'000'000'000LL}, kContext));
  ASSERT_TRUE(cancel["ApproximateNumberOfMessagesMoved"].IsInt64());
  EXPECT_EQ(cancel["ApproximateNumberOfMessagesMoved"].GetInt64(), 5'000'000'000LL);

  queue::MessageMoveTask running{"handle", "RUNNING", "arn:dlq", "", 10, 3, 7, "", 1767225600123};
  queue::MessageMoveTask failed{"", "FAILED", "arn:dlq", "arn:dst", std::nullopt, 1, 2,
                                "AWS.SimpleQueueService.NonExistentQueue", 1767225600000};
  rapidjson::Document list =
      Sample("ListMessageMoveTasks",
             EncodeResult(queue::ListMessageMoveTasksResult{{running, failed}}, kContext));
  ASSERT_EQ(list["Results"].Size(), 2u);
  const auto& first = list["Results"][0];
  EXPECT_STREQ(first["TaskHandle"].GetString(), "handle");
  EXPECT_STREQ(first["Status"].GetString(), "RUNNING");
  EXPECT_FALSE(first.HasMember("DestinationArn"));
  EXPECT_EQ(first["MaxNumberOfMessagesPerSecond"].GetInt(), 10);
  EXPECT_EQ(first["ApproximateNumberOfMessagesMoved"].GetInt64(), 3);
  EXPECT_EQ(first["ApproximateNumberOfMessagesToMove"].GetInt64(), 7);
  EXPECT_EQ(first["StartedTimestamp"].GetInt64(), 1767225600123);  // epoch ms, a long
  EXPECT_FALSE(first.HasMember("FailureReason"));
  const auto& second = list["Results"][1];
  EXPECT_FALSE(second.HasMember("TaskHandle"));
  EXPECT_FALSE(second.HasMember("MaxNumberOfMessagesPerSecond"));
  EXPECT_STREQ(second["DestinationArn"].GetString(), "arn:dst");
  EXPECT_STREQ(second["FailureReason"].GetString(), "AWS.SimpleQueueService.NonExistentQueue");
}

}  // namespace
}  // namespace sluice::sqs
