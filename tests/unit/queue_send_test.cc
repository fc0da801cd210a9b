// SendMessage validation, batches (shape errors and partial failures), and
// the batch forms of DeleteMessage and ChangeMessageVisibility.
#include "queue_test_env.h"

namespace sluice::queue::testing {
namespace {

class QueueSendTest : public QueueEngineTest {
 protected:
  Result<SendMessageBatchResult> SendBatch(const std::string& queue,
                                           std::vector<SendMessageEntry> entries) {
    return Tx([&](Engine& e) { return e.SendMessageBatch({queue, entries}); });
  }

  static SendMessageEntry Entry(std::string id, std::string body) {
    SendMessageEntry entry;
    entry.id = std::move(id);
    entry.body = std::move(body);
    return entry;
  }

  Code SendCode(const std::string& body, MessageAttributeMap attributes = {},
                std::optional<int> delay = std::nullopt) {
    return Send("q", body, delay, std::move(attributes)).status().code();
  }

  void SetUp() override {
    QueueEngineTest::SetUp();
    CreateQueue("q", {{"MaximumMessageSize", "1024"}});
  }
};

TEST_F(QueueSendTest, MessageIdIsAVersion4Uuid) {
  std::string id = SendOk("q", "x");
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
  EXPECT_NE(SendOk("q", "x"), id);
}

TEST_F(QueueSendTest, BodyCharactersAndSize) {
  EXPECT_EQ(SendCode(""), Code::kMissingParameter);
  EXPECT_EQ(SendCode("tab\tnewline\ncr\r ok \xe2\x98\x83 \xf0\x9f\x98\x80"), Code::kOk);
  EXPECT_EQ(SendCode(std::string("nul\0", 4)), Code::kInvalidMessageContents);
  EXPECT_EQ(SendCode("bell\x07"), Code::kInvalidMessageContents);
  EXPECT_EQ(SendCode("\xff\xfe"), Code::kInvalidMessageContents);         // not UTF-8
  EXPECT_EQ(SendCode("\xed\xa0\x80"), Code::kInvalidMessageContents);     // a surrogate
  EXPECT_EQ(SendCode("\xef\xbf\xbe"), Code::kInvalidMessageContents);     // U+FFFE
  EXPECT_EQ(SendCode("\xc0\xaf"), Code::kInvalidMessageContents);         // overlong
  EXPECT_EQ(SendCode(std::string(1024, 'a')), Code::kOk);
  EXPECT_EQ(SendCode(std::string(1025, 'a')), Code::kInvalidParameterValue);
  // Attributes count towards the size: 1000 + 4 + 6 + 15 > 1024.
  MessageAttributeMap attributes{{"name", {"String", std::string(15, 'v'), ""}}};
  EXPECT_EQ(SendCode(std::string(1000, 'a'), attributes), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode(std::string(990, 'a'), attributes), Code::kOk);
}

TEST_F(QueueSendTest, DelaySecondsRange) {
  EXPECT_EQ(SendCode("x", {}, 900), Code::kOk);
  EXPECT_EQ(SendCode("x", {}, 901), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", {}, -1), Code::kInvalidParameterValue);
}

TEST_F(QueueSendTest, MessageAttributeValidation) {
  auto one = [](std::string name, std::string type, std::string value, std::string binary = "") {
    return MessageAttributeMap{{name, {type, value, binary}}};
  };
  EXPECT_EQ(SendCode("x", one("a-b_c.d", "String", "v")), Code::kOk);
  EXPECT_EQ(SendCode("x", one("n", "Number", "-1.5e10")), Code::kOk);
  EXPECT_EQ(SendCode("x", one("n", "Number.int", "42")), Code::kOk);
  EXPECT_EQ(SendCode("x", one("b", "Binary", "", std::string("\0\1", 2))), Code::kOk);
  EXPECT_EQ(SendCode("x", one("s", "String.custom-label", "v")), Code::kOk);

  EXPECT_EQ(SendCode("x", one(".lead", "String", "v")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("trail.", "String", "v")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("a..b", "String", "v")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("sp ace", "String", "v")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("AWS.x", "String", "v")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("aws.x", "String", "v")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("amazon.x", "String", "v")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one(std::string(257, 'a'), "String", "v")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("a", "Text", "v")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("a", "String.", "v")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("a", "String", "")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("a", "Binary", "text")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("a", "Number", "12abc")), Code::kInvalidParameterValue);
  EXPECT_EQ(SendCode("x", one("a", "Number", ".")), Code::kInvalidParameterValue);

  MessageAttributeMap eleven;
  for (int i = 0; i < 11; ++i) eleven["a" + std::to_string(i)] = {"String", "v", ""};
  EXPECT_EQ(SendCode("x", eleven), Code::kInvalidParameterValue);
  eleven.erase("a0");
  EXPECT_EQ(SendCode("x", eleven), Code::kOk);
}

TEST_F(QueueSendTest, SystemAttributesAllowOnlyAwsTraceHeader) {
  SendMessageRequest request;
  request.queue_name = "q";
  request.entry.body = "x";
  request.entry.message_system_attributes["Other"] = {"String", "v", ""};
  EXPECT_EQ(Tx([&](Engine& e) { return e.SendMessage(request); }).status().code(),
            Code::kInvalidParameterValue);
  request.entry.message_system_attributes.clear();
  request.entry.message_system_attributes["AWSTraceHeader"] = {"Binary", "", "v"};
  EXPECT_EQ(Tx([&](Engine& e) { return e.SendMessage(request); }).status().code(),
            Code::kInvalidParameterValue);
  request.entry.message_system_attributes["AWSTraceHeader"] = {"String", "Root=1-a-b", ""};
  EXPECT_TRUE(Tx([&](Engine& e) { return e.SendMessage(request); }).ok());
}

TEST_F(QueueSendTest, FailedSendChangesNothing) {
  EXPECT_EQ(SendCode("bell\x07"), Code::kInvalidMessageContents);
  EXPECT_EQ(Send("missing", "x").status().code(), Code::kQueueDoesNotExist);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 0);
}

TEST_F(QueueSendTest, BatchShapeErrors) {
  EXPECT_EQ(SendBatch("q", {}).status().code(), Code::kEmptyBatchRequest);
  std::vector<SendMessageEntry> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(Entry("e" + std::to_string(i), "x"));
  EXPECT_EQ(SendBatch("q", eleven).status().code(), Code::kTooManyEntriesInBatchRequest);
  EXPECT_EQ(SendBatch("q", {Entry("bad id", "x")}).status().code(), Code::kInvalidBatchEntryId);
  EXPECT_EQ(SendBatch("q", {Entry("", "x")}).status().code(), Code::kInvalidBatchEntryId);
  EXPECT_EQ(SendBatch("q", {Entry(std::string(81, 'a'), "x")}).status().code(),
            Code::kInvalidBatchEntryId);
  EXPECT_EQ(SendBatch("q", {Entry("a", "x"), Entry("a", "y")}).status().code(),
            Code::kBatchEntryIdsNotDistinct);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 0);
}

TEST_F(QueueSendTest, BatchTooLongCountsTheWholePayload) {
  CreateQueue("big", {{"MaximumMessageSize", "1048576"}});
  std::vector<SendMessageEntry> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(Entry("e" + std::to_string(i), std::string(200000, 'a')));
  EXPECT_TRUE(SendBatch("big", entries).ok());
  entries.push_back(Entry("e5", std::string(100000, 'a')));
  auto result = SendBatch("big", entries);
  EXPECT_EQ(result.status().code(), Code::kBatchRequestTooLong);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 5);
}

TEST_F(QueueSendTest, BatchPartialFailure) {
  auto result = SendBatch("q", {Entry("good", "fine"), Entry("bad", "bell\x07"),
                                Entry("big", std::string(2000, 'a')), Entry("also-good", "ok")});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->successful_ids, (std::vector<std::string>{"good", "also-good"}));
  ASSERT_EQ(result->successful.size(), 2u);
  EXPECT_EQ(result->successful[0].md5_of_message_body.size(), 32u);
  ASSERT_EQ(result->failed.size(), 2u);
  EXPECT_EQ(result->failed[0].id, "bad");
  EXPECT_EQ(result->failed[0].code, Code::kInvalidMessageContents);
  EXPECT_TRUE(result->failed[0].sender_fault);
  EXPECT_EQ(result->failed[1].id, "big");
  EXPECT_EQ(result->failed[1].code, Code::kInvalidParameterValue);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 2);
}

TEST_F(QueueSendTest, DeleteAndChangeVisibilityBatches) {
  for (int i = 0; i < 3; ++i) SendOk("q", "m" + std::to_string(i));
  auto received = ReceiveOk("q", 3);
  ASSERT_EQ(received.size(), 3u);

  ChangeMessageVisibilityBatchRequest change{"q",
                                             {{"a", received[0].receipt_handle, 0},
                                              {"b", "garbage", 0},
                                              {"c", received[1].receipt_handle, 50000}}};
  auto changed = Tx([&](Engine& e) { return e.ChangeMessageVisibilityBatch(change); });
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->successful_ids, std::vector<std::string>{"a"});
  ASSERT_EQ(changed->failed.size(), 2u);
  EXPECT_EQ(changed->failed[0].code, Code::kReceiptHandleIsInvalid);
  EXPECT_EQ(changed->failed[1].code, Code::kInvalidParameterValue);

  DeleteMessageBatchRequest erase{"q",
                                  {{"x", received[1].receipt_handle},
                                   {"y", received[2].receipt_handle},
                                   {"z", "garbage"}}};
  auto deleted = Tx([&](Engine& e) { return e.DeleteMessageBatch(erase); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->successful_ids, (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(deleted->failed.size(), 1u);
  EXPECT_EQ(deleted->failed[0].id, "z");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 1);

  DeleteMessageBatchRequest duplicate{"q", {{"x", "h"}, {"x", "h"}}};
  EXPECT_EQ(Tx([&](Engine& e) { return e.DeleteMessageBatch(duplicate); }).status().code(),
            Code::kBatchEntryIdsNotDistinct);
  DeleteMessageBatchRequest empty{"q", {}};
  EXPECT_EQ(Tx([&](Engine& e) { return e.DeleteMessageBatch(empty); }).status().code(),
            Code::kEmptyBatchRequest);
}

}  // namespace
}  // namespace sluice::queue::testing
