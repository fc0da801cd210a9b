// The action table: its rows, DecodeJsonBody, and Calls run against a real
// engine on an in-memory database (the way the storage thread runs them).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sqlite3.h>

#include "sluice/clock.h"
#include "sluice/embedded.h"
#include "sluice/queue/engine.h"
#include "sluice/sqs/actions.h"
#include "sluice/storage/migrations.h"
#include "sqs_fixtures.h"
#include "sqs_test_util.h"

namespace sluice::sqs {
namespace {

using testing::ParseJson;

// botocore's SQS model, operation_names, 2012-11-05.
const std::vector<std::string_view> kOperations = {
    "AddPermission", "CancelMessageMoveTask", "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch", "CreateQueue", "DeleteMessage", "DeleteMessageBatch",
    "DeleteQueue", "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues",
    "ListMessageMoveTasks", "ListQueueTags", "ListQueues", "PurgeQueue", "ReceiveMessage",
    "RemovePermission", "SendMessage", "SendMessageBatch", "SetQueueAttributes",
    "StartMessageMoveTask", "TagQueue", "UntagQueue"};

TEST(SqsActions, TableHasEveryOperationOfTheModel) {
  std::vector<std::string_view> names;
  for (const Action& action : AllActions()) names.push_back(action.name);
  EXPECT_EQ(names, kOperations);
  for (std::string_view name : kOperations) {
    const Action* action = FindAction(name);
    ASSERT_NE(action, nullptr) << name;
    EXPECT_EQ(action->name, name);
  }
}

TEST(SqsActions, UnknownNamesAreNotFound) {
  for (const char* name : {"", "sendMessage", "SendMessages", "Send", "ZZZ", "AAA",
                           "AmazonSQS.SendMessage", "PeekMessages"}) {
    EXPECT_EQ(FindAction(name), nullptr) << name;
  }
}

TEST(SqsActions, DecodeJsonBodyBuildsTheCallOfEachRow) {
  for (const auto& fixture : testing::RequestFixtures()) {
    const Action* action = FindAction(fixture.action);
    ASSERT_NE(action, nullptr);
    auto call = DecodeJsonBody(*action, fixture.body);
    ASSERT_TRUE(call.ok()) << fixture.action << ": " << call.status().ToString();
    EXPECT_EQ((*call)->action(), fixture.action);
    bool names_no_queue = fixture.action == "ListQueues" ||
                          fixture.action.find("MessageMoveTask") != std::string_view::npos;
    EXPECT_EQ((*call)->queue_name(), names_no_queue ? "" : "orders") << fixture.action;
    EXPECT_EQ((*call)->long_poll(), nullptr);
    EXPECT_TRUE((*call)->woken_queues().empty());  // nothing ran yet
  }
}

// Every operation's body with every member of its input filled, as boto3
// serializes it: written by tests/unit/sqs_codec_check.py into
// SLUICE_SQS_REQUEST_DIR as <Operation>.json. Without it, the fixtures.
TEST(SqsActions, DecodesEveryMemberBoto3Sends) {
  std::vector<std::pair<std::string, std::string>> requests;
  if (const char* dir = std::getenv("SLUICE_SQS_REQUEST_DIR")) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::ifstream in(entry.path());
      std::stringstream body;
      body << in.rdbuf();
      requests.emplace_back(entry.path().stem().string(), body.str());
    }
    EXPECT_EQ(requests.size(), kOperations.size());
  } else {
    for (const auto& fixture : testing::RequestFixtures()) {
      requests.emplace_back(fixture.action, fixture.body);
    }
  }
  for (const auto& [name, body] : requests) {
    const Action* action = FindAction(name);
    ASSERT_NE(action, nullptr) << name;
    auto call = DecodeJsonBody(*action, body);
    EXPECT_TRUE(call.ok()) << name << ": " << call.status().ToString() << "\n" << body;
  }
}

TEST(SqsActions, DecodeJsonBodyRejectsWhatIsNotJson) {
  const Action& send = *FindAction("SendMessage");
  for (std::string_view body : {"{", "{\"QueueUrl\":}", "not json", "{\"a\":\"\xff\"}"}) {
    auto call = DecodeJsonBody(send, body);
    EXPECT_EQ(call.status().code(), Code::kMalformedRequest) << body;
  }
  EXPECT_EQ(DecodeJsonBody(send, "[]").status().code(), Code::kMalformedRequest);

  // UTF-8 is checked on raw bytes, ASCII a word at a time: bad bytes after
  // long ASCII runs, in the middle and at the very end are all caught.
  std::string prefix = R"({"QueueUrl":"http://h/1/q","MessageBody":")";
  for (std::string bad : {"\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf8\x88\x80\x80\x80", "\x80",
                          "abcdefghijklmnop\xe2\x82"}) {
    std::string body = prefix + bad + "\"}";
    EXPECT_EQ(DecodeJsonBody(send, body).status().code(), Code::kMalformedRequest) << body;
    EXPECT_EQ(DecodeJsonBody(send, body.substr(0, body.size() - 2)).status().code(),
              Code::kMalformedRequest);
  }
  auto good = DecodeJsonBody(
      send, prefix + "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 and a long ASCII tail\"}");
  EXPECT_TRUE(good.ok()) << good.status().ToString();
  // An empty body reads as {}: fine for ListQueues, missing members otherwise.
  EXPECT_TRUE(DecodeJsonBody(*FindAction("ListQueues"), "").ok());
  EXPECT_EQ(DecodeJsonBody(send, "").status().code(), Code::kMissingParameter);
}

// ---- Calls against the engine ---------------------------------------------

class SqsCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    Result<std::vector<storage::Migration>> migrations = storage::EmbeddedMigrations();
    ASSERT_TRUE(migrations.ok()) << migrations.status().ToString();
    for (const storage::Migration& migration : *migrations) {
      ASSERT_EQ(sqlite3_exec(db_, migration.sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    }
    engine_ = std::make_unique<queue::Engine>(db_, clock_);
    ASSERT_TRUE(DecodeAndRun("CreateQueue", R"({"QueueName":"orders"})").ok());
  }

  void TearDown() override {
    engine_.reset();
    sqlite3_close(db_);
  }

  // The Call for `body`, or nullptr (and a test failure) if it does not decode.
  std::unique_ptr<sqs::Call> Decode(std::string_view action, std::string_view body) {
    auto call = DecodeJsonBody(*FindAction(action), body);
    EXPECT_TRUE(call.ok()) << action << ": " << call.status().ToString();
    return call.ok() ? std::move(call).value() : nullptr;
  }

  // Runs `call` in a transaction, as the storage thread does.
  Status Run(const std::unique_ptr<sqs::Call>& call) {
    if (call == nullptr) return Status(Code::kInternal, "no call");
    sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
    Status status = call->Run(*engine_);
    sqlite3_exec(db_, status.ok() ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
    return status;
  }

  Status DecodeAndRun(std::string_view action, std::string_view body) {
    return Run(Decode(action, body));
  }

  rapidjson::Document Json(const std::unique_ptr<sqs::Call>& call) {
    if (call == nullptr) return ParseJson("null");
    return ParseJson(call->EncodeJson(context_));
  }

  std::string Body(std::string_view tail) {
    return std::string(R"({"QueueUrl":")") + std::string(testing::kOrdersUrl) + "\"" +
           std::string(tail) + "}";
  }

  sqlite3* db_ = nullptr;
  FakeClock clock_;
  std::unique_ptr<queue::Engine> engine_;
  EncodeContext context_{"http://localhost:4566", "000000000000"};
};

TEST_F(SqsCallTest, CreateQueueAnswersWithTheQueueUrl) {
  auto call = Decode("CreateQueue", R"({"QueueName":"jobs","tags":{"team":"a"}})");
  ASSERT_TRUE(Run(call).ok());
  EXPECT_STREQ(Json(call)["QueueUrl"].GetString(), "http://localhost:4566/000000000000/jobs");
  EXPECT_TRUE(call->woken_queues().empty());
}

TEST_F(SqsCallTest, SendMessageFromBoto3WakesItsQueueAndHashesTheAttributes) {
  std::string_view body;
  for (const auto& fixture : testing::RequestFixtures()) {
    if (fixture.action == "SendMessage") body = fixture.body;
  }
  auto call = Decode("SendMessage", body);
  ASSERT_TRUE(Run(call).ok());
  rapidjson::Document json = Json(call);
  EXPECT_STREQ(json["MD5OfMessageBody"].GetString(), "5d41402abc4b2a76b9719d911017c592");
  // MD5s as SQS computes them (boto3-style reference implementation in Python):
  // the binary attribute arrived as raw bytes, not as its base64 text.
  EXPECT_STREQ(json["MD5OfMessageAttributes"].GetString(), "f135fe07e3683046b8c795743b123b25");
  EXPECT_STREQ(json["MD5OfMessageSystemAttributes"].GetString(),
               "62a56dd927315f2b2e12832b84617ea5");
  EXPECT_EQ(call->woken_queues(), std::vector<std::string>{"orders"});

  // And back out, once its DelaySeconds (3) passed: the binary attribute is
  // base64 again on the wire.
  clock_.Advance(3000);
  auto receive = Decode("ReceiveMessage", Body(R"(,"MessageAttributeNames":["All"])"));
  ASSERT_TRUE(Run(receive).ok());
  rapidjson::Document received = Json(receive);
  ASSERT_TRUE(received.HasMember("Messages"));
  ASSERT_EQ(received["Messages"].Size(), 1u);
  EXPECT_STREQ(received["Messages"][0]["MessageAttributes"]["blob"]["BinaryValue"].GetString(),
               "AAH+/w==");
  EXPECT_STREQ(received["Messages"][0]["MD5OfMessageAttributes"].GetString(),
               "f135fe07e3683046b8c795743b123b25");
  EXPECT_EQ(receive->long_poll(), nullptr);
}

TEST_F(SqsCallTest, EmptyReceiveParksOnlyWhenItMayWait) {
  auto waiting = Decode("ReceiveMessage", Body(R"(,"WaitTimeSeconds":20)"));
  ASSERT_TRUE(Run(waiting).ok());
  ASSERT_NE(waiting->long_poll(), nullptr);
  EXPECT_EQ(waiting->long_poll()->wait_time_seconds, 20);
  EXPECT_EQ(Json(waiting).MemberCount(), 0u);  // no "Messages" key, as SQS

  auto short_poll = Decode("ReceiveMessage", Body(""));
  ASSERT_TRUE(Run(short_poll).ok());
  EXPECT_EQ(short_poll->long_poll(), nullptr);

  // Re-run after a send (what a woken long poll does): the park is forgotten.
  ASSERT_TRUE(DecodeAndRun("SendMessage", Body(R"(,"MessageBody":"hi")")).ok());
  ASSERT_TRUE(Run(waiting).ok());
  EXPECT_EQ(waiting->long_poll(), nullptr);
  EXPECT_EQ(Json(waiting)["Messages"].Size(), 1u);
}

// Any successful visibility change wakes the queue's parked receivers, not
// only a change to 0: their wake time was computed from the old timeout, so a
// shortened one (600 s -> 5 s) must make them look again.
TEST_F(SqsCallTest, SuccessfulVisibilityChangesWakeTheQueue) {
  ASSERT_TRUE(DecodeAndRun("SendMessage", Body(R"(,"MessageBody":"a")")).ok());
  ASSERT_TRUE(DecodeAndRun("SendMessage", Body(R"(,"MessageBody":"b")")).ok());
  auto receive = Decode("ReceiveMessage", Body(R"(,"MaxNumberOfMessages":10)"));
  ASSERT_TRUE(Run(receive).ok());
  rapidjson::Document received = Json(receive);
  ASSERT_EQ(received["Messages"].Size(), 2u);
  std::string first = received["Messages"][0]["ReceiptHandle"].GetString();
  std::string second = received["Messages"][1]["ReceiptHandle"].GetString();

  auto later = Decode("ChangeMessageVisibility",
                      Body(R"(,"ReceiptHandle":")" + first + R"(","VisibilityTimeout":60)"));
  ASSERT_TRUE(Run(later).ok());
  EXPECT_EQ(later->woken_queues(), std::vector<std::string>{"orders"});
  auto now = Decode("ChangeMessageVisibility",
                    Body(R"(,"ReceiptHandle":")" + first + R"(","VisibilityTimeout":0)"));
  ASSERT_TRUE(Run(now).ok());
  EXPECT_EQ(now->woken_queues(), std::vector<std::string>{"orders"});

  // Batch: one entry fails (bad handle), the other succeeds and wakes.
  std::string entries = R"(,"Entries":[{"Id":"a","ReceiptHandle":"junk","VisibilityTimeout":0},)"
                        R"({"Id":"b","ReceiptHandle":")" +
                        second + R"(","VisibilityTimeout":5}])";
  auto batch = Decode("ChangeMessageVisibilityBatch", Body(entries));
  ASSERT_TRUE(Run(batch).ok());
  rapidjson::Document result = Json(batch);
  EXPECT_EQ(result["Successful"].Size(), 1u);
  ASSERT_EQ(result["Failed"].Size(), 1u);
  EXPECT_STREQ(result["Failed"][0]["Code"].GetString(), "ReceiptHandleIsInvalid");
  EXPECT_EQ(batch->woken_queues(), std::vector<std::string>{"orders"});

  // A batch where every entry failed changed nothing and wakes nobody.
  auto failed = Decode("ChangeMessageVisibilityBatch",
                       Body(R"(,"Entries":[{"Id":"a","ReceiptHandle":"junk","VisibilityTimeout":0}])"));
  ASSERT_TRUE(Run(failed).ok());
  EXPECT_TRUE(failed->woken_queues().empty());
}

TEST_F(SqsCallTest, BatchSendWakesOnlyWhenSomethingWasSent) {
  auto failing =
      Decode("SendMessageBatch", Body(R"(,"Entries":[{"Id":"a","MessageBody":"\u0001"}])"));
  ASSERT_TRUE(Run(failing).ok());
  EXPECT_EQ(Json(failing)["Failed"].Size(), 1u);
  EXPECT_TRUE(failing->woken_queues().empty());

  auto sending = Decode("SendMessageBatch", Body(R"(,"Entries":[{"Id":"a","MessageBody":"x"}])"));
  ASSERT_TRUE(Run(sending).ok());
  EXPECT_EQ(sending->woken_queues(), std::vector<std::string>{"orders"});
}

TEST_F(SqsCallTest, EngineErrorsComeBackFromRun) {
  auto missing = Decode("SendMessage",
                        R"({"QueueUrl":"http://h:1/000000000000/nope","MessageBody":"x"})");
  Status status = Run(missing);
  EXPECT_EQ(status.code(), Code::kQueueDoesNotExist);
  EXPECT_TRUE(missing->woken_queues().empty());
  EXPECT_EQ(missing->queue_name(), "nope");

  auto empty_batch = Decode("DeleteMessageBatch", Body(R"(,"Entries":[])"));
  EXPECT_EQ(Run(empty_batch).code(), Code::kEmptyBatchRequest);
}

// FIFO throughput quotas are charged by the action table, once per API call:
// a parked receive that runs again is still one call, a throttled send
// enqueues nothing, and standard queues are never charged.
TEST_F(SqsCallTest, FifoCallsAreChargedOnceAgainstTheQuota) {
  queue::EngineOptions options;
  options.fifo_quotas.transactions_per_second = 2;
  engine_ = std::make_unique<queue::Engine>(db_, clock_, options);
  ASSERT_TRUE(
      DecodeAndRun("CreateQueue", R"({"QueueName":"orders.fifo","Attributes":{"FifoQueue":"true"}})")
          .ok());
  const std::string fifo = std::string(R"({"QueueUrl":")") + std::string(testing::kOrdersUrl) +
                           ".fifo\"";

  auto parked = Decode("ReceiveMessage", fifo + R"(,"WaitTimeSeconds":20})");
  for (int run = 0; run < 5; ++run) ASSERT_TRUE(Run(parked).ok()) << "run " << run;
  ASSERT_TRUE(DecodeAndRun("ReceiveMessage", fifo + "}").ok());  // the second of 2
  Status throttled = DecodeAndRun("ReceiveMessage", fifo + "}");
  EXPECT_EQ(throttled.code(), Code::kThrottled);
  EXPECT_NE(throttled.message().find("ReceiveMessage"), std::string::npos) << throttled.message();

  const std::string send = fifo + R"(,"MessageGroupId":"g","MessageDeduplicationId":")";
  ASSERT_TRUE(DecodeAndRun("SendMessage", send + R"(1","MessageBody":"one"})").ok());
  ASSERT_TRUE(DecodeAndRun("SendMessage", send + R"(2","MessageBody":"two"})").ok());
  EXPECT_EQ(DecodeAndRun("SendMessage", send + R"(3","MessageBody":"three"})").code(),
            Code::kThrottled);
  EXPECT_EQ(DecodeAndRun("SendMessageBatch",
                         fifo + R"(,"Entries":[{"Id":"a","MessageBody":"four",)"
                                R"("MessageGroupId":"g","MessageDeduplicationId":"4"}]})")
                .code(),
            Code::kThrottled);  // a batch shares SendMessage's quota

  clock_.Advance(1000);
  auto receive = Decode("ReceiveMessage", fifo + R"(,"MaxNumberOfMessages":10})");
  ASSERT_TRUE(Run(receive).ok());
  rapidjson::Document received = Json(receive);
  ASSERT_TRUE(received.HasMember("Messages"));
  ASSERT_EQ(received["Messages"].Size(), 2u);  // "three" and "four" were never enqueued
  EXPECT_STREQ(received["Messages"][1]["Body"].GetString(), "two");

  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(DecodeAndRun("SendMessage", Body(R"(,"MessageBody":"standard")")).ok()) << i;
  }
}

}  // namespace
}  // namespace sluice::sqs
