#include "admin_service.h"

#include <cstdlib>
#include <memory>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "sluice/http/json_response.h"
#include "sluice/http/query.h"
#include "sluice/time_format.h"
#include "sqs/json_encode.h"
#include "sqs_service.h"

namespace sluice::server {
namespace {

constexpr std::string_view kQueuesPrefix = "/_sluice/v1/queues/";
constexpr std::string_view kMessagesSuffix = "/messages";

}  // namespace

AdminService::AdminService(storage::StorageThread& storage, queue::EngineHost& engine, std::string data_dir,
                           Probes probes)
    : storage_(storage), engine_(engine), data_dir_(std::move(data_dir)), probes_(std::move(probes)) {}

bool AdminService::Handle(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  if (request.method != "GET" && request.method != "HEAD") return false;
  if (request.path == "/health" || request.path == "/healthcheck") {
    Health(exchange);
    return true;
  }
  if (request.path == "/health/live") {
    exchange.Respond(http::JsonResponse(200, R"({"status":"live"})"));
    return true;
  }
  if (request.path == "/health/ready") {
    Ready(exchange);
    return true;
  }
  if (request.path == "/_sluice/v1/workers") {
    Workers(exchange);
    return true;
  }
  std::string_view path = request.path;
  if (path.substr(0, kQueuesPrefix.size()) == kQueuesPrefix && path.size() > kQueuesPrefix.size() + kMessagesSuffix.size() &&
      path.substr(path.size() - kMessagesSuffix.size()) == kMessagesSuffix) {
    std::string name(path.substr(kQueuesPrefix.size(), path.size() - kQueuesPrefix.size() - kMessagesSuffix.size()));
    PeekMessages(exchange, std::move(name));
    return true;
  }
  return false;
}

void AdminService::Health(http::Exchange& exchange) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  bool failed = storage_.failed();
  writer.StartObject();
  writer.Key("status");
  writer.String(failed ? "failed" : "ok");
  writer.Key("version");
  writer.String(SLUICE_VERSION);
  writer.Key("storage");
  writer.String(failed ? "failed: restart sluice after fixing the cause (see its log)" : "ok");
  writer.Key("data_dir");
  writer.String(data_dir_);
  writer.Key("committed_batches");
  writer.Uint64(storage_.committed_batches());
  writer.Key("committed_ops");
  writer.Uint64(storage_.committed_ops());
  if (probes_.parked_receives) {
    writer.Key("parked_receives");
    writer.Uint64(probes_.parked_receives());
  }
  writer.EndObject();
  exchange.Respond(
      http::JsonResponse(failed ? 503 : 200, std::string(buffer.GetString(), buffer.GetSize())));
}

void AdminService::Ready(http::Exchange& exchange) {
  std::string reason = probes_.not_ready_reason ? probes_.not_ready_reason() : "";
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("status");
  writer.String(reason.empty() ? "ready" : "not ready");
  if (!reason.empty()) {
    writer.Key("reason");
    writer.String(reason);
  }
  writer.EndObject();
  exchange.Respond(
      http::JsonResponse(reason.empty() ? 200 : 503, std::string(buffer.GetString(), buffer.GetSize())));
}

void AdminService::Workers(http::Exchange& exchange) {
  std::vector<workers::WorkerStatus> statuses;
  if (probes_.workers) statuses = probes_.workers();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("workers");
  writer.StartArray();
  for (const workers::WorkerStatus& status : statuses) {
    writer.StartObject();
    writer.Key("name");
    writer.String(status.name);
    writer.Key("queue");
    writer.String(status.queue);
    writer.Key("bucket");
    writer.String(status.bucket);
    writer.Key("state");
    writer.String(status.state);
    writer.Key("processed");
    writer.Uint64(status.processed);
    writer.Key("failed");
    writer.Uint64(status.failed);
    writer.Key("last_error");
    if (status.last_error.empty()) {
      writer.Null();
    } else {
      writer.String(status.last_error);
    }
    writer.Key("last_error_at");
    if (status.last_error_at_ms == 0) {
      writer.Null();
    } else {
      writer.String(FormatIso8601Millis(status.last_error_at_ms));
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  exchange.Respond(http::JsonResponse(200, std::string(buffer.GetString(), buffer.GetSize())));
}

void AdminService::PeekMessages(http::Exchange& exchange, std::string queue_name) {
  auto request = std::make_shared<queue::PeekMessagesRequest>();
  request->queue_name = std::move(queue_name);
  std::string max = http::QueryParameter(exchange.request().query, "max").value_or("");
  if (!max.empty()) {
    char* end = nullptr;
    long value = std::strtol(max.c_str(), &end, 10);
    if (*end != '\0' || value < 1 || value > 100) {
      exchange.Respond(SqsErrorResponse(
          Status(Code::kInvalidParameterValue, "max must be an integer from 1 to 100.")));
      return;
    }
    request->max_messages = static_cast<int>(value);
  }
  auto result = std::make_shared<queue::PeekMessagesResult>();
  queue::EngineHost* engine = &engine_;
  http::Exchange* pending = &exchange;
  storage_.Submit(
      [engine, request, result](sqlite3* db) {
        Result<queue::PeekMessagesResult> peeked = engine->Get(db).PeekMessages(*request);
        if (!peeked.ok()) return peeked.status();
        *result = std::move(peeked.value());
        return Status::Ok();
      },
      [pending, result](Status status) {
        if (!status.ok()) {
          pending->Respond(SqsErrorResponse(status));
          return;
        }
        pending->Respond(http::JsonResponse(200, sqs::EncodeResult(*result, sqs::EncodeContext{})));
      });
}

}  // namespace sluice::server
