// Retention: the sweep, expiry found at receive, and expiry in a DLQ from the
// original send time.
#include "queue_test_env.h"

namespace sluice::queue::testing {
namespace {

class QueueRetentionTest : public QueueEngineTest {
 protected:
  Result<int> Sweep(int limit) {
    return Tx([&](Engine& e) { return e.SweepExpired(limit); });
  }
};

TEST_F(QueueRetentionTest, SweepDeletesExpiredMessagesUpToTheLimit) {
  CreateQueue("short", {{"MessageRetentionPeriod", "60"}});
  CreateQueue("long", {{"MessageRetentionPeriod", "120"}});
  for (int i = 0; i < 3; ++i) SendOk("short", "s");
  SendOk("long", "l");
  clock_.Advance(30 * kSecond);
  SendOk("short", "young");

  clock_.Advance(29 * kSecond);  // 59 s after the first sends
  auto none = Sweep(100);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);

  clock_.Advance(1 * kSecond);  // exactly 60 s: expired
  auto two = Sweep(2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, 2);
  auto rest = Sweep(100);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, 1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 2);  // "young" and "l"

  clock_.Advance(60 * kSecond);
  auto later = Sweep(100);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(*later, 2);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 0);
}

TEST_F(QueueRetentionTest, ReceiveSkipsAndDeletesExpiredMessages) {
  CreateQueue("q", {{"MessageRetentionPeriod", "60"}});
  SendOk("q", "old");
  clock_.Advance(59 * kSecond);
  SendOk("q", "new");
  clock_.Advance(1 * kSecond);
  auto received = ReceiveOk("q", 10);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, "new");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 1);
}

TEST_F(QueueRetentionTest, DeadLetterExpiryCountsFromTheOriginalSend) {
  CreateQueue("dlq", {{"MessageRetentionPeriod", "120"}});
  CreateQueue("src", {{"VisibilityTimeout", "50"},
                      {"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + Arn("dlq") +
                                            "\",\"maxReceiveCount\":1}"}});
  SendOk("src", "m");
  ASSERT_EQ(ReceiveOk("src").size(), 1u);
  clock_.Advance(100 * kSecond);
  EXPECT_TRUE(ReceiveOk("src").empty());  // moved at t=100 s
  EXPECT_EQ(Attribute("dlq", "ApproximateNumberOfMessages"), "1");
  clock_.Advance(20 * kSecond);  // 120 s after the send, 20 s after the move
  auto swept = Tx([&](Engine& e) { return e.SweepExpired(10); });
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
}

}  // namespace
}  // namespace sluice::queue::testing
