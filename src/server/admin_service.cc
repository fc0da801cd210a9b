#include "admin_service.h"

#include <cstdlib>
#include <memory>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sodium.h>

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

std::string Base64(const std::string& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string EncodePeek(const queue::PeekMessagesResult& result) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("messages");
  writer.StartArray();
  for (const queue::PeekedMessage& message : result.messages) {
    writer.StartObject();
    writer.Key("MessageId");
    writer.String(message.message_id);
    writer.Key("Body");
    writer.String(message.body);
    writer.Key("SentTimestamp");
    writer.Int64(message.sent_timestamp);
    writer.Key("VisibleAt");
    writer.Int64(message.visible_at);
    writer.Key("ReceiveCount");
    writer.Int(message.receive_count);
    writer.Key("DeadLetterSourceQueue");
    writer.String(message.dead_letter_source_queue);
    writer.Key("MessageAttributes");
    writer.StartObject();
    for (const auto& [name, value] : message.message_attributes) {
      writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      writer.StartObject();
      writer.Key("DataType");
      writer.String(value.data_type);
      if (value.data_type.rfind("Binary", 0) == 0) {
        writer.Key("BinaryValue");
        writer.String(Base64(value.binary_value));
      } else {
        writer.Key("StringValue");
        writer.String(value.string_value);
      }
      writer.EndObject();
    }
    writer.EndObject();
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

AdminService::AdminService(storage::StorageThread& storage, EngineHost& engine, std::string data_dir)
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
  EngineHost* engine = &engine_;
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
        pending->Respond(JsonResponse(200, EncodePeek(*result)));
      });
}

}  // namespace sluice::server
