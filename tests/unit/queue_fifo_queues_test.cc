// FIFO queues: CreateQueue/SetQueueAttributes rules for the type and the
// FIFO attributes, and the dead-letter type rule.
#include "queue_fifo_test_env.h"

namespace sluice::queue::testing {
namespace {

class QueueFifoQueuesTest : public QueueFifoTest {
 protected:
  Result<CreateQueueResult> Create(const std::string& name, AttributeMap attributes = {}) {
    return Tx([&](Engine& e) { return e.CreateQueue({name, attributes, {}}); });
  }
  Status Set(const std::string& name, AttributeMap attributes) {
    return Tx([&](Engine& e) { return e.SetQueueAttributes({name, attributes}); }).status();
  }
};

TEST_F(QueueFifoQueuesTest, NameAndFifoQueueMustAgree) {
  auto fifo_name = Create("orders.fifo");
  ASSERT_FALSE(fifo_name.ok());
  EXPECT_EQ(fifo_name.status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(fifo_name.status().message(),
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  EXPECT_EQ(Create("orders.fifo", {{"FifoQueue", "false"}}).status().code(),
            Code::kInvalidParameterValue);
  auto no_suffix = Create("orders", {{"FifoQueue", "true"}});
  ASSERT_FALSE(no_suffix.ok());
  EXPECT_EQ(no_suffix.status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(no_suffix.status().message(),
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
            "underscores, must end with .fifo suffix and be 1 to 80 in length");
  EXPECT_EQ(Create("orders", {{"FifoQueue", "yes"}}).status().code(),
            Code::kInvalidAttributeValue);
  // The suffix counts towards the 80 characters.
  EXPECT_TRUE(Create(std::string(75, 'a') + ".fifo", {{"FifoQueue", "true"}}).ok());
  EXPECT_EQ(Create(std::string(76, 'a') + ".fifo", {{"FifoQueue", "true"}}).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(Create(".fifo", {{"FifoQueue", "true"}}).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(Create("a.b.fifo", {{"FifoQueue", "true"}}).status().code(),
            Code::kInvalidParameterValue);
  auto created = Create("orders.fifo", {{"FifoQueue", "TRUE"}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->created);
  // Re-creating with the same attributes returns it.
  auto again = Create("orders.fifo", {{"FifoQueue", "true"}});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
}

TEST_F(QueueFifoQueuesTest, FifoAttributesHaveDefaultsAndAreReturned) {
  CreateFifo("q.fifo");
  EXPECT_EQ(Attribute("q.fifo", "FifoQueue"), "true");
  EXPECT_EQ(Attribute("q.fifo", "ContentBasedDeduplication"), "false");
  EXPECT_EQ(Attribute("q.fifo", "DeduplicationScope"), "queue");
  EXPECT_EQ(Attribute("q.fifo", "FifoThroughputLimit"), "perQueue");
  CreateFifo("h.fifo", {{"ContentBasedDeduplication", "True"},
                        {"DeduplicationScope", "messageGroup"},
                        {"FifoThroughputLimit", "perMessageGroupId"}});
  EXPECT_EQ(Attribute("h.fifo", "ContentBasedDeduplication"), "true");
  EXPECT_EQ(Attribute("h.fifo", "DeduplicationScope"), "messageGroup");
  EXPECT_EQ(Attribute("h.fifo", "FifoThroughputLimit"), "perMessageGroupId");
  auto all = Tx([&](Engine& e) { return e.GetQueueAttributes({"h.fifo", {"All"}}); });
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->attributes.count("FifoQueue"), 1u);
  EXPECT_EQ(all->attributes.count("DeduplicationScope"), 1u);
}

TEST_F(QueueFifoQueuesTest, FifoAttributeValuesAreChecked) {
  EXPECT_EQ(Create("a.fifo", {{"FifoQueue", "true"}, {"DeduplicationScope", "group"}})
                .status()
                .code(),
            Code::kInvalidAttributeValue);
  EXPECT_EQ(Create("a.fifo", {{"FifoQueue", "true"}, {"FifoThroughputLimit", "fast"}})
                .status()
                .code(),
            Code::kInvalidAttributeValue);
  EXPECT_EQ(Create("a.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "1"}})
                .status()
                .code(),
            Code::kInvalidAttributeValue);
  // perMessageGroupId needs DeduplicationScope=messageGroup, on create ...
  auto combination =
      Create("a.fifo", {{"FifoQueue", "true"}, {"FifoThroughputLimit", "perMessageGroupId"}});
  ASSERT_FALSE(combination.ok());
  EXPECT_EQ(combination.status().code(), Code::kInvalidAttributeValue);
  EXPECT_NE(combination.status().message().find("perMessageGroupId"), std::string::npos);
  // ... and on the merged attributes of a set.
  CreateFifo("b.fifo", {{"DeduplicationScope", "messageGroup"},
                        {"FifoThroughputLimit", "perMessageGroupId"}});
  EXPECT_EQ(Set("b.fifo", {{"DeduplicationScope", "queue"}}).code(), Code::kInvalidAttributeValue);
  EXPECT_EQ(Attribute("b.fifo", "DeduplicationScope"), "messageGroup");
  EXPECT_TRUE(Set("b.fifo", {{"FifoThroughputLimit", "perQueue"}}).ok());
  EXPECT_TRUE(Set("b.fifo", {{"DeduplicationScope", "queue"}, {"ContentBasedDeduplication", "true"}})
                  .ok());
  EXPECT_EQ(Attribute("b.fifo", "ContentBasedDeduplication"), "true");
}

TEST_F(QueueFifoQueuesTest, FifoAttributesAreRefusedOnStandardQueues) {
  auto cbd = Create("s", {{"ContentBasedDeduplication", "true"}});
  EXPECT_EQ(cbd.status().code(), Code::kInvalidAttributeName);
  EXPECT_EQ(cbd.status().message(), "Unknown Attribute ContentBasedDeduplication.");
  auto scope = Create("s", {{"DeduplicationScope", "queue"}});
  EXPECT_EQ(scope.status().code(), Code::kInvalidAttributeName);
  EXPECT_EQ(scope.status().message(),
            "You can specify the DeduplicationScope only when FifoQueue is set to true.");
  EXPECT_EQ(Create("s", {{"FifoThroughputLimit", "perQueue"}}).status().code(),
            Code::kInvalidAttributeName);
  CreateQueue("s");
  EXPECT_EQ(Set("s", {{"ContentBasedDeduplication", "false"}}).code(),
            Code::kInvalidAttributeName);
  EXPECT_EQ(Attribute("s", "ContentBasedDeduplication"), "<absent>");
}

TEST_F(QueueFifoQueuesTest, FifoQueueCannotBeChanged) {
  CreateFifo("q.fifo");
  EXPECT_TRUE(Set("q.fifo", {{"FifoQueue", "true"}}).ok());  // restating is harmless
  Status changed = Set("q.fifo", {{"FifoQueue", "false"}});
  EXPECT_EQ(changed.code(), Code::kInvalidAttributeValue);
  EXPECT_NE(changed.message().find("Modifying queue type is not supported"), std::string::npos);
  EXPECT_EQ(Attribute("q.fifo", "FifoQueue"), "true");
  CreateQueue("s");
  EXPECT_EQ(Set("s", {{"FifoQueue", "true"}}).code(), Code::kInvalidAttributeName);
}

TEST_F(QueueFifoQueuesTest, DeadLetterQueueMustBeOfTheSameType) {
  CreateQueue("std-dlq");
  CreateFifo("dlq.fifo");
  auto fifo_to_standard =
      Create("src.fifo", {{"FifoQueue", "true"}, {"RedrivePolicy", Policy("std-dlq", 3)}});
  ASSERT_FALSE(fifo_to_standard.ok());
  EXPECT_EQ(fifo_to_standard.status().code(), Code::kInvalidParameterValue);
  EXPECT_NE(fifo_to_standard.status().message().find(
                "Dead-letter queue must be same type of queue as the source"),
            std::string::npos);
  EXPECT_EQ(Create("src", {{"RedrivePolicy", Policy("dlq.fifo", 3)}}).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_TRUE(
      Create("src.fifo", {{"FifoQueue", "true"}, {"RedrivePolicy", Policy("dlq.fifo", 3)}}).ok());
  EXPECT_EQ(Set("src.fifo", {{"RedrivePolicy", Policy("std-dlq", 3)}}).code(),
            Code::kInvalidParameterValue);
  CreateQueue("plain");
  EXPECT_EQ(Set("plain", {{"RedrivePolicy", Policy("dlq.fifo", 3)}}).code(),
            Code::kInvalidParameterValue);
}

TEST_F(QueueFifoQueuesTest, DeletingAQueueDropsItsFifoState) {
  CreateFifo("q.fifo");
  SendOk("q.fifo", "g", "a");
  ReceiveOk("q.fifo", 1);
  ASSERT_TRUE(Tx([&](Engine& e) { return e.DeleteQueue({"q.fifo"}); }).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_groups"), 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_deduplication"), 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM fifo_sequences"), 0);
  // A new queue of the same name starts afresh: the old dedup id is free.
  CreateFifo("q.fifo");
  SendOk("q.fifo", "g", "a");
  EXPECT_EQ(Bodies(ReceiveOk("q.fifo", 10)), std::vector<std::string>{"a"});
}

}  // namespace
}  // namespace sluice::queue::testing
