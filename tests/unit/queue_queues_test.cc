// Queues: names, attributes (defaults, validation, idempotent create),
// listing and pagination, delete, purge, tags and permissions.
#include "queue_test_env.h"

namespace sluice::queue::testing {
namespace {

class QueueQueuesTest : public QueueEngineTest {
 protected:
  Result<CreateQueueResult> Create(const std::string& name, AttributeMap attributes = {},
                                   TagMap tags = {}) {
    return Tx([&](Engine& e) { return e.CreateQueue({name, attributes, tags}); });
  }
  Status Set(const std::string& name, AttributeMap attributes) {
    return Tx([&](Engine& e) { return e.SetQueueAttributes({name, attributes}); }).status();
  }
  Result<ListQueuesResult> List(std::string prefix, std::optional<int> max, std::string token) {
    return Tx([&](Engine& e) { return e.ListQueues({prefix, max, token}); });
  }
  std::string RedrivePolicy(const std::string& target, int max_receive_count) {
    return "{\"deadLetterTargetArn\":\"" + Arn(target) +
           "\",\"maxReceiveCount\":" + std::to_string(max_receive_count) + "}";
  }
};

TEST_F(QueueQueuesTest, QueueNames) {
  EXPECT_TRUE(Create("Good_name-1").ok());
  EXPECT_TRUE(Create(std::string(80, 'a')).ok());
  EXPECT_EQ(Create(std::string(81, 'a')).status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(Create("").status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(Create("has space").status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(Create("dotted.name").status().code(), Code::kInvalidParameterValue);
  // FIFO names and the FifoQueue attribute must agree (queue_fifo_queues_test.cc).
  EXPECT_EQ(Create("orders.fifo").status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(Create("orders", {{"FifoQueue", "true"}}).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_TRUE(Create("orders", {{"FifoQueue", "false"}}).ok());
}

TEST_F(QueueQueuesTest, DefaultsAndAllAttributes) {
  clock_.Set(1'700'000'000'123);
  CreateQueue("q");
  auto result = Tx([&](Engine& e) { return e.GetQueueAttributes({"q", {"All"}}); });
  ASSERT_TRUE(result.ok());
  AttributeMap expected = {
      {"ApproximateNumberOfMessages", "0"},
      {"ApproximateNumberOfMessagesDelayed", "0"},
      {"ApproximateNumberOfMessagesNotVisible", "0"},
      {"CreatedTimestamp", "1700000000"},
      {"DelaySeconds", "0"},
      {"LastModifiedTimestamp", "1700000000"},
      {"MaximumMessageSize", "1048576"},
      {"MessageRetentionPeriod", "345600"},
      {"QueueArn", "arn:aws:sqs:us-east-1:000000000000:q"},
      {"ReceiveMessageWaitTimeSeconds", "0"},
      {"SqsManagedSseEnabled", "true"},
      {"VisibilityTimeout", "30"},
  };
  EXPECT_EQ(result->attributes, expected);
  auto none = Tx([&](Engine& e) { return e.GetQueueAttributes({"q", {}}); });
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->attributes.empty());
  EXPECT_EQ(Tx([&](Engine& e) { return e.GetQueueAttributes({"q", {"Bogus"}}); }).status().code(),
            Code::kInvalidAttributeName);
  EXPECT_EQ(Attribute("q", "FifoQueue"), "<absent>");  // a known name; standard queues lack it
}

TEST_F(QueueQueuesTest, AttributeValidation) {
  struct Case {
    std::string name, value;
    Code code;
  };
  std::vector<Case> cases = {
      {"DelaySeconds", "900", Code::kOk},
      {"DelaySeconds", "901", Code::kInvalidAttributeValue},
      {"DelaySeconds", "abc", Code::kInvalidAttributeValue},
      {"MaximumMessageSize", "1023", Code::kInvalidAttributeValue},
      {"MaximumMessageSize", "1048577", Code::kInvalidAttributeValue},
      {"MaximumMessageSize", "1024", Code::kOk},
      {"MessageRetentionPeriod", "59", Code::kInvalidAttributeValue},
      {"MessageRetentionPeriod", "1209601", Code::kInvalidAttributeValue},
      {"ReceiveMessageWaitTimeSeconds", "21", Code::kInvalidAttributeValue},
      {"VisibilityTimeout", "43201", Code::kInvalidAttributeValue},
      {"VisibilityTimeout", "-1", Code::kInvalidAttributeValue},
      {"KmsDataKeyReusePeriodSeconds", "59", Code::kInvalidAttributeValue},
      {"KmsDataKeyReusePeriodSeconds", "86400", Code::kOk},
      {"SqsManagedSseEnabled", "maybe", Code::kInvalidAttributeValue},
      {"SqsManagedSseEnabled", "FALSE", Code::kOk},
      {"Policy", "not json", Code::kInvalidAttributeValue},
      {"Policy", "{\"Version\":\"2012-10-17\",\"Statement\":[]}", Code::kOk},
      {"QueueArn", "x", Code::kInvalidAttributeName},
      {"ContentBasedDeduplication", "true", Code::kInvalidAttributeName},
      {"Bogus", "1", Code::kInvalidAttributeName},
      {"RedrivePolicy", "{", Code::kInvalidParameterValue},
      {"RedriveAllowPolicy", "{\"redrivePermission\":\"sometimes\"}", Code::kInvalidParameterValue},
      {"RedriveAllowPolicy", "{\"redrivePermission\":\"byQueue\"}", Code::kInvalidParameterValue},
      {"RedriveAllowPolicy", "{\"redrivePermission\":\"denyAll\"}", Code::kOk},
  };
  int n = 0;
  for (const Case& c : cases) {
    std::string name = "q" + std::to_string(n++);
    Status status = Create(name, {{c.name, c.value}}).status();
    EXPECT_EQ(status.code(), c.code) << c.name << "=" << c.value << ": " << status.ToString();
    if (c.code == Code::kInvalidAttributeValue) {
      EXPECT_NE(status.message().find(c.name), std::string::npos) << status.message();
    }
  }
  EXPECT_EQ(QueryInt("SELECT count(*) FROM queues"), 6);
}

TEST_F(QueueQueuesTest, CreateIsIdempotentForTheSameAttributes) {
  auto first = Create("q", {{"VisibilityTimeout", "60"}, {"DelaySeconds", "5"}});
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->created);
  auto same = Create("q", {{"VisibilityTimeout", "060"}});
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->created);
  auto by_name = Create("q");
  ASSERT_TRUE(by_name.ok());
  EXPECT_FALSE(by_name->created);
  auto different = Create("q", {{"VisibilityTimeout", "61"}});
  EXPECT_EQ(different.status().code(), Code::kQueueNameExists);
  EXPECT_NE(different.status().message().find("VisibilityTimeout"), std::string::npos);
  EXPECT_EQ(Create("q", {{"Policy", "{}"}}).status().code(), Code::kQueueNameExists);
}

TEST_F(QueueQueuesTest, SetValidatesAndBumpsLastModified) {
  CreateQueue("q");
  clock_.Advance(5000 * kSecond);
  EXPECT_TRUE(Set("q", {{"VisibilityTimeout", "45"}, {"DelaySeconds", "3"}}).ok());
  EXPECT_EQ(Attribute("q", "VisibilityTimeout"), "45");
  EXPECT_EQ(Attribute("q", "DelaySeconds"), "3");
  EXPECT_EQ(Attribute("q", "LastModifiedTimestamp"), std::to_string(clock_.NowMillis() / 1000));
  EXPECT_NE(Attribute("q", "CreatedTimestamp"), Attribute("q", "LastModifiedTimestamp"));
  // Invalid: nothing changes, including the other attributes of the request.
  EXPECT_EQ(Set("q", {{"VisibilityTimeout", "50"}, {"DelaySeconds", "1000"}}).code(),
            Code::kInvalidAttributeValue);
  EXPECT_EQ(Attribute("q", "VisibilityTimeout"), "45");
  EXPECT_EQ(Set("q", {{"FifoQueue", "true"}}).code(), Code::kInvalidAttributeName);
  // The new setting applies to the next send at once (the cache was refreshed).
  SendOk("q", "x");
  EXPECT_EQ(Attribute("q", "ApproximateNumberOfMessagesDelayed"), "1");
  EXPECT_EQ(Set("missing", {{"DelaySeconds", "1"}}).code(), Code::kQueueDoesNotExist);
}

TEST_F(QueueQueuesTest, RedrivePolicyNeedsAnExistingTarget) {
  CreateQueue("dlq");
  std::string missing = RedrivePolicy("nope", 3);
  Status status = Create("src", {{"RedrivePolicy", missing}}).status();
  EXPECT_EQ(status.code(), Code::kInvalidParameterValue);
  EXPECT_NE(status.message().find("Dead letter target does not exist"), std::string::npos);
  EXPECT_EQ(Create("src", {{"RedrivePolicy", RedrivePolicy("dlq", 0)}}).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(Create("src", {{"RedrivePolicy", RedrivePolicy("dlq", 1001)}}).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(Create("src", {{"RedrivePolicy", "{\"maxReceiveCount\":3}"}}).status().code(),
            Code::kInvalidParameterValue);
  Status no_count =
      Create("src", {{"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + Arn("dlq") + "\"}"}}).status();
  EXPECT_EQ(no_count.code(), Code::kInvalidParameterValue);
  EXPECT_NE(no_count.message().find("mandatory attribute: maxReceiveCount"), std::string::npos);
  // maxReceiveCount as a string is accepted and returned as a number.
  std::string as_string =
      "{\"maxReceiveCount\":\"4\", \"deadLetterTargetArn\":\"" + Arn("dlq") + "\"}";
  ASSERT_TRUE(Create("src", {{"RedrivePolicy", as_string}}).ok());
  EXPECT_EQ(Attribute("src", "RedrivePolicy"), RedrivePolicy("dlq", 4));
  // Removing it.
  EXPECT_TRUE(Set("src", {{"RedrivePolicy", ""}}).ok());
  EXPECT_EQ(Attribute("src", "RedrivePolicy"), "<absent>");
}

TEST_F(QueueQueuesTest, RedriveAllowPolicyLimitsSources) {
  CreateQueue("closed", {{"RedriveAllowPolicy", "{\"redrivePermission\":\"denyAll\"}"}});
  CreateQueue("picky", {{"RedriveAllowPolicy", "{\"redrivePermission\":\"byQueue\","
                                               "\"sourceQueueArns\":[\"" + Arn("friend") + "\"]}"}});
  EXPECT_EQ(Create("a", {{"RedrivePolicy", RedrivePolicy("closed", 3)}}).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(Create("stranger", {{"RedrivePolicy", RedrivePolicy("picky", 3)}}).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_TRUE(Create("friend", {{"RedrivePolicy", RedrivePolicy("picky", 3)}}).ok());
}

TEST_F(QueueQueuesTest, ListQueuesSortedWithPrefixAndPages) {
  for (const char* name : {"beta", "alpha", "alpine", "gamma", "al"}) CreateQueue(name);
  auto all = List("", std::nullopt, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->queue_names, (std::vector<std::string>{"al", "alpha", "alpine", "beta", "gamma"}));
  EXPECT_EQ(all->next_token, "");
  auto prefixed = List("alp", std::nullopt, "");
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ(prefixed->queue_names, (std::vector<std::string>{"alpha", "alpine"}));

  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = List("", 2, token);
    ASSERT_TRUE(page.ok());
    seen.insert(seen.end(), page->queue_names.begin(), page->queue_names.end());
    token = page->next_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, all->queue_names);
  // Exactly one page's worth: no token.
  auto exact = List("al", 3, "");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->queue_names.size(), 3u);
  EXPECT_EQ(exact->next_token, "");

  EXPECT_EQ(List("", 0, "").status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(List("", 1001, "").status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(List("", 2, "bogus!").status().code(), Code::kInvalidParameterValue);
}

TEST_F(QueueQueuesTest, ListDeadLetterSourceQueues) {
  CreateQueue("dlq");
  CreateQueue("other");
  for (const char* name : {"s3", "s1", "s2"}) {
    CreateQueue(name, {{"RedrivePolicy", RedrivePolicy("dlq", 5)}});
  }
  auto all = Tx([&](Engine& e) { return e.ListDeadLetterSourceQueues({"dlq", std::nullopt, ""}); });
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->queue_names, (std::vector<std::string>{"s1", "s2", "s3"}));
  auto first = Tx([&](Engine& e) { return e.ListDeadLetterSourceQueues({"dlq", 2, ""}); });
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->queue_names, (std::vector<std::string>{"s1", "s2"}));
  ASSERT_FALSE(first->next_token.empty());
  auto second = Tx([&](Engine& e) {
    return e.ListDeadLetterSourceQueues({"dlq", 2, first->next_token});
  });
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->queue_names, std::vector<std::string>{"s3"});
  EXPECT_EQ(second->next_token, "");
  auto none = Tx([&](Engine& e) { return e.ListDeadLetterSourceQueues({"other", std::nullopt, ""}); });
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->queue_names.empty());
}

TEST_F(QueueQueuesTest, DeleteQueueDeletesItsMessages) {
  CreateQueue("q");
  CreateQueue("keep");
  SendOk("q", "a");
  SendOk("keep", "b");
  ASSERT_TRUE(Tx([&](Engine& e) { return e.DeleteQueue({"q"}); }).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(Tx([&](Engine& e) { return e.GetQueueUrl({"q"}); }).status().code(),
            Code::kQueueDoesNotExist);
  EXPECT_EQ(Tx([&](Engine& e) { return e.DeleteQueue({"q"}); }).status().code(),
            Code::kQueueDoesNotExist);
  EXPECT_EQ(Send("q", "x").status().code(), Code::kQueueDoesNotExist);
}

TEST_F(QueueQueuesTest, PurgeOncePerMinute) {
  CreateQueue("q");
  SendOk("q", "a");
  SendOk("q", "b");
  ReceiveOk("q");  // in flight messages go too
  ASSERT_TRUE(Tx([&](Engine& e) { return e.PurgeQueue({"q"}); }).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 0);
  clock_.Advance(59 * kSecond);
  EXPECT_EQ(Tx([&](Engine& e) { return e.PurgeQueue({"q"}); }).status().code(),
            Code::kPurgeQueueInProgress);
  clock_.Advance(1 * kSecond);
  EXPECT_TRUE(Tx([&](Engine& e) { return e.PurgeQueue({"q"}); }).ok());
}

TEST_F(QueueQueuesTest, DeepPurgeFinishesInSlicesAndSparesLaterMessages) {
  CreateQueue("deep");
  CreateQueue("other");
  Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12500) "
       "INSERT INTO messages(queue_id, message_id, body, md5_body, sent_at, visible_at) "
       "SELECT (SELECT id FROM queues WHERE name = 'deep'), 'm' || i, 'x', 'md5', 0, 0 FROM n");
  SendOk("other", "bystander");
  ASSERT_TRUE(Tx([&](Engine& e) { return e.PurgeQueue({"deep"}); }).ok());
  // The first slice goes at once; the rest is left for the sweep.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages WHERE queue_id = (SELECT id FROM queues WHERE name = 'deep')"),
            2500);
  SendOk("deep", "after the purge");

  int rounds = 0;
  for (;;) {
    auto swept = Tx([&](Engine& e) { return e.SweepExpired(1000); });
    ASSERT_TRUE(swept.ok());
    if (*swept == 0) break;
    ASSERT_LT(++rounds, 10);
  }
  EXPECT_EQ(rounds, 3);  // 1000 + 1000 + 500
  EXPECT_EQ(QueryInt("SELECT purge_high_water_id FROM queues WHERE name = 'deep'"), 0);
  auto received = ReceiveOk("deep", 10);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, "after the purge");
  EXPECT_EQ(ReceiveOk("other", 10).size(), 1u);
}

TEST_F(QueueQueuesTest, DeepDeleteFreesTheNameAtOnceAndFinishesInSlices) {
  CreateQueue("deep");
  Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10500) "
       "INSERT INTO messages(queue_id, message_id, body, md5_body, sent_at, visible_at) "
       "SELECT (SELECT id FROM queues WHERE name = 'deep'), 'm' || i, 'x', 'md5', 0, 0 FROM n");
  ASSERT_TRUE(Tx([&](Engine& e) { return e.DeleteQueue({"deep"}); }).ok());
  EXPECT_EQ(Tx([&](Engine& e) { return e.GetQueueUrl({"deep"}); }).status().code(), Code::kQueueDoesNotExist);
  auto listed = Tx([&](Engine& e) { return e.ListQueues({}); });
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->queue_names.empty());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM messages"), 500);

  // The name is free again; the new queue starts empty.
  CreateQueue("deep");
  SendOk("deep", "new life");
  for (int rounds = 0;; ++rounds) {
    ASSERT_LT(rounds, 10);
    auto swept = Tx([&](Engine& e) { return e.SweepExpired(200); });
    ASSERT_TRUE(swept.ok());
    if (*swept == 0) break;
  }
  EXPECT_EQ(QueryInt("SELECT count(*) FROM queues"), 1);
  auto received = ReceiveOk("deep", 10);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, "new life");
}

TEST_F(QueueQueuesTest, Tags) {
  ASSERT_TRUE(Create("q", {}, {{"team", "core"}}).ok());
  ASSERT_TRUE(Tx([&](Engine& e) { return e.TagQueue({"q", {{"env", "dev"}, {"team", "infra"}}}); }).ok());
  auto listed = Tx([&](Engine& e) { return e.ListQueueTags({"q"}); });
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->tags, (TagMap{{"env", "dev"}, {"team", "infra"}}));
  ASSERT_TRUE(Tx([&](Engine& e) { return e.UntagQueue({"q", {"team", "absent"}}); }).ok());
  listed = Tx([&](Engine& e) { return e.ListQueueTags({"q"}); });
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->tags, (TagMap{{"env", "dev"}}));

  TagMap many;
  for (int i = 0; i < 50; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(Tx([&](Engine& e) { return e.TagQueue({"q", many}); }).status().code(),
            Code::kInvalidParameterValue);  // 51 with "env"
  EXPECT_EQ(Tx([&](Engine& e) { return e.TagQueue({"q", {{"", "v"}}}); }).status().code(),
            Code::kInvalidParameterValue);
}

TEST_F(QueueQueuesTest, PermissionsAreReflectedInPolicy) {
  CreateQueue("q");
  AddPermissionRequest add{"q", "Alice", {"111122223333"}, {"SendMessage"}};
  ASSERT_TRUE(Tx([&](Engine& e) { return e.AddPermission(add); }).ok());
  std::string policy = Attribute("q", "Policy");
  EXPECT_NE(policy.find("\"Sid\":\"Alice\""), std::string::npos) << policy;
  EXPECT_NE(policy.find("arn:aws:iam::111122223333:root"), std::string::npos) << policy;
  EXPECT_NE(policy.find("\"SQS:SendMessage\""), std::string::npos) << policy;
  EXPECT_NE(policy.find("\"Resource\":\"arn:aws:sqs:us-east-1:000000000000:q\""), std::string::npos);

  EXPECT_EQ(Tx([&](Engine& e) { return e.AddPermission(add); }).status().code(),
            Code::kInvalidParameterValue);  // duplicate label
  AddPermissionRequest bob{"q", "Bob", {"1", "2"}, {"ReceiveMessage", "DeleteMessage"}};
  ASSERT_TRUE(Tx([&](Engine& e) { return e.AddPermission(bob); }).ok());
  AddPermissionRequest owner_only{"q", "Eve", {"1"}, {"SetQueueAttributes"}};
  EXPECT_EQ(Tx([&](Engine& e) { return e.AddPermission(owner_only); }).status().code(),
            Code::kInvalidParameterValue);

  ASSERT_TRUE(Tx([&](Engine& e) { return e.RemovePermission({"q", "Alice"}); }).ok());
  policy = Attribute("q", "Policy");
  EXPECT_EQ(policy.find("Alice"), std::string::npos);
  EXPECT_NE(policy.find("Bob"), std::string::npos);
  EXPECT_EQ(Tx([&](Engine& e) { return e.RemovePermission({"q", "Alice"}); }).status().code(),
            Code::kInvalidParameterValue);
  ASSERT_TRUE(Tx([&](Engine& e) { return e.RemovePermission({"q", "Bob"}); }).ok());
  EXPECT_EQ(Attribute("q", "Policy"), "<absent>");
}

}  // namespace
}  // namespace sluice::queue::testing
