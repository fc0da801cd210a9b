// The Query protocol's decoding: form parameters -> the JSON protocol's input
// tree -> the same check and decoder. The main property: for every
// operation, what boto3's Query serializer sends builds exactly the tree the
// JSON codec parses from what boto3's JSON serializer sends for the same
// call; the rest of the path is then the JSON path, tested elsewhere.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/writer.h>
#include <sqlite3.h>

#include "sluice/clock.h"
#include "sluice/embedded.h"
#include "sluice/queue/engine.h"
#include "sluice/sqs/actions.h"
#include "sluice/storage/migrations.h"
#include "sqs/form.h"
#include "sqs/query_decode.h"
#include "sqs_fixtures.h"
#include "sqs_query_fixtures.h"
#include "sqs_test_util.h"

namespace sluice::sqs {
namespace {

using testing::ParseJson;

std::string ToJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// The input tree the Query codec builds for `form` (asserting success).
struct BuiltInput {
  explicit BuiltInput(std::string_view action, std::string_view form_text,
                      std::string_view path = "/") {
    Result<FormParameters> parsed = FormParameters::Parse(form_text);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    if (!parsed.ok()) return;
    form = std::move(parsed).value();
    const Action* row = FindAction(action);
    EXPECT_NE(row, nullptr) << action;
    if (row == nullptr) return;
    status = BuildQueryInput(*row->input, form, path, &input, allocator);
  }
  FormParameters form;
  rapidjson::MemoryPoolAllocator<> allocator;
  rapidjson::Value input;
  Status status;
};

std::string_view JsonBody(std::string_view action) {
  for (const auto& fixture : testing::RequestFixtures()) {
    if (fixture.action == action) return fixture.body;
  }
  ADD_FAILURE() << "no JSON fixture for " << action;
  return "{}";
}

Status Decode(std::string_view form, std::string_view path = "/") {
  return DecodeQueryRequest({}, form, path).status();
}

constexpr std::string_view kOrders = "QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders";

TEST(SqsQueryDecode, FixturesCoverEveryOperation) {
  ASSERT_EQ(testing::QueryFixtures().size(), AllActions().size());
  for (size_t i = 0; i < AllActions().size(); ++i) {
    EXPECT_EQ(testing::QueryFixtures()[i].action, AllActions()[i].name);
  }
}

TEST(SqsQueryDecode, EveryBoto3RequestDecodesToTheCallOfItsAction) {
  for (const auto& fixture : testing::QueryFixtures()) {
    auto call = DecodeQueryRequest({}, fixture.form, "/");
    ASSERT_TRUE(call.ok()) << fixture.action << ": " << call.status().ToString();
    EXPECT_EQ((*call)->action(), fixture.action);
    bool names_no_queue = fixture.action == "ListQueues" ||
                          fixture.action.find("MessageMoveTask") != std::string_view::npos;
    EXPECT_EQ((*call)->queue_name(), names_no_queue ? "" : "orders") << fixture.action;
  }
}

// What boto3's Query serializer sends, paired with the JSON protocol's input
// for the same call: the fixtures, or, when tests/unit/sqs_query_codec_check.py
// runs this test, every operation with every member of its input filled, as
// <Operation>.form and <Operation>.json in SLUICE_SQS_QUERY_REQUEST_DIR.
struct QueryAndJson {
  std::string action;
  std::string form;
  std::string json;
};

std::vector<QueryAndJson> QueryAndJsonRequests() {
  std::vector<QueryAndJson> requests;
  const char* dir = std::getenv("SLUICE_SQS_QUERY_REQUEST_DIR");
  if (dir == nullptr) {
    for (const auto& fixture : testing::QueryFixtures()) {
      requests.push_back({std::string(fixture.action), std::string(fixture.form),
                          std::string(JsonBody(fixture.action))});
    }
    return requests;
  }
  auto read = [](const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".form") continue;
    std::filesystem::path json = entry.path();
    json.replace_extension(".json");
    requests.push_back({entry.path().stem().string(), read(entry.path()), read(json)});
  }
  return requests;
}

TEST(SqsQueryDecode, EveryBoto3RequestBuildsTheJsonProtocolsInput) {
  std::vector<QueryAndJson> requests = QueryAndJsonRequests();
  EXPECT_EQ(requests.size(), AllActions().size());
  for (const auto& request : requests) {
    BuiltInput built(request.action, request.form);
    ASSERT_TRUE(built.status.ok()) << request.action << ": " << built.status.ToString();
    rapidjson::Document expected = ParseJson(request.json);
    EXPECT_TRUE(built.input == expected)
        << request.action << "\n query: " << ToJson(built.input)
        << "\n json:  " << ToJson(expected);
    auto call = DecodeQueryRequest({}, request.form, "/");
    EXPECT_TRUE(call.ok()) << request.action << ": " << call.status().ToString();
  }
}

TEST(SqsQueryDecode, ListEntriesAreTakenInNumericOrder) {
  BuiltInput built("GetQueueAttributes",
                   std::string(kOrders) +
                       "&AttributeName.10=C&AttributeName.2=B&AttributeName.1=A"
                       "&AttributeName.x=ignored&AttributeName.3.Name=ignored");
  ASSERT_TRUE(built.status.ok());
  EXPECT_EQ(ToJson(built.input["AttributeNames"]), R"(["A","B","C"])");

  BuiltInput batch("DeleteMessageBatch",
                   std::string(kOrders) +
                       "&DeleteMessageBatchRequestEntry.10.Id=ten"
                       "&DeleteMessageBatchRequestEntry.10.ReceiptHandle=r10"
                       "&DeleteMessageBatchRequestEntry.1.Id=one"
                       "&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r1");
  ASSERT_TRUE(batch.status.ok());
  EXPECT_EQ(ToJson(batch.input["Entries"]),
            R"([{"Id":"one","ReceiptHandle":"r1"},{"Id":"ten","ReceiptHandle":"r10"}])");
}

TEST(SqsQueryDecode, EmptyListsAsBotocoreSendsThem) {
  // botocore writes Entries=[] as the bare member name ("Entries="); the
  // flattened name alone counts too. The engine then answers
  // EmptyBatchRequest, as for JSON.
  for (std::string_view marker : {"&Entries=", "&SendMessageBatchRequestEntry="}) {
    BuiltInput built("SendMessageBatch", std::string(kOrders) + std::string(marker));
    ASSERT_TRUE(built.status.ok());
    EXPECT_EQ(ToJson(built.input["Entries"]), "[]") << marker;
    EXPECT_TRUE(Decode("Action=SendMessageBatch&" + std::string(kOrders) + std::string(marker))
                    .ok());
  }
  BuiltInput names("GetQueueAttributes", std::string(kOrders) + "&AttributeNames=");
  ASSERT_TRUE(names.status.ok());
  EXPECT_EQ(ToJson(names.input["AttributeNames"]), "[]");
  // Absent altogether: missing, named as the Query protocol names it.
  Status missing = Decode("Action=SendMessageBatch&" + std::string(kOrders));
  EXPECT_EQ(missing.code(), Code::kMissingParameter);
  EXPECT_EQ(missing.message(),
            "The request must contain the parameter SendMessageBatchRequestEntry.");
}

TEST(SqsQueryDecode, ErrorsNameTheQueryParameters) {
  std::string send = "Action=SendMessageBatch&" + std::string(kOrders);
  Status missing_id = Decode(send +
                             "&SendMessageBatchRequestEntry.1.Id=a"
                             "&SendMessageBatchRequestEntry.1.MessageBody=x"
                             "&SendMessageBatchRequestEntry.2.MessageBody=y");
  EXPECT_EQ(missing_id.code(), Code::kMissingParameter);
  EXPECT_EQ(missing_id.message(),
            "The request must contain the parameter SendMessageBatchRequestEntry.2.Id.");

  Status no_data_type = Decode("Action=SendMessage&" + std::string(kOrders) +
                               "&MessageBody=x&MessageAttribute.1.Name=k"
                               "&MessageAttribute.1.Value.StringValue=v");
  EXPECT_EQ(no_data_type.code(), Code::kMissingParameter);
  EXPECT_EQ(no_data_type.message(),
            "The request must contain the parameter MessageAttribute.1.Value.DataType.");

  Status no_name = Decode("Action=SetQueueAttributes&" + std::string(kOrders) +
                          "&Attribute.1.Value=5");
  EXPECT_EQ(no_name.code(), Code::kMissingParameter);
  EXPECT_EQ(no_name.message(), "The request must contain the parameter Attribute.1.Name.");
  Status no_value = Decode("Action=TagQueue&" + std::string(kOrders) + "&Tag.1.Key=team");
  EXPECT_EQ(no_value.message(), "The request must contain the parameter Tag.1.Value.");
  Status no_keys = Decode("Action=UntagQueue&" + std::string(kOrders));
  EXPECT_EQ(no_keys.message(), "The request must contain the parameter TagKey.");
  Status no_body = Decode("Action=SendMessage&" + std::string(kOrders));
  EXPECT_EQ(no_body.message(), "The request must contain the parameter MessageBody.");
}

TEST(SqsQueryDecode, IntegersAreCheckedByTheSharedShapeCheck) {
  auto delay = [](std::string_view value) {
    return Decode("Action=SendMessage&" + std::string(kOrders) + "&MessageBody=x&DelaySeconds=" +
                  std::string(value));
  };
  EXPECT_TRUE(delay("0").ok());
  EXPECT_TRUE(delay("-5").ok());  // range is the engine's business, as for JSON
  EXPECT_TRUE(delay("%2B5").ok());  // "+5"
  EXPECT_TRUE(delay("2147483647").ok());
  Status too_big = delay("2147483648");
  EXPECT_EQ(too_big.code(), Code::kInvalidParameterValue);
  EXPECT_EQ(too_big.message(),
            "Value 2147483648 for parameter DelaySeconds is invalid. Reason: out of range.");
  for (std::string_view bad : {"abc", "1.5", "", "5+", "99999999999999999999999", "-"}) {
    Status status = delay(bad);
    EXPECT_EQ(status.code(), Code::kInvalidParameterValue) << bad;
    EXPECT_EQ(status.message(),
              "Value for parameter DelaySeconds is invalid. Reason: must be an integer.")
        << bad;
  }
  Status entry = Decode("Action=ChangeMessageVisibilityBatch&" + std::string(kOrders) +
                        "&ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
                        "&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r"
                        "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=soon");
  EXPECT_EQ(entry.code(), Code::kInvalidParameterValue);
  EXPECT_NE(entry.message().find("ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout"),
            std::string::npos)
      << entry.message();
}

TEST(SqsQueryDecode, BinaryValuesAreBase64AsInJson) {
  auto send = [](std::string_view value) {
    return Decode("Action=SendMessage&" + std::string(kOrders) +
                  "&MessageBody=x&MessageAttribute.1.Name=b"
                  "&MessageAttribute.1.Value.DataType=Binary"
                  "&MessageAttribute.1.Value.BinaryValue=" +
                  std::string(value));
  };
  EXPECT_TRUE(send("AAH%2B%2Fw%3D%3D").ok());
  // An unescaped '+' is a space in a form: not base64.
  EXPECT_EQ(send("AAH+/w==").code(), Code::kInvalidParameterValue);
  EXPECT_EQ(send("not-base64").code(), Code::kInvalidParameterValue);
  Status list = Decode("Action=SendMessage&" + std::string(kOrders) +
                       "&MessageBody=x&MessageAttribute.1.Name=s"
                       "&MessageAttribute.1.Value.DataType=String"
                       "&MessageAttribute.1.Value.StringListValue.1=a");
  EXPECT_EQ(list.code(), Code::kUnsupportedOperation);
}

TEST(SqsQueryDecode, QueueUrlFromThePath) {
  // The Java SDK v1 posts to the queue URL and leaves QueueUrl out.
  auto call = DecodeQueryRequest({}, "Action=SendMessage&MessageBody=hi", "/000000000000/orders");
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ((*call)->queue_name(), "orders");
  // An empty QueueUrl counts as none.
  auto empty = DecodeQueryRequest({}, "Action=PurgeQueue&QueueUrl=", "/000000000000/jobs");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)->queue_name(), "jobs");
  // A QueueUrl wins over the path.
  auto both = DecodeQueryRequest({}, "Action=PurgeQueue&QueueUrl=http%3A%2F%2Fh%2F1%2Fother",
                                 "/000000000000/jobs");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ((*both)->queue_name(), "other");
  // "/" names no queue; a path that is not /account/name names no queue that exists.
  EXPECT_EQ(Decode("Action=PurgeQueue", "/").code(), Code::kMissingParameter);
  EXPECT_EQ(Decode("Action=PurgeQueue", "/nope").code(), Code::kQueueDoesNotExist);
  // Operations without a QueueUrl ignore the path.
  auto list = DecodeQueryRequest({}, "Action=ListQueues", "/000000000000/orders");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)->queue_name(), "");
}

TEST(SqsQueryDecode, ParametersFromQueryStringAndBody) {
  // GET: everything in the query string.
  auto get = DecodeQueryRequest("Action=GetQueueUrl&QueueName=orders&Version=2012-11-05", {}, "/");
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  EXPECT_EQ((*get)->action(), "GetQueueUrl");
  // POST with the Action in the URL and the rest in the body.
  auto split = DecodeQueryRequest("Action=DeleteQueue", kOrders, "/");
  ASSERT_TRUE(split.ok());
  EXPECT_EQ((*split)->action(), "DeleteQueue");
  EXPECT_EQ((*split)->queue_name(), "orders");
}

TEST(SqsQueryDecode, ActionIsRequiredAndMustExist) {
  Status none = Decode("Version=2012-11-05");
  EXPECT_EQ(none.code(), Code::kMissingParameter);
  EXPECT_EQ(none.message(), "The request must contain the parameter Action.");
  EXPECT_EQ(Decode("Action=").code(), Code::kMissingParameter);
  for (std::string_view bad : {"Action=sendMessage", "Action=PeekMessages", "Action=Send"}) {
    EXPECT_EQ(Decode(bad).code(), Code::kUnknownOperation) << bad;
  }
}

TEST(SqsQueryDecode, MalformedFormsAreRefused) {
  for (std::string_view bad : {"Action=ListQueues&QueueNamePrefix=%", "Action=ListQueues&x=%G1",
                               "Action=ListQueues&QueueNamePrefix=%FF%FE",
                               "Action=ListQueues&%C3%28=x"}) {
    EXPECT_EQ(Decode(bad).code(), Code::kMalformedRequest) << bad;
  }
}

TEST(SqsQueryDecode, UnknownParametersAreIgnored) {
  EXPECT_TRUE(Decode("Action=ListQueues&Version=2012-11-05&AWSAccessKeyId=x&Signature=y"
                     "&SignatureMethod=HmacSHA256&Timestamp=2024-01-01T00%3A00%3A00Z"
                     "&SomeFutureParameter.1.Name=z&queuenameprefix=case-sensitive")
                  .ok());
}

TEST(SqsForm, DecodesSortsAndFinds) {
  Result<FormParameters> form =
      FormParameters::Parse("b=2&a=x+y%26z&&flag&a=second", "c=%E2%9C%93&a=third");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->size(), 6u);
  ASSERT_NE(form->Find("a"), nullptr);
  EXPECT_EQ(*form->Find("a"), "x y&z");  // the first of a repeated name
  EXPECT_EQ(*form->Find("flag"), "");
  EXPECT_EQ(*form->Find("c"), "\xE2\x9C\x93");
  EXPECT_EQ(form->Find("d"), nullptr);
  EXPECT_EQ(form->WithPrefix("a").size(), 3u);
  EXPECT_EQ(form->WithPrefix("z").size(), 0u);
}

// ---- Through the engine: a Query call is the JSON call ------------------------

class SqsQueryCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    Result<std::vector<storage::Migration>> migrations = storage::EmbeddedMigrations();
    ASSERT_TRUE(migrations.ok()) << migrations.status().ToString();
    for (const storage::Migration& migration : *migrations) {
      ASSERT_EQ(sqlite3_exec(db_, migration.sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    }
    engine_ = std::make_unique<queue::Engine>(db_, clock_);
    ASSERT_TRUE(Run(DecodeQueryRequest({}, "Action=CreateQueue&QueueName=orders", "/")).ok());
  }
  void TearDown() override {
    engine_.reset();
    sqlite3_close(db_);
  }

  Status Run(const Result<std::unique_ptr<Call>>& call) {
    if (!call.ok()) return call.status();
    sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
    Status status = (*call)->Run(*engine_);
    sqlite3_exec(db_, status.ok() ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
    return status;
  }

  sqlite3* db_ = nullptr;
  FakeClock clock_;
  std::unique_ptr<queue::Engine> engine_;
  EncodeContext context_{"http://localhost:4566", "000000000000", "req-1"};
};

TEST_F(SqsQueryCallTest, SendMessageHashesAttributesAsTheJsonCallDoes) {
  std::string_view form;
  for (const auto& fixture : testing::QueryFixtures()) {
    if (fixture.action == "SendMessage") form = fixture.form;
  }
  auto call = DecodeQueryRequest({}, form, "/");
  ASSERT_TRUE(Run(call).ok());
  std::string xml = (*call)->EncodeXml(context_);
  // The digests SqsCallTest gets for the same message sent in JSON.
  EXPECT_NE(xml.find("<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<MD5OfMessageAttributes>f135fe07e3683046b8c795743b123b25<"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<MD5OfMessageSystemAttributes>62a56dd927315f2b2e12832b84617ea5<"),
            std::string::npos)
      << xml;
  EXPECT_EQ((*call)->woken_queues(), std::vector<std::string>{"orders"});

  clock_.Advance(3000);
  auto receive = DecodeQueryRequest(
      {}, "Action=ReceiveMessage&MessageAttributeName.1=All&AttributeName.1=All",
      "/000000000000/orders");
  ASSERT_TRUE(Run(receive).ok());
  std::string received = (*receive)->EncodeXml(context_);
  EXPECT_NE(received.find("<MessageAttribute><Name>blob</Name><Value><BinaryValue>AAH+/w=="
                          "</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>"),
            std::string::npos)
      << received;
  EXPECT_NE(received.find("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value>"),
            std::string::npos)
      << received;
}

TEST_F(SqsQueryCallTest, EngineErrorsAreTheSame) {
  EXPECT_EQ(Run(DecodeQueryRequest({}, "Action=SendMessage&MessageBody=x",
                                   "/000000000000/nope"))
                .code(),
            Code::kQueueDoesNotExist);
  EXPECT_EQ(Run(DecodeQueryRequest({}, "Action=DeleteMessageBatch&Entries=",
                                   "/000000000000/orders"))
                .code(),
            Code::kEmptyBatchRequest);
  EXPECT_EQ(Run(DecodeQueryRequest({}, "Action=ReceiveMessage&MaxNumberOfMessages=11",
                                   "/000000000000/orders"))
                .code(),
            Code::kInvalidParameterValue);
}

}  // namespace
}  // namespace sluice::sqs
