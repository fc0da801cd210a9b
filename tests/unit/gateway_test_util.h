// Shared by tests/unit/gateway_*_test.cc: the two routes of the default
// configuration (as the lead's config parser is expected to build them), a
// fake Exchange that records its response, and an in-memory database with
// every embedded migration applied.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "sluice/gateway/route.h"
#include "sluice/http/server.h"
#include "sluice/storage/migrations.h"

namespace sluice::gateway::testing {

inline RouteConfig WebhookRoute() {
  RouteConfig route;
  route.name = "webhook";
  route.method = "POST";
  route.path = "/webhook";
  route.schema_json = R"({"type":"object",
    "required":["event_id","transaction_type","amount","timestamp"],
    "properties":{
      "event_id":{"type":"string","minLength":1},
      "transaction_type":{"type":"string","enum":["payment","refund","dispute"]},
      "amount":{"type":"number"},
      "timestamp":{"type":"string","format":"date-time"}}})";
  route.dedup_field = "event_id";
  route.dedup_ttl_seconds = 30 * 24 * 3600;
  route.target_field = "transaction_type";
  route.target_queues = {{"payment", "payments-queue"}, {"refund", "refunds-queue"}, {"dispute", "disputes-queue"}};
  route.throttle_rate_per_second = 1000;
  route.throttle_burst = 1000;
  route.response_json = R"({"message":"Event validated and queued for processing","event_id":"${event_id}"})";
  return route;
}

inline RouteConfig PaymentsRoute() {
  RouteConfig route;
  route.name = "payments";
  route.method = "POST";
  route.path = "/payments";
  route.schema_json = R"({"type":"object","required":["amount"],
    "properties":{"payment_id":{"type":"string"},"amount":{"type":"number"},
                  "ts":{"type":"string","format":"date-time"}}})";
  route.defaults = {{"payment_id", FieldDefault::Kind::kUuid, ""}, {"ts", FieldDefault::Kind::kNow, ""}};
  route.target_queue = "payment-events";
  route.response_json = R"({"enqueued":true,"payment_id":"${payment_id}"})";
  return route;
}

// Records the response; never aborted.
class FakeExchange final : public http::Exchange {
 public:
  FakeExchange(std::string method, std::string path, std::string body = "") {
    request_.method = std::move(method);
    request_.target = path;
    const size_t question = path.find('?');
    request_.path = path.substr(0, question);
    if (question != std::string::npos) request_.query = path.substr(question + 1);
    request_.body = std::move(body);
    request_.request_id = "req-1";
  }
  const http::Request& request() const override { return request_; }
  void Respond(http::Response response) override {
    EXPECT_FALSE(response_.has_value()) << "responded twice";
    response_ = std::move(response);
  }
  void SetAbortHandler(std::function<void()>) override {}
  bool aborted() const override { return false; }
  void ReadBody(std::function<void(Status, std::string_view, bool)>) override {}  // bodies are buffered here

  bool answered() const { return response_.has_value(); }
  const http::Response& response() const { return *response_; }
  int status() const { return response_ ? response_->status : 0; }
  const std::string& body() const { return response_->body; }
  std::string Header(const std::string& name) const {
    for (const http::Header& header : response_->headers) {
      if (header.name == name) return header.value;
    }
    return "<absent>";
  }

 private:
  http::Request request_;
  std::optional<http::Response> response_;
};

inline void ExecOrFail(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  ASSERT_EQ(rc, SQLITE_OK) << (error ? error : "") << " in " << sql;
  sqlite3_free(error);
}

inline int64_t QueryInt(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sql;
  int64_t value = -1;
  if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  return value;
}

}  // namespace sluice::gateway::testing
