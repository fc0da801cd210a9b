// The generic input checks, run over every operation's boto3 request: shape,
// required members, member types, nulls and unknown members; and QueueUrl
// parsing.
#include <string>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "sluice/sqs/actions.h"
#include "sqs_fixtures.h"
#include "sqs_test_util.h"

namespace sluice::sqs {
namespace {

using testing::ParseJson;
using testing::RequestFixtures;

TEST(SqsDecode, FixturesCoverEveryOperationOnce) {
  std::vector<std::string_view> names;
  for (const auto& fixture : RequestFixtures()) names.push_back(fixture.action);
  ASSERT_EQ(names.size(), 23u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

TEST(SqsDecode, EveryBoto3RequestDecodes) {
  for (const auto& fixture : RequestFixtures()) {
    rapidjson::Document input = ParseJson(fixture.body);
    Status status = fixture.decode(input);
    EXPECT_TRUE(status.ok()) << fixture.action << ": " << status.ToString();
  }
}

TEST(SqsDecode, MissingRequiredMemberIsMissingParameter) {
  int checked = 0;
  for (const auto& fixture : RequestFixtures()) {
    for (std::string_view member : fixture.required) {
      rapidjson::Document input = ParseJson(fixture.body);
      ASSERT_TRUE(input.RemoveMember(rapidjson::StringRef(member.data(), member.size())))
          << fixture.action << "." << member;
      Status status = fixture.decode(input);
      EXPECT_EQ(status.code(), Code::kMissingParameter) << fixture.action << "." << member;
      EXPECT_EQ(status.message(),
                "The request must contain the parameter " + std::string(member) + ".");
      ++checked;
    }
  }
  EXPECT_EQ(checked, 36);  // the model's required members across the 23 inputs
}

TEST(SqsDecode, NullRequiredMemberCountsAsMissing) {
  for (const auto& fixture : RequestFixtures()) {
    for (std::string_view member : fixture.required) {
      rapidjson::Document input = ParseJson(fixture.body);
      input[std::string(member)].SetNull();
      EXPECT_EQ(fixture.decode(input).code(), Code::kMissingParameter)
          << fixture.action << "." << member;
    }
  }
}

TEST(SqsDecode, NullOptionalMemberIsIgnored) {
  for (const auto& fixture : RequestFixtures()) {
    rapidjson::Document input = ParseJson(fixture.body);
    for (auto& member : input.GetObject()) {
      std::string_view name(member.name.GetString(), member.name.GetStringLength());
      bool required = std::find(fixture.required.begin(), fixture.required.end(), name) !=
                      fixture.required.end();
      if (!required) member.value.SetNull();
    }
    Status status = fixture.decode(input);
    EXPECT_TRUE(status.ok()) << fixture.action << ": " << status.ToString();
  }
}

// Replaces `value` with one of a different JSON type.
void SetWrongType(rapidjson::Value& value, rapidjson::Document::AllocatorType& allocator) {
  if (value.IsString()) {
    value.SetInt(7);
  } else if (value.IsNumber()) {
    value.SetString("7", allocator);
  } else if (value.IsArray()) {
    value.SetObject();
  } else {
    value.SetArray();
    value.PushBack(1, allocator);
  }
}

TEST(SqsDecode, WrongJsonTypeIsInvalidParameterValueNamingTheMember) {
  int checked = 0;
  for (const auto& fixture : RequestFixtures()) {
    rapidjson::Document original = ParseJson(fixture.body);
    for (const auto& member : original.GetObject()) {
      std::string name(member.name.GetString(), member.name.GetStringLength());
      rapidjson::Document input = ParseJson(fixture.body);
      SetWrongType(input[name], input.GetAllocator());
      Status status = fixture.decode(input);
      EXPECT_EQ(status.code(), Code::kInvalidParameterValue) << fixture.action << "." << name;
      EXPECT_NE(status.message().find("parameter " + name + " "), std::string::npos)
          << status.message();
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);  // every member of every fixture
}

TEST(SqsDecode, UnknownMembersAreIgnored) {
  for (const auto& fixture : RequestFixtures()) {
    rapidjson::Document input = ParseJson(fixture.body);
    input.AddMember("SomeFutureMember", rapidjson::Value(rapidjson::kObjectType),
                    input.GetAllocator());
    input.AddMember("queueurl", 5, input.GetAllocator());  // names are case-sensitive
    Status status = fixture.decode(input);
    EXPECT_TRUE(status.ok()) << fixture.action << ": " << status.ToString();
  }
}

TEST(SqsDecode, InputThatIsNotAnObjectIsMalformed) {
  for (const char* text : {"[]", "\"SendMessage\"", "3", "null", "true"}) {
    rapidjson::Document input = ParseJson(text);
    for (const auto& fixture : RequestFixtures()) {
      EXPECT_EQ(fixture.decode(input).code(), Code::kMalformedRequest) << text;
    }
  }
}

TEST(SqsDecode, IntegersMustBeWholeAndFitInt32) {
  auto delay = [](const char* value) {
    std::string body = std::string(R"({"QueueUrl":")") + std::string(testing::kOrdersUrl) +
                       R"(","MessageBody":"x","DelaySeconds":)" + value + "}";
    rapidjson::Document input = ParseJson(body);
    return DecodeSendMessage(input).status();
  };
  EXPECT_TRUE(delay("0").ok());
  EXPECT_TRUE(delay("-5").ok());  // range is the engine's business
  EXPECT_TRUE(delay("2147483647").ok());
  Status too_big = delay("2147483648");
  EXPECT_EQ(too_big.code(), Code::kInvalidParameterValue);
  EXPECT_EQ(too_big.message(),
            "Value 2147483648 for parameter DelaySeconds is invalid. Reason: out of range.");
  EXPECT_EQ(delay("1.5").code(), Code::kInvalidParameterValue);
  EXPECT_EQ(delay("\"5\"").code(), Code::kInvalidParameterValue);
  EXPECT_EQ(delay("true").code(), Code::kInvalidParameterValue);
}

TEST(SqsDecode, NestedMembersAreCheckedWithTheirPath) {
  auto batch = [](const char* entries) {
    std::string body = std::string(R"({"QueueUrl":")") + std::string(testing::kOrdersUrl) +
                       R"(","Entries":)" + entries + "}";
    rapidjson::Document input = ParseJson(body);
    return DecodeSendMessageBatch(input).status();
  };
  Status missing_id = batch(R"([{"Id":"a","MessageBody":"x"},{"MessageBody":"y"}])");
  EXPECT_EQ(missing_id.code(), Code::kMissingParameter);
  EXPECT_EQ(missing_id.message(), "The request must contain the parameter Entries.2.Id.");

  Status wrong_body = batch(R"([{"Id":"a","MessageBody":5}])");
  EXPECT_EQ(wrong_body.code(), Code::kInvalidParameterValue);
  EXPECT_NE(wrong_body.message().find("Entries.1.MessageBody"), std::string::npos);

  EXPECT_EQ(batch(R"(["not an object"])").code(), Code::kInvalidParameterValue);
  EXPECT_EQ(batch(R"({"Id":"a"})").code(), Code::kInvalidParameterValue);

  Status no_data_type =
      batch(R"([{"Id":"a","MessageBody":"x","MessageAttributes":{"k":{"StringValue":"v"}}}])");
  EXPECT_EQ(no_data_type.code(), Code::kMissingParameter);
  EXPECT_EQ(no_data_type.message(),
            "The request must contain the parameter Entries.1.MessageAttributes.k.DataType.");

  // Entry counts and ids are the engine's to judge: the codec passes them on.
  EXPECT_TRUE(batch("[]").ok());
  EXPECT_TRUE(batch(R"([{"Id":"same","MessageBody":"x"},{"Id":"same","MessageBody":"y"}])").ok());
}

TEST(SqsDecode, ListsAndMapsMustHoldStrings) {
  auto attributes = [](const char* names) {
    std::string body = std::string(R"({"QueueUrl":")") + std::string(testing::kOrdersUrl) +
                       R"(","AttributeNames":)" + names + "}";
    rapidjson::Document input = ParseJson(body);
    return DecodeGetQueueAttributes(input).status();
  };
  EXPECT_TRUE(attributes(R"([])").ok());
  EXPECT_EQ(attributes(R"(["All", 3])").code(), Code::kInvalidParameterValue);
  EXPECT_EQ(attributes(R"("All")").code(), Code::kInvalidParameterValue);

  rapidjson::Document tags = ParseJson(R"({"QueueUrl":"http://h/1/q","Tags":{"a":"b","c":1}})");
  EXPECT_EQ(DecodeTagQueue(tags).status().code(), Code::kInvalidParameterValue);
}

// ---- QueueUrl ---------------------------------------------------------------

TEST(SqsQueueUrl, AcceptsAnySchemeHostAndPort) {
  for (const char* url :
       {"http://localhost:4566/000000000000/orders",
        "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
        "http://whatever:1234/000000000000/orders", "http://sluice/000000000000/orders/",
        "http://127.0.0.1:9324/queue/orders", "localhost:4566/000000000000/orders",
        "/000000000000/orders", "http://h/000000000000/orders?Action=SendMessage",
        "http://h/000000000000/orders#fragment"}) {
    Result<std::string> name = QueueNameFromUrl(url);
    ASSERT_TRUE(name.ok()) << url << ": " << name.status().ToString();
    EXPECT_EQ(*name, "orders") << url;
  }
  EXPECT_EQ(*QueueNameFromUrl("http://h/1/jobs.fifo"), "jobs.fifo");
}

TEST(SqsQueueUrl, UrlWithoutAccountAndNameIsQueueDoesNotExist) {
  for (const char* url :
       {"", "orders", "http://localhost:4566", "http://localhost:4566/",
        "http://localhost:4566/orders",
        "http://localhost:4566//orders", "http://localhost:4566/000000000000/",
        "http://localhost:4566/000000000000//", "http://localhost:4566/a/b/c", "://"}) {
    Result<std::string> name = QueueNameFromUrl(url);
    EXPECT_FALSE(name.ok()) << url;
    EXPECT_EQ(name.status().code(), Code::kQueueDoesNotExist) << url;
    EXPECT_EQ(name.status().message(), "The specified queue does not exist.");
  }
}

TEST(SqsQueueUrl, DecodersResolveTheUrlAndTreatEmptyAsMissing) {
  rapidjson::Document bad = ParseJson(R"({"QueueUrl":"http://localhost:4566/orders"})");
  EXPECT_EQ(DecodePurgeQueue(bad).status().code(), Code::kQueueDoesNotExist);
  rapidjson::Document empty = ParseJson(R"({"QueueUrl":""})");
  Status status = DecodePurgeQueue(empty).status();
  EXPECT_EQ(status.code(), Code::kMissingParameter);
  EXPECT_EQ(status.message(), "The request must contain the parameter QueueUrl.");
}

}  // namespace
}  // namespace sluice::sqs
