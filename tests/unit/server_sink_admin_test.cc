// SinkAdmin::Handle without a socket: a fake Exchange that records its
// response, over a real Sink and StorageThread in a temp dir (SinkEnv), the
// loop run until the response arrives. Covers every endpoint and status of
// docs/ADMIN_API.md, sections "Sink" and "Keys".
#include "server/sink_admin.h"

#include <unistd.h>

#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <rapidjson/document.h>

#include "sink_test_env.h"
#include "sluice/sink/envelope.h"

namespace sluice::server {
namespace {

using sink::testing::Md5Hex;
using sink::testing::ReadFile;
using sink::testing::WriteFile;

using sink::testing::SinkEnv;

// Records the one response; never aborted.
class RecordingExchange final : public http::Exchange {
 public:
  RecordingExchange(std::string method, const std::string& target) {
    request_.method = std::move(method);
    request_.target = target;
    const size_t question = target.find('?');
    request_.path = target.substr(0, question);
    if (question != std::string::npos) request_.query = target.substr(question + 1);
    request_.request_id = "req-1";
  }
  const http::Request& request() const override { return request_; }
  void Respond(http::Response response) override {
    EXPECT_FALSE(response_.has_value()) << "responded twice to " << request_.target;
    response_ = std::move(response);
  }
  void SetAbortHandler(std::function<void()>) override {}
  bool aborted() const override { return false; }
  void ReadBody(std::function<void(Status, std::string_view, bool)>) override {}  // bodies are buffered here

  bool answered() const { return response_.has_value(); }
  int status() const { return response_ ? response_->status : 0; }
  const std::string& body() const { return response_->body; }
  // The value of the response header `name` (lower case), or nullopt.
  std::optional<std::string> Header(const std::string& name) const {
    for (const http::Header& header : response_->headers) {
      if (header.name == name) return header.value;
    }
    return std::nullopt;
  }

 private:
  http::Request request_;
  std::optional<http::Response> response_;
};




void FlipByte(const std::string& path, size_t offset) {
  std::string bytes = ReadFile(path);
  ASSERT_LT(offset, bytes.size()) << path;
  bytes[offset] ^= 0x10;
  WriteFile(path, bytes);
}

// The keys of a JSON array of objects, in order.
std::vector<std::string> Keys(const rapidjson::Value& objects) {
  std::vector<std::string> keys;
  for (const rapidjson::Value& object : objects.GetArray()) keys.push_back(object["key"].GetString());
  return keys;
}

const std::regex kIsoTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");

class SinkAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.config.buckets = {"payments", "audit"};
    ASSERT_TRUE(env_.Open().ok());
    admin_ = std::make_unique<SinkAdmin>(*env_.sink);
  }
  void TearDown() override {
    admin_.reset();
    env_.Stop();
  }

  // Hands the request to SinkAdmin, which must claim it, and runs the loop
  // until it is answered.
  std::unique_ptr<RecordingExchange> Call(const std::string& method, const std::string& target) {
    auto exchange = std::make_unique<RecordingExchange>(method, target);
    EXPECT_TRUE(admin_->Handle(*exchange)) << method << " " << target << " was not claimed";
    EXPECT_TRUE(env_.runner.RunUntil([&] { return exchange->answered(); }))
        << method << " " << target << " was never answered";
    return exchange;
  }

  // Call() for a JSON answer with `status`; returns the parsed body.
  rapidjson::Document CallJson(const std::string& method, const std::string& target, int status) {
    std::unique_ptr<RecordingExchange> exchange = Call(method, target);
    rapidjson::Document json;
    if (!exchange->answered()) return json;
    EXPECT_EQ(exchange->status(), status) << method << " " << target << ": " << exchange->body();
    EXPECT_EQ(exchange->Header("content-type"), "application/json") << target;
    json.Parse(exchange->body().c_str(), exchange->body().size());
    EXPECT_FALSE(json.HasParseError()) << target << ": " << exchange->body();
    EXPECT_TRUE(json.IsObject()) << target << ": " << exchange->body();
    return json;
  }

  // The error message of a JSON error answer with `status` (and no "code").
  std::string CallError(const std::string& method, const std::string& target, int status) {
    rapidjson::Document json = CallJson(method, target, status);
    if (!json.IsObject() || !json.HasMember("error") || !json["error"].IsString()) {
      ADD_FAILURE() << target << " answered no error message";
      return "";
    }
    EXPECT_FALSE(json.HasMember("code")) << target;
    return json["error"].GetString();
  }

  sink::ObjectInfo Put(const std::string& bucket, const std::string& key, const std::string& body,
                       const std::string& content_type = "application/json") {
    Result<sink::ObjectInfo> put = env_.Put(bucket, key, body, content_type);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return put.ok() ? *put : sink::ObjectInfo{};
  }

  SinkEnv env_;
  std::unique_ptr<SinkAdmin> admin_;
};

TEST_F(SinkAdminTest, BucketsListsEveryBucketWithCountsBytesAndCreationTime) {
  env_.clock.Advance(1234);  // created 2026-01-01T00:00:01.234Z; buckets at 00:00:00.000
  Put("payments", "a.json", "12345");
  Put("payments", "b.json", "1234567");
  Put("audit", "x", "abc");

  rapidjson::Document json = CallJson("GET", "/_sluice/v1/sink/buckets", 200);
  ASSERT_TRUE(json.HasMember("buckets") && json["buckets"].IsArray());
  const rapidjson::Value& buckets = json["buckets"];
  ASSERT_EQ(buckets.Size(), 2u);
  EXPECT_STREQ(buckets[0]["name"].GetString(), "audit");
  EXPECT_EQ(buckets[0]["objects"].GetUint64(), 1u);
  EXPECT_EQ(buckets[0]["bytes"].GetUint64(), 3u);
  EXPECT_STREQ(buckets[1]["name"].GetString(), "payments");
  EXPECT_EQ(buckets[1]["objects"].GetUint64(), 2u);
  EXPECT_EQ(buckets[1]["bytes"].GetUint64(), 12u);
  EXPECT_STREQ(buckets[1]["created"].GetString(), "2026-01-01T00:00:00.000Z");

  // The trailing slash is tolerated and HEAD is answered like GET.
  EXPECT_EQ(Call("GET", "/_sluice/v1/sink/buckets/")->status(), 200);
  EXPECT_EQ(Call("HEAD", "/_sluice/v1/sink/buckets")->status(), 200);
}

TEST_F(SinkAdminTest, ObjectsListsOneBucketWithEveryField) {
  env_.clock.Advance(1234);
  const std::string content = R"({"payment_id":"p1"})";
  const sink::ObjectInfo put = Put("payments", "raw/dt=2026-01-01/a.json", content);
  Put("payments", "other.txt", "plain", "text/plain");

  rapidjson::Document json = CallJson("GET", "/_sluice/v1/sink/objects?bucket=payments", 200);
  ASSERT_TRUE(json.HasMember("objects") && json["objects"].IsArray());
  EXPECT_EQ(Keys(json["objects"]), (std::vector<std::string>{"other.txt", "raw/dt=2026-01-01/a.json"}));
  EXPECT_FALSE(json.HasMember("next_after"));
  const rapidjson::Value& object = json["objects"][1];
  EXPECT_STREQ(object["bucket"].GetString(), "payments");
  EXPECT_EQ(object["size"].GetUint64(), content.size());
  EXPECT_EQ(object["etag"].GetString(), Md5Hex(content));
  EXPECT_EQ(object["etag"].GetString(), put.etag);
  EXPECT_STREQ(object["content_type"].GetString(), "application/json");
  EXPECT_STREQ(object["created"].GetString(), "2026-01-01T00:00:01.234Z");
  EXPECT_EQ(object["key_version"].GetInt(), 1);
  EXPECT_STREQ(json["objects"][0]["content_type"].GetString(), "text/plain");

  json = CallJson("GET", "/_sluice/v1/sink/objects?bucket=audit", 200);
  EXPECT_EQ(json["objects"].Size(), 0u);
  EXPECT_FALSE(json.HasMember("next_after"));
}

TEST_F(SinkAdminTest, ObjectsPagesWithPrefixAfterLimitAndNextAfter) {
  for (const char* key : {"raw/dt=2026-01-01/a.json", "raw/dt=2026-01-01/b.json", "raw/dt=2026-01-01/c.json",
                          "raw/dt=2026-01-02/d.json", "rawx", "z.json"}) {
    Put("payments", key, key);
  }
  const std::string base = "/_sluice/v1/sink/objects?bucket=payments&prefix=raw%2Fdt%3D2026-01-01%2F";

  rapidjson::Document page = CallJson("GET", base + "&limit=2", 200);
  EXPECT_EQ(Keys(page["objects"]),
            (std::vector<std::string>{"raw/dt=2026-01-01/a.json", "raw/dt=2026-01-01/b.json"}));
  ASSERT_TRUE(page.HasMember("next_after"));
  EXPECT_STREQ(page["next_after"].GetString(), "raw/dt=2026-01-01/b.json");

  page = CallJson("GET", base + "&limit=2&after=raw%2Fdt%3D2026-01-01%2Fb.json", 200);
  EXPECT_EQ(Keys(page["objects"]), (std::vector<std::string>{"raw/dt=2026-01-01/c.json"}));
  EXPECT_FALSE(page.HasMember("next_after")) << "nothing remains after the last page";

  // A page that ends exactly at the last object has no next_after either.
  page = CallJson("GET", base + "&limit=3", 200);
  EXPECT_EQ(page["objects"].Size(), 3u);
  EXPECT_FALSE(page.HasMember("next_after"));

  // "raw" matches "rawx" too: a prefix is not a directory.
  page = CallJson("GET", "/_sluice/v1/sink/objects?bucket=payments&prefix=raw", 200);
  EXPECT_EQ(page["objects"].Size(), 5u);
  // `after` alone starts strictly after that key.
  page = CallJson("GET", "/_sluice/v1/sink/objects?bucket=payments&after=rawx", 200);
  EXPECT_EQ(Keys(page["objects"]), (std::vector<std::string>{"z.json"}));
  page = CallJson("GET", "/_sluice/v1/sink/objects?bucket=payments&limit=1000", 200);
  EXPECT_EQ(page["objects"].Size(), 6u);
}

TEST_F(SinkAdminTest, ObjectsWithoutBucketListsEveryBucketAndPagesByBucketSlashKey) {
  Put("audit", "a", "1");
  Put("audit", "b", "2");
  Put("payments", "a", "3");

  rapidjson::Document page = CallJson("GET", "/_sluice/v1/sink/objects", 200);
  ASSERT_EQ(page["objects"].Size(), 3u);
  EXPECT_STREQ(page["objects"][0]["bucket"].GetString(), "audit");
  EXPECT_STREQ(page["objects"][2]["bucket"].GetString(), "payments");

  page = CallJson("GET", "/_sluice/v1/sink/objects?limit=2", 200);
  EXPECT_EQ(Keys(page["objects"]), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(page.HasMember("next_after"));
  EXPECT_STREQ(page["next_after"].GetString(), "audit/b");

  page = CallJson("GET", "/_sluice/v1/sink/objects?limit=2&after=audit%2Fb", 200);
  ASSERT_EQ(page["objects"].Size(), 1u);
  EXPECT_STREQ(page["objects"][0]["bucket"].GetString(), "payments");
  EXPECT_STREQ(page["objects"][0]["key"].GetString(), "a");
  EXPECT_FALSE(page.HasMember("next_after"));

  // An empty bucket= is "every bucket" too.
  EXPECT_EQ(CallJson("GET", "/_sluice/v1/sink/objects?bucket=", 200)["objects"].Size(), 3u);
}

TEST_F(SinkAdminTest, ObjectsRefusesUnknownBucketAndBadParameters) {
  EXPECT_NE(CallError("GET", "/_sluice/v1/sink/objects?bucket=nope", 404).find("nope"), std::string::npos);
  for (const char* limit : {"0", "1001", "-1", "abc", "5x", "", "99999999999"}) {
    const std::string message =
        CallError("GET", std::string("/_sluice/v1/sink/objects?bucket=payments&limit=") + limit, 400);
    EXPECT_NE(message.find("limit"), std::string::npos) << limit << ": " << message;
  }
  EXPECT_NE(CallError("GET", "/_sluice/v1/sink/objects?bucket=payments&prefix=%G1", 400).find("prefix"),
            std::string::npos);
  EXPECT_NE(CallError("GET", "/_sluice/v1/sink/objects?after=%", 400).find("after"), std::string::npos);
  CallError("GET", "/_sluice/v1/sink/objects?bucket=Not_A_Bucket", 400);
}

TEST_F(SinkAdminTest, ObjectAnswersTheDecryptedContentWithItsHeaders) {
  const std::string body(70 * 1024, 'p');  // two chunks
  Put("payments", "raw/dt=2026-01-01/x y.csv", body, "text/csv");

  std::unique_ptr<RecordingExchange> got =
      Call("GET", "/_sluice/v1/sink/object?bucket=payments&key=raw%2Fdt%3D2026-01-01%2Fx%20y.csv");
  ASSERT_EQ(got->status(), 200) << got->body();
  EXPECT_EQ(got->body(), body);
  EXPECT_EQ(got->Header("content-type"), "text/csv");
  EXPECT_EQ(got->Header("etag"), "\"" + Md5Hex(body) + "\"");
  EXPECT_EQ(got->Header("x-sluice-key-version"), "1");
}

TEST_F(SinkAdminTest, ObjectRefusesUnknownObjectsAndMissingParameters) {
  Put("payments", "here.json", "{}");
  EXPECT_NE(CallError("GET", "/_sluice/v1/sink/object?bucket=payments&key=nothere.json", 404).find("nothere.json"),
            std::string::npos);
  EXPECT_NE(CallError("GET", "/_sluice/v1/sink/object?bucket=nope&key=here.json", 404).find("nope"),
            std::string::npos);
  CallError("GET", "/_sluice/v1/sink/object?bucket=payments", 400);
  CallError("GET", "/_sluice/v1/sink/object?key=here.json", 400);
  CallError("GET", "/_sluice/v1/sink/object?bucket=payments&key=%zz", 400);
  CallError("GET", "/_sluice/v1/sink/object?bucket=payments&key=..%2Fescape", 400);
}

TEST_F(SinkAdminTest, DamagedObjectIsA500IntegrityErrorAndNeverItsPlaintext) {
  const std::string plaintext = R"({"payment_id":"secret-payment","amount":12})";
  const sink::ObjectInfo info = Put("payments", "raw/dt=2026-01-01/p.json", plaintext);
  FlipByte(env_.FileOf(info), sink::kEnvelopeHeaderBytes + 20);

  std::unique_ptr<RecordingExchange> got =
      Call("GET", "/_sluice/v1/sink/object?bucket=payments&key=raw%2Fdt%3D2026-01-01%2Fp.json");
  ASSERT_EQ(got->status(), 500);
  EXPECT_EQ(got->Header("content-type"), "application/json");
  EXPECT_EQ(got->body().find("secret-payment"), std::string::npos);
  rapidjson::Document json;
  json.Parse(got->body().c_str());
  ASSERT_TRUE(json.IsObject()) << got->body();
  ASSERT_TRUE(json.HasMember("code"));
  EXPECT_STREQ(json["code"].GetString(), "IntegrityError");
  EXPECT_EQ(std::string(json["error"].GetString()).rfind("integrity check failed for payments/raw/dt=2026-01-01/p.json", 0),
            0u)
      << json["error"].GetString();
  EXPECT_FALSE(got->Header("etag").has_value());
}

TEST_F(SinkAdminTest, VerifyCountsAndNamesTheDamagedObjects) {
  const sink::ObjectInfo flipped = Put("payments", "flipped.json", std::string(5000, 'f'));
  const sink::ObjectInfo gone = Put("payments", "gone.json", "g");
  Put("payments", "fine.json", "ok");
  Put("audit", "fine.json", "ok");

  rapidjson::Document report = CallJson("POST", "/_sluice/v1/sink/verify", 200);
  EXPECT_EQ(report["checked"].GetUint64(), 4u);
  EXPECT_EQ(report["damaged"].Size(), 0u);

  FlipByte(env_.FileOf(flipped), sink::kEnvelopeHeaderBytes + 100);
  ASSERT_EQ(unlink(env_.FileOf(gone).c_str()), 0);
  report = CallJson("POST", "/_sluice/v1/sink/verify", 200);  // 200 even with damage
  EXPECT_EQ(report["checked"].GetUint64(), 4u);
  ASSERT_EQ(report["damaged"].Size(), 2u);
  EXPECT_EQ(Keys(report["damaged"]), (std::vector<std::string>{"flipped.json", "gone.json"}));
  for (const rapidjson::Value& damaged : report["damaged"].GetArray()) {
    EXPECT_STREQ(damaged["bucket"].GetString(), "payments");
    EXPECT_NE(std::string(damaged["error"].GetString()).find("integrity check failed"), std::string::npos);
  }
  EXPECT_NE(std::string(report["damaged"][1]["error"].GetString()).find("missing"), std::string::npos);

  report = CallJson("POST", "/_sluice/v1/sink/verify?bucket=audit", 200);
  EXPECT_EQ(report["checked"].GetUint64(), 1u);
  EXPECT_EQ(report["damaged"].Size(), 0u);
  report = CallJson("POST", "/_sluice/v1/sink/verify?bucket=payments", 200);
  EXPECT_EQ(report["checked"].GetUint64(), 3u);
  EXPECT_EQ(report["damaged"].Size(), 2u);
  CallError("POST", "/_sluice/v1/sink/verify?bucket=nope", 404);
  CallError("POST", "/_sluice/v1/sink/verify?bucket=%2", 400);
}

TEST_F(SinkAdminTest, KeysListsVersionsWithStatesAndObjectCounts) {
  Put("payments", "a", "1");
  Put("payments", "b", "2");
  rapidjson::Document keys = CallJson("GET", "/_sluice/v1/keys", 200);
  EXPECT_EQ(keys["keyring"].GetString(), env_.config.keyring_path);
  EXPECT_EQ(keys["active"].GetInt(), 1);
  ASSERT_EQ(keys["versions"].Size(), 1u);
  EXPECT_EQ(keys["versions"][0]["version"].GetInt(), 1);
  EXPECT_STREQ(keys["versions"][0]["state"].GetString(), "active");
  EXPECT_EQ(keys["versions"][0]["objects"].GetUint64(), 2u);
  EXPECT_TRUE(std::regex_match(keys["versions"][0]["created"].GetString(), kIsoTime))
      << keys["versions"][0]["created"].GetString();
  EXPECT_EQ(Call("GET", "/_sluice/v1/keys/")->status(), 200);
}

TEST_F(SinkAdminTest, RotateRewrapRetire) {
  Put("payments", "old-1", "one");
  Put("audit", "old-2", "two");

  rapidjson::Document rotated = CallJson("POST", "/_sluice/v1/keys/rotate", 200);
  EXPECT_EQ(rotated["version"].GetInt(), 2);
  Put("payments", "new", "three");
  rapidjson::Document keys = CallJson("GET", "/_sluice/v1/keys", 200);
  EXPECT_EQ(keys["active"].GetInt(), 2);
  ASSERT_EQ(keys["versions"].Size(), 2u);
  EXPECT_STREQ(keys["versions"][0]["state"].GetString(), "enabled");
  EXPECT_EQ(keys["versions"][0]["objects"].GetUint64(), 2u);
  EXPECT_STREQ(keys["versions"][1]["state"].GetString(), "active");
  EXPECT_EQ(keys["versions"][1]["objects"].GetUint64(), 1u);

  // In use: 409, saying how many and what to do.
  std::string refused = CallError("POST", "/_sluice/v1/keys/retire?version=1", 409);
  EXPECT_NE(refused.find("2 objects"), std::string::npos) << refused;
  EXPECT_NE(refused.find("rewrap"), std::string::npos) << refused;
  // Active: 409.
  refused = CallError("POST", "/_sluice/v1/keys/retire?version=2", 409);
  EXPECT_NE(refused.find("active"), std::string::npos) << refused;
  // Unknown: 404. Bad or missing version: 400.
  EXPECT_NE(CallError("POST", "/_sluice/v1/keys/retire?version=7", 404).find("7"), std::string::npos);
  for (const char* bad : {"?version=0", "?version=-1", "?version=x", "?version=1.5", "?version=", ""}) {
    EXPECT_NE(CallError("POST", std::string("/_sluice/v1/keys/retire") + bad, 400).find("version"),
              std::string::npos)
        << bad;
  }

  rapidjson::Document rewrapped = CallJson("POST", "/_sluice/v1/keys/rewrap", 200);
  EXPECT_EQ(rewrapped["rewrapped"].GetUint64(), 2u);
  EXPECT_EQ(rewrapped["version"].GetInt(), 2);
  EXPECT_FALSE(rewrapped.HasMember("failed"));

  rapidjson::Document retired = CallJson("POST", "/_sluice/v1/keys/retire?version=1", 200);
  EXPECT_EQ(retired["retired"].GetInt(), 1);
  keys = CallJson("GET", "/_sluice/v1/keys", 200);
  EXPECT_STREQ(keys["versions"][0]["state"].GetString(), "retired");
  EXPECT_EQ(keys["versions"][0]["objects"].GetUint64(), 0u);
  EXPECT_EQ(keys["versions"][1]["objects"].GetUint64(), 3u);
  // Every object still decrypts, now with version 2.
  std::unique_ptr<RecordingExchange> got = Call("GET", "/_sluice/v1/sink/object?bucket=audit&key=old-2");
  EXPECT_EQ(got->status(), 200);
  EXPECT_EQ(got->body(), "two");
  EXPECT_EQ(got->Header("x-sluice-key-version"), "2");
}

TEST_F(SinkAdminTest, RewrapNamesTheObjectsItCouldNotRewrapAndRefusesASecondRun) {
  const sink::ObjectInfo damaged = Put("payments", "bad-header", "x");
  Put("payments", "good", "y");
  CallJson("POST", "/_sluice/v1/keys/rotate", 200);
  FlipByte(env_.FileOf(damaged), 40);  // inside the authenticated header

  // Two rewraps at once: the second is refused while the first runs.
  RecordingExchange first("POST", "/_sluice/v1/keys/rewrap");
  RecordingExchange second("POST", "/_sluice/v1/keys/rewrap");
  ASSERT_TRUE(admin_->Handle(first));
  ASSERT_TRUE(admin_->Handle(second));
  ASSERT_TRUE(env_.runner.RunUntil([&] { return first.answered() && second.answered(); }));
  EXPECT_EQ(second.status(), 409) << second.body();

  ASSERT_EQ(first.status(), 200) << first.body();
  rapidjson::Document report;
  report.Parse(first.body().c_str());
  ASSERT_TRUE(report.IsObject()) << first.body();
  EXPECT_EQ(report["rewrapped"].GetUint64(), 1u);
  EXPECT_EQ(report["version"].GetInt(), 2);
  ASSERT_TRUE(report.HasMember("failed"));
  ASSERT_EQ(report["failed"].Size(), 1u);
  EXPECT_STREQ(report["failed"][0]["key"].GetString(), "bad-header");
  // The damaged object keeps version 1, so version 1 cannot go.
  EXPECT_NE(CallError("POST", "/_sluice/v1/keys/retire?version=1", 409).find("1 objects"), std::string::npos);
}

TEST_F(SinkAdminTest, WrongMethodIs405WithAllow) {
  const struct {
    const char* method;
    const char* path;
    const char* allow;
  } cases[] = {
      {"POST", "/_sluice/v1/sink/buckets", "GET"},
      {"DELETE", "/_sluice/v1/sink/objects", "GET"},
      {"PUT", "/_sluice/v1/sink/object?bucket=payments&key=a", "GET"},
      {"GET", "/_sluice/v1/sink/verify", "POST"},
      {"POST", "/_sluice/v1/keys", "GET"},
      {"GET", "/_sluice/v1/keys/rotate", "POST"},
      {"GET", "/_sluice/v1/keys/rewrap", "POST"},
      {"DELETE", "/_sluice/v1/keys/retire?version=1", "POST"},
  };
  for (const auto& c : cases) {
    std::unique_ptr<RecordingExchange> answer = Call(c.method, c.path);
    EXPECT_EQ(answer->status(), 405) << c.method << " " << c.path;
    EXPECT_EQ(answer->Header("allow"), c.allow) << c.method << " " << c.path;
  }
  // Nothing happened: no rotation.
  EXPECT_EQ(CallJson("GET", "/_sluice/v1/keys", 200)["active"].GetInt(), 1);
}

TEST_F(SinkAdminTest, UnknownPathsUnderItsPrefixesAre404) {
  for (const char* path : {"/_sluice/v1/sink/nothing", "/_sluice/v1/sink/", "/_sluice/v1/keys/nothing",
                           "/_sluice/v1/sink/buckets/payments", "/_sluice/v1/keys/rotate/now"}) {
    EXPECT_NE(CallError("GET", path, 404).find("no admin endpoint"), std::string::npos) << path;
  }
}

TEST_F(SinkAdminTest, OtherPathsAreLeftToOtherHandlers) {
  for (const char* path : {"/", "/payments", "/health", "/_sluice/v1/sink", "/_sluice/v1/keysfoo",
                           "/_sluice/v1/key", "/_sluice/v1/queues/payment-events/messages",
                           "/_sluice/v1/dedup/webhook/evt_1", "/_sluice/v1/workers", "/_sluice/v2/sink/buckets",
                           "/x/_sluice/v1/sink/buckets"}) {
    RecordingExchange exchange("GET", path);
    EXPECT_FALSE(admin_->Handle(exchange)) << path;
    EXPECT_FALSE(exchange.answered()) << path;
  }
}

TEST_F(SinkAdminTest, AfterShutdownEveryEndpointIs503) {
  bool stopped = false;
  env_.sink->Shutdown([&] { stopped = true; });
  ASSERT_TRUE(env_.runner.RunUntil([&] { return stopped; }));
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/_sluice/v1/sink/buckets"},
           {"GET", "/_sluice/v1/sink/objects"},
           {"GET", "/_sluice/v1/sink/object?bucket=payments&key=a"},
           {"POST", "/_sluice/v1/sink/verify"},
           {"GET", "/_sluice/v1/keys"},
           {"POST", "/_sluice/v1/keys/rotate"},
           {"POST", "/_sluice/v1/keys/rewrap"},
           {"POST", "/_sluice/v1/keys/retire?version=1"}}) {
    CallError(method, path, 503);
  }
  admin_.reset();
  env_.sink.reset();  // shut down already: SinkEnv::Stop must not do it twice
}

}  // namespace
}  // namespace sluice::server
