#include "gateway/compiled_route.h"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/writer.h>

#include "gateway/schema_errors.h"
#include "queue/fifo.h"
#include "queue/random_ids.h"
#include "queue/validate.h"
#include "sluice/json_type_name.h"
#include "sluice/time_format.h"

namespace sluice::gateway {
namespace {

// Numbers are parsed exactly, so re-serialising the event gives the producer's
// values back (19.99 stays 19.99); invalid UTF-8 is refused here rather than
// by SQS's character check later.
constexpr unsigned kParseFlags = rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag;

Status RouteError(const RouteConfig& config, const std::string& problem) {
  return Status(Code::kInvalidParameterValue, fmt::format("route '{}': {}", config.name, problem));
}

Status CheckShape(const RouteConfig& config) {
  if (config.name.empty()) return Status(Code::kInvalidParameterValue, "a route needs a name");
  if (config.name.find('/') != std::string::npos) return RouteError(config, "a route name may not contain '/'");
  if (config.method.empty()) return RouteError(config, "method is empty");
  if (config.path.empty() || config.path[0] != '/') return RouteError(config, "path must start with '/'");
  if (config.path.rfind("/_sluice/", 0) == 0) return RouteError(config, "paths under /_sluice/ are reserved");
  const bool one_queue = !config.target_queue.empty();
  const bool by_field = !config.target_field.empty();
  if (one_queue == by_field) {
    return RouteError(config, "set either a target queue or a target field with its table of queues");
  }
  if (by_field && config.target_queues.empty()) {
    return RouteError(config, fmt::format("target field '{}' has no table of queues", config.target_field));
  }
  if (config.message_group_field.empty() && FirstFifoTarget(config) != nullptr) {
    return RouteError(config, "a FIFO target queue needs a message group field (the value that orders messages)");
  }
  if (config.dedup_field && config.dedup_field->empty()) return RouteError(config, "dedup field is empty");
  if (config.dedup_field && config.dedup_ttl_seconds <= 0) {
    return RouteError(config, "dedup needs a TTL of at least one second");
  }
  if (config.throttle_rate_per_second < 0 || config.throttle_burst < 0) {
    return RouteError(config, "throttle rate and burst may not be negative");
  }
  return Status::Ok();
}

// "Missing a name for object member." -> "Missing a name for object member".
std::string ParseErrorText(rapidjson::ParseErrorCode code) {
  std::string text = rapidjson::GetParseError_En(code);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

PrepareScratch::PrepareScratch()
    : arena_(new char[kArenaBytes]), allocator_(arena_.get(), kArenaBytes), document_(&allocator_) {}

rapidjson::Document& PrepareScratch::FreshDocument() {
  document_.SetNull();  // drop every reference into the arena before clearing it
  allocator_.Clear();
  return document_;
}

rapidjson::StringBuffer& PrepareScratch::FreshBuffer() {
  buffer_.Clear();
  return buffer_;
}

CompiledRoute::CompiledRoute(RouteConfig config)
    : config_(std::move(config)), throttle_(config_.throttle_rate_per_second, config_.throttle_burst) {}

Result<std::unique_ptr<CompiledRoute>> CompiledRoute::Compile(RouteConfig config) {
  SLUICE_RETURN_IF_ERROR(CheckShape(config));
  std::unique_ptr<CompiledRoute> route(new CompiledRoute(std::move(config)));
  const RouteConfig& c = route->config_;

  Result<std::unique_ptr<BodySchema>> schema = BodySchema::Compile(c.schema_json);
  if (!schema.ok()) return RouteError(c, schema.status().message());
  route->schema_ = std::move(schema.value());

  for (size_t i = 0; i < c.defaults.size(); ++i) {
    const FieldDefault& declared = c.defaults[i];
    if (declared.field.empty()) return RouteError(c, fmt::format("defaults[{}] names no field", i));
    Default compiled{FieldPath::Parse(declared.field), declared.kind, rapidjson::Document()};
    if (declared.kind == FieldDefault::Kind::kLiteral) {
      compiled.literal.Parse(declared.literal_json.data(), declared.literal_json.size());
      if (compiled.literal.HasParseError()) {
        return RouteError(c, fmt::format("default of '{}' is not valid JSON: {}", declared.field,
                                         ParseErrorText(compiled.literal.GetParseError())));
      }
    }
    if (declared.kind == FieldDefault::Kind::kUuid && route->id_field_.empty()) route->id_field_ = compiled.field;
    route->defaults_.push_back(std::move(compiled));
  }

  if (c.dedup_field) {
    route->dedup_field_ = FieldPath::Parse(*c.dedup_field);
    route->id_field_ = route->dedup_field_;
  }
  if (!c.target_field.empty()) route->target_field_ = FieldPath::Parse(c.target_field);
  if (!c.message_group_field.empty()) route->group_field_ = FieldPath::Parse(c.message_group_field);

  Result<ResponseTemplate> response =
      ResponseTemplate::Compile(c.response_json.empty() ? std::string_view(R"({"enqueued":true})") : c.response_json);
  if (!response.ok()) return RouteError(c, response.status().message());
  route->response_ = std::move(response.value());
  return route;
}

Result<PreparedEvent> CompiledRoute::Prepare(std::string_view body, int64_t now_millis, PrepareScratch& scratch) {
  // 1. Parse.
  rapidjson::Document& event = scratch.FreshDocument();
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status(Code::kMalformedRequest, "Request body is empty; expected a JSON object");
  }
  event.Parse<kParseFlags>(body.data(), body.size());
  if (event.HasParseError()) {
    return Status(Code::kMalformedRequest, fmt::format("Request body is not valid JSON: {} (at offset {})",
                                                       ParseErrorText(event.GetParseError()), event.GetErrorOffset()));
  }
  if (!event.IsObject()) {
    return Status(Code::kMalformedRequest, fmt::format("Request body must be a JSON object, got {}", JsonTypeName(event)));
  }

  // 2. Validate, then 3. fill in defaults (a default is not validated: the
  // configuration chose it).
  SLUICE_RETURN_IF_ERROR(schema_->Check(event));
  ApplyDefaults(event, now_millis);

  // 4. Target, dedup key, log id.
  PreparedEvent prepared;
  Result<const std::string*> queue = ResolveTarget(event);
  if (!queue.ok()) return queue.status();
  prepared.queue = queue.value();
  if (!dedup_field_.empty()) {
    const rapidjson::Value* key = dedup_field_.Find(event);
    if (key != nullptr && !key->IsNull()) prepared.dedup_key = ValueText(*key);
  }
  if (!group_field_.empty()) {
    Result<std::string> group = MessageGroupOf(event);
    if (!group.ok()) return group.status();
    prepared.message_group_id = std::move(group).value();
  }
  if (prepared.dedup_key) {
    prepared.event_id = *prepared.dedup_key;
  } else if (!id_field_.empty()) {
    if (const rapidjson::Value* id = id_field_.Find(event)) prepared.event_id = ValueText(*id);
  }

  // 5. The message body and the 200 body.
  rapidjson::StringBuffer& buffer = scratch.FreshBuffer();
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  event.Accept(writer);
  prepared.body.assign(buffer.GetString(), buffer.GetSize());
  if (queue::IsFifoQueueName(*prepared.queue)) {
    // SQS refuses a FIFO send without a deduplication id (unless the queue
    // hashes bodies itself); the route's own key is the natural one, so a
    // producer's retry is also a FIFO duplicate within SQS's 5 minutes.
    if (prepared.dedup_key && queue::IsValidFifoToken(*prepared.dedup_key)) {
      prepared.message_deduplication_id = *prepared.dedup_key;
    } else {
      prepared.message_deduplication_id =
          queue::ContentDeduplicationId(prepared.dedup_key ? *prepared.dedup_key : prepared.body);
    }
  }
  prepared.response_body = response_->Render(event);
  return prepared;
}

void CompiledRoute::ApplyDefaults(rapidjson::Document& event, int64_t now_millis) const {
  auto& allocator = event.GetAllocator();
  for (const Default& declared : defaults_) {
    if (declared.field.Find(event) != nullptr) continue;
    rapidjson::Value value;
    switch (declared.kind) {
      case FieldDefault::Kind::kUuid: {
        std::string uuid = queue::NewUuid();
        value.SetString(uuid.data(), static_cast<rapidjson::SizeType>(uuid.size()), allocator);
        break;
      }
      case FieldDefault::Kind::kNow: {
        std::string now = FormatIso8601Millis(now_millis);
        value.SetString(now.data(), static_cast<rapidjson::SizeType>(now.size()), allocator);
        break;
      }
      case FieldDefault::Kind::kLiteral:
        value.CopyFrom(declared.literal, allocator);
        break;
    }
    declared.field.SetIfAbsent(event, value, allocator);
  }
}

Result<std::string> CompiledRoute::MessageGroupOf(const rapidjson::Value& event) const {
  const rapidjson::Value* value = group_field_.Find(event);
  if (value == nullptr || value->IsNull()) {
    return Status(Code::kMissingParameter, "Missing required field: " + group_field_.dotted());
  }
  std::string group = ValueText(*value);
  if ((!value->IsString() && !value->IsNumber()) || !queue::IsValidFifoToken(group)) {
    return Status(Code::kInvalidParameterValue,
                  fmt::format("Field '{}' orders messages (their message group) and must be a string or number of "
                              "1 to 128 letters, digits or punctuation; got {}",
                              group_field_.dotted(), QuoteValue(*value)));
  }
  return group;
}

Result<const std::string*> CompiledRoute::ResolveTarget(const rapidjson::Value& event) const {
  if (target_field_.empty()) return &config_.target_queue;
  const rapidjson::Value* value = target_field_.Find(event);
  if (value == nullptr) {
    return Status(Code::kMissingParameter, "Missing required field: " + target_field_.dotted());
  }
  if (value->IsString()) {
    auto queue = config_.target_queues.find(std::string(value->GetString(), value->GetStringLength()));
    if (queue != config_.target_queues.end()) return &queue->second;
  }
  std::string choices;
  for (const auto& [key, queue] : config_.target_queues) choices += (choices.empty() ? "" : ", ") + key;
  return Status(Code::kInvalidParameterValue, fmt::format("Field '{}' must be one of: {}; got {}", target_field_.dotted(),
                                                          choices, QuoteValue(*value)));
}

}  // namespace sluice::gateway
