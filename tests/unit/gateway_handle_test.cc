// Gateway::Handle end to end without a socket: a fake Exchange, a real
// StorageThread on a temporary database, the real engine, a FakeClock.
#include "sluice/gateway/gateway.h"

#include <atomic>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "gateway_test_util.h"
#include "sluice/queue/engine_host.h"
#include "sluice/storage/storage_thread.h"
#include "sluice/time_format.h"
#include "storage_test_util.h"

namespace sluice::gateway {
namespace {

using storage::testing::LoopRunner;
using storage::testing::TempDir;
using testing::FakeExchange;
using testing::PaymentsRoute;
using testing::WebhookRoute;

std::string WebhookBody(const std::string& event_id, const std::string& type = "payment") {
  return R"({"event_id":")" + event_id + R"(","transaction_type":")" + type +
         R"(","amount":12.5,"timestamp":"2026-01-15T10:00:00Z"})";
}

class GatewayHandleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StorageOptions options;
    options.database_path = dir_.path() + "/sluice.db";
    options.fault_before_commit = [this]() -> Status {
      if (fail_commits_) return Status(Code::kStorageFailed, "injected commit failure");
      return Status::Ok();
    };
    Result<std::unique_ptr<storage::StorageThread>> opened = storage::StorageThread::Open(runner_.loop(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
    engine_ = std::make_unique<queue::EngineHost>(clock_, queue::EngineOptions{});
    for (const char* queue : {"payments-queue", "refunds-queue", "disputes-queue", "payment-events"}) {
      ASSERT_TRUE(RunStorage([&](sqlite3* db) { return engine_->Get(db).CreateQueue({queue, {}, {}}).status(); }).ok());
    }
  }

  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Shutdown();
    bool closed = false;
    storage_->Submit([this](sqlite3*) { engine_->Reset(); return Status::Ok(); }, [](Status) {});
    storage_->Shutdown([&] { closed = true; });
    EXPECT_TRUE(runner_.RunUntil([&] { return closed; }));
    gateway_.reset();
    storage_.reset();
  }

  void CreateGateway(std::vector<RouteConfig> routes = {WebhookRoute(), PaymentsRoute()},
                     GatewayOptions options = {}) {
    Result<std::unique_ptr<Gateway>> created =
        Gateway::Create(runner_.loop(), std::move(routes), *storage_, *engine_, clock_, options,
                        [this](const std::string& queue) { enqueued_.push_back(queue); });
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    gateway_ = std::move(created).value();
  }

  Status RunStorage(storage::StorageThread::Work work) {
    std::optional<Status> result;
    storage_->Submit(std::move(work), [&](Status status) { result = std::move(status); });
    EXPECT_TRUE(runner_.RunUntil([&] { return result.has_value(); }));
    return result.value_or(Status(Code::kInternal, "never completed"));
  }

  // Handles a request and runs the loop until it is answered.
  std::unique_ptr<FakeExchange> Call(const std::string& method, const std::string& path, const std::string& body = "") {
    auto exchange = std::make_unique<FakeExchange>(method, path, body);
    EXPECT_TRUE(gateway_->Handle(*exchange)) << method << " " << path;
    EXPECT_TRUE(runner_.RunUntil([&] { return exchange->answered(); })) << method << " " << path;
    return exchange;
  }

  std::vector<queue::PeekedMessage> Peek(const std::string& queue) {
    queue::PeekMessagesResult peeked;
    Status status = RunStorage([&](sqlite3* db) {
      Result<queue::PeekMessagesResult> result = engine_->Get(db).PeekMessages({queue, 100});
      if (result.ok()) peeked = std::move(result.value());
      return result.status();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return peeked.messages;
  }

  int64_t DedupRecords() {
    int64_t count = -1;
    Status status = RunStorage([&](sqlite3* db) {
      count = testing::QueryInt(db, "SELECT count(*) FROM dedup_records");
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok());
    return count;
  }

  TempDir dir_;
  LoopRunner runner_;
  FakeClock clock_;
  std::atomic<bool> fail_commits_{false};
  std::unique_ptr<storage::StorageThread> storage_;
  std::unique_ptr<queue::EngineHost> engine_;
  std::unique_ptr<Gateway> gateway_;
  std::vector<std::string> enqueued_;
};

TEST_F(GatewayHandleTest, WebhookAcceptedOnceThenDuplicate) {
  CreateGateway();
  auto first = Call("POST", "/webhook", WebhookBody("evt_1"));
  EXPECT_EQ(first->status(), 200);
  EXPECT_EQ(first->body(), R"({"message":"Event validated and queued for processing","event_id":"evt_1"})");
  EXPECT_EQ(first->Header("content-type"), "application/json");
  EXPECT_EQ(enqueued_, std::vector<std::string>{"payments-queue"});
  std::vector<queue::PeekedMessage> messages = Peek("payments-queue");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, WebhookBody("evt_1"));

  auto second = Call("POST", "/webhook", WebhookBody("evt_1", "refund"));
  EXPECT_EQ(second->status(), 409);
  EXPECT_EQ(second->body(), R"({"error":"Duplicate event"})");
  EXPECT_EQ(Peek("payments-queue").size(), 1u);
  EXPECT_TRUE(Peek("refunds-queue").empty());
  EXPECT_EQ(enqueued_.size(), 1u);
}

TEST_F(GatewayHandleTest, EachRequestLogsOneAccessLine) {
  CreateGateway();
  std::ostringstream lines;
  auto previous = spdlog::default_logger();
  auto capture = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
  capture->set_pattern("%v");
  capture->set_level(spdlog::level::info);
  spdlog::set_default_logger(capture);
  Call("POST", "/webhook", WebhookBody("evt_1"));
  Call("POST", "/webhook", WebhookBody("evt_1"));
  Call("POST", "/webhook", "[]");
  spdlog::set_default_logger(previous);
  std::regex shape(
      "route=webhook status=200 request_id=req-1 event_id=evt_1 queue=payments-queue ms=[0-9]+\\.[0-9]{2}\n"
      "route=webhook status=409 request_id=req-1 event_id=evt_1 queue=payments-queue ms=[0-9]+\\.[0-9]{2}\n"
      "route=webhook status=400 request_id=req-1 event_id=- queue=- ms=[0-9]+\\.[0-9]{2}\n");
  EXPECT_TRUE(std::regex_match(lines.str(), shape)) << lines.str();
}

TEST_F(GatewayHandleTest, RoutesByTransactionType) {
  CreateGateway();
  EXPECT_EQ(Call("POST", "/webhook", WebhookBody("r1", "refund"))->status(), 200);
  EXPECT_EQ(Call("POST", "/webhook", WebhookBody("d1", "dispute"))->status(), 200);
  EXPECT_EQ(Peek("refunds-queue").size(), 1u);
  EXPECT_EQ(Peek("disputes-queue").size(), 1u);
  EXPECT_EQ(enqueued_, (std::vector<std::string>{"refunds-queue", "disputes-queue"}));
}

TEST_F(GatewayHandleTest, InvalidBodiesAre400WithTheReason) {
  CreateGateway();
  auto missing = Call("POST", "/webhook", R"({"transaction_type":"payment","amount":1,"timestamp":"2026-01-15T10:00:00Z"})");
  EXPECT_EQ(missing->status(), 400);
  EXPECT_EQ(missing->body(), R"({"error":"Missing required field: event_id"})");
  auto not_json = Call("POST", "/webhook", "{bad json}");
  EXPECT_EQ(not_json->status(), 400);
  EXPECT_EQ(not_json->body(),
            R"j({"error":"Request body is not valid JSON: Missing a name for object member (at offset 1)"})j");
  auto enum_value = Call("POST", "/webhook", WebhookBody("e", "foo"));
  EXPECT_EQ(enum_value->body(),
            R"({"error":"Field 'transaction_type' must be one of: payment, refund, dispute; got 'foo'"})");
  EXPECT_TRUE(enqueued_.empty());
  EXPECT_EQ(DedupRecords(), 0);
}

TEST_F(GatewayHandleTest, PaymentsGetDefaults) {
  clock_.Set(1'768'471'200'123);
  CreateGateway();
  auto response = Call("POST", "/payments", R"({"amount":10})");
  ASSERT_EQ(response->status(), 200) << response->body();
  std::smatch match;
  ASSERT_TRUE(std::regex_match(response->body(), match, std::regex(R"j(\{"enqueued":true,"payment_id":"([0-9a-f-]{36})"\})j")))
      << response->body();
  std::vector<queue::PeekedMessage> messages = Peek("payment-events");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body,
            R"({"amount":10,"payment_id":")" + match[1].str() + R"(","ts":"2026-01-15T10:00:00.123Z"})");
}

TEST_F(GatewayHandleTest, WrongMethodIs405WithAllow) {
  CreateGateway();
  FakeExchange exchange("GET", "/webhook");
  ASSERT_TRUE(gateway_->Handle(exchange));
  ASSERT_TRUE(exchange.answered());
  EXPECT_EQ(exchange.status(), 405);
  EXPECT_EQ(exchange.Header("allow"), "POST");
  EXPECT_EQ(exchange.body(), R"({"error":"Method GET is not allowed on /webhook; use POST"})");
}

TEST_F(GatewayHandleTest, OtherPathsAreLeftAlone) {
  CreateGateway();
  FakeExchange exchange("POST", "/webhooks", "{}");
  EXPECT_FALSE(gateway_->Handle(exchange));
  EXPECT_FALSE(exchange.answered());
  FakeExchange sqs("POST", "/", "{}");
  EXPECT_FALSE(gateway_->Handle(sqs));
}

TEST_F(GatewayHandleTest, ThrottleAnswers429WithRetryAfter) {
  RouteConfig webhook = WebhookRoute();
  webhook.throttle_rate_per_second = 2;
  webhook.throttle_burst = 2;
  CreateGateway({webhook});
  EXPECT_EQ(Call("POST", "/webhook", WebhookBody("t1"))->status(), 200);
  EXPECT_EQ(Call("POST", "/webhook", WebhookBody("t2"))->status(), 200);
  FakeExchange limited("POST", "/webhook", WebhookBody("t3"));
  ASSERT_TRUE(gateway_->Handle(limited));
  ASSERT_TRUE(limited.answered()) << "a throttled request is answered at once";
  EXPECT_EQ(limited.status(), 429);
  EXPECT_EQ(limited.body(), R"({"error":"Rate limit exceeded for route webhook: 2 requests/s"})");
  EXPECT_EQ(limited.Header("retry-after"), "1");
  clock_.Advance(500);
  EXPECT_EQ(Call("POST", "/webhook", WebhookBody("t3"))->status(), 200);
  EXPECT_EQ(Peek("payments-queue").size(), 3u);
}

TEST_F(GatewayHandleTest, DeletedTargetQueueIs500AndRemembersNothing) {
  CreateGateway();
  ASSERT_TRUE(RunStorage([&](sqlite3* db) { return engine_->Get(db).DeleteQueue({"refunds-queue"}).status(); }).ok());
  auto response = Call("POST", "/webhook", WebhookBody("r1", "refund"));
  EXPECT_EQ(response->status(), 500);
  EXPECT_EQ(response->body(), R"({"error":"Target queue 'refunds-queue' does not exist"})");
  EXPECT_EQ(DedupRecords(), 0);
  EXPECT_TRUE(enqueued_.empty());
}

TEST_F(GatewayHandleTest, StorageFailureIs503) {
  CreateGateway();
  fail_commits_ = true;
  auto response = Call("POST", "/webhook", WebhookBody("s1"));
  EXPECT_EQ(response->status(), 503);
  EXPECT_NE(response->body().find("injected commit failure"), std::string::npos) << response->body();
  EXPECT_TRUE(enqueued_.empty());
}

TEST_F(GatewayHandleTest, AdminReadsAndForgetsDedupRecords) {
  CreateGateway();
  const int64_t accepted_at = clock_.NowMillis();
  ASSERT_EQ(Call("POST", "/webhook", WebhookBody("evt/1"))->status(), 200);
  std::string message_id = Peek("payments-queue").at(0).message_id;

  auto record = Call("GET", "/_sluice/v1/dedup/webhook/evt%2F1");
  EXPECT_EQ(record->status(), 200);
  EXPECT_EQ(record->body(), R"({"route":"webhook","key":"evt/1","queue":"payments-queue","message_id":")" + message_id +
                                R"(","created":")" + FormatIso8601Millis(accepted_at) + R"(","expires":")" +
                                FormatIso8601Millis(accepted_at + 30LL * 24 * 3600 * 1000) + R"("})");

  auto forgotten = Call("DELETE", "/_sluice/v1/dedup/webhook/evt%2F1");
  EXPECT_EQ(forgotten->status(), 200);
  EXPECT_EQ(forgotten->body(), R"({"forgotten":true})");
  auto gone = Call("GET", "/_sluice/v1/dedup/webhook/evt%2F1");
  EXPECT_EQ(gone->status(), 404);
  EXPECT_EQ(gone->body(), R"({"error":"No dedup record for key 'evt/1' on route 'webhook'"})");
  EXPECT_EQ(Call("DELETE", "/_sluice/v1/dedup/webhook/evt%2F1")->status(), 404);
  // A forgotten key is accepted again.
  EXPECT_EQ(Call("POST", "/webhook", WebhookBody("evt/1"))->status(), 200);

  auto unknown = Call("GET", "/_sluice/v1/dedup/nope/k");
  EXPECT_EQ(unknown->status(), 404);
  EXPECT_EQ(unknown->body(), R"({"error":"No route named 'nope'"})");
  auto no_key = Call("GET", "/_sluice/v1/dedup/webhook");
  EXPECT_EQ(no_key->status(), 404);
  auto put = Call("PUT", "/_sluice/v1/dedup/webhook/k");
  EXPECT_EQ(put->status(), 405);
  EXPECT_EQ(put->Header("allow"), "GET, DELETE");
  EXPECT_EQ(Call("GET", "/_sluice/v1/dedup/webhook/%zz")->status(), 400);
}

TEST_F(GatewayHandleTest, ExpiredRecordIsAbsentAndAcceptedAgain) {
  CreateGateway();
  ASSERT_EQ(Call("POST", "/webhook", WebhookBody("evt_1"))->status(), 200);
  clock_.Advance(30LL * 24 * 3600 * 1000);
  EXPECT_EQ(Call("GET", "/_sluice/v1/dedup/webhook/evt_1")->status(), 404);
  EXPECT_EQ(Call("POST", "/webhook", WebhookBody("evt_1"))->status(), 200);
  EXPECT_EQ(Peek("payments-queue").size(), 2u);
  EXPECT_EQ(DedupRecords(), 1);
}

TEST_F(GatewayHandleTest, SweepDeletesExpiredRecordsInSlices) {
  GatewayOptions options;
  options.sweep_interval_ms = 3'600'000;  // only the start sweep and full-slice re-runs can happen
  options.sweep_limit = 2;
  CreateGateway({WebhookRoute()}, options);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Call("POST", "/webhook", WebhookBody("e" + std::to_string(i)))->status(), 200);
  clock_.Advance(1000);
  ASSERT_EQ(Call("POST", "/webhook", WebhookBody("live"))->status(), 200);
  clock_.Advance(30LL * 24 * 3600 * 1000 - 500);  // the first five expired, "live" has not
  gateway_->Start();
  EXPECT_TRUE(runner_.RunUntil([&] { return DedupRecords() == 1; }));
  EXPECT_EQ(Call("GET", "/_sluice/v1/dedup/webhook/live")->status(), 200);
  EXPECT_EQ(Peek("payments-queue").size(), 6u) << "the sweep deletes records, never messages";
}

TEST_F(GatewayHandleTest, AfterShutdownRequestsAre503) {
  CreateGateway();
  gateway_->Start();
  gateway_->Shutdown();
  FakeExchange exchange("POST", "/webhook", WebhookBody("late"));
  ASSERT_TRUE(gateway_->Handle(exchange));
  ASSERT_TRUE(exchange.answered());
  EXPECT_EQ(exchange.status(), 503);
}

TEST_F(GatewayHandleTest, CreateRefusesDuplicates) {
  auto error_of = [&](std::vector<RouteConfig> routes) {
    Result<std::unique_ptr<Gateway>> created =
        Gateway::Create(runner_.loop(), std::move(routes), *storage_, *engine_, clock_, {}, nullptr);
    EXPECT_FALSE(created.ok());
    return created.ok() ? "<created>" : created.status().message();
  };
  RouteConfig same_name = PaymentsRoute();
  same_name.name = "webhook";
  EXPECT_EQ(error_of({WebhookRoute(), same_name}), "route 'webhook': the name is used twice");
  RouteConfig same_path = PaymentsRoute();
  same_path.path = "/webhook";
  EXPECT_EQ(error_of({WebhookRoute(), same_path}), "route 'payments': POST /webhook is already served by route 'webhook'");
  RouteConfig bad_schema = WebhookRoute();
  bad_schema.schema_json = "[";
  EXPECT_EQ(error_of({bad_schema}).rfind("route 'webhook': schema: not valid JSON", 0), 0u);
}

TEST_F(GatewayHandleTest, SameKeyConcurrentlyIsEnqueuedOnce) {
  CreateGateway();
  std::vector<std::unique_ptr<FakeExchange>> exchanges;
  for (int i = 0; i < 5; ++i) {
    exchanges.push_back(std::make_unique<FakeExchange>("POST", "/webhook", WebhookBody("same")));
    ASSERT_TRUE(gateway_->Handle(*exchanges.back()));
  }
  ASSERT_TRUE(runner_.RunUntil([&] {
    for (auto& exchange : exchanges) {
      if (!exchange->answered()) return false;
    }
    return true;
  }));
  int accepted = 0, duplicates = 0;
  for (auto& exchange : exchanges) {
    accepted += exchange->status() == 200;
    duplicates += exchange->status() == 409;
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(duplicates, 4);
  EXPECT_EQ(exchanges[0]->status(), 200) << "the first submitted wins";
  EXPECT_EQ(Peek("payments-queue").size(), 1u);
}

}  // namespace
}  // namespace sluice::gateway
