// FIFO sends: the members a FIFO queue requires and refuses, deduplication
// (the 5-minute window from the first send, content-based ids, queue and
// group scope) and sequence numbers; what standard queues say to FIFO members.
#include "queue_fifo_test_env.h"
#include "sluice/md5.h"

namespace sluice::queue::testing {
namespace {

class QueueFifoSendTest : public QueueFifoTest {
 protected:
  void SetUp() override {
    QueueFifoTest::SetUp();
    CreateFifo("q.fifo");
  }
  int64_t Depth(const std::string& queue) {
    return std::stoll(Attribute(queue, "ApproximateNumberOfMessages"));
  }
};

TEST_F(QueueFifoSendTest, RequiredAndRefusedMembers) {
  auto no_group = SendFifo("q.fifo", "x", std::nullopt, "d");
  EXPECT_EQ(no_group.status().code(), Code::kMissingParameter);
  EXPECT_EQ(no_group.status().message(), "The request must contain the parameter MessageGroupId.");
  EXPECT_EQ(SendFifo("q.fifo", "x", "", "d").status().code(), Code::kMissingParameter);

  auto no_dedup = SendFifo("q.fifo", "x", "g", std::nullopt);
  EXPECT_EQ(no_dedup.status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(no_dedup.status().message(),
            "The queue should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly");

  auto delayed = SendFifo("q.fifo", "x", "g", "d", 5);
  EXPECT_EQ(delayed.status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(delayed.status().message(),
            "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter "
            "that is not valid for this queue type.");
  EXPECT_TRUE(SendFifo("q.fifo", "x", "g", "zero-delay", 0).ok());  // 0 is no delay of its own

  // 1..128 characters, alphanumeric and punctuation.
  const std::string punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~aZ9";
  EXPECT_TRUE(SendFifo("q.fifo", "x", punctuation, punctuation).ok());
  EXPECT_TRUE(SendFifo("q.fifo", "x", std::string(128, 'g'), std::string(128, 'd')).ok());
  EXPECT_EQ(SendFifo("q.fifo", "x", std::string(129, 'g'), "d2").status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(SendFifo("q.fifo", "x", "has space", "d3").status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(SendFifo("q.fifo", "x", "g\xc3\xa9", "d4").status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(SendFifo("q.fifo", "x", "g", std::string(129, 'd')).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(SendFifo("q.fifo", "x", "g", "tab\tid").status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(SendFifo("q.fifo", "", "g", "d5").status().code(), Code::kMissingParameter);
  EXPECT_EQ(Depth("q.fifo"), 3);  // nothing the failures touched was enqueued
}

TEST_F(QueueFifoSendTest, DuplicateWithinFiveMinutesOfTheFirstSendIsNotEnqueued) {
  clock_.Set(1'700'000'000'000);
  auto first = SendFifo("q.fifo", "body", "g", "dedup-1");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->sequence_number.empty());

  clock_.Advance(5 * kMinute - 1);  // the last millisecond of the window
  auto duplicate = SendFifo("q.fifo", "another body", "g", "dedup-1");
  ASSERT_TRUE(duplicate.ok()) << duplicate.status().ToString();
  EXPECT_EQ(duplicate->message_id, first->message_id);
  EXPECT_EQ(duplicate->sequence_number, first->sequence_number);
  // The digest is of what this request sent: clients check it.
  EXPECT_EQ(duplicate->md5_of_message_body, Md5Hex("another body"));
  EXPECT_EQ(Depth("q.fifo"), 1);

  // The window counts from the first send, not from the duplicate: at
  // exactly 5 minutes the id is free again.
  clock_.Advance(1);
  auto fresh = SendFifo("q.fifo", "body", "g", "dedup-1");
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(fresh->message_id, first->message_id);
  EXPECT_GT(fresh->sequence_number, first->sequence_number);
  EXPECT_EQ(Depth("q.fifo"), 2);
  // ... and the fresh send opened a new window.
  clock_.Advance(5 * kMinute - 1);
  EXPECT_EQ(SendFifo("q.fifo", "body", "g", "dedup-1")->message_id, fresh->message_id);
  EXPECT_EQ(Depth("q.fifo"), 2);
}

TEST_F(QueueFifoSendTest, DuplicateOfADeletedMessageIsStillDropped) {
  auto first = SendFifo("q.fifo", "body", "g", "d");
  ASSERT_TRUE(first.ok());
  auto received = ReceiveOk("q.fifo", 1);
  ASSERT_EQ(received.size(), 1u);
  ASSERT_TRUE(Delete("q.fifo", received[0].receipt_handle).ok());
  clock_.Advance(kMinute);
  EXPECT_EQ(SendFifo("q.fifo", "body", "g", "d")->message_id, first->message_id);
  EXPECT_EQ(Depth("q.fifo"), 0);
}

TEST_F(QueueFifoSendTest, ContentBasedDeduplicationHashesTheBody) {
  CreateFifo("c.fifo", {{"ContentBasedDeduplication", "true"}});
  auto first = SendFifo("c.fifo", "same", "g1", std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // Same body, even in another group, is a duplicate under queue scope.
  EXPECT_EQ(SendFifo("c.fifo", "same", "g2", std::nullopt)->message_id, first->message_id);
  EXPECT_NE(SendFifo("c.fifo", "other", "g1", std::nullopt)->message_id, first->message_id);
  // An explicit id overrides the hash; the hash is SHA-256 hex of the body,
  // so sending it explicitly is a duplicate too.
  EXPECT_NE(SendFifo("c.fifo", "same", "g1", "explicit")->message_id, first->message_id);
  const std::string sha256_of_same =
      "0967115f2813a3541eaef77de9d9d5773f1c0c04314b0bbfe4ff3b3b1c55b5d5";
  EXPECT_EQ(SendFifo("c.fifo", "something else", "g1", sha256_of_same)->message_id,
            first->message_id);
  EXPECT_EQ(Depth("c.fifo"), 3);
  auto received = ReceiveOk("c.fifo", 10);
  ASSERT_FALSE(received.empty());
  EXPECT_EQ(Attr(received[0], "MessageDeduplicationId"), sha256_of_same);
}

TEST_F(QueueFifoSendTest, DeduplicationScopePerGroupOrPerQueue) {
  CreateFifo("g.fifo", {{"DeduplicationScope", "messageGroup"}});
  auto a = SendFifo("g.fifo", "x", "g1", "d");
  auto b = SendFifo("g.fifo", "x", "g2", "d");  // another group: not a duplicate
  auto c = SendFifo("g.fifo", "x", "g1", "d");  // same group: a duplicate
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(a->message_id, b->message_id);
  EXPECT_EQ(c->message_id, a->message_id);
  EXPECT_EQ(Depth("g.fifo"), 2);

  auto d = SendFifo("q.fifo", "x", "g1", "d");
  auto e = SendFifo("q.fifo", "x", "g2", "d");  // queue scope: a duplicate across groups
  ASSERT_TRUE(d.ok() && e.ok());
  EXPECT_EQ(d->message_id, e->message_id);
  EXPECT_EQ(Depth("q.fifo"), 1);
}

TEST_F(QueueFifoSendTest, SequenceNumbersIncreaseAndSurviveDeletes) {
  std::string previous;
  for (int i = 0; i < 5; ++i) {
    auto sent = SendFifo("q.fifo", "m" + std::to_string(i), i % 2 ? "a" : "b", std::to_string(i));
    ASSERT_TRUE(sent.ok());
    EXPECT_EQ(sent->sequence_number.size(), 20u);
    EXPECT_GT(sent->sequence_number, previous);
    EXPECT_GT(std::stoull(sent->sequence_number), previous.empty() ? 0 : std::stoull(previous));
    previous = sent->sequence_number;
  }
  // Deleting the newest message must not let its number be handed out again.
  for (auto& message : ReceiveOk("q.fifo", 10)) {
    ASSERT_TRUE(Delete("q.fifo", message.receipt_handle).ok());
  }
  while (true) {
    auto more = ReceiveOk("q.fifo", 10);
    if (more.empty()) break;
    for (auto& message : more) ASSERT_TRUE(Delete("q.fifo", message.receipt_handle).ok());
  }
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 0);
  auto after = SendFifo("q.fifo", "later", "a", "later");
  ASSERT_TRUE(after.ok());
  EXPECT_GT(after->sequence_number, previous);
}

TEST_F(QueueFifoSendTest, QueueDelayAppliesToFifoMessages) {
  CreateFifo("d.fifo", {{"DelaySeconds", "10"}});
  ASSERT_TRUE(SendFifo("d.fifo", "x", "g", "d").ok());
  EXPECT_TRUE(ReceiveOk("d.fifo", 1).empty());
  clock_.Advance(10 * kSecond);
  EXPECT_EQ(ReceiveOk("d.fifo", 1).size(), 1u);
}

TEST_F(QueueFifoSendTest, BatchFailsEntriesOneByOneAndDeduplicatesWithinTheBatch) {
  SendMessageBatchRequest request;
  request.queue_name = "q.fifo";
  auto entry = [](std::string id, std::optional<std::string> group,
                  std::optional<std::string> dedup, std::optional<int> delay = std::nullopt) {
    SendMessageEntry e;
    e.id = std::move(id);
    e.body = "body-" + e.id;
    e.message_group_id = std::move(group);
    e.message_deduplication_id = std::move(dedup);
    e.delay_seconds = delay;
    return e;
  };
  request.entries = {entry("a", "g", "d1"), entry("b", std::nullopt, "d2"),
                     entry("c", "g", std::nullopt), entry("d", "g", "d1"),
                     entry("e", "g", "d3", 7), entry("f", "g", "d4")};
  auto result = Tx([&](Engine& e) { return e.SendMessageBatch(request); });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->successful_ids, (std::vector<std::string>{"a", "d", "f"}));
  EXPECT_EQ(result->successful[1].message_id, result->successful[0].message_id);  // duplicate
  EXPECT_EQ(result->successful[1].sequence_number, result->successful[0].sequence_number);
  EXPECT_LT(result->successful[0].sequence_number, result->successful[2].sequence_number);
  ASSERT_EQ(result->failed.size(), 3u);
  EXPECT_EQ(result->failed[0].id, "b");
  EXPECT_EQ(result->failed[0].code, Code::kMissingParameter);
  EXPECT_EQ(result->failed[1].id, "c");
  EXPECT_EQ(result->failed[1].code, Code::kInvalidParameterValue);
  EXPECT_EQ(result->failed[2].id, "e");
  EXPECT_EQ(result->failed[2].code, Code::kInvalidParameterValue);
  EXPECT_TRUE(result->failed[2].sender_fault);
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10)), (std::vector<std::string>{"body-a", "body-f"}));
}

TEST_F(QueueFifoSendTest, StandardQueuesRefuseDeduplicationIdsAndKeepGroupIds) {
  CreateQueue("s");
  auto dedup = SendFifo("s", "x", std::nullopt, "d");
  EXPECT_EQ(dedup.status().code(), Code::kInvalidParameterValue);
  EXPECT_NE(dedup.status().message().find("MessageDeduplicationId"), std::string::npos);
  EXPECT_EQ(SendFifo("s", "x", "has space", std::nullopt).status().code(),
            Code::kInvalidParameterValue);
  // SQS fair queues: a group id on a standard queue is kept and returned.
  auto fair = SendFifo("s", "x", "tenant-1", std::nullopt);
  ASSERT_TRUE(fair.ok()) << fair.status().ToString();
  EXPECT_TRUE(fair->sequence_number.empty());
  auto received = ReceiveOk("s", 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(Attr(received[0], "MessageGroupId"), "tenant-1");
  EXPECT_EQ(Attr(received[0], "SequenceNumber"), "<absent>");
  EXPECT_EQ(Attr(received[0], "MessageDeduplicationId"), "<absent>");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_groups"), 0);  // no FIFO state for it
}

TEST_F(QueueFifoSendTest, ExpiredDeduplicationRecordsAreSwept) {
  ASSERT_TRUE(SendFifo("q.fifo", "x", "g", "d1").ok());
  ASSERT_TRUE(SendFifo("q.fifo", "y", "g", "d2").ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_deduplication"), 2);
  clock_.Advance(5 * kMinute - 1);
  ASSERT_TRUE(Tx([&](Engine& e) { return e.SweepExpired(100); }).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_deduplication"), 2);
  clock_.Advance(1);
  auto swept = Tx([&](Engine& e) { return e.SweepExpired(100); });
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 2);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_deduplication"), 0);
  EXPECT_EQ(Depth("q.fifo"), 2);  // the messages stay
}

}  // namespace
}  // namespace sluice::queue::testing
