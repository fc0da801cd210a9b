// Dead-letter queues: the move after maxReceiveCount, what the moved message
// keeps, and message move tasks (redrive) back to the source or elsewhere.
#include "queue_test_env.h"

namespace sluice::queue::testing {
namespace {

class QueueDlqTest : public QueueEngineTest {
 protected:
  void SetUp() override {
    QueueEngineTest::SetUp();
    CreateQueue("dlq");
    CreateQueue("src", {{"VisibilityTimeout", "10"}, {"RedrivePolicy", Policy("dlq", 2)}});
  }

  std::string Policy(const std::string& target, int max_receive_count) {
    return "{\"deadLetterTargetArn\":\"" + Arn(target) +
           "\",\"maxReceiveCount\":" + std::to_string(max_receive_count) + "}";
  }

  // Receives `queue`'s message `times` times, letting each visibility lapse.
  void ReceiveAndLapse(const std::string& queue, int times) {
    for (int i = 0; i < times; ++i) {
      ASSERT_EQ(ReceiveOk(queue).size(), 1u) << "receive " << i;
      clock_.Advance(10 * kSecond);
    }
  }

  Result<StartMessageMoveTaskResult> Start(const std::string& source, std::string destination = "",
                                           std::optional<int> rate = std::nullopt) {
    return Tx([&](Engine& e) {
      return e.StartMessageMoveTask({Arn(source), destination.empty() ? "" : Arn(destination), rate});
    });
  }

  Result<ListMessageMoveTasksResult> ListTasks(const std::string& source, std::optional<int> max) {
    return Tx([&](Engine& e) { return e.ListMessageMoveTasks({Arn(source), max}); });
  }

  Result<MoveTaskStep> Step(const std::string& handle, int n) {
    return Tx([&](Engine& e) { return e.RunMoveTaskStep(handle, n); });
  }
};

TEST_F(QueueDlqTest, MovedAfterMaxReceiveCountKeepingTheMessage) {
  MessageAttributeMap attributes{{"kind", {"String", "order", ""}}};
  auto sent = Send("src", "poison", std::nullopt, attributes);
  ASSERT_TRUE(sent.ok());
  const int64_t sent_at = clock_.NowMillis();
  ReceiveAndLapse("src", 2);

  // The third receive finds it over the limit: moved, not delivered.
  EXPECT_TRUE(ReceiveOk("src").empty());
  EXPECT_EQ(Attribute("dlq", "ApproximateNumberOfMessages"), "1");

  auto dead = ReceiveOk("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_id, sent->message_id);
  EXPECT_EQ(dead[0].body, "poison");
  EXPECT_EQ(dead[0].md5_of_body, sent->md5_of_message_body);
  EXPECT_EQ(dead[0].md5_of_message_attributes, sent->md5_of_message_attributes);
  EXPECT_EQ(dead[0].message_attributes.at("kind").string_value, "order");
  EXPECT_EQ(dead[0].attributes.at("SentTimestamp"), std::to_string(sent_at));
  // The count travels with the message: two receives in the source, one here.
  EXPECT_EQ(dead[0].attributes.at("ApproximateReceiveCount"), "3");
  EXPECT_EQ(dead[0].attributes.at("DeadLetterQueueSourceArn"), Arn("src"));
}

TEST_F(QueueDlqTest, OtherMessagesAreStillDeliveredInTheSameReceive) {
  SendOk("src", "poison");
  ReceiveAndLapse("src", 2);
  SendOk("src", "fresh");
  auto received = ReceiveOk("src", 10);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, "fresh");
}

TEST_F(QueueDlqTest, DeletedTargetKeepsMessagesInTheSource) {
  SendOk("src", "poison");
  ReceiveAndLapse("src", 2);
  ASSERT_TRUE(Tx([&](Engine& e) { return e.DeleteQueue({"dlq"}); }).ok());
  auto received = ReceiveOk("src");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].attributes.at("ApproximateReceiveCount"), "3");
}

TEST_F(QueueDlqTest, MoveTaskBackToTheSource) {
  for (int i = 0; i < 3; ++i) SendOk("src", "m" + std::to_string(i));
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(ReceiveOk("src", 10).size(), 3u);
    clock_.Advance(10 * kSecond);
  }
  EXPECT_TRUE(ReceiveOk("src", 10).empty());  // all three dead-lettered
  EXPECT_EQ(Attribute("dlq", "ApproximateNumberOfMessages"), "3");

  clock_.Advance(kSecond);
  auto started = Start("dlq", "", 50);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  const std::string handle = started->task_handle;
  auto rate = Tx([&](Engine& e) { return e.MoveTaskRate(handle); });
  ASSERT_TRUE(rate.ok());
  EXPECT_EQ(*rate, std::optional<int>(50));
  auto active = Tx([&](Engine& e) { return e.ActiveMoveTasks(); });
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(*active, std::vector<std::string>{handle});

  auto listed = ListTasks("dlq", std::nullopt);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->results.size(), 1u);
  EXPECT_EQ(listed->results[0].status, "RUNNING");
  EXPECT_EQ(listed->results[0].task_handle, handle);
  EXPECT_EQ(listed->results[0].approximate_number_of_messages_to_move, 3);
  EXPECT_EQ(listed->results[0].max_number_of_messages_per_second, std::optional<int>(50));
  EXPECT_EQ(listed->results[0].started_timestamp, clock_.NowMillis());

  // Only one active task per source.
  EXPECT_EQ(Start("dlq").status().code(), Code::kInvalidParameterValue);

  auto first = Step(handle, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->moved, 2);
  EXPECT_FALSE(first->finished);
  EXPECT_EQ(first->woken_queues, std::vector<std::string>{"src"});
  auto second = Step(handle, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->moved, 1);
  EXPECT_TRUE(second->finished);

  listed = ListTasks("dlq", std::nullopt);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->results[0].status, "COMPLETED");
  EXPECT_EQ(listed->results[0].task_handle, "");  // only RUNNING tasks show it
  EXPECT_EQ(listed->results[0].approximate_number_of_messages_moved, 3);

  // Back in the source, visible, with fresh receive counts.
  EXPECT_EQ(Attribute("dlq", "ApproximateNumberOfMessages"), "0");
  auto back = ReceiveOk("src", 10);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].attributes.at("ApproximateReceiveCount"), "1");
  EXPECT_EQ(back[0].attributes.count("DeadLetterQueueSourceArn"), 0u);
}

TEST_F(QueueDlqTest, MoveTaskToADestinationOnlyMovesWhatWasThere) {
  CreateQueue("elsewhere");
  SendOk("src", "old");
  ReceiveAndLapse("src", 2);
  EXPECT_TRUE(ReceiveOk("src").empty());
  auto started = Start("dlq", "elsewhere");
  ASSERT_TRUE(started.ok());
  // Dead-lettered after the start: a later message, not part of this task.
  SendOk("src", "new");
  ReceiveAndLapse("src", 2);
  EXPECT_TRUE(ReceiveOk("src").empty());
  auto step = Step(started->task_handle, 10);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->moved, 1);
  EXPECT_TRUE(step->finished);
  EXPECT_EQ(step->woken_queues, std::vector<std::string>{"elsewhere"});
  auto moved = ReceiveOk("elsewhere");
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].body, "old");
  EXPECT_EQ(Attribute("dlq", "ApproximateNumberOfMessages"), "1");
}

TEST_F(QueueDlqTest, CancelMoveTask) {
  for (int i = 0; i < 3; ++i) SendOk("src", "m");
  for (int round = 0; round < 3; ++round) {
    ReceiveOk("src", 10);
    clock_.Advance(10 * kSecond);
  }
  auto started = Start("dlq");
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(Step(started->task_handle, 1).ok());
  auto cancelled = Tx([&](Engine& e) { return e.CancelMessageMoveTask({started->task_handle}); });
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->approximate_number_of_messages_moved, 1);
  auto listed = ListTasks("dlq", 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->results[0].status, "CANCELLING");
  // Cancelling again: only RUNNING tasks can be cancelled.
  EXPECT_EQ(Tx([&](Engine& e) { return e.CancelMessageMoveTask({started->task_handle}); })
                .status()
                .code(),
            Code::kInvalidParameterValue);
  auto step = Step(started->task_handle, 10);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->moved, 0);
  EXPECT_TRUE(step->finished);
  listed = ListTasks("dlq", 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->results[0].status, "CANCELLED");
  EXPECT_EQ(Attribute("dlq", "ApproximateNumberOfMessages"), "2");
  EXPECT_EQ(Tx([&](Engine& e) { return e.CancelMessageMoveTask({"nope"}); }).status().code(),
            Code::kResourceNotFound);

  // A new task may start now; the list shows the most recent first.
  clock_.Advance(kSecond);
  auto again = Start("dlq");
  ASSERT_TRUE(again.ok());
  listed = ListTasks("dlq", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->results.size(), 2u);
  EXPECT_EQ(listed->results[0].status, "RUNNING");
  EXPECT_EQ(listed->results[1].status, "CANCELLED");
  auto latest = ListTasks("dlq", std::nullopt);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->results.size(), 1u);
}

TEST_F(QueueDlqTest, MoveTaskFailsWhenTheSourceQueueIsGone) {
  SendOk("src", "m");
  ReceiveAndLapse("src", 2);
  EXPECT_TRUE(ReceiveOk("src").empty());
  auto started = Start("dlq");
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(Tx([&](Engine& e) { return e.DeleteQueue({"src"}); }).ok());
  auto step = Step(started->task_handle, 10);
  ASSERT_TRUE(step.ok());
  EXPECT_TRUE(step->finished);
  EXPECT_EQ(step->moved, 0);
  auto listed = ListTasks("dlq", 1);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->results[0].status, "FAILED");
  EXPECT_FALSE(listed->results[0].failure_reason.empty());
  EXPECT_EQ(Attribute("dlq", "ApproximateNumberOfMessages"), "1");
}

TEST_F(QueueDlqTest, StartMessageMoveTaskValidation) {
  EXPECT_EQ(Start("nope").status().code(), Code::kResourceNotFound);
  EXPECT_EQ(Start("src").status().code(), Code::kInvalidParameterValue);  // not a DLQ
  EXPECT_EQ(Start("dlq", "nope").status().code(), Code::kResourceNotFound);
  EXPECT_EQ(Start("dlq", "dlq").status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(Start("dlq", "", 0).status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(Start("dlq", "", 501).status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(Tx([&](Engine& e) { return e.StartMessageMoveTask({"not-an-arn", "", {}}); })
                .status()
                .code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(ListTasks("nope", 1).status().code(), Code::kResourceNotFound);
  EXPECT_EQ(ListTasks("dlq", 11).status().code(), Code::kInvalidParameterValue);
  // An empty DLQ: the task completes at its first step.
  auto started = Start("dlq");
  ASSERT_TRUE(started.ok());
  auto step = Step(started->task_handle, 10);
  ASSERT_TRUE(step.ok());
  EXPECT_TRUE(step->finished);
}

}  // namespace
}  // namespace sluice::queue::testing
