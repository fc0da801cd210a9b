// The FIFO members through both codecs and the action table: MessageGroupId,
// MessageDeduplicationId and ReceiveRequestAttemptId in, SequenceNumber and
// the FIFO system attributes out, batch entry errors in SQS's shape, and the
// wake-ups a FIFO delete causes.
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sqlite3.h>

#include "sluice/clock.h"
#include "sluice/queue/engine.h"
#include "sluice/sqs/actions.h"
#include "sluice/storage/migrations.h"
#include "sqs_test_util.h"

namespace sluice::sqs {
namespace {

constexpr std::string_view kFifoUrl = "http://localhost:4566/000000000000/orders.fifo";
constexpr std::string_view kFifoUrlForm = "http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders.fifo";

class SqsFifoCodecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    Result<std::vector<storage::Migration>> migrations = storage::EmbeddedMigrations();
    ASSERT_TRUE(migrations.ok()) << migrations.status().ToString();
    for (const storage::Migration& migration : *migrations) {
      ASSERT_EQ(sqlite3_exec(db_, migration.sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    }
    engine_ = std::make_unique<queue::Engine>(db_, clock_);
    ASSERT_TRUE(Run(Json("CreateQueue",
                         R"({"QueueName":"orders.fifo","Attributes":{"FifoQueue":"true"}})"))
                    .ok());
    ASSERT_TRUE(Run(Json("CreateQueue", R"({"QueueName":"plain"})")).ok());
  }
  void TearDown() override {
    engine_.reset();
    sqlite3_close(db_);
  }

  std::unique_ptr<Call> Json(std::string_view action, std::string_view body) {
    auto call = DecodeJsonBody(*FindAction(action), body);
    EXPECT_TRUE(call.ok()) << action << ": " << call.status().ToString();
    return call.ok() ? std::move(call).value() : nullptr;
  }
  std::unique_ptr<Call> Query(const std::string& form) {
    auto call = DecodeQueryRequest({}, form, "/");
    EXPECT_TRUE(call.ok()) << form << ": " << call.status().ToString();
    return call.ok() ? std::move(call).value() : nullptr;
  }
  Status Run(const std::unique_ptr<Call>& call) {
    if (call == nullptr) return Status(Code::kInternal, "no call");
    sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
    Status status = call->Run(*engine_);
    sqlite3_exec(db_, status.ok() ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
    return status;
  }
  static std::string FifoBody(std::string_view tail) {
    return std::string(R"({"QueueUrl":")") + std::string(kFifoUrl) + "\"" + std::string(tail) +
           "}";
  }

  sqlite3* db_ = nullptr;
  FakeClock clock_;
  std::unique_ptr<queue::Engine> engine_;
  EncodeContext context_{"http://localhost:4566", "000000000000"};
};

TEST_F(SqsFifoCodecTest, JsonBatchCarriesFifoMembersAndEntryErrors) {
  auto send = Json("SendMessageBatch", FifoBody(R"(,"Entries":[
      {"Id":"a","MessageBody":"one","MessageGroupId":"g","MessageDeduplicationId":"d1"},
      {"Id":"b","MessageBody":"two","MessageDeduplicationId":"d2"},
      {"Id":"c","MessageBody":"one","MessageGroupId":"g","MessageDeduplicationId":"d1"},
      {"Id":"d","MessageBody":"three","MessageGroupId":"g","MessageDeduplicationId":"d3",
       "DelaySeconds":4}])"));
  ASSERT_TRUE(Run(send).ok());
  rapidjson::Document json = testing::ParseJson(send->EncodeJson(context_));
  ASSERT_EQ(json["Successful"].Size(), 2u);
  const auto& a = json["Successful"][0];
  const auto& c = json["Successful"][1];
  EXPECT_STREQ(a["Id"].GetString(), "a");
  EXPECT_EQ(std::string(a["SequenceNumber"].GetString()).size(), 20u);
  EXPECT_STREQ(c["MessageId"].GetString(), a["MessageId"].GetString());  // a duplicate
  EXPECT_STREQ(c["SequenceNumber"].GetString(), a["SequenceNumber"].GetString());
  ASSERT_EQ(json["Failed"].Size(), 2u);
  EXPECT_STREQ(json["Failed"][0]["Id"].GetString(), "b");
  EXPECT_STREQ(json["Failed"][0]["Code"].GetString(), "MissingParameter");
  EXPECT_STREQ(json["Failed"][0]["Message"].GetString(),
               "The request must contain the parameter MessageGroupId.");
  EXPECT_TRUE(json["Failed"][0]["SenderFault"].GetBool());
  EXPECT_STREQ(json["Failed"][1]["Id"].GetString(), "d");
  EXPECT_STREQ(json["Failed"][1]["Code"].GetString(), "InvalidParameterValue");
  EXPECT_EQ(send->woken_queues(), std::vector<std::string>{"orders.fifo"});

  auto receive = Json("ReceiveMessage", FifoBody(R"(,"MessageSystemAttributeNames":["All"],
      "MaxNumberOfMessages":10,"ReceiveRequestAttemptId":"try-1")"));
  ASSERT_TRUE(Run(receive).ok());
  rapidjson::Document received = testing::ParseJson(receive->EncodeJson(context_));
  ASSERT_EQ(received["Messages"].Size(), 1u);
  const auto& attributes = received["Messages"][0]["Attributes"];
  EXPECT_STREQ(attributes["MessageGroupId"].GetString(), "g");
  EXPECT_STREQ(attributes["MessageDeduplicationId"].GetString(), "d1");
  EXPECT_STREQ(attributes["SequenceNumber"].GetString(), a["SequenceNumber"].GetString());

  // The retry with the same attempt id answers the same receipt handle.
  auto retry = Json("ReceiveMessage", FifoBody(R"(,"ReceiveRequestAttemptId":"try-1")"));
  ASSERT_TRUE(Run(retry).ok());
  rapidjson::Document again = testing::ParseJson(retry->EncodeJson(context_));
  ASSERT_EQ(again["Messages"].Size(), 1u);
  const std::string handle = received["Messages"][0]["ReceiptHandle"].GetString();
  EXPECT_EQ(handle, again["Messages"][0]["ReceiptHandle"].GetString());

  // A delete on a FIFO queue may unblock a group: parked receivers look again.
  auto erase = Json("DeleteMessage", FifoBody(R"(,"ReceiptHandle":")" + handle + "\""));
  ASSERT_TRUE(Run(erase).ok());
  EXPECT_EQ(erase->woken_queues(), std::vector<std::string>{"orders.fifo"});
}

TEST_F(SqsFifoCodecTest, DeletesOnStandardQueuesWakeNobody) {
  ASSERT_TRUE(Run(Json("SendMessage",
                       R"({"QueueUrl":"http://h/000000000000/plain","MessageBody":"x"})"))
                  .ok());
  auto receive = Json("ReceiveMessage", R"({"QueueUrl":"http://h/000000000000/plain"})");
  ASSERT_TRUE(Run(receive).ok());
  rapidjson::Document received = testing::ParseJson(receive->EncodeJson(context_));
  std::string handle = received["Messages"][0]["ReceiptHandle"].GetString();
  auto erase = Json("DeleteMessage",
                    R"({"QueueUrl":"http://h/000000000000/plain","ReceiptHandle":")" + handle + "\"}");
  ASSERT_TRUE(Run(erase).ok());
  EXPECT_TRUE(erase->woken_queues().empty());
}

TEST_F(SqsFifoCodecTest, QueryProtocolCarriesTheSameMembers) {
  const std::string url(kFifoUrlForm);
  auto send = Query("Action=SendMessage&QueueUrl=" + url +
                    "&MessageBody=hi&MessageGroupId=grp&MessageDeduplicationId=dd");
  ASSERT_TRUE(Run(send).ok());
  std::string xml = send->EncodeXml(context_);
  EXPECT_NE(xml.find("<SequenceNumber>10000000000000000001</SequenceNumber>"), std::string::npos)
      << xml;

  auto batch = Query("Action=SendMessageBatch&QueueUrl=" + url +
                     "&SendMessageBatchRequestEntry.1.Id=a"
                     "&SendMessageBatchRequestEntry.1.MessageBody=two"
                     "&SendMessageBatchRequestEntry.1.MessageGroupId=grp"
                     "&SendMessageBatchRequestEntry.1.MessageDeduplicationId=d2"
                     "&SendMessageBatchRequestEntry.2.Id=b"
                     "&SendMessageBatchRequestEntry.2.MessageBody=three"
                     "&SendMessageBatchRequestEntry.2.MessageDeduplicationId=d3");
  ASSERT_TRUE(Run(batch).ok());
  std::string batch_xml = batch->EncodeXml(context_);
  EXPECT_NE(batch_xml.find("<SequenceNumber>10000000000000000002</SequenceNumber>"),
            std::string::npos)
      << batch_xml;
  EXPECT_NE(batch_xml.find("<Code>MissingParameter</Code>"), std::string::npos) << batch_xml;

  auto receive = Query("Action=ReceiveMessage&QueueUrl=" + url +
                       "&MaxNumberOfMessages=10&AttributeName.1=All&ReceiveRequestAttemptId=r1");
  ASSERT_TRUE(Run(receive).ok());
  std::string received = receive->EncodeXml(context_);
  EXPECT_NE(received.find("<Name>MessageGroupId</Name><Value>grp</Value>"), std::string::npos)
      << received;
  EXPECT_NE(received.find("<Name>MessageDeduplicationId</Name><Value>dd</Value>"),
            std::string::npos)
      << received;
  EXPECT_NE(received.find("<Name>SequenceNumber</Name><Value>10000000000000000002</Value>"),
            std::string::npos)
      << received;
  // Retried with the attempt id: the same messages.
  auto retry = Query("Action=ReceiveMessage&QueueUrl=" + url +
                     "&MaxNumberOfMessages=10&ReceiveRequestAttemptId=r1");
  ASSERT_TRUE(Run(retry).ok());
  std::string retried = retry->EncodeXml(context_);
  EXPECT_NE(retried.find("<Body>hi</Body>"), std::string::npos) << retried;
  EXPECT_NE(retried.find("<Body>two</Body>"), std::string::npos) << retried;
}

}  // namespace
}  // namespace sluice::sqs
