// The message lifecycle on one queue: delay, visibility, redelivery, the
// approximate counts, receipt handles, ChangeMessageVisibility.
#include "queue_test_env.h"

namespace sluice::queue::testing {
namespace {

class QueueMessagesTest : public QueueEngineTest {
 protected:
  void ExpectCounts(const std::string& queue, int visible, int in_flight, int delayed) {
    EXPECT_EQ(Attribute(queue, "ApproximateNumberOfMessages"), std::to_string(visible));
    EXPECT_EQ(Attribute(queue, "ApproximateNumberOfMessagesNotVisible"), std::to_string(in_flight));
    EXPECT_EQ(Attribute(queue, "ApproximateNumberOfMessagesDelayed"), std::to_string(delayed));
  }
};

TEST_F(QueueMessagesTest, VisibilityTimeoutExpiryRedeliversWithAHigherReceiveCount) {
  CreateQueue("q", {{"VisibilityTimeout", "10"}});
  std::string id = SendOk("q", "body");
  int64_t sent_at = clock_.NowMillis();

  auto first = ReceiveOk("q");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].message_id, id);
  EXPECT_EQ(first[0].body, "body");
  EXPECT_EQ(first[0].attributes.at("ApproximateReceiveCount"), "1");
  EXPECT_EQ(first[0].attributes.at("SentTimestamp"), std::to_string(sent_at));
  EXPECT_EQ(first[0].attributes.at("SenderId"), "000000000000");
  EXPECT_EQ(first[0].attributes.at("ApproximateFirstReceiveTimestamp"), std::to_string(sent_at));
  ExpectCounts("q", 0, 1, 0);

  clock_.Advance(9 * kSecond);
  EXPECT_TRUE(ReceiveOk("q").empty());
  clock_.Advance(1 * kSecond);
  auto second = ReceiveOk("q");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].message_id, id);
  EXPECT_EQ(second[0].attributes.at("ApproximateReceiveCount"), "2");
  // The first receive's timestamp stays.
  EXPECT_EQ(second[0].attributes.at("ApproximateFirstReceiveTimestamp"), std::to_string(sent_at));
  EXPECT_NE(second[0].receipt_handle, first[0].receipt_handle);
}

TEST_F(QueueMessagesTest, RequestVisibilityTimeoutOverridesTheQueues) {
  CreateQueue("q");
  SendOk("q", "body");
  ASSERT_EQ(ReceiveOk("q", 1, 2).size(), 1u);
  clock_.Advance(2 * kSecond);
  EXPECT_EQ(ReceiveOk("q").size(), 1u);
}

TEST_F(QueueMessagesTest, QueueDelayAndPerMessageDelayAndTheCounts) {
  CreateQueue("q", {{"DelaySeconds", "5"}});
  ASSERT_TRUE(Send("q", "queue delay").ok());
  ASSERT_TRUE(Send("q", "no delay", 0).ok());
  ASSERT_TRUE(Send("q", "long delay", 20).ok());
  ExpectCounts("q", 1, 0, 2);

  auto now = ReceiveOk("q", 10);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].body, "no delay");
  ExpectCounts("q", 0, 1, 2);

  clock_.Advance(5 * kSecond);
  auto later = ReceiveOk("q", 10);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].body, "queue delay");
  ExpectCounts("q", 0, 2, 1);

  clock_.Advance(15 * kSecond);
  auto last = ReceiveOk("q", 10);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].body, "long delay");
}

TEST_F(QueueMessagesTest, EmptyReceiveReportsWaitTimeAndNextVisibleAt) {
  CreateQueue("q", {{"ReceiveMessageWaitTimeSeconds", "20"}});
  ASSERT_TRUE(Send("q", "later", 7).ok());
  auto result = Receive("q");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->messages.empty());
  EXPECT_EQ(result->wait_time_seconds, 20);
  EXPECT_EQ(result->next_visible_at, clock_.NowMillis() + 7 * kSecond);

  ReceiveMessageRequest request;
  request.queue_name = "q";
  request.wait_time_seconds = 0;
  auto short_poll = Tx([&](Engine& e) { return e.ReceiveMessage(request); });
  ASSERT_TRUE(short_poll.ok());
  EXPECT_EQ(short_poll->wait_time_seconds, 0);

  CreateQueue("empty");
  auto nothing = Receive("empty");
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->next_visible_at, 0);
}

TEST_F(QueueMessagesTest, ReceiveDeliversOldestFirstUpToTheMaximum) {
  CreateQueue("q");
  for (int i = 0; i < 12; ++i) SendOk("q", "m" + std::to_string(i));
  auto batch = ReceiveOk("q", 10);
  ASSERT_EQ(batch.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(batch[i].body, "m" + std::to_string(i));
  auto rest = ReceiveOk("q", 10);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].body, "m10");
}

TEST_F(QueueMessagesTest, VisibilityTimeoutZeroDoesNotDeliverTwiceInOneCall) {
  CreateQueue("q");
  SendOk("q", "a");
  SendOk("q", "b");
  auto batch = ReceiveOk("q", 10, 0);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].body, "a");
  EXPECT_EQ(batch[1].body, "b");
  EXPECT_EQ(ReceiveOk("q", 10, 0).size(), 2u);  // and visible again at once
}

TEST_F(QueueMessagesTest, ReceiveValidatesItsMembers) {
  CreateQueue("q");
  EXPECT_EQ(Receive("q", 11).status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(Receive("q", 0).status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(Receive("q", 1, 43201).status().code(), Code::kInvalidParameterValue);
  ReceiveMessageRequest request;
  request.queue_name = "q";
  request.wait_time_seconds = 21;
  EXPECT_EQ(Tx([&](Engine& e) { return e.ReceiveMessage(request); }).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(Receive("nope").status().code(), Code::kQueueDoesNotExist);
}

TEST_F(QueueMessagesTest, DeleteWithTheLatestHandleDeletes) {
  CreateQueue("q");
  SendOk("q", "body");
  auto received = ReceiveOk("q");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(Delete("q", received[0].receipt_handle).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 0);
  // Deleting again: the message is gone, which SQS treats as success.
  EXPECT_TRUE(Delete("q", received[0].receipt_handle).ok());
}

TEST_F(QueueMessagesTest, StaleHandleSucceedsWithoutDeleting) {
  CreateQueue("q", {{"VisibilityTimeout", "1"}});
  SendOk("q", "body");
  auto first = ReceiveOk("q");
  clock_.Advance(1 * kSecond);
  auto second = ReceiveOk("q");
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(Delete("q", first[0].receipt_handle).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 1);
  EXPECT_TRUE(Delete("q", second[0].receipt_handle).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 0);
}

TEST_F(QueueMessagesTest, HandlesAndStateSurviveARestart) {
  CreateQueue("q", {{"VisibilityTimeout", "60"}});
  SendOk("q", "body");
  auto received = ReceiveOk("q");
  ASSERT_EQ(received.size(), 1u);
  engine_ = std::make_unique<Engine>(db_, clock_);  // fresh caches and statements
  EXPECT_TRUE(ReceiveOk("q").empty());              // still in flight
  EXPECT_TRUE(ChangeVisibility("q", received[0].receipt_handle, 120).ok());
  EXPECT_TRUE(Delete("q", received[0].receipt_handle).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 0);
}

TEST_F(QueueMessagesTest, MalformedOrForeignHandlesAreInvalid) {
  CreateQueue("q");
  CreateQueue("other");
  SendOk("q", "body");
  auto received = ReceiveOk("q");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(Delete("q", "garbage").code(), Code::kReceiptHandleIsInvalid);
  EXPECT_EQ(Delete("other", received[0].receipt_handle).code(), Code::kReceiptHandleIsInvalid);
  EXPECT_EQ(ChangeVisibility("other", received[0].receipt_handle, 5).code(),
            Code::kReceiptHandleIsInvalid);
  // A queue re-created under the same name is another queue.
  ASSERT_TRUE(Tx([&](Engine& e) { return e.DeleteQueue({"q"}); }).ok());
  CreateQueue("q");
  EXPECT_EQ(Delete("q", received[0].receipt_handle).code(), Code::kReceiptHandleIsInvalid);
}

TEST_F(QueueMessagesTest, ChangeVisibilityToZeroMakesVisibleAtOnce) {
  CreateQueue("q");
  SendOk("q", "body");
  auto received = ReceiveOk("q");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(ReceiveOk("q").empty());
  EXPECT_TRUE(ChangeVisibility("q", received[0].receipt_handle, 0).ok());
  auto again = ReceiveOk("q");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attributes.at("ApproximateReceiveCount"), "2");
}

TEST_F(QueueMessagesTest, ChangeVisibilityExtendsFromNow) {
  CreateQueue("q", {{"VisibilityTimeout", "10"}});
  SendOk("q", "body");
  auto received = ReceiveOk("q");
  ASSERT_EQ(received.size(), 1u);
  clock_.Advance(8 * kSecond);
  EXPECT_TRUE(ChangeVisibility("q", received[0].receipt_handle, 10).ok());
  clock_.Advance(9 * kSecond);
  EXPECT_TRUE(ReceiveOk("q").empty());
  clock_.Advance(1 * kSecond);
  EXPECT_EQ(ReceiveOk("q").size(), 1u);
}

TEST_F(QueueMessagesTest, ChangeVisibilityErrors) {
  CreateQueue("q", {{"VisibilityTimeout", "10"}});
  SendOk("q", "body");
  auto first = ReceiveOk("q");
  ASSERT_EQ(first.size(), 1u);
  const std::string handle = first[0].receipt_handle;

  EXPECT_EQ(ChangeVisibility("q", handle, 43201).code(), Code::kInvalidParameterValue);
  EXPECT_EQ(ChangeVisibility("q", handle, -1).code(), Code::kInvalidParameterValue);
  // 12 hours counted from the receive: 10 s have passed.
  clock_.Advance(5 * kSecond);
  EXPECT_EQ(ChangeVisibility("q", handle, 43200).code(), Code::kInvalidParameterValue);
  EXPECT_TRUE(ChangeVisibility("q", handle, 43195).ok());

  // Visible again (not in flight): MessageNotInflight.
  EXPECT_TRUE(ChangeVisibility("q", handle, 0).ok());
  EXPECT_EQ(ChangeVisibility("q", handle, 30).code(), Code::kMessageNotInflight);

  // A handle from an earlier receive no longer names the message.
  auto second = ReceiveOk("q");
  ASSERT_EQ(second.size(), 1u);
  Status stale = ChangeVisibility("q", handle, 30);
  EXPECT_EQ(stale.code(), Code::kInvalidParameterValue);
  EXPECT_NE(stale.message().find("Message does not exist"), std::string::npos);
  EXPECT_TRUE(ChangeVisibility("q", second[0].receipt_handle, 30).ok());

  // Deleted: no longer exists.
  EXPECT_TRUE(Delete("q", second[0].receipt_handle).ok());
  EXPECT_EQ(ChangeVisibility("q", second[0].receipt_handle, 30).code(),
            Code::kInvalidParameterValue);
}

TEST_F(QueueMessagesTest, PeekShowsMessagesWithoutReceivingThem) {
  CreateQueue("q");
  SendOk("q", "one");
  ASSERT_TRUE(Send("q", "two", 30).ok());
  auto peeked = Tx([&](Engine& e) { return e.PeekMessages({"q", 10}); });
  ASSERT_TRUE(peeked.ok());
  ASSERT_EQ(peeked->messages.size(), 2u);
  EXPECT_EQ(peeked->messages[0].body, "one");
  EXPECT_EQ(peeked->messages[1].body, "two");
  EXPECT_EQ(peeked->messages[0].receive_count, 0);
  EXPECT_EQ(ReceiveOk("q").size(), 1u);  // still there and receivable
  EXPECT_EQ(Tx([&](Engine& e) { return e.PeekMessages({"q", 101}); }).status().code(),
            Code::kInvalidParameterValue);
}

}  // namespace
}  // namespace sluice::queue::testing
