// FIFO throughput quotas: the token buckets (FifoThroughput) on a fake
// clock, and Engine::AdmitFifoCall's choice of quota per queue type and
// FifoThroughputLimit.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "queue/fifo_throughput.h"
#include "queue_fifo_test_env.h"

namespace sluice::queue::testing {
namespace {

constexpr int64_t kStart = 1'767'225'600'000;

FifoQuotas Quotas(int per_second, int high_throughput_per_second = 1000) {
  FifoQuotas quotas;
  quotas.transactions_per_second = per_second;
  quotas.high_throughput_transactions_per_second = high_throughput_per_second;
  return quotas;
}

// Admits calls at one instant until one is refused; returns how many passed.
int AdmittedAtOnce(FifoThroughput& throughput, std::string_view queue, FifoAction action, int64_t now,
                   bool per_group = false, const std::vector<std::string>& groups = {}) {
  int admitted = 0;
  while (admitted < 100'000 && throughput.Admit(queue, action, per_group, groups, now)) ++admitted;
  return admitted;
}

TEST(FifoThroughputTest, BurstOfOneSecondThenRefillsAtTheQuota) {
  FifoThroughput throughput(Quotas(10));
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kSend, kStart), 10);
  // 10 per second: one token every 100 ms, none before.
  EXPECT_FALSE(throughput.Admit("q1", FifoAction::kSend, false, {}, kStart + 99));
  EXPECT_TRUE(throughput.Admit("q1", FifoAction::kSend, false, {}, kStart + 100));
  EXPECT_FALSE(throughput.Admit("q1", FifoAction::kSend, false, {}, kStart + 100));
  // A long pause refills to one second's worth, no more.
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kSend, kStart + 60'000), 10);
}

TEST(FifoThroughputTest, SustainedRateIsTheQuota) {
  FifoThroughput throughput(Quotas(300));
  // Offer 1,000 calls per second for 10 s (one per millisecond): 300 per
  // second pass, plus the initial one-second burst.
  int admitted = 0;
  for (int64_t ms = 0; ms < 10'000; ++ms) {
    if (throughput.Admit("q7", FifoAction::kReceive, false, {}, kStart + ms)) ++admitted;
  }
  EXPECT_GE(admitted, 300 * 10);
  EXPECT_LE(admitted, 300 * 11);
}

TEST(FifoThroughputTest, ActionsAndQueuesHaveTheirOwnQuota) {
  FifoThroughput throughput(Quotas(3));
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kSend, kStart), 3);
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kReceive, kStart), 3);
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kDelete, kStart), 3);
  EXPECT_EQ(AdmittedAtOnce(throughput, "q2", FifoAction::kSend, kStart), 3);
}

TEST(FifoThroughputTest, PerGroupQuotaAppliesToEachGroupAndTheQueueGetsTheHighOne) {
  FifoThroughput throughput(Quotas(3, 5));
  const std::vector<std::string> a = {"a"};
  const std::vector<std::string> b = {"b"};
  const std::vector<std::string> c = {"c"};
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kSend, kStart, true, a), 3);
  // Group b has its own 3, but the queue as a whole has 5: 2 are left.
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kSend, kStart, true, b), 2);
  EXPECT_FALSE(throughput.Admit("q1", FifoAction::kSend, true, c, kStart));
  // Calls that name no group (receives) draw on the queue bucket only.
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kReceive, kStart, true), 5);
}

TEST(FifoThroughputTest, RefusedCallTakesNothing) {
  FifoThroughput throughput(Quotas(2, 100));
  const std::vector<std::string> a = {"a"};
  const std::vector<std::string> a_and_b = {"a", "b"};
  const std::vector<std::string> b = {"b"};
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kSend, kStart, true, a), 2);
  // A batch over groups a (spent) and b is refused as a whole...
  EXPECT_FALSE(throughput.Admit("q1", FifoAction::kSend, true, a_and_b, kStart));
  // ...and b still has both of its tokens.
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kSend, kStart, true, b), 2);
}

TEST(FifoThroughputTest, GroupNamedTwiceInOneBatchCountsOnce) {
  FifoThroughput throughput(Quotas(2, 100));
  const std::vector<std::string> batch = {"a", "a", "a"};
  EXPECT_TRUE(throughput.Admit("q1", FifoAction::kSend, true, batch, kStart));
  EXPECT_TRUE(throughput.Admit("q1", FifoAction::kSend, true, batch, kStart));
  EXPECT_FALSE(throughput.Admit("q1", FifoAction::kSend, true, batch, kStart));
}

TEST(FifoThroughputTest, ClockGoingBackwardsRefillsNothing) {
  FifoThroughput throughput(Quotas(2));
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kSend, kStart), 2);
  EXPECT_FALSE(throughput.Admit("q1", FifoAction::kSend, false, {}, kStart - 5'000));
  // Time then counts from the latest instant seen, not from the earlier one.
  EXPECT_FALSE(throughput.Admit("q1", FifoAction::kSend, false, {}, kStart + 100));
  EXPECT_TRUE(throughput.Admit("q1", FifoAction::kSend, false, {}, kStart + 500));
}

TEST(FifoThroughputTest, IdleBucketsAreDroppedOnceTheMapGrows) {
  FifoThroughput throughput(Quotas(300, 1'000'000));
  for (int i = 0; i < 5000; ++i) {
    const std::vector<std::string> group = {"group-" + std::to_string(i)};
    ASSERT_TRUE(throughput.Admit("q1", FifoAction::kSend, true, group, kStart));
  }
  EXPECT_EQ(throughput.bucket_count(), 5001u);  // 5000 groups and the queue
  // A second later every one of them is full again: the next call sweeps
  // them and keeps only its own.
  const std::vector<std::string> next = {"next"};
  ASSERT_TRUE(throughput.Admit("q1", FifoAction::kSend, true, next, kStart + 1000));
  EXPECT_EQ(throughput.bucket_count(), 2u);
  // A group that was dropped starts full, as if it had been kept.
  const std::vector<std::string> first = {"group-0"};
  EXPECT_EQ(AdmittedAtOnce(throughput, "q1", FifoAction::kSend, kStart + 1000, true, first), 300);
}

// ---- Engine::AdmitFifoCall ---------------------------------------------------

class QueueFifoThroughputTest : public QueueFifoTest {
 protected:
  void UseQuotas(FifoQuotas quotas) {
    EngineOptions options;
    options.fifo_quotas = quotas;
    engine_ = std::make_unique<Engine>(db_, clock_, options);
  }

  Status Admit(FifoAction action, const std::string& queue, std::vector<std::string> groups = {}) {
    return Tx([&](Engine& e) { return e.AdmitFifoCall(action, "SendMessage", queue, groups); });
  }

  // Calls admitted at the current instant before the first refusal.
  int AdmittedNow(FifoAction action, const std::string& queue, std::vector<std::string> groups = {}) {
    int admitted = 0;
    while (admitted < 1000 && Admit(action, queue, groups).ok()) ++admitted;
    return admitted;
  }
};

TEST_F(QueueFifoThroughputTest, FifoQueueIsThrottledWithAClearError) {
  UseQuotas(Quotas(4));
  CreateFifo("orders.fifo");
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "orders.fifo"), 4);
  Status refused = Admit(FifoAction::kSend, "orders.fifo");
  EXPECT_EQ(refused.code(), Code::kThrottled);
  EXPECT_NE(refused.message().find("Rate exceeded"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("orders.fifo"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("4 transactions per second"), std::string::npos)
      << refused.message();
  // Receives have their own quota; a quarter second refills one send.
  EXPECT_EQ(AdmittedNow(FifoAction::kReceive, "orders.fifo"), 4);
  clock_.Advance(250);
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "orders.fifo"), 1);
}

TEST_F(QueueFifoThroughputTest, StandardAndUnknownQueuesAreNeverThrottled) {
  UseQuotas(Quotas(1));
  CreateQueue("orders");
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "orders"), 1000);
  // The call itself reports QueueDoesNotExist.
  EXPECT_TRUE(Admit(FifoAction::kSend, "missing.fifo").ok());
}

TEST_F(QueueFifoThroughputTest, QuotasOffAdmitEverything) {
  FifoQuotas quotas = Quotas(1);
  quotas.enforce = false;
  UseQuotas(quotas);
  CreateFifo("orders.fifo");
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "orders.fifo"), 1000);
}

TEST_F(QueueFifoThroughputTest, ANewQueueNeverInheritsASpentQuota) {
  UseQuotas(Quotas(3));
  CreateFifo("old.fifo");
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "old.fifo"), 3);
  auto deleted = Tx([&](Engine& e) { return e.DeleteQueue({"old.fifo"}); });
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  Exec("DELETE FROM queues");  // as the purge of its messages does: the id can be reused
  CreateFifo("new.fifo");
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "new.fifo"), 3);
}

TEST_F(QueueFifoThroughputTest, PerMessageGroupIdChargesEachGroup) {
  UseQuotas(Quotas(2, 5));
  CreateFifo("ht.fifo", {{"FifoThroughputLimit", "perMessageGroupId"},
                         {"DeduplicationScope", "messageGroup"}});
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "ht.fifo", {"a"}), 2);
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "ht.fifo", {"b"}), 2);
  Status refused = Admit(FifoAction::kSend, "ht.fifo", {"c"});  // the queue has 1 left...
  EXPECT_TRUE(refused.ok());
  refused = Admit(FifoAction::kSend, "ht.fifo", {"d"});  // ...and now none
  EXPECT_EQ(refused.code(), Code::kThrottled);
  EXPECT_NE(refused.message().find("per message group"), std::string::npos) << refused.message();
}

TEST_F(QueueFifoThroughputTest, ChangingFifoThroughputLimitChangesTheQuota) {
  UseQuotas(Quotas(2, 50));
  CreateFifo("q.fifo", {{"DeduplicationScope", "messageGroup"}});
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "q.fifo", {"a"}), 2);  // perQueue: 2 in all
  auto changed = Tx([&](Engine& e) {
    return e.SetQueueAttributes({"q.fifo", {{"FifoThroughputLimit", "perMessageGroupId"}}});
  });
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  // Now each group has 2 and the queue 50 (its bucket refills from here).
  clock_.Advance(1000);
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "q.fifo", {"b"}), 2);
  EXPECT_EQ(AdmittedNow(FifoAction::kSend, "q.fifo", {"c"}), 2);
}

}  // namespace
}  // namespace sluice::queue::testing
