// FIFO receives: order within a group, a group blocked while a message of
// it is in flight and unblocked by delete / visibility expiry /
// ChangeMessageVisibility 0, several groups per receive, the system
// attributes, receive attempt ids, and the long poller's wake time.
#include "queue_fifo_test_env.h"

namespace sluice::queue::testing {
namespace {

using Strings = std::vector<std::string>;

class QueueFifoReceiveTest : public QueueFifoTest {
 protected:
  void SetUp() override {
    QueueFifoTest::SetUp();
    CreateFifo("q.fifo", {{"VisibilityTimeout", "30"}});
  }
};

TEST_F(QueueFifoReceiveTest, StrictOrderWithinAGroup) {
  for (int i = 0; i < 25; ++i) SendOk("q.fifo", "g", "m" + std::to_string(i));
  Strings seen;
  while (true) {
    auto batch = ReceiveOk("q.fifo", 3);
    if (batch.empty()) break;
    EXPECT_LE(batch.size(), 3u);
    for (auto& message : batch) {
      seen.push_back(message.body);
      ASSERT_TRUE(Delete("q.fifo", message.receipt_handle).ok());
    }
  }
  Strings expected;
  for (int i = 0; i < 25; ++i) expected.push_back("m" + std::to_string(i));
  EXPECT_EQ(seen, expected);
}

TEST_F(QueueFifoReceiveTest, AGroupInFlightDeliversNothingMoreUntilDeleted) {
  SendOk("q.fifo", "g", "a1");
  SendOk("q.fifo", "g", "a2");
  auto first = ReceiveOk("q.fifo", 1);
  ASSERT_EQ(Bodies(first), Strings{"a1"});
  EXPECT_TRUE(ReceiveOk("q.fifo", 10).empty());  // a2 waits behind a1 in flight
  clock_.Advance(29 * kSecond);
  EXPECT_TRUE(ReceiveOk("q.fifo", 10).empty());
  ASSERT_TRUE(Delete("q.fifo", first[0].receipt_handle).ok());
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10)), Strings{"a2"});
}

TEST_F(QueueFifoReceiveTest, VisibilityExpiryRedeliversTheHeadFirst) {
  SendOk("q.fifo", "g", "a1");
  SendOk("q.fifo", "g", "a2");
  ASSERT_EQ(Bodies(ReceiveOk("q.fifo", 1)), Strings{"a1"});
  clock_.Advance(30 * kSecond - 1);
  EXPECT_TRUE(ReceiveOk("q.fifo", 10).empty());
  clock_.Advance(1);
  auto again = ReceiveOk("q.fifo", 10);
  EXPECT_EQ(Bodies(again), (Strings{"a1", "a2"}));
  EXPECT_EQ(Attr(again[0], "ApproximateReceiveCount"), "2");
  EXPECT_EQ(Attr(again[1], "ApproximateReceiveCount"), "1");
}

TEST_F(QueueFifoReceiveTest, ChangeVisibilityToZeroUnblocksOnlyWhenNothingElseIsInFlight) {
  SendOk("q.fifo", "g", "a1");
  SendOk("q.fifo", "g", "a2");
  SendOk("q.fifo", "g", "a3");
  auto batch = ReceiveOk("q.fifo", 2);
  ASSERT_EQ(Bodies(batch), (Strings{"a1", "a2"}));
  // a1 visible again but a2 still in flight: the group stays blocked.
  ASSERT_TRUE(ChangeVisibility("q.fifo", batch[0].receipt_handle, 0).ok());
  EXPECT_TRUE(ReceiveOk("q.fifo", 10).empty());
  ASSERT_TRUE(ChangeVisibility("q.fifo", batch[1].receipt_handle, 0).ok());
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10)), (Strings{"a1", "a2", "a3"}));
}

TEST_F(QueueFifoReceiveTest, ExtendingTheVisibilityOfALaterMessageKeepsTheGroupBlocked) {
  SendOk("q.fifo", "g", "a1");
  SendOk("q.fifo", "g", "a2");
  auto batch = ReceiveOk("q.fifo", 2);
  ASSERT_EQ(batch.size(), 2u);
  ASSERT_TRUE(ChangeVisibility("q.fifo", batch[1].receipt_handle, 100).ok());
  clock_.Advance(30 * kSecond);  // a1's timeout ended, a2's did not
  EXPECT_TRUE(ReceiveOk("q.fifo", 10).empty());
  auto parked = ReceiveFifo("q.fifo", 1);
  ASSERT_TRUE(parked.ok());
  EXPECT_EQ(parked->next_visible_at, clock_.NowMillis() - 30 * kSecond + 100 * kSecond);
  clock_.Advance(70 * kSecond);
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10)), (Strings{"a1", "a2"}));
}

TEST_F(QueueFifoReceiveTest, OneReceiveTakesSeveralGroupsAndOtherGroupsFlowWhileOneIsBlocked) {
  SendOk("q.fifo", "a", "a1");
  SendOk("q.fifo", "b", "b1");
  SendOk("q.fifo", "a", "a2");
  SendOk("q.fifo", "c", "c1");
  SendOk("q.fifo", "b", "b2");
  // Oldest-available group first, each group's messages in order.
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10)), (Strings{"a1", "a2", "b1", "b2", "c1"}));

  SendOk("q.fifo", "x", "x1");
  SendOk("q.fifo", "x", "x2");
  SendOk("q.fifo", "y", "y1");
  auto x = ReceiveOk("q.fifo", 1);
  ASSERT_EQ(Bodies(x), Strings{"x1"});
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10)), Strings{"y1"});  // x is blocked, y is not
}

TEST_F(QueueFifoReceiveTest, ManyBlockedGroupsCostNothing) {
  for (int g = 0; g < 200; ++g) {
    SendOk("q.fifo", "g" + std::to_string(g), "h" + std::to_string(g));
    SendOk("q.fifo", "g" + std::to_string(g), "t" + std::to_string(g));
  }
  // One message per receive: each takes the head of a group and blocks it.
  int received = 0;
  while (true) {
    auto batch = ReceiveOk("q.fifo", 1);
    if (batch.empty()) break;
    for (auto& message : batch) EXPECT_EQ(message.body[0], 'h');  // heads only
    received += static_cast<int>(batch.size());
  }
  EXPECT_EQ(received, 200);
  EXPECT_TRUE(ReceiveOk("q.fifo", 10).empty());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_groups WHERE available_at <= " +
                     std::to_string(clock_.NowMillis())),
            0);
}

TEST_F(QueueFifoReceiveTest, SystemAttributes) {
  auto sent = SendFifo("q.fifo", "x", "grp", "dd");
  ASSERT_TRUE(sent.ok());
  auto received = ReceiveOk("q.fifo", 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(Attr(received[0], "MessageGroupId"), "grp");
  EXPECT_EQ(Attr(received[0], "MessageDeduplicationId"), "dd");
  EXPECT_EQ(Attr(received[0], "SequenceNumber"), sent->sequence_number);
  // Asked for by name only.
  ASSERT_TRUE(ChangeVisibility("q.fifo", received[0].receipt_handle, 0).ok());
  ReceiveMessageRequest request;
  request.queue_name = "q.fifo";
  request.system_attribute_names = {"SequenceNumber", "NoSuchName"};
  auto named = Tx([&](Engine& e) { return e.ReceiveMessage(request); });
  ASSERT_TRUE(named.ok());
  ASSERT_EQ(named->messages.size(), 1u);
  EXPECT_EQ(named->messages[0].attributes,
            (AttributeMap{{"SequenceNumber", sent->sequence_number}}));
}

TEST_F(QueueFifoReceiveTest, DelayedHeadHoldsItsGroup) {
  CreateFifo("d.fifo", {{"DelaySeconds", "10"}});
  SendOk("d.fifo", "g", "first");
  ASSERT_TRUE(Tx([&](Engine& e) {
                return e.SetQueueAttributes({"d.fifo", {{"DelaySeconds", "0"}}});
              }).ok());
  SendOk("d.fifo", "g", "second");  // visible at once, but behind a delayed head
  SendOk("d.fifo", "other", "free");
  auto received = ReceiveFifo("d.fifo", 10);
  ASSERT_TRUE(received.ok());
  EXPECT_EQ(Bodies(received->messages), Strings{"free"});
  EXPECT_EQ(received->next_visible_at, clock_.NowMillis() + 10 * kSecond);
  clock_.Advance(10 * kSecond);
  EXPECT_EQ(Bodies(ReceiveOk("d.fifo", 10)), (Strings{"first", "second"}));
}

TEST_F(QueueFifoReceiveTest, NextVisibleAtIsWhenABlockedGroupFrees) {
  SendOk("q.fifo", "g", "a1");
  SendOk("q.fifo", "g", "a2");
  ASSERT_EQ(ReceiveOk("q.fifo", 1, 20).size(), 1u);
  auto empty = ReceiveFifo("q.fifo", 1);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->messages.empty());
  EXPECT_EQ(empty->next_visible_at, clock_.NowMillis() + 20 * kSecond);
}

TEST_F(QueueFifoReceiveTest, DeleteWithAnExpiredHandleFails) {
  SendOk("q.fifo", "g", "a1");
  auto first = ReceiveOk("q.fifo", 1, 5);
  ASSERT_EQ(first.size(), 1u);
  clock_.Advance(5 * kSecond);  // visible again
  Status expired = Delete("q.fifo", first[0].receipt_handle);
  EXPECT_EQ(expired.code(), Code::kInvalidParameterValue);
  EXPECT_NE(expired.message().find("The receipt handle has expired"), std::string::npos);
  auto second = ReceiveOk("q.fifo", 1);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(Delete("q.fifo", first[0].receipt_handle).code(), Code::kInvalidParameterValue);
  ASSERT_TRUE(Delete("q.fifo", second[0].receipt_handle).ok());
  EXPECT_TRUE(Delete("q.fifo", second[0].receipt_handle).ok());  // already gone: a no-op
}

TEST_F(QueueFifoReceiveTest, RetentionExpiryMovesTheGroupOn) {
  CreateFifo("r.fifo", {{"MessageRetentionPeriod", "60"}});
  SendOk("r.fifo", "g", "old");
  clock_.Advance(30 * kSecond);
  SendOk("r.fifo", "g", "young");
  clock_.Advance(30 * kSecond);
  EXPECT_EQ(Bodies(ReceiveOk("r.fifo", 10)), Strings{"young"});
  clock_.Advance(60 * kSecond);
  ASSERT_TRUE(Tx([&](Engine& e) { return e.SweepExpired(100); }).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_groups"), 0);
}

TEST_F(QueueFifoReceiveTest, PurgeClearsGroups) {
  SendOk("q.fifo", "g", "a1");
  ASSERT_EQ(ReceiveOk("q.fifo", 1).size(), 1u);
  ASSERT_TRUE(Tx([&](Engine& e) { return e.PurgeQueue({"q.fifo"}); }).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_groups"), 0);
  SendOk("q.fifo", "g", "a2");
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10)), Strings{"a2"});  // not blocked by a purged message
}

TEST_F(QueueFifoReceiveTest, RetryWithTheSameAttemptIdReturnsTheSameMessages) {
  SendOk("q.fifo", "g", "a1");
  SendOk("q.fifo", "g", "a2");
  SendOk("q.fifo", "h", "b1");
  auto first = ReceiveFifo("q.fifo", 2, std::nullopt, "attempt-1");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(Bodies(first->messages), (Strings{"a1", "a2"}));

  clock_.Advance(20 * kSecond);
  auto retry = ReceiveFifo("q.fifo", 2, std::nullopt, "attempt-1");
  ASSERT_TRUE(retry.ok());
  ASSERT_EQ(Bodies(retry->messages), (Strings{"a1", "a2"}));
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(retry->messages[i].receipt_handle, first->messages[i].receipt_handle);
    EXPECT_EQ(Attr(retry->messages[i], "ApproximateReceiveCount"), "1");
  }
  // The retry restarted the visibility timeout: 30 s from the retry.
  clock_.Advance(29 * kSecond);
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10)), Strings{"b1"});
  clock_.Advance(1 * kSecond);
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10)), (Strings{"a1", "a2"}));
}

TEST_F(QueueFifoReceiveTest, AttemptIdDoesNotReplayModifiedOrOldDeliveries) {
  SendOk("q.fifo", "g", "a1");
  SendOk("q.fifo", "h", "b1");
  SendOk("q.fifo", "k", "c1");
  auto first = ReceiveFifo("q.fifo", 1, std::nullopt, "att");
  ASSERT_EQ(Bodies(first->messages), Strings{"a1"});
  // A visibility change modifies the delivery: the retry is a new receive.
  ASSERT_TRUE(ChangeVisibility("q.fifo", first->messages[0].receipt_handle, 60).ok());
  auto retry = ReceiveFifo("q.fifo", 1, std::nullopt, "att");
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(Bodies(retry->messages), Strings{"b1"});
  // Deleting modifies it too.
  ASSERT_TRUE(Delete("q.fifo", retry->messages[0].receipt_handle).ok());
  auto third = ReceiveFifo("q.fifo", 1, std::nullopt, "att");
  ASSERT_EQ(Bodies(third->messages), Strings{"c1"});
  ASSERT_TRUE(Delete("q.fifo", first->messages[0].receipt_handle).ok());
  ASSERT_TRUE(Delete("q.fifo", third->messages[0].receipt_handle).ok());
  // After 5 minutes the id is forgotten.
  auto late = ReceiveFifo("q.fifo", 1, 400, "late");
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(late->messages.empty());
  SendOk("q.fifo", "m", "d1");
  auto recorded = ReceiveFifo("q.fifo", 1, 400, "late");
  ASSERT_EQ(Bodies(recorded->messages), Strings{"d1"});
  clock_.Advance(5 * kMinute);
  SendOk("q.fifo", "n", "e1");
  EXPECT_EQ(Bodies(ReceiveFifo("q.fifo", 1, 400, "late")->messages), Strings{"e1"});
  // Expired attempts are swept.
  clock_.Advance(5 * kMinute);
  ASSERT_TRUE(Tx([&](Engine& e) { return e.SweepExpired(100); }).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_receive_attempts"), 0);
}

TEST_F(QueueFifoReceiveTest, AttemptIdIsValidatedOnFifoAndIgnoredOnStandard) {
  auto bad = ReceiveFifo("q.fifo", 1, std::nullopt, std::string(129, 'x'));
  EXPECT_EQ(bad.status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(ReceiveFifo("q.fifo", 1, std::nullopt, "sp ace").status().code(),
            Code::kInvalidParameterValue);
  CreateQueue("s");
  EXPECT_TRUE(ReceiveFifo("s", 1, std::nullopt, "sp ace").ok());
}

TEST_F(QueueFifoReceiveTest, VisibilityTimeoutZeroKeepsTheGroupAvailable) {
  SendOk("q.fifo", "g", "a1");
  SendOk("q.fifo", "g", "a2");
  // One visit per group and receive: a1 is not handed out twice in one call.
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10, 0)), (Strings{"a1", "a2"}));
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 1, 0)), Strings{"a1"});
}

}  // namespace
}  // namespace sluice::queue::testing
