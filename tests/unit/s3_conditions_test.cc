// HTTP dates, ETag lists and the precondition tables of reads, copy sources
// and conditional writes.
#include <gtest/gtest.h>

#include "s3/conditions.h"

namespace sluice::s3 {
namespace {

constexpr int64_t kRfcExample = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(S3Conditions, ParsesAllThreeDateForms) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), kRfcExample);
  EXPECT_EQ(ParseHttpDate("Sun Nov 16 08:49:37 1994"), kRfcExample + 10 * 86400);
  EXPECT_EQ(ParseHttpDate("  Sun, 06 Nov 1994 08:49:37 GMT "), kRfcExample);  // surrounding whitespace
  EXPECT_EQ(ParseHttpDate("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(ParseHttpDate("Wed, 31 Dec 1969 23:59:59 GMT"), -1);
  EXPECT_EQ(ParseHttpDate("Thu, 29 Feb 2024 12:00:00 GMT"), 1709208000);
  EXPECT_EQ(ParseHttpDate("Thursday, 01-Jan-70 00:00:00 GMT"), 0);
  EXPECT_EQ(ParseHttpDate("Saturday, 01-Jan-00 00:00:00 GMT"), 946684800);  // 00 -> 2000
  EXPECT_EQ(ParseHttpDate("Tue, 19 Jan 2038 03:14:08 GMT"), 2147483648LL);  // past 32 bits
}

TEST(S3Conditions, RefusesMalformedDates) {
  for (const char* text : {"", "yesterday", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Nov 1994 08:49:37",
                           "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                           "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 29 Feb 2023 08:49:37 GMT",
                           "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
                           "Sun, 00 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z", "784111777",
                           "Sun, 06 Nov 1994 08:49:37 GMTx", "Sun Nov 6 08:49:37 1994"}) {
    EXPECT_EQ(ParseHttpDate(text), std::nullopt) << text;
  }
}

TEST(S3Conditions, FormatsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(kRfcExample * 1000 + 999), "Sun, 06 Nov 1994 08:49:37 GMT");  // truncated
  EXPECT_EQ(FormatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(FormatHttpDate(1709208000000), "Thu, 29 Feb 2024 12:00:00 GMT");
  for (int64_t seconds : {0LL, 1LL, 86399LL, 951782400LL, 1767225599LL, 4102444800LL, -86400LL}) {
    EXPECT_EQ(ParseHttpDate(FormatHttpDate(seconds * 1000)), seconds) << seconds;
  }
}

TEST(S3Conditions, EtagLists) {
  EXPECT_TRUE(EtagListMatches("\"abc\"", "abc", false));
  EXPECT_TRUE(EtagListMatches("abc", "abc", false));        // AWS accepts unquoted ETags
  EXPECT_TRUE(EtagListMatches("\"abc\"", "\"abc\"", false));  // either side may be quoted
  EXPECT_TRUE(EtagListMatches("*", "abc", false));
  EXPECT_TRUE(EtagListMatches("\"x\", \"abc\"", "abc", false));
  EXPECT_TRUE(EtagListMatches("\"x\",abc", "abc", false));
  EXPECT_TRUE(EtagListMatches(" \"x\" , \"y\" , * ", "abc", false));
  EXPECT_FALSE(EtagListMatches("\"x\", \"y\"", "abc", false));
  EXPECT_FALSE(EtagListMatches("\"abcd\"", "abc", false));
  EXPECT_FALSE(EtagListMatches("", "abc", false));
  EXPECT_FALSE(EtagListMatches("\"\"", "abc", false));
  // Weak tags: only weak comparison (If-None-Match) accepts them.
  EXPECT_FALSE(EtagListMatches("W/\"abc\"", "abc", false));
  EXPECT_TRUE(EtagListMatches("W/\"abc\"", "abc", true));
  EXPECT_TRUE(EtagListMatches("\"abc-3\"", "abc-3", false));  // multipart ETags
}

// The object: ETag E, modified at 08:49:37.500 on the RFC's example day.
const ObjectState kObject{"e1e2", kRfcExample * 1000 + 500};
const int64_t kNow = (kRfcExample + 86400) * 1000;

std::string Date(int64_t seconds) { return FormatHttpDate(seconds * 1000); }

struct ReadCase {
  const char* name;
  ReadConditions conditions;
  int status;             // 0: proceed, 304, or 412
  const char* condition;  // the 412's <Condition>
};

TEST(S3Conditions, ReadPrecedenceTable) {
  const std::string match = "\"e1e2\"";
  const std::string other = "\"ffff\"";
  const std::string before = Date(kRfcExample - 3600);
  const std::string at = Date(kRfcExample);  // the object's own second
  const std::string after = Date(kRfcExample + 3600);
  const std::string future = Date(kRfcExample + 2 * 86400);
  const std::nullopt_t none = std::nullopt;
  // clang-format off
  const ReadCase cases[] = {
    {"nothing", {none, none, none, none}, 0, ""},
    {"if-match true", {match, none, none, none}, 0, ""},
    {"if-match false", {other, none, none, none}, 412, "If-Match"},
    {"if-match star", {"*", none, none, none}, 0, ""},
    {"if-match list", {"\"a\", " + match, none, none, none}, 0, ""},
    {"if-match unquoted", {"e1e2", none, none, none}, 0, ""},
    {"if-match weak", {"W/" + match, none, none, none}, 412, "If-Match"},
    {"if-unmodified-since false", {none, none, none, before}, 412, "If-Unmodified-Since"},
    {"if-unmodified-since same second", {none, none, none, at}, 0, ""},
    {"if-unmodified-since later", {none, none, none, after}, 0, ""},
    {"if-unmodified-since invalid", {none, none, none, "not a date"}, 0, ""},
    // S3's documented case: If-Match true wins over If-Unmodified-Since false.
    {"if-match true, unmodified-since false", {match, none, none, before}, 200, ""},
    {"if-match false, unmodified-since false", {other, none, none, before}, 412, "If-Match"},
    {"if-none-match match", {none, match, none, none}, 304, ""},
    {"if-none-match unquoted", {none, "e1e2", none, none}, 304, ""},
    {"if-none-match weak", {none, "W/" + match, none, none}, 304, ""},
    {"if-none-match star", {none, "*", none, none}, 304, ""},
    {"if-none-match other", {none, other, none, none}, 0, ""},
    {"if-modified-since same second", {none, none, at, none}, 304, ""},
    {"if-modified-since later", {none, none, after, none}, 304, ""},
    {"if-modified-since earlier", {none, none, before, none}, 0, ""},
    {"if-modified-since future", {none, none, future, none}, 0, ""},
    {"if-modified-since invalid", {none, none, "garbage", none}, 0, ""},
    // If-None-Match present: If-Modified-Since is not evaluated.
    {"none-match other, modified-since not modified", {none, other, at, none}, 0, ""},
    {"none-match match, modified-since modified", {none, match, before, none}, 304, ""},
    // 412 conditions are evaluated before 304 ones.
    {"if-match false, none-match match", {other, match, at, none}, 412, "If-Match"},
    {"unmodified-since false, none-match match", {none, match, at, before}, 412, "If-Unmodified-Since"},
    {"unmodified-since false, modified-since", {none, none, at, before}, 412, "If-Unmodified-Since"},
    // AWS's own sequence (test_s3_get_object_preconditions).
    {"aws all four", {"\"etag123\"", match, after, before}, 412, "If-Match"},
    {"aws all positive", {"e1e2", "\"etag123\"", before, after}, 0, ""},
  };
  // clang-format on
  for (const ReadCase& c : cases) {
    std::optional<S3Error> error = EvaluateReadConditions(c.conditions, kObject, kNow);
    if (c.status == 0 || c.status == 200) {
      EXPECT_FALSE(error.has_value()) << c.name << ": " << (error ? error->code : "");
      continue;
    }
    ASSERT_TRUE(error.has_value()) << c.name;
    EXPECT_EQ(error->http_status, c.status) << c.name;
    if (c.status == 304) {
      EXPECT_EQ(error->code, "NotModified") << c.name;
    } else {
      EXPECT_EQ(error->code, "PreconditionFailed") << c.name;
      EXPECT_EQ(error->message, "At least one of the pre-conditions you specified did not hold");
      ASSERT_EQ(error->details.size(), 1u) << c.name;
      EXPECT_STREQ(error->details[0].name, "Condition");
      EXPECT_EQ(error->details[0].value, c.condition) << c.name;
    }
  }
}

TEST(S3Conditions, SecondPrecisionBeforeTheEpoch) {
  // -0.5 s is in second -1, not second 0.
  const ObjectState early{"e", -500};
  ReadConditions conditions;
  conditions.if_unmodified_since = Date(-1);
  EXPECT_FALSE(EvaluateReadConditions(conditions, early, 0).has_value());
  conditions.if_unmodified_since = Date(-2);
  EXPECT_TRUE(EvaluateReadConditions(conditions, early, 0).has_value());
}

TEST(S3Conditions, CopySourceFailuresAre412) {
  const std::string before = Date(kRfcExample - 3600);
  const std::string at = Date(kRfcExample);
  struct Case {
    ReadConditions conditions;
    const char* condition;  // "" = proceed
  };
  const std::nullopt_t none = std::nullopt;
  // clang-format off
  const Case cases[] = {
    {{"\"etag123\"", "\"e1e2\"", at, before}, "x-amz-copy-source-If-Match"},
    {{none, "\"e1e2\"", at, before}, "x-amz-copy-source-If-Unmodified-Since"},
    {{none, "\"e1e2\"", at, none}, "x-amz-copy-source-If-None-Match"},
    {{none, "e1e2", none, none}, "x-amz-copy-source-If-None-Match"},
    {{none, none, at, none}, "x-amz-copy-source-If-Modified-Since"},
    {{none, none, Date(kRfcExample + 2 * 86400), none}, ""},  // future: ignored
    {{"e1e2", "\"etag123\"", before, at}, ""},
    {{"\"e1e2\"", none, none, before}, ""},  // If-Match true wins over unmodified-since
  };
  // clang-format on
  for (const Case& c : cases) {
    std::optional<S3Error> error = EvaluateCopySourceConditions(c.conditions, kObject, kNow);
    if (*c.condition == '\0') {
      EXPECT_FALSE(error.has_value()) << (error ? error->details[0].value : "");
      continue;
    }
    ASSERT_TRUE(error.has_value()) << c.condition;
    EXPECT_EQ(error->code, "PreconditionFailed");
    EXPECT_EQ(error->http_status, 412);
    EXPECT_EQ(error->details[0].value, c.condition);
  }
}

TEST(S3Conditions, FromRequests) {
  http::Request request;
  request.headers = {{"if-match", "\"a\""},
                     {"if-modified-since", "Sun, 06 Nov 1994 08:49:37 GMT"},
                     {"x-amz-copy-source-if-none-match", "\"b\""},
                     {"x-amz-copy-source-if-unmodified-since", "Sun, 06 Nov 1994 08:49:37 GMT"},
                     {"if-none-match", "*"}};
  ReadConditions read = ReadConditionsFrom(request);
  EXPECT_EQ(read.if_match, "\"a\"");
  EXPECT_EQ(read.if_none_match, "*");
  EXPECT_EQ(read.if_modified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(read.if_unmodified_since, std::nullopt);
  ReadConditions copy = CopySourceConditionsFrom(request);
  EXPECT_EQ(copy.if_match, std::nullopt);
  EXPECT_EQ(copy.if_none_match, "\"b\"");
  EXPECT_EQ(copy.if_unmodified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
  WriteConditions write = WriteConditionsFrom(request);
  EXPECT_EQ(write.if_match, "\"a\"");
  EXPECT_EQ(write.if_none_match, "*");
}

TEST(S3Conditions, WriteConditionValidation) {
  EXPECT_FALSE(ValidateWriteConditions({}).has_value());
  EXPECT_FALSE(ValidateWriteConditions({std::nullopt, "*"}).has_value());
  EXPECT_FALSE(ValidateWriteConditions({"\"abc\"", std::nullopt}).has_value());
  struct Case {
    WriteConditions conditions;
    const char* header;
  };
  const Case cases[] = {
      {{std::nullopt, "\"abc\""}, "If-None-Match"},
      {{"*", std::nullopt}, "If-Match"},
      {{"\"abc\"", "*"}, "If-Match,If-None-Match"},
  };
  for (const Case& c : cases) {
    std::optional<S3Error> error = ValidateWriteConditions(c.conditions);
    ASSERT_TRUE(error.has_value()) << c.header;
    EXPECT_EQ(error->code, "NotImplemented");
    EXPECT_EQ(error->http_status, 501);
    EXPECT_EQ(error->message, "A header you provided implies functionality that is not implemented");
    ASSERT_GE(error->details.size(), 1u);
    EXPECT_STREQ(error->details[0].name, "Header");
    EXPECT_EQ(error->details[0].value, c.header);
  }
}

TEST(S3Conditions, WriteConditionEvaluation) {
  const ObjectState existing{"e1e2", 0};
  // If-None-Match: *
  EXPECT_FALSE(EvaluateWriteConditions({std::nullopt, "*"}, nullptr, "k").has_value());
  std::optional<S3Error> exists = EvaluateWriteConditions({std::nullopt, "*"}, &existing, "k");
  ASSERT_TRUE(exists.has_value());
  EXPECT_EQ(exists->http_status, 412);
  EXPECT_EQ(exists->details[0].value, "If-None-Match");
  // If-Match
  EXPECT_FALSE(EvaluateWriteConditions({"\"e1e2\"", std::nullopt}, &existing, "k").has_value());
  EXPECT_FALSE(EvaluateWriteConditions({"e1e2", std::nullopt}, &existing, "k").has_value());
  std::optional<S3Error> wrong = EvaluateWriteConditions({"\"ffff\"", std::nullopt}, &existing, "k");
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->http_status, 412);
  EXPECT_EQ(wrong->details[0].value, "If-Match");
  std::optional<S3Error> missing = EvaluateWriteConditions({"\"e1e2\"", std::nullopt}, nullptr, "photos/cat.jpg");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->code, "NoSuchKey");
  EXPECT_EQ(missing->http_status, 404);
  EXPECT_EQ(missing->key, "photos/cat.jpg");
  // No conditions: always proceed.
  EXPECT_FALSE(EvaluateWriteConditions({}, &existing, "k").has_value());
  EXPECT_FALSE(EvaluateWriteConditions({}, nullptr, "k").has_value());
}

}  // namespace
}  // namespace sluice::s3
