// Each operation's decoder fills the typed request from boto3's body.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "sqs/json_decode.h"
#include "sqs_fixtures.h"
#include "sqs_test_util.h"

namespace sluice::sqs {
namespace {

using testing::ParseJson;

std::string_view Body(std::string_view action) {
  for (const auto& fixture : testing::RequestFixtures()) {
    if (fixture.action == action) return fixture.body;
  }
  ADD_FAILURE() << "no fixture for " << action;
  return "{}";
}

// Decodes the boto3 fixture of `action` with `decode`, asserting success.
template <typename Decode>
auto Decoded(std::string_view action, Decode decode) {
  rapidjson::Document input = ParseJson(Body(action));
  auto result = decode(input);
  EXPECT_TRUE(result.ok()) << action << ": " << result.status().ToString();
  return std::move(result).value();
}

TEST(SqsDecodeActions, QueueOperations) {
  auto create = Decoded("CreateQueue", DecodeCreateQueue);
  EXPECT_EQ(create.queue_name, "orders");
  EXPECT_EQ(create.attributes,
            (queue::AttributeMap{{"DelaySeconds", "5"}, {"VisibilityTimeout", "60"}}));
  EXPECT_EQ(create.tags, (queue::TagMap{{"team", "payments"}}));

  EXPECT_EQ(Decoded("GetQueueUrl", DecodeGetQueueUrl).queue_name, "orders");
  EXPECT_EQ(Decoded("DeleteQueue", DecodeDeleteQueue).queue_name, "orders");
  EXPECT_EQ(Decoded("PurgeQueue", DecodePurgeQueue).queue_name, "orders");
  EXPECT_EQ(Decoded("ListQueueTags", DecodeListQueueTags).queue_name, "orders");

  auto list = Decoded("ListQueues", DecodeListQueues);
  EXPECT_EQ(list.queue_name_prefix, "ord");
  EXPECT_EQ(list.max_results, 100);
  EXPECT_EQ(list.next_token, "tok");
  rapidjson::Document empty = ParseJson("{}");
  auto bare = DecodeListQueues(empty);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->max_results, std::nullopt);
  EXPECT_EQ(bare->queue_name_prefix, "");

  auto get = Decoded("GetQueueAttributes", DecodeGetQueueAttributes);
  EXPECT_EQ(get.queue_name, "orders");
  EXPECT_EQ(get.attribute_names, std::vector<std::string>{"All"});

  auto set = Decoded("SetQueueAttributes", DecodeSetQueueAttributes);
  ASSERT_EQ(set.attributes.count("RedrivePolicy"), 1u);
  EXPECT_EQ(set.attributes["RedrivePolicy"],
            R"({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:orders-dlq", )"
            R"("maxReceiveCount": "3"})");

  auto tag = Decoded("TagQueue", DecodeTagQueue);
  EXPECT_EQ(tag.tags, (queue::TagMap{{"env", "dev"}, {"team", "payments"}}));
  auto untag = Decoded("UntagQueue", DecodeUntagQueue);
  EXPECT_EQ(untag.tag_keys, std::vector<std::string>{"env"});

  auto add = Decoded("AddPermission", DecodeAddPermission);
  EXPECT_EQ(add.label, "share");
  EXPECT_EQ(add.aws_account_ids, std::vector<std::string>{"111122223333"});
  EXPECT_EQ(add.actions, (std::vector<std::string>{"SendMessage", "ReceiveMessage"}));
  auto remove = Decoded("RemovePermission", DecodeRemovePermission);
  EXPECT_EQ(remove.queue_name, "orders");
  EXPECT_EQ(remove.label, "share");

  auto sources = Decoded("ListDeadLetterSourceQueues", DecodeListDeadLetterSourceQueues);
  EXPECT_EQ(sources.queue_name, "orders");
  EXPECT_EQ(sources.max_results, 5);
  EXPECT_EQ(sources.next_token, "tok");
}

TEST(SqsDecodeActions, MoveTasks) {
  auto start = Decoded("StartMessageMoveTask", DecodeStartMessageMoveTask);
  EXPECT_EQ(start.source_arn, "arn:aws:sqs:us-east-1:000000000000:orders-dlq");
  EXPECT_EQ(start.destination_arn, "arn:aws:sqs:us-east-1:000000000000:orders");
  EXPECT_EQ(start.max_number_of_messages_per_second, 50);
  EXPECT_EQ(Decoded("CancelMessageMoveTask", DecodeCancelMessageMoveTask).task_handle, "handle-1");
  auto list = Decoded("ListMessageMoveTasks", DecodeListMessageMoveTasks);
  EXPECT_EQ(list.source_arn, "arn:aws:sqs:us-east-1:000000000000:orders-dlq");
  EXPECT_EQ(list.max_results, 10);
}

TEST(SqsDecodeActions, SendMessageWithAttributes) {
  auto send = Decoded("SendMessage", DecodeSendMessage);
  EXPECT_EQ(send.queue_name, "orders");
  EXPECT_EQ(send.entry.id, "");
  EXPECT_EQ(send.entry.body, "hello");
  EXPECT_EQ(send.entry.delay_seconds, 3);
  EXPECT_EQ(send.entry.message_group_id, std::nullopt);
  EXPECT_EQ(send.entry.message_deduplication_id, std::nullopt);
  ASSERT_EQ(send.entry.message_attributes.size(), 3u);
  const auto& blob = send.entry.message_attributes.at("blob");
  EXPECT_EQ(blob.data_type, "Binary");
  EXPECT_EQ(blob.binary_value, std::string("\x00\x01\xfe\xff", 4));  // base64 "AAH+/w=="
  EXPECT_EQ(blob.string_value, "");
  EXPECT_EQ(send.entry.message_attributes.at("count").string_value, "42");
  EXPECT_EQ(send.entry.message_attributes.at("name").data_type, "String.custom");
  ASSERT_EQ(send.entry.message_system_attributes.size(), 1u);
  EXPECT_EQ(send.entry.message_system_attributes.at("AWSTraceHeader").string_value,
            "Root=1-5759e988-bd862e3fe1be46a994272793");
}

Status SendWithAttribute(const std::string& attribute_json) {
  std::string body = std::string(R"({"QueueUrl":")") + std::string(testing::kOrdersUrl) +
                     R"(","MessageBody":"x","MessageAttributes":{"a":)" + attribute_json + "}}";
  rapidjson::Document input = ParseJson(body);
  return DecodeSendMessage(input).status();
}

TEST(SqsDecodeActions, BinaryAttributeMustBeStandardBase64) {
  EXPECT_TRUE(SendWithAttribute(R"({"DataType":"Binary","BinaryValue":"aGk="})").ok());
  for (const char* bad : {"not base64!", "aGk", "aG=k", "aGk=\\n", "aGk=aGk", "-_8="}) {
    Status status = SendWithAttribute(std::string(R"({"DataType":"Binary","BinaryValue":")") +
                                      bad + R"("})");
    EXPECT_EQ(status.code(), Code::kInvalidParameterValue) << bad;
    EXPECT_EQ(status.message(),
              "Value for parameter MessageAttributes.a.BinaryValue is invalid. Reason: not valid "
              "base64.")
        << bad;
  }
  // An empty blob decodes to empty bytes; the engine rejects empty values.
  EXPECT_TRUE(SendWithAttribute(R"({"DataType":"Binary","BinaryValue":""})").ok());
}

TEST(SqsDecodeActions, ListValuedAttributesAreUnsupported) {
  Status strings = SendWithAttribute(R"({"DataType":"String","StringListValues":["a","b"]})");
  EXPECT_EQ(strings.code(), Code::kUnsupportedOperation);
  EXPECT_NE(strings.message().find("MessageAttributes.a"), std::string::npos);
  EXPECT_EQ(SendWithAttribute(R"({"DataType":"Binary","BinaryListValues":["aGk="]})").code(),
            Code::kUnsupportedOperation);
  // Empty lists say nothing and are ignored.
  EXPECT_TRUE(
      SendWithAttribute(R"({"DataType":"String","StringValue":"v","StringListValues":[]})").ok());
}

TEST(SqsDecodeActions, SendMessageKeepsFifoMembersForTheEngine) {
  std::string body = std::string(R"({"QueueUrl":")") + std::string(testing::kOrdersUrl) +
                     R"(","MessageBody":"x","MessageGroupId":"g","MessageDeduplicationId":"d"})";
  rapidjson::Document input = ParseJson(body);
  auto send = DecodeSendMessage(input);
  ASSERT_TRUE(send.ok());
  EXPECT_EQ(send->entry.message_group_id, "g");
  EXPECT_EQ(send->entry.message_deduplication_id, "d");
}

TEST(SqsDecodeActions, SendMessageBatch) {
  auto batch = Decoded("SendMessageBatch", DecodeSendMessageBatch);
  EXPECT_EQ(batch.queue_name, "orders");
  ASSERT_EQ(batch.entries.size(), 2u);
  EXPECT_EQ(batch.entries[0].id, "m1");
  EXPECT_EQ(batch.entries[0].body, "one");
  EXPECT_EQ(batch.entries[0].delay_seconds, std::nullopt);
  EXPECT_EQ(batch.entries[1].id, "m2");
  EXPECT_EQ(batch.entries[1].delay_seconds, 10);
  EXPECT_EQ(batch.entries[1].message_attributes.at("k").string_value, "v");
}

TEST(SqsDecodeActions, ReceiveMessageMergesSystemAttributeNames) {
  auto receive = Decoded("ReceiveMessage", DecodeReceiveMessage);
  EXPECT_EQ(receive.queue_name, "orders");
  EXPECT_EQ(receive.max_number_of_messages, 10);
  EXPECT_EQ(receive.visibility_timeout, 45);
  EXPECT_EQ(receive.wait_time_seconds, 20);
  EXPECT_EQ(receive.system_attribute_names,
            (std::vector<std::string>{"SentTimestamp", "ApproximateReceiveCount"}));
  EXPECT_EQ(receive.message_attribute_names, std::vector<std::string>{"All"});
  EXPECT_EQ(receive.receive_request_attempt_id, "att");

  rapidjson::Document bare = ParseJson(R"({"QueueUrl":"http://h/1/orders"})");
  auto defaults = DecodeReceiveMessage(bare);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->max_number_of_messages, std::nullopt);
  EXPECT_EQ(defaults->wait_time_seconds, std::nullopt);
  EXPECT_TRUE(defaults->system_attribute_names.empty());
}

TEST(SqsDecodeActions, DeleteAndVisibility) {
  auto del = Decoded("DeleteMessage", DecodeDeleteMessage);
  EXPECT_EQ(del.receipt_handle, "rh-1");
  auto del_batch = Decoded("DeleteMessageBatch", DecodeDeleteMessageBatch);
  ASSERT_EQ(del_batch.entries.size(), 2u);
  EXPECT_EQ(del_batch.entries[1].id, "b");
  EXPECT_EQ(del_batch.entries[1].receipt_handle, "rh-b");

  auto change = Decoded("ChangeMessageVisibility", DecodeChangeMessageVisibility);
  EXPECT_EQ(change.receipt_handle, "rh-1");
  EXPECT_EQ(change.visibility_timeout, 0);
  auto change_batch = Decoded("ChangeMessageVisibilityBatch", DecodeChangeMessageVisibilityBatch);
  ASSERT_EQ(change_batch.entries.size(), 2u);
  EXPECT_EQ(change_batch.entries[0].visibility_timeout, 30);
  EXPECT_EQ(change_batch.entries[1].visibility_timeout, 0);  // absent in the entry
}

}  // namespace
}  // namespace sluice::sqs
