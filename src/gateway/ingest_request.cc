#include "gateway/ingest_request.h"

#include <cmath>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <uv.h>

#include "gateway/http_status.h"
#include "sluice/http/json_response.h"

namespace sluice::gateway {
namespace {

// "1000" for whole rates, "2.5" otherwise.
std::string FormatRate(double rate) {
  if (rate == std::floor(rate) && rate < 1e15) return fmt::format("{}", static_cast<int64_t>(rate));
  return fmt::format("{}", rate);
}

const char* OrDash(const std::string& text) { return text.empty() ? "-" : text.c_str(); }

}  // namespace

void IngestRequest::Start(GatewayCore& core, CompiledRoute& route, http::Exchange& exchange) {
  auto* request = new IngestRequest(core, route, exchange);
  if (!request->Admit()) return;
  if (!request->Prepare()) return;
  request->Submit();
}

IngestRequest::IngestRequest(GatewayCore& core, CompiledRoute& route, http::Exchange& exchange)
    : core_(core), route_(route), exchange_(exchange), started_ns_(uv_hrtime()) {}

bool IngestRequest::Admit() {
  if (core_.shut_down) {
    Finish(http::JsonErrorResponse(503, "Sluice is shutting down"));
    return false;
  }
  TokenBucket& throttle = route_.throttle();
  const int64_t now = core_.clock.NowMillis();
  if (throttle.TryTake(now)) return true;
  http::Response response = http::JsonErrorResponse(
      429, fmt::format("Rate limit exceeded for route {}: {} requests/s", route_.name(),
                       FormatRate(throttle.rate_per_second())));
  response.headers.push_back({"retry-after", std::to_string(throttle.RetryAfterSeconds(now))});
  Finish(std::move(response));
  return false;
}

bool IngestRequest::Prepare() {
  Result<PreparedEvent> prepared =
      route_.Prepare(exchange_.request().body, core_.clock.NowMillis(), core_.scratch);
  if (!prepared.ok()) {
    Finish(http::JsonErrorResponse(HttpStatusFor(prepared.status().code()), prepared.status().message()));
    return false;
  }
  event_ = std::move(prepared.value());
  send_.queue_name = *event_.queue;
  send_.entry.body = std::move(event_.body);
  send_.entry.message_group_id = std::move(event_.message_group_id);
  send_.entry.message_deduplication_id = std::move(event_.message_deduplication_id);
  return true;
}

void IngestRequest::Submit() {
  core_.storage.Submit([this](sqlite3* db) { return Store(db); },
                       [this](Status status) { OnCommitted(std::move(status)); });
}

Status IngestRequest::Store(sqlite3* db) {
  GuardedEnqueue request;
  request.route = route_.name();
  request.dedup_key = event_.dedup_key ? &*event_.dedup_key : nullptr;
  request.dedup_ttl_millis = route_.dedup_ttl_millis();
  request.send = &send_;
  Result<EnqueueOutcome> outcome =
      EnqueueOnce(db, core_.engine.Get(db), core_.dedup, request, core_.clock.NowMillis());
  if (!outcome.ok()) return outcome.status();
  outcome_ = std::move(outcome.value());
  return Status::Ok();
}

void IngestRequest::OnCommitted(Status status) {
  // The storage thread reports the commit of the batch holding this op: only
  // now may an answer leave (no reply before it is durable). A 409 too: the
  // record it saw is committed by now.
  if (!status.ok()) {
    if (status.code() == Code::kQueueDoesNotExist) {
      Finish(http::JsonErrorResponse(500, fmt::format("Target queue '{}' does not exist", send_.queue_name)));
      return;
    }
    const int http_status = HttpStatusFor(status.code());
    if (http_status >= 500) spdlog::error("route {}: enqueue failed: {}", route_.name(), status.ToString());
    Finish(http::JsonErrorResponse(http_status, status.message()));
    return;
  }
  if (outcome_.duplicate) {
    Finish(http::JsonErrorResponse(409, "Duplicate event"));
    return;
  }
  if (core_.on_enqueued) core_.on_enqueued(send_.queue_name);
  Finish(http::JsonResponse(200, std::move(event_.response_body)));
}

void IngestRequest::Finish(http::Response response) {
  std::unique_ptr<IngestRequest> owned(this);
  // The access log of the ingest API; written before Respond(), after which
  // the exchange is not ours to read.
  if (spdlog::should_log(spdlog::level::info)) {
    const double elapsed_ms = static_cast<double>(uv_hrtime() - started_ns_) / 1e6;
    const std::string& queue = outcome_.duplicate ? outcome_.queue : send_.queue_name;
    spdlog::info("route={} status={} request_id={} event_id={} queue={} ms={:.2f}", route_.name(),
                 response.status, OrDash(exchange_.request().request_id), OrDash(event_.event_id), OrDash(queue),
                 elapsed_ms);
  }
  exchange_.Respond(std::move(response));
}

}  // namespace sluice::gateway
