// FIFO dead-letter queues: the head moves after maxReceiveCount and its group
// moves on; what the moved message keeps and loses; redrive back to the FIFO
// source; and the plans of the FIFO hot statements.
#include <sqlite3.h>

#include "queue/hot_sql.h"
#include "queue_fifo_test_env.h"

namespace sluice::queue::testing {
namespace {

using Strings = std::vector<std::string>;

class QueueFifoDlqTest : public QueueFifoTest {
 protected:
  void SetUp() override {
    QueueFifoTest::SetUp();
    CreateFifo("dlq.fifo");
    CreateFifo("src.fifo", {{"VisibilityTimeout", "10"}, {"RedrivePolicy", Policy("dlq.fifo", 2)}});
  }

  Result<MoveTaskStep> Step(const std::string& handle, int n) {
    return Tx([&](Engine& e) { return e.RunMoveTaskStep(handle, n); });
  }

  std::string Plan(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &stmt, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db_);
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      plan += "\n";
    }
    sqlite3_finalize(stmt);
    return plan;
  }
};

TEST_F(QueueFifoDlqTest, TheHeadMovesAndItsGroupMovesOn) {
  SendOk("dlq.fifo", "direct", "sent-to-the-DLQ-itself");  // the DLQ's sequence number 1
  auto poison = SendOk("src.fifo", "g", "poison");
  SendOk("src.fifo", "g", "next");
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(Bodies(ReceiveOk("src.fifo", 1)), Strings{"poison"}) << i;
    clock_.Advance(10 * kSecond);
  }
  clock_.Advance(kMinute);
  // The third receive moves the head to the DLQ and delivers the next one.
  auto received = ReceiveFifo("src.fifo", 1);
  ASSERT_TRUE(received.ok());
  EXPECT_EQ(Bodies(received->messages), Strings{"next"});
  EXPECT_EQ(received->moved_to_dead_letter_queue, "dlq.fifo");

  auto all_dead = ReceiveOk("dlq.fifo", 10);
  ASSERT_EQ(all_dead.size(), 2u);
  std::vector<ReceivedMessage> dead(all_dead.begin() + 1, all_dead.end());
  EXPECT_EQ(dead[0].body, "poison");
  EXPECT_EQ(dead[0].message_id, poison.message_id);
  EXPECT_EQ(Attr(dead[0], "MessageGroupId"), "g");
  // SQS: the deduplication id becomes the message id, the enqueue time
  // restarts, and the DLQ numbers it.
  EXPECT_EQ(Attr(dead[0], "MessageDeduplicationId"), poison.message_id);
  EXPECT_EQ(Attr(dead[0], "SentTimestamp"), std::to_string(clock_.NowMillis()));
  EXPECT_EQ(poison.sequence_number, "10000000000000000001");
  EXPECT_EQ(Attr(dead[0], "SequenceNumber"), "10000000000000000002");
  EXPECT_EQ(Attr(dead[0], "DeadLetterQueueSourceArn"), Arn("src.fifo"));
  EXPECT_EQ(Attr(dead[0], "ApproximateReceiveCount"), "3");
}

TEST_F(QueueFifoDlqTest, MovedMessagesKeepTheirOrderInTheDlq) {
  for (const char* body : {"p1", "p2", "p3"}) SendOk("src.fifo", "g", body);
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(ReceiveOk("src.fifo", 10).size(), 3u);
    clock_.Advance(10 * kSecond);
  }
  EXPECT_TRUE(ReceiveOk("src.fifo", 10).empty());  // all three moved, in order
  EXPECT_EQ(Bodies(ReceiveOk("dlq.fifo", 10)), (Strings{"p1", "p2", "p3"}));
}

TEST_F(QueueFifoDlqTest, RedriveBackToTheFifoSource) {
  SendOk("src.fifo", "g", "d1");
  SendOk("src.fifo", "h", "d2");
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(ReceiveOk("src.fifo", 10).size(), 2u);
    clock_.Advance(10 * kSecond);
  }
  EXPECT_TRUE(ReceiveOk("src.fifo", 10).empty());
  EXPECT_EQ(Attribute("dlq.fifo", "ApproximateNumberOfMessages"), "2");
  // Meanwhile new messages arrive in group g; the same dedup ids are still
  // within their window in the source and must not drop the redriven ones.
  SendOk("src.fifo", "g", "fresh");

  auto task = Tx([&](Engine& e) {
    return e.StartMessageMoveTask({Arn("dlq.fifo"), "", std::nullopt});
  });
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  auto step = Step(task->task_handle, 10);
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  EXPECT_EQ(step->moved, 2);
  EXPECT_TRUE(step->finished);
  EXPECT_EQ(step->woken_queues, Strings{"src.fifo"});
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_groups WHERE queue_id = "
                     "(SELECT id FROM queues WHERE name = 'dlq.fifo')"),
            0);

  auto back = ReceiveOk("src.fifo", 10);
  // Group g: "fresh" arrived before the redriven "d1" (ordered by arrival).
  EXPECT_EQ(Bodies(back), (Strings{"fresh", "d1", "d2"}));
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(Attr(back[1], "MessageGroupId"), "g");
  EXPECT_EQ(Attr(back[2], "MessageGroupId"), "h");
  EXPECT_EQ(Attr(back[1], "ApproximateReceiveCount"), "1");
  EXPECT_GT(Attr(back[1], "SequenceNumber"), Attr(back[0], "SequenceNumber"));
  EXPECT_EQ(Attr(back[1], "MessageDeduplicationId").size(), 36u);  // the old message id
  EXPECT_NE(back[1].message_id, Attr(back[1], "MessageDeduplicationId"));  // a new MessageId
}

TEST_F(QueueFifoDlqTest, MoveTasksKeepQueueTypesApart) {
  CreateQueue("standard");
  auto mixed = Tx([&](Engine& e) {
    return e.StartMessageMoveTask({Arn("dlq.fifo"), Arn("standard"), std::nullopt});
  });
  EXPECT_EQ(mixed.status().code(), Code::kInvalidParameterValue);
  CreateFifo("elsewhere.fifo");
  EXPECT_TRUE(Tx([&](Engine& e) {
                return e.StartMessageMoveTask({Arn("dlq.fifo"), Arn("elsewhere.fifo"), std::nullopt});
              }).ok());
}

TEST_F(QueueFifoDlqTest, HotFifoStatementsSearchIndexes) {
  for (int g = 0; g < 30; ++g) {
    for (int i = 0; i < 3; ++i) SendOk("src.fifo", "g" + std::to_string(g), std::to_string(g * 10 + i));
  }
  Exec("ANALYZE");
  std::string groups = Plan(kSelectAvailableGroups);
  EXPECT_NE(groups.find("USING INDEX fifo_groups_by_availability (queue_id=?"),
            std::string::npos)
      << groups;
  EXPECT_EQ(groups.find("TEMP B-TREE"), std::string::npos) << groups;
  std::string window = Plan(kSelectGroupWindow);
  EXPECT_NE(window.find("USING INDEX messages_by_group (queue_id=? AND message_group_id=?)"),
            std::string::npos)
      << window;
  EXPECT_EQ(window.find("TEMP B-TREE"), std::string::npos) << window;
  std::string dedup = Plan(kSelectDuplicate);
  EXPECT_NE(dedup.find("USING PRIMARY KEY"), std::string::npos) << dedup;
  for (const std::string* plan : {&groups, &window, &dedup}) {
    EXPECT_EQ(plan->find("SCAN"), std::string::npos) << *plan;
  }
}

}  // namespace
}  // namespace sluice::queue::testing
