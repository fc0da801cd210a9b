// Pure tests of a route's loop-thread half: validation messages, defaults,
// routing, the templated response, the token bucket and ISO 8601.
#include <map>
#include <memory>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "gateway/compiled_route.h"
#include "gateway/iso8601.h"
#include "gateway/token_bucket.h"
#include "gateway_test_util.h"
#include "sluice/clock.h"
#include "sluice/time_format.h"

namespace sluice::gateway {
namespace {

using testing::PaymentsRoute;
using testing::WebhookRoute;

class PrepareTest : public ::testing::Test {
 protected:
  std::unique_ptr<CompiledRoute> Compile(RouteConfig config) {
    Result<std::unique_ptr<CompiledRoute>> compiled = CompiledRoute::Compile(std::move(config));
    EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
    return compiled.ok() ? std::move(compiled.value()) : nullptr;
  }

  Result<PreparedEvent> Prepare(CompiledRoute& route, const std::string& body) {
    return route.Prepare(body, clock_.NowMillis(), scratch_);
  }

  // The 400 message for `body` on `route`.
  std::string ErrorOf(CompiledRoute& route, const std::string& body) {
    Result<PreparedEvent> prepared = Prepare(route, body);
    EXPECT_FALSE(prepared.ok()) << "accepted: " << body;
    return prepared.ok() ? "<accepted>" : prepared.status().message();
  }

  FakeClock clock_;
  PrepareScratch scratch_;
};

constexpr char kValidWebhook[] =
    R"({"event_id":"evt_1","transaction_type":"payment","amount":12.5,"timestamp":"2026-01-15T10:00:00Z"})";

TEST_F(PrepareTest, ValidWebhookEvent) {
  auto route = Compile(WebhookRoute());
  Result<PreparedEvent> prepared = Prepare(*route, kValidWebhook);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(prepared->body, kValidWebhook);  // already compact: unchanged
  EXPECT_EQ(*prepared->queue, "payments-queue");
  ASSERT_TRUE(prepared->dedup_key.has_value());
  EXPECT_EQ(*prepared->dedup_key, "evt_1");
  EXPECT_EQ(prepared->event_id, "evt_1");
  EXPECT_EQ(prepared->response_body,
            R"({"message":"Event validated and queued for processing","event_id":"evt_1"})");
}

TEST_F(PrepareTest, BodyIsReserializedCompactWithExactNumbers) {
  auto route = Compile(WebhookRoute());
  Result<PreparedEvent> prepared = Prepare(*route, R"( {
      "event_id" : "evt_2", "transaction_type":"refund",
      "amount": 19.99, "timestamp":"2026-01-15T10:00:00.123+02:00", "note":"caf\u00e9" } )");
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(prepared->body,
            "{\"event_id\":\"evt_2\",\"transaction_type\":\"refund\",\"amount\":19.99,"
            "\"timestamp\":\"2026-01-15T10:00:00.123+02:00\",\"note\":\"caf\xC3\xA9\"}");
}

TEST_F(PrepareTest, RoutesByTransactionType) {
  auto route = Compile(WebhookRoute());
  for (const auto& [type, queue] : std::map<std::string, std::string>{
           {"payment", "payments-queue"}, {"refund", "refunds-queue"}, {"dispute", "disputes-queue"}}) {
    Result<PreparedEvent> prepared = Prepare(
        *route, R"({"event_id":"e","transaction_type":")" + type + R"(","amount":1,"timestamp":"2026-01-15T10:00:00Z"})");
    ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
    EXPECT_EQ(*prepared->queue, queue);
  }
}

TEST_F(PrepareTest, MissingFieldNamesTheFirstInRequiredOrder) {
  auto route = Compile(WebhookRoute());
  EXPECT_EQ(ErrorOf(*route, R"({"transaction_type":"payment","amount":1,"timestamp":"2026-01-15T10:00:00Z"})"),
            "Missing required field: event_id");
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":"e","transaction_type":"payment"})"), "Missing required field: amount");
  EXPECT_EQ(ErrorOf(*route, "{}"), "Missing required field: event_id");
  // A missing field wins over a wrong one elsewhere.
  EXPECT_EQ(ErrorOf(*route, R"({"amount":"x","transaction_type":"payment","timestamp":"2026-01-15T10:00:00Z"})"),
            "Missing required field: event_id");
  Result<PreparedEvent> prepared = Prepare(*route, "{}");
  EXPECT_EQ(prepared.status().code(), Code::kMissingParameter);
}

TEST_F(PrepareTest, WrongTypeSaysWhatWasExpectedAndWhatCame) {
  auto route = Compile(WebhookRoute());
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":"e","transaction_type":"payment","amount":"12","timestamp":"2026-01-15T10:00:00Z"})"),
            "Field 'amount' must be a number, got string");
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":7,"transaction_type":"payment","amount":1,"timestamp":"2026-01-15T10:00:00Z"})"),
            "Field 'event_id' must be a string, got number");
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":null,"transaction_type":"payment","amount":1,"timestamp":"2026-01-15T10:00:00Z"})"),
            "Field 'event_id' must be a string, got null");
  EXPECT_EQ(Prepare(*route, R"({"event_id":"e","transaction_type":"payment","amount":"12","timestamp":"x"})").status().code(),
            Code::kInvalidParameterValue);
}

TEST_F(PrepareTest, UnknownEnumValueListsTheChoices) {
  auto route = Compile(WebhookRoute());
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":"e","transaction_type":"foo","amount":1,"timestamp":"2026-01-15T10:00:00Z"})"),
            "Field 'transaction_type' must be one of: payment, refund, dispute; got 'foo'");
}

TEST_F(PrepareTest, BadTimestampIsNotADateTime) {
  auto route = Compile(WebhookRoute());
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":"e","transaction_type":"payment","amount":1,"timestamp":"yesterday"})"),
            "Field 'timestamp' must be an ISO 8601 date-time, got 'yesterday'");
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":"e","transaction_type":"payment","amount":1,"timestamp":"2026-02-30T10:00:00Z"})"),
            "Field 'timestamp' must be an ISO 8601 date-time, got '2026-02-30T10:00:00Z'");
}

TEST_F(PrepareTest, BodyThatIsNotAJsonObject) {
  auto route = Compile(WebhookRoute());
  EXPECT_EQ(ErrorOf(*route, "{bad json}"),
            "Request body is not valid JSON: Missing a name for object member (at offset 1)");
  EXPECT_EQ(ErrorOf(*route, R"({"a":1} x)"),
            "Request body is not valid JSON: The document root must not be followed by other values (at offset 8)");
  EXPECT_EQ(ErrorOf(*route, "[1,2]"), "Request body must be a JSON object, got array");
  EXPECT_EQ(ErrorOf(*route, "\"text\""), "Request body must be a JSON object, got string");
  EXPECT_EQ(ErrorOf(*route, ""), "Request body is empty; expected a JSON object");
  EXPECT_EQ(ErrorOf(*route, "{\"event_id\":\"\xff\"}"),
            "Request body is not valid JSON: Invalid encoding in string (at offset 13)");
  EXPECT_EQ(Prepare(*route, "[]").status().code(), Code::kMalformedRequest);
}

TEST_F(PrepareTest, MinLength) {
  auto route = Compile(WebhookRoute());
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":"","transaction_type":"payment","amount":1,"timestamp":"2026-01-15T10:00:00Z"})"),
            "Field 'event_id' must be at least 1 character long, got 0");
}

RouteConfig GenericRoute() {
  RouteConfig route;
  route.name = "generic";
  route.method = "POST";
  route.path = "/generic";
  route.target_queue = "q";
  route.schema_json = R"({"type":"object","additionalProperties":false,"properties":{
    "amount":{"type":"number","minimum":0,"maximum":1000000},
    "fee":{"type":"number","minimum":0,"exclusiveMinimum":true},
    "count":{"type":"integer","multipleOf":5},
    "code":{"type":"string","pattern":"^[A-Z]{3}$","maxLength":3},
    "kind":{"type":["string","null"]},
    "customer":{"type":"object","required":["id"],"properties":{
      "id":{"type":"string"},
      "tags":{"type":"array","maxItems":2,"uniqueItems":true,"items":{"type":"object","properties":{
        "c":{"type":"integer"},"at":{"type":"string","format":"date-time"}}}}}}}})";
  return route;
}

TEST_F(PrepareTest, GenericKeywordsNameTheField) {
  auto route = Compile(GenericRoute());
  EXPECT_EQ(ErrorOf(*route, R"({"amount":-5})"), "Field 'amount' must be at least 0, got -5");
  EXPECT_EQ(ErrorOf(*route, R"({"amount":2000000})"), "Field 'amount' must be at most 1000000, got 2000000");
  EXPECT_EQ(ErrorOf(*route, R"({"amount":1e7})"), "Field 'amount' must be at most 1000000, got 10000000.0");
  EXPECT_EQ(ErrorOf(*route, R"({"fee":0})"), "Field 'fee' must be greater than 0, got 0");
  EXPECT_EQ(ErrorOf(*route, R"({"count":7})"), "Field 'count' must be a multiple of 5, got 7");
  EXPECT_EQ(ErrorOf(*route, R"({"count":1.5})"), "Field 'count' must be an integer, got number");
  EXPECT_EQ(ErrorOf(*route, R"({"code":"abc"})"), "Field 'code' must match the pattern '^[A-Z]{3}$', got 'abc'");
  EXPECT_EQ(ErrorOf(*route, R"({"code":"ABCD"})"), "Field 'code' must be at most 3 characters long, got 4");
  EXPECT_EQ(ErrorOf(*route, R"({"kind":5})"), "Field 'kind' must be a string or null, got number");
  EXPECT_EQ(ErrorOf(*route, R"({"amount":1,"extra":true})"), "Unknown field 'extra'");
}

TEST_F(PrepareTest, NestedFieldsAreNamedWithDotsAndIndexes) {
  auto route = Compile(GenericRoute());
  EXPECT_EQ(ErrorOf(*route, R"({"customer":{}})"), "Missing required field: customer.id");
  EXPECT_EQ(ErrorOf(*route, R"({"customer":{"id":"c","tags":[{"c":1},{"c":"s"}]}})"),
            "Field 'customer.tags[1].c' must be an integer, got string");
  EXPECT_EQ(ErrorOf(*route, R"({"customer":{"id":"c","tags":[{"at":"nope"}]}})"),
            "Field 'customer.tags[0].at' must be an ISO 8601 date-time, got 'nope'");
  EXPECT_EQ(ErrorOf(*route, R"({"customer":{"id":"c","tags":[{"c":1},{"c":2},{"c":3}]}})"),
            "Field 'customer.tags' must have at most 2 items, got 3");
  EXPECT_EQ(ErrorOf(*route, R"({"customer":{"id":"c","tags":[{"c":1},{"c":1}]}})"),
            "Field 'customer.tags' must not contain duplicate items (customer.tags[1] repeats an earlier item)");
  EXPECT_EQ(ErrorOf(*route, R"({"customer":{"id":"c","x":1,"tags":[{"c":1}]},"extra":{}})"), "Unknown field 'extra'");
  Result<PreparedEvent> ok = Prepare(*route, R"({"customer":{"id":"c","tags":[{"c":1,"at":"2026-01-15T10:00:00Z"}]}})");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST_F(PrepareTest, LongValuesAreCutShortInMessages) {
  auto route = Compile(WebhookRoute());
  std::string long_type(300, 'x');
  std::string message = ErrorOf(
      *route, R"({"event_id":"e","transaction_type":")" + long_type + R"(","amount":1,"timestamp":"2026-01-15T10:00:00Z"})");
  EXPECT_EQ(message, "Field 'transaction_type' must be one of: payment, refund, dispute; got '" + std::string(100, 'x') +
                         "...'");
}

TEST_F(PrepareTest, PaymentDefaultsFillUuidAndNow) {
  auto route = Compile(PaymentsRoute());
  clock_.Set(1'768'471'200'123);  // 2026-01-15T10:00:00.123Z
  Result<PreparedEvent> prepared = Prepare(*route, R"({"amount":10})");
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  std::smatch match;
  static const std::regex kShape(
      R"j(\{"amount":10,"payment_id":"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})","ts":"2026-01-15T10:00:00\.123Z"\})j");
  ASSERT_TRUE(std::regex_match(prepared->body, match, kShape)) << prepared->body;
  const std::string uuid = match[1];
  EXPECT_EQ(*prepared->queue, "payment-events");
  EXPECT_FALSE(prepared->dedup_key.has_value());
  EXPECT_EQ(prepared->event_id, uuid);  // the "$uuid" field names the event in the log
  EXPECT_EQ(prepared->response_body, R"({"enqueued":true,"payment_id":")" + uuid + R"("})");

  Result<PreparedEvent> again = Prepare(*route, R"({"amount":10})");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->event_id, uuid) << "each request gets its own UUID";
}

TEST_F(PrepareTest, GivenFieldsAreKeptOverDefaults) {
  auto route = Compile(PaymentsRoute());
  Result<PreparedEvent> prepared = Prepare(*route, R"({"payment_id":"pay_1","amount":5,"ts":"2026-01-01T00:00:00Z"})");
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(prepared->body, R"({"payment_id":"pay_1","amount":5,"ts":"2026-01-01T00:00:00Z"})");
  EXPECT_EQ(prepared->response_body, R"({"enqueued":true,"payment_id":"pay_1"})");
  EXPECT_EQ(ErrorOf(*route, R"({"amount":5,"ts":"noon"})"), "Field 'ts' must be an ISO 8601 date-time, got 'noon'");
  EXPECT_EQ(ErrorOf(*route, R"({"payment_id":"p"})"), "Missing required field: amount");
}

TEST_F(PrepareTest, LiteralAndNestedDefaults) {
  RouteConfig config = PaymentsRoute();
  config.defaults.push_back({"currency", FieldDefault::Kind::kLiteral, R"("USD")"});
  config.defaults.push_back({"meta.source", FieldDefault::Kind::kLiteral, R"({"via":"api"})"});
  config.defaults.push_back({"meta.retries", FieldDefault::Kind::kLiteral, "0"});
  auto route = Compile(config);
  Result<PreparedEvent> prepared =
      Prepare(*route, R"({"payment_id":"p","amount":1,"ts":"2026-01-01T00:00:00Z","meta":{"retries":3}})");
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(prepared->body,
            R"({"payment_id":"p","amount":1,"ts":"2026-01-01T00:00:00Z","meta":{"retries":3,"source":{"via":"api"}},"currency":"USD"})");
}

TEST_F(PrepareTest, ResponseTemplateKeepsTypesAndInterpolates) {
  RouteConfig config = WebhookRoute();
  config.response_json =
      R"j({"msg":"got ${event_id} for ${amount} (${nope})","amount":"${amount}","missing":"${nope}","fixed":[1,{"a":true}],"plain":"$x {y}"})j";
  auto route = Compile(config);
  Result<PreparedEvent> prepared = Prepare(*route, kValidWebhook);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(prepared->response_body,
            R"j({"msg":"got evt_1 for 12.5 ()","amount":12.5,"missing":null,"fixed":[1,{"a":true}],"plain":"$x {y}"})j");
}

TEST_F(PrepareTest, RoutingFieldWithoutSchemaEnum) {
  RouteConfig config = WebhookRoute();
  config.schema_json = R"({"type":"object"})";
  auto route = Compile(config);
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":"e"})"), "Missing required field: transaction_type");
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":"e","transaction_type":"chargeback"})"),
            "Field 'transaction_type' must be one of: dispute, payment, refund; got 'chargeback'");
}

TEST_F(PrepareTest, DedupKeyOfNonStringsAndAbsentKeys) {
  RouteConfig config = WebhookRoute();
  config.schema_json = R"({"type":"object"})";
  auto route = Compile(config);
  Result<PreparedEvent> number = Prepare(*route, R"({"event_id":42,"transaction_type":"payment"})");
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(number->dedup_key.value_or("<none>"), "42");
  Result<PreparedEvent> absent = Prepare(*route, R"({"transaction_type":"payment"})");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->dedup_key.has_value());
}

// A webhook that keeps each account's events in order: a FIFO target, the
// account as the message group, the event id as the deduplication id.
RouteConfig LedgerRoute() {
  RouteConfig route = WebhookRoute();
  route.name = "ledger";
  route.path = "/ledger";
  route.schema_json = R"({"type":"object","required":["event_id","account","amount"],
    "properties":{"event_id":{"type":"string","minLength":1},"account":{},"amount":{"type":"number"}}})";
  route.target_field.clear();
  route.target_queues.clear();
  route.target_queue = "ledger.fifo";
  route.message_group_field = "account";
  return route;
}

TEST_F(PrepareTest, FifoTargetGetsGroupAndDeduplicationIds) {
  auto route = Compile(LedgerRoute());
  Result<PreparedEvent> prepared = Prepare(*route, R"({"event_id":"evt_1","account":"acct-7","amount":5})");
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(*prepared->queue, "ledger.fifo");
  EXPECT_EQ(prepared->message_group_id, "acct-7");
  EXPECT_EQ(prepared->message_deduplication_id, "evt_1");

  // A number is a group as its JSON text; a dedup key that cannot be an id
  // (a space) is hashed.
  prepared = Prepare(*route, R"({"event_id":"evt 2","account":42,"amount":5})");
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(prepared->message_group_id, "42");
  ASSERT_TRUE(prepared->message_deduplication_id.has_value());
  EXPECT_EQ(prepared->message_deduplication_id->size(), 64u);
  EXPECT_NE(*prepared->message_deduplication_id, "evt 2");

  EXPECT_EQ(ErrorOf(*route, R"({"event_id":"e","account":{"id":1},"amount":5})"),
            "Field 'account' orders messages (their message group) and must be a string or number of 1 to 128 "
            "letters, digits or punctuation; got an object");
  EXPECT_EQ(ErrorOf(*route, R"({"event_id":"e","account":null,"amount":5})"), "Missing required field: account");
  EXPECT_NE(ErrorOf(*route, R"({"event_id":"e","account":"two words","amount":5})").find("Field 'account'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(*route, R"({"event_id":"e","account":")" + std::string(129, 'a') + R"(","amount":5})")
                .find("1 to 128"),
            std::string::npos);
}

TEST_F(PrepareTest, FifoTargetWithoutDedupKeyHashesTheBody) {
  RouteConfig config = LedgerRoute();
  config.dedup_field.reset();
  auto route = Compile(config);
  Result<PreparedEvent> first = Prepare(*route, R"({"event_id":"a","account":"x","amount":1})");
  Result<PreparedEvent> same = Prepare(*route, R"({"event_id":"a","account":"x","amount":1})");
  Result<PreparedEvent> other = Prepare(*route, R"({"event_id":"b","account":"x","amount":1})");
  ASSERT_TRUE(first.ok() && same.ok() && other.ok());
  EXPECT_EQ(first->message_deduplication_id, same->message_deduplication_id);
  EXPECT_NE(first->message_deduplication_id, other->message_deduplication_id);
}

TEST_F(PrepareTest, StandardTargetKeepsAGroupButNeedsNoDeduplicationId) {
  RouteConfig config = LedgerRoute();
  config.target_queue = "ledger";
  auto route = Compile(config);
  Result<PreparedEvent> prepared = Prepare(*route, R"({"event_id":"e","account":"acct-1","amount":1})");
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(prepared->message_group_id, "acct-1");  // fair queues on a standard queue
  EXPECT_FALSE(prepared->message_deduplication_id.has_value());
}

TEST(CompileRouteTest, FifoTargetNeedsAMessageGroupField) {
  RouteConfig config = LedgerRoute();
  config.message_group_field.clear();
  Result<std::unique_ptr<CompiledRoute>> compiled = CompiledRoute::Compile(config);
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().message(),
            "route 'ledger': a FIFO target queue needs a message group field (the value that orders messages)");
  // Also when only one entry of a routing table is FIFO.
  config = WebhookRoute();
  config.target_queues["dispute"] = "disputes.fifo";
  EXPECT_FALSE(CompiledRoute::Compile(config).ok());
}

TEST(CompileRouteTest, ErrorsNameTheRoute) {
  auto error_of = [](RouteConfig config) {
    Result<std::unique_ptr<CompiledRoute>> compiled = CompiledRoute::Compile(std::move(config));
    EXPECT_FALSE(compiled.ok());
    return compiled.ok() ? "<compiled>" : compiled.status().message();
  };
  RouteConfig bad_json = WebhookRoute();
  bad_json.schema_json = "{";
  EXPECT_EQ(error_of(bad_json), "route 'webhook': schema: not valid JSON at offset 1: Missing a name for object member.");
  RouteConfig bad_pattern = WebhookRoute();
  bad_pattern.schema_json = R"({"type":"object","properties":{"code":{"type":"string","pattern":"(ab"}}})";
  const std::string unsupported =
      "not a regular expression rapidjson supports (it has no \\d, \\w or \\s: write [0-9], [A-Za-z0-9_], [ \\t\\n])";
  EXPECT_EQ(error_of(bad_pattern), "route 'webhook': schema: properties.code.pattern: " + unsupported);
  // rapidjson would silently ignore this one and accept every value.
  bad_pattern.schema_json = R"({"type":"object","properties":{"code":{"type":"string","pattern":"^evt_\\d+$"}}})";
  EXPECT_EQ(error_of(bad_pattern), "route 'webhook': schema: properties.code.pattern: " + unsupported);
  bad_pattern.schema_json = R"j({"type":"object","patternProperties":{"x)":{}}})j";
  EXPECT_EQ(error_of(bad_pattern), "route 'webhook': schema: patternProperties: 'x)': " + unsupported);
  RouteConfig bad_format = WebhookRoute();
  bad_format.schema_json = R"({"type":"object","properties":{"mail":{"type":"string","format":"email"}}})";
  EXPECT_EQ(error_of(bad_format), "route 'webhook': schema: properties.mail.format: only \"date-time\" is supported");
  RouteConfig bad_type = WebhookRoute();
  bad_type.schema_json = R"({"type":"object","properties":{"n":{"type":"float"}}})";
  EXPECT_EQ(error_of(bad_type),
            "route 'webhook': schema: properties.n.type: must name JSON Schema types (string, number, integer, ...)");
  RouteConfig array_body = WebhookRoute();
  array_body.schema_json = R"({"type":"array"})";
  EXPECT_EQ(error_of(array_body), "route 'webhook': schema: type: a body schema must accept a JSON object");
  RouteConfig no_target = WebhookRoute();
  no_target.target_field.clear();
  EXPECT_EQ(error_of(no_target),
            "route 'webhook': set either a target queue or a target field with its table of queues");
  RouteConfig no_ttl = WebhookRoute();
  no_ttl.dedup_ttl_seconds = 0;
  EXPECT_EQ(error_of(no_ttl), "route 'webhook': dedup needs a TTL of at least one second");
  RouteConfig bad_response = WebhookRoute();
  bad_response.response_json = "[1]";
  EXPECT_EQ(error_of(bad_response), "route 'webhook': response: must be a JSON object");
  RouteConfig bad_default = PaymentsRoute();
  bad_default.defaults.push_back({"x", FieldDefault::Kind::kLiteral, "{oops"});
  EXPECT_EQ(error_of(bad_default), "route 'payments': default of 'x' is not valid JSON: Missing a name for object member");
  RouteConfig reserved = WebhookRoute();
  reserved.path = "/_sluice/v1/x";
  EXPECT_EQ(error_of(reserved), "route 'webhook': paths under /_sluice/ are reserved");
}

TEST(TokenBucketTest, BurstThenRate) {
  FakeClock clock;
  TokenBucket bucket(1, 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.TryTake(clock.NowMillis())) << i;
  EXPECT_FALSE(bucket.TryTake(clock.NowMillis()));
  EXPECT_EQ(bucket.RetryAfterSeconds(clock.NowMillis()), 1);
  clock.Advance(500);
  EXPECT_FALSE(bucket.TryTake(clock.NowMillis()));
  EXPECT_EQ(bucket.RetryAfterSeconds(clock.NowMillis()), 1);
  clock.Advance(500);
  EXPECT_TRUE(bucket.TryTake(clock.NowMillis()));
  EXPECT_FALSE(bucket.TryTake(clock.NowMillis()));
  clock.Advance(60'000);  // refills to the burst, no further
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.TryTake(clock.NowMillis())) << i;
  EXPECT_FALSE(bucket.TryTake(clock.NowMillis()));
}

TEST(TokenBucketTest, SlowRateAsksForLongerRetry) {
  FakeClock clock;
  TokenBucket bucket(0.1, 1);  // one per ten seconds
  EXPECT_TRUE(bucket.TryTake(clock.NowMillis()));
  EXPECT_FALSE(bucket.TryTake(clock.NowMillis()));
  EXPECT_EQ(bucket.RetryAfterSeconds(clock.NowMillis()), 10);
  clock.Advance(7'500);
  EXPECT_EQ(bucket.RetryAfterSeconds(clock.NowMillis()), 3);
}

TEST(TokenBucketTest, WebhookDefaultAndUnlimited) {
  FakeClock clock;
  TokenBucket webhook(1000, 1000);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(webhook.TryTake(clock.NowMillis())) << i;
  EXPECT_FALSE(webhook.TryTake(clock.NowMillis()));
  clock.Advance(1);
  EXPECT_TRUE(webhook.TryTake(clock.NowMillis()));
  EXPECT_FALSE(webhook.TryTake(clock.NowMillis()));

  TokenBucket unlimited(0, 0);
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(unlimited.TryTake(clock.NowMillis()));

  TokenBucket no_burst(5, 0);  // burst raised to the rate
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(no_burst.TryTake(clock.NowMillis()));
  EXPECT_FALSE(no_burst.TryTake(clock.NowMillis()));
}

TEST(TokenBucketTest, ClockSteppingBackRefillsNothing) {
  FakeClock clock;
  TokenBucket bucket(1, 1);
  EXPECT_TRUE(bucket.TryTake(clock.NowMillis()));
  clock.Advance(-5'000);
  EXPECT_FALSE(bucket.TryTake(clock.NowMillis()));
  clock.Advance(5'000);
  EXPECT_FALSE(bucket.TryTake(clock.NowMillis()));
  clock.Advance(1'000);
  EXPECT_TRUE(bucket.TryTake(clock.NowMillis()));
}

TEST(Iso8601Test, DateTimes) {
  for (const char* good : {"2026-01-15T10:00:00Z", "2026-01-15T10:00:00.123Z", "2026-01-15T10:00:00.123456789+02:00",
                           "2026-01-15t10:00:00z", "2026-01-15 10:00:00", "2026-01-15T10:00Z", "2024-02-29T00:00:00Z",
                           "2026-01-15T23:59:60Z", "2026-01-15T10:00:00-0530", "2026-01-15T10:00:00+05",
                           "2026-01-15T10:00:00,5Z"}) {
    EXPECT_TRUE(IsIso8601DateTime(good)) << good;
  }
  for (const char* bad : {"", "yesterday", "2026-01-15", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
                          "2026-01-32T00:00:00Z", "2026-01-15T24:00:00Z", "2026-01-15T10:60:00Z",
                          "2026-01-15T10:00:00.Z", "2026-01-15T10:00:00+25:00", "2026-01-15T10:00:00Zjunk",
                          "20260115T100000Z", "2026-1-15T10:00:00Z", "1768471200"}) {
    EXPECT_FALSE(IsIso8601DateTime(bad)) << bad;
  }
}

TEST(Iso8601Test, FormatsMillisecondsUtc) {
  EXPECT_EQ(FormatIso8601Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601Millis(1'768'471'200'123), "2026-01-15T10:00:00.123Z");
  EXPECT_EQ(FormatIso8601Millis(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601Millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_TRUE(IsIso8601DateTime(FormatIso8601Millis(1'767'225'600'000)));
}

}  // namespace
}  // namespace sluice::gateway
