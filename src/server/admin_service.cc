#include "admin_service.h"

#include <cstdlib>
#include <memory>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "sqs/json_encode.h"
#include "sqs_service.h"

namespace sluice::server {
namespace {

constexpr std::string_view kQueuesPrefix = "/_sluice/v1/queues/";
constexpr std::string_view kMessagesSuffix = "/messages";

http::Response JsonResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.push_back({"content-type", "application/json"});
  response.body = std::move(body);
  return response;
}

// The value of `name` in a query string ("max=5&x=y"), or "".
std::string QueryParameter(const std::string& query, std::string_view name) {
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string_view pair(query.data() + start, end - start);
    if (pair.substr(0, name.size()) == name && pair.size() > name.size() && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    start = end + 1;
  }
  return "";
}

}  // namespace

AdminService::AdminService(storage::StorageThread& storage, queue::EngineHost& engine, std::string data_dir)
    : storage_(storage), engine_(engine), data_dir_(std::move(data_dir)) {}

bool AdminService::Handle(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  if (request.method != "GET" && request.method != "HEAD") return false;
  if (request.path == "/health") {
    Health(exchange);
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
  writer.EndObject();
  exchange.Respond(JsonResponse(failed ? 503 : 200, std::string(buffer.GetString(), buffer.GetSize())));
}

void AdminService::PeekMessages(http::Exchange& exchange, std::string queue_name) {
  auto request = std::make_shared<queue::PeekMessagesRequest>();
  request->queue_name = std::move(queue_name);
  std::string max = QueryParameter(exchange.request().query, "max");
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
        pending->Respond(JsonResponse(200, sqs::EncodeResult(*result, sqs::EncodeContext{})));
      });
}

}  // namespace sluice::server
