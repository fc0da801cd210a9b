// Configuration loading: merge, schema validation, meaning checks.
//
// Validation runs in two passes. rapidjson's JSON Schema validator checks the
// shape (unknown keys, types, ranges) against the embedded config/schema.json;
// its old (1.1) API reports only the failing keyword and document pointer, so
// DescribeSchemaError() walks the schema alongside the pointer to name the
// offending key. The second pass checks what a schema cannot: that every
// dead-letter queue is declared and the listen address parses.
#include "sluice/server/config.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "sluice/embedded.h"
#include "sluice/json_type_name.h"
#include "sluice/workers/worker.h"

namespace sluice::server {
namespace {

using rapidjson::Document;
using rapidjson::Value;

Status ConfigError(const std::string& source, const std::string& path, const std::string& problem) {
  return Status(Code::kInvalidParameterValue,
                fmt::format("config {}: {}{}{}", source, path, path.empty() ? "" : ": ", problem));
}

// queues[2].dead_letter.queue, from a JSON pointer's tokens.
std::string PathOf(const rapidjson::Pointer& pointer, size_t token_count) {
  std::string path;
  for (size_t i = 0; i < token_count; ++i) {
    const auto& token = pointer.GetTokens()[i];
    if (token.index != rapidjson::kPointerInvalidIndex) {
      path += fmt::format("[{}]", token.index);
    } else {
      if (!path.empty()) path += '.';
      path.append(token.name, token.length);
    }
  }
  return path;
}

std::string Join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "." + b; }

// JsonTypeName, with "integer" for whole numbers: configuration keys are
// mostly counts and sizes.
const char* TypeName(const Value& value) { return value.IsInt64() ? "integer" : JsonTypeName(value); }

std::string Compact(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

// The schema node that governs the document node at `pointer`.
const Value* SchemaAt(const Value& schema, const rapidjson::Pointer& pointer) {
  const Value* node = &schema;
  for (size_t i = 0; i < pointer.GetTokenCount(); ++i) {
    const auto& token = pointer.GetTokens()[i];
    if (token.index != rapidjson::kPointerInvalidIndex && node->HasMember("items")) {
      node = &(*node)["items"];
      continue;
    }
    std::string name(token.name, token.length);
    if (node->HasMember("properties") && (*node)["properties"].HasMember(name.c_str())) {
      node = &(*node)["properties"][name.c_str()];
    } else if (node->HasMember("additionalProperties") && (*node)["additionalProperties"].IsObject()) {
      node = &(*node)["additionalProperties"];
    } else {
      return nullptr;
    }
  }
  return node;
}

std::string DescribeSchemaError(const Value& schema, const Document& document,
                                const rapidjson::SchemaValidator& validator) {
  rapidjson::Pointer pointer = validator.GetInvalidDocumentPointer();
  std::string keyword = validator.GetInvalidSchemaKeyword();
  std::string path = PathOf(pointer, pointer.GetTokenCount());
  const Value* node = pointer.Get(document);
  const Value* rule = SchemaAt(schema, pointer);
  // This rapidjson points additionalProperties failures at the unknown key itself.
  if (keyword == "additionalProperties" && rule == nullptr && node != nullptr) {
    return fmt::format("{}: unknown key", path);
  }
  if (node == nullptr || rule == nullptr) return fmt::format("{}: invalid ({})", path, keyword);

  if (keyword == "additionalProperties" && node->IsObject()) {
    for (auto& member : node->GetObject()) {
      std::string key = member.name.GetString();
      if (!rule->HasMember("properties") || !(*rule)["properties"].HasMember(key.c_str())) {
        return fmt::format("{}: unknown key", Join(path, key));
      }
    }
  }
  if (keyword == "required" && node->IsObject() && rule->HasMember("required")) {
    for (auto& required : (*rule)["required"].GetArray()) {
      if (!node->HasMember(required.GetString())) {
        return fmt::format("{}: missing required key", Join(path, required.GetString()));
      }
    }
  }
  if (keyword == "type") {
    return fmt::format("{}: wrong type: expected {}, got {}", path, Compact((*rule)["type"]),
                       TypeName(*node));
  }
  if (keyword == "enum") {
    return fmt::format("{}: {} is not one of {}", path, Compact(*node), Compact((*rule)["enum"]));
  }
  if ((keyword == "minimum" || keyword == "maximum") && rule->HasMember(keyword.c_str())) {
    return fmt::format("{}: {} is out of range ({} {})", path, Compact(*node),
                       keyword == "minimum" ? "minimum" : "maximum", Compact((*rule)[keyword.c_str()]));
  }
  if (keyword == "pattern") {
    return fmt::format("{}: {} does not match {}", path, Compact(*node), Compact((*rule)["pattern"]));
  }
  return fmt::format("{}: {} fails the schema's '{}' rule", path, Compact(*node), keyword);
}

// Merges `overlay` over `base`: top-level keys replace, objects merge one level.
void Merge(Document& base, Value& overlay) {
  auto& allocator = base.GetAllocator();
  for (auto& member : overlay.GetObject()) {
    auto existing = base.FindMember(member.name);
    if (existing != base.MemberEnd() && existing->value.IsObject() && member.value.IsObject()) {
      for (auto& inner : member.value.GetObject()) {
        auto slot = existing->value.FindMember(inner.name);
        if (slot != existing->value.MemberEnd()) {
          slot->value.CopyFrom(inner.value, allocator);
        } else {
          existing->value.AddMember(Value(inner.name, allocator), Value(inner.value, allocator), allocator);
        }
      }
    } else if (existing != base.MemberEnd()) {
      existing->value.CopyFrom(member.value, allocator);
    } else {
      base.AddMember(Value(member.name, allocator), Value(member.value, allocator), allocator);
    }
  }
}

std::string ScalarString(const Value& value) {
  if (value.IsString()) return value.GetString();
  if (value.IsBool()) return value.GetBool() ? "true" : "false";
  if (value.IsInt64()) return std::to_string(value.GetInt64());
  return Compact(value);
}

Status ValidateAgainstSchema(const Document& document, const std::string& source) {
  const embedded::Asset* schema_asset = embedded::Find("config/schema.json");
  Document schema_document;
  schema_document.Parse(schema_asset->data.data(), schema_asset->data.size());
  if (schema_document.HasParseError()) {
    return Status(Code::kInternal, "embedded config/schema.json does not parse");
  }
  rapidjson::SchemaDocument schema(schema_document);
  rapidjson::SchemaValidator validator(schema);
  if (!document.Accept(validator)) {
    return ConfigError(source, "", DescribeSchemaError(schema_document, document, validator));
  }
  return Status::Ok();
}

// Orders queues so that each dead-letter queue precedes the queues that use it.
std::vector<QueueConfig> DeadLettersFirst(std::vector<QueueConfig> queues) {
  std::vector<QueueConfig> ordered;
  std::set<std::string> placed;
  while (!queues.empty()) {
    bool progressed = false;
    for (auto it = queues.begin(); it != queues.end();) {
      if (it->dead_letter_queue.empty() || placed.count(it->dead_letter_queue) ||
          it->dead_letter_queue == it->name) {
        placed.insert(it->name);
        ordered.push_back(std::move(*it));
        it = queues.erase(it);
        progressed = true;
      } else {
        ++it;
      }
    }
    if (!progressed) {  // a cycle of dead-letter queues: keep the declared order
      for (auto& queue : queues) ordered.push_back(std::move(queue));
      break;
    }
  }
  return ordered;
}

bool IsRequiredField(const Value& schema, const std::string& field) {
  if (!schema.HasMember("required") || !schema["required"].IsArray()) return false;
  for (const Value& required : schema["required"].GetArray()) {
    if (required.IsString() && field == required.GetString()) return true;
  }
  return false;
}

bool IsReservedPath(const std::string& path) {
  return path == "/" || path.rfind("/health", 0) == 0 || path.rfind("/_sluice/", 0) == 0;
}

Status BuildRoutes(const Document& document, const std::string& source, const std::set<std::string>& queue_names,
                   std::vector<gateway::RouteConfig>* routes) {
  if (!document.HasMember("routes")) return Status::Ok();
  const Value& list = document["routes"];
  std::set<std::string> names;
  std::set<std::string> endpoints;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    const Value& entry = list[i];
    auto where = [i](const char* key) { return fmt::format("routes[{}].{}", i, key); };
    gateway::RouteConfig route;
    route.declared_index = i;
    route.name = entry["name"].GetString();
    if (!names.insert(route.name).second) {
      return ConfigError(source, where("name"), fmt::format("route '{}' is declared twice", route.name));
    }
    route.method = entry.HasMember("method") ? entry["method"].GetString() : "POST";
    route.path = entry["path"].GetString();
    if (IsReservedPath(route.path)) {
      return ConfigError(source, where("path"),
                         fmt::format("'{}' is reserved (/, /health*, /_sluice/*)", route.path));
    }
    if (!endpoints.insert(route.method + " " + route.path).second) {
      return ConfigError(source, where("path"),
                         fmt::format("another route already serves {} {}", route.method, route.path));
    }
    const Value& schema = entry["schema"];
    route.schema_json = Compact(schema);
    if (entry.HasMember("defaults")) {
      for (auto& member : entry["defaults"].GetObject()) {
        gateway::FieldDefault field_default;
        field_default.field = member.name.GetString();
        std::string text = member.value.IsString() ? member.value.GetString() : "";
        if (text == "$uuid") {
          field_default.kind = gateway::FieldDefault::Kind::kUuid;
        } else if (text == "$now") {
          field_default.kind = gateway::FieldDefault::Kind::kNow;
        } else if (!text.empty() && text[0] == '$') {
          return ConfigError(source, fmt::format("routes[{}].defaults.{}", i, field_default.field),
                             fmt::format("'{}' is not a known generator (\"$uuid\", \"$now\")", text));
        } else {
          field_default.literal_json = Compact(member.value);
        }
        route.defaults.push_back(std::move(field_default));
      }
    }
    if (entry.HasMember("dedup")) {
      route.dedup_field = entry["dedup"]["key"].GetString();
      route.dedup_ttl_seconds =
          entry["dedup"].HasMember("ttl_seconds") ? entry["dedup"]["ttl_seconds"].GetInt64() : 30LL * 24 * 3600;
      if (!IsRequiredField(schema, *route.dedup_field)) {
        return ConfigError(source, where("dedup.key"),
                           fmt::format("'{}' must be in the schema's \"required\" list", *route.dedup_field));
      }
    }
    const Value& target = entry["target"];
    if (target.HasMember("message_group_field")) {
      route.message_group_field = target["message_group_field"].GetString();
      if (!IsRequiredField(schema, route.message_group_field)) {
        return ConfigError(source, where("target.message_group_field"),
                           fmt::format("'{}' must be in the schema's \"required\" list", route.message_group_field));
      }
    }
    bool has_queue = target.HasMember("queue");
    bool has_field = target.HasMember("field") || target.HasMember("queues");
    if (has_queue == has_field) {
      return ConfigError(source, where("target"),
                         "name either \"queue\", or \"field\" with \"queues\" (a table from value to queue)");
    }
    if (has_queue) {
      route.target_queue = target["queue"].GetString();
      if (!queue_names.count(route.target_queue)) {
        return ConfigError(source, where("target.queue"),
                           fmt::format("'{}' is not a declared queue (declare it in \"queues\")", route.target_queue));
      }
    } else {
      if (!target.HasMember("field") || !target.HasMember("queues") || target["queues"].MemberCount() == 0) {
        return ConfigError(source, where("target"), "\"field\" and a non-empty \"queues\" table go together");
      }
      route.target_field = target["field"].GetString();
      if (!IsRequiredField(schema, route.target_field)) {
        return ConfigError(source, where("target.field"),
                           fmt::format("'{}' must be in the schema's \"required\" list", route.target_field));
      }
      for (auto& member : target["queues"].GetObject()) {
        std::string queue = member.value.GetString();
        if (!queue_names.count(queue)) {
          return ConfigError(source, fmt::format("routes[{}].target.queues.{}", i, member.name.GetString()),
                             fmt::format("'{}' is not a declared queue (declare it in \"queues\")", queue));
        }
        route.target_queues[member.name.GetString()] = queue;
      }
    }
    if (const std::string* fifo_target = gateway::FirstFifoTarget(route); fifo_target && route.message_group_field.empty()) {
      return ConfigError(source, where("target"),
                         fmt::format("'{}' is a FIFO queue: name the field whose value orders its messages "
                                     "in \"message_group_field\"",
                                     *fifo_target));
    }
    if (entry.HasMember("throttle")) {
      route.throttle_rate_per_second = entry["throttle"]["rate_per_second"].GetDouble();
      route.throttle_burst = entry["throttle"].HasMember("burst") ? entry["throttle"]["burst"].GetDouble()
                                                                  : route.throttle_rate_per_second;
      if (route.throttle_burst < 1) route.throttle_burst = 1;
    }
    route.response_json = entry.HasMember("response") ? Compact(entry["response"]) : R"({"enqueued":true})";
    routes->push_back(std::move(route));
  }
  return Status::Ok();
}

Status BuildSink(const Document& document, sink::SinkConfig* sink) {
  if (!document.HasMember("sink")) return Status::Ok();
  const Value& entry = document["sink"];
  if (entry.HasMember("dir")) sink->root_dir = entry["dir"].GetString();
  if (entry.HasMember("keyring")) sink->keyring_path = entry["keyring"].GetString();
  if (entry.HasMember("rotation_period_days")) sink->rotation_period_days = entry["rotation_period_days"].GetInt64();
  if (entry.HasMember("buckets")) {
    for (const Value& bucket : entry["buckets"].GetArray()) {
      std::string name = bucket.GetString();
      if (std::find(sink->buckets.begin(), sink->buckets.end(), name) == sink->buckets.end()) {
        sink->buckets.push_back(std::move(name));
      }
    }
  }
  return Status::Ok();
}

Status BuildWorkers(const Document& document, const std::string& source, const std::set<std::string>& queue_names,
                    sink::SinkConfig* sink, std::vector<workers::WorkerConfig>* workers) {
  if (!document.HasMember("workers")) return Status::Ok();
  const Value& list = document["workers"];
  std::set<std::string> names;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    const Value& entry = list[i];
    workers::WorkerConfig worker;
    worker.declared_index = i;
    worker.name = entry["name"].GetString();
    if (!names.insert(worker.name).second) {
      return ConfigError(source, fmt::format("workers[{}].name", i),
                         fmt::format("worker '{}' is declared twice", worker.name));
    }
    worker.queue = entry["queue"].GetString();
    if (!queue_names.count(worker.queue)) {
      return ConfigError(source, fmt::format("workers[{}].queue", i),
                         fmt::format("'{}' is not a declared queue (declare it in \"queues\")", worker.queue));
    }
    worker.bucket = entry["bucket"].GetString();
    static const std::regex kBucketName("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");
    if (!std::regex_match(worker.bucket, kBucketName)) {
      return ConfigError(source, fmt::format("workers[{}].bucket", i),
                         fmt::format("'{}' is not a bucket name (3-63 of a-z 0-9 . -, starting and ending "
                                     "with a letter or digit)", worker.bucket));
    }
    if (std::find(sink->buckets.begin(), sink->buckets.end(), worker.bucket) == sink->buckets.end()) {
      sink->buckets.push_back(worker.bucket);
    }
    if (entry.HasMember("batch_size")) worker.batch_size = entry["batch_size"].GetInt();
    if (entry.HasMember("wait_seconds")) worker.wait_seconds = entry["wait_seconds"].GetInt();
    if (entry.HasMember("visibility_timeout")) worker.visibility_timeout = entry["visibility_timeout"].GetInt();
    if (entry.HasMember("required_fields")) {
      for (const Value& field : entry["required_fields"].GetArray()) worker.required_fields.push_back(field.GetString());
    }
    if (entry.HasMember("key")) worker.key_template = entry["key"].GetString();
    Status key_template = workers::CheckKeyTemplate(worker.key_template);
    if (!key_template.ok()) return ConfigError(source, fmt::format("workers[{}].key", i), key_template.message());
    if (entry.HasMember("content_type")) worker.content_type = entry["content_type"].GetString();
    if (entry.HasMember("enabled")) worker.enabled = entry["enabled"].GetBool();
    workers->push_back(std::move(worker));
  }
  return Status::Ok();
}

Result<Config> BuildConfig(const Document& document, const std::string& source) {
  Config config;
  config.source = source;
  if (document.HasMember("listen")) {
    Status status = ParseListenAddress(document["listen"].GetString(), &config.listen_host,
                                       &config.listen_port);
    if (!status.ok()) return ConfigError(source, "listen", status.message());
  }
  if (document.HasMember("data_dir")) config.data_dir = document["data_dir"].GetString();
  if (document.HasMember("durability")) {
    config.durability = std::string(document["durability"].GetString()) == "normal"
                            ? storage::Durability::kNormal
                            : storage::Durability::kFull;
  }
  if (document.HasMember("account_id")) config.account_id = document["account_id"].GetString();
  if (document.HasMember("region")) config.region = document["region"].GetString();
  if (document.HasMember("log_level")) config.log_level = document["log_level"].GetString();
  if (document.HasMember("http")) {
    const Value& http = document["http"];
    if (http.HasMember("max_connections")) config.max_connections = http["max_connections"].GetUint64();
    if (http.HasMember("max_header_bytes")) config.max_header_bytes = http["max_header_bytes"].GetUint64();
    if (http.HasMember("max_body_bytes")) config.max_body_bytes = http["max_body_bytes"].GetUint64();
    if (http.HasMember("header_timeout_ms")) config.header_timeout_ms = http["header_timeout_ms"].GetUint64();
    if (http.HasMember("body_timeout_ms")) config.body_timeout_ms = http["body_timeout_ms"].GetUint64();
    if (http.HasMember("idle_timeout_ms")) config.idle_timeout_ms = http["idle_timeout_ms"].GetUint64();
  }
  if (document.HasMember("maintenance")) {
    const Value& maintenance = document["maintenance"];
    if (maintenance.HasMember("retention_sweep_interval_ms")) {
      config.retention_sweep_interval_ms = maintenance["retention_sweep_interval_ms"].GetUint64();
    }
    if (maintenance.HasMember("move_task_tick_ms")) {
      config.move_task_tick_ms = maintenance["move_task_tick_ms"].GetUint64();
    }
  }

  if (document.HasMember("sqs") && document["sqs"].HasMember("fifo_throughput")) {
    const Value& quotas = document["sqs"]["fifo_throughput"];
    if (quotas.HasMember("enforce")) config.fifo_quotas.enforce = quotas["enforce"].GetBool();
    if (quotas.HasMember("transactions_per_second")) {
      config.fifo_quotas.transactions_per_second = quotas["transactions_per_second"].GetInt();
    }
    if (quotas.HasMember("high_throughput_transactions_per_second")) {
      config.fifo_quotas.high_throughput_transactions_per_second =
          quotas["high_throughput_transactions_per_second"].GetInt();
    }
  }

  if (document.HasMember("maintenance") && document["maintenance"].HasMember("dedup_sweep_interval_ms")) {
    config.dedup_sweep_interval_ms = document["maintenance"]["dedup_sweep_interval_ms"].GetUint64();
  }

  std::vector<QueueConfig> queues;
  std::map<std::string, size_t> index_by_name;
  if (document.HasMember("queues")) {
    const Value& list = document["queues"];
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      const Value& entry = list[i];
      QueueConfig queue;
      queue.name = entry["name"].GetString();
      if (index_by_name.count(queue.name)) {
        return ConfigError(source, fmt::format("queues[{}].name", i),
                           fmt::format("queue '{}' is declared twice", queue.name));
      }
      if (entry.HasMember("attributes")) {
        for (auto& attribute : entry["attributes"].GetObject()) {
          queue.attributes[attribute.name.GetString()] = ScalarString(attribute.value);
        }
      }
      // The name says the type: "orders.fifo" is a FIFO queue without
      // having to repeat FifoQueue (CreateQueue checks the two agree).
      if (queue::IsFifoQueueName(queue.name) && !queue.attributes.count("FifoQueue")) {
        queue.attributes["FifoQueue"] = "true";
      }
      if (entry.HasMember("dead_letter")) {
        queue.dead_letter_queue = entry["dead_letter"]["queue"].GetString();
        queue.max_receive_count = entry["dead_letter"]["max_receive_count"].GetInt();
      }
      if (entry.HasMember("tags")) {
        for (auto& tag : entry["tags"].GetObject()) queue.tags[tag.name.GetString()] = tag.value.GetString();
      }
      queue.declared_index = i;
      index_by_name[queue.name] = i;
      queues.push_back(std::move(queue));
    }
  }
  for (size_t i = 0; i < queues.size(); ++i) {
    const std::string& target = queues[i].dead_letter_queue;
    if (!target.empty() && !index_by_name.count(target)) {
      return ConfigError(source, fmt::format("queues[{}].dead_letter.queue", i),
                         fmt::format("'{}' is not a declared queue (declare it in \"queues\")", target));
    }
  }
  config.queues = DeadLettersFirst(std::move(queues));
  std::set<std::string> queue_names;
  for (const auto& [name, index] : index_by_name) queue_names.insert(name);
  SLUICE_RETURN_IF_ERROR(BuildRoutes(document, source, queue_names, &config.routes));
  SLUICE_RETURN_IF_ERROR(BuildSink(document, &config.sink));
  SLUICE_RETURN_IF_ERROR(BuildWorkers(document, source, queue_names, &config.sink, &config.workers));
  return config;
}

Result<Document> ParseDocument(std::string_view text, const std::string& source) {
  Document document;
  document.Parse(text.data(), text.size());
  if (document.HasParseError()) {
    return ConfigError(source, "",
                       fmt::format("not valid JSON at offset {}: {}", document.GetErrorOffset(),
                                   rapidjson::GetParseError_En(document.GetParseError())));
  }
  if (!document.IsObject()) return ConfigError(source, "", "the top level must be a JSON object");
  return document;
}

}  // namespace

Status ParseListenAddress(const std::string& address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 >= address.size()) {
    return Status(Code::kInvalidParameterValue,
                  fmt::format("'{}' is not HOST:PORT (e.g. 127.0.0.1:4566)", address));
  }
  std::string host_part = address.substr(0, colon);
  if (host_part.size() >= 2 && host_part.front() == '[' && host_part.back() == ']') {
    host_part = host_part.substr(1, host_part.size() - 2);
  }
  if (host_part.empty()) return Status(Code::kInvalidParameterValue, fmt::format("'{}' names no host", address));
  int value = 0;
  for (size_t i = colon + 1; i < address.size(); ++i) {
    char c = address[i];
    if (c < '0' || c > '9' || value > 65535) {
      return Status(Code::kInvalidParameterValue, fmt::format("'{}' has a bad port", address));
    }
    value = value * 10 + (c - '0');
  }
  if (value > 65535) return Status(Code::kInvalidParameterValue, fmt::format("'{}' has a bad port", address));
  *host = host_part;
  *port = value;
  return Status::Ok();
}

Result<Config> ParseConfig(const std::string& user_json, const std::string& source) {
  const embedded::Asset* default_asset = embedded::Find("config/default.json");
  Result<Document> base = ParseDocument(default_asset->data, "(embedded default)");
  if (!base.ok()) return base.status();
  Document merged = std::move(base.value());
  if (!user_json.empty()) {
    Result<Document> user = ParseDocument(user_json, source);
    if (!user.ok()) return user.status();
    // Validate the user's file alone first, so errors point into it.
    SLUICE_RETURN_IF_ERROR(ValidateAgainstSchema(user.value(), source));
    // The embedded routes and workers feed the embedded queues: a file that
    // brings its own queues brings its own routes and workers too (or none).
    if (user->HasMember("queues")) {
      for (const char* paired : {"routes", "workers"}) {
        if (!user->HasMember(paired)) merged.RemoveMember(paired);
      }
    }
    Merge(merged, user.value());
  }
  SLUICE_RETURN_IF_ERROR(ValidateAgainstSchema(merged, source));
  return BuildConfig(merged, source);
}

Result<Config> LoadConfig(const std::optional<std::string>& user_file) {
  if (!user_file) return ParseConfig("", "(embedded default)");
  std::ifstream in(*user_file, std::ios::binary);
  if (!in) {
    return Status(Code::kInvalidParameterValue, fmt::format("config {}: cannot be read", *user_file));
  }
  std::stringstream contents;
  contents << in.rdbuf();
  return ParseConfig(contents.str(), *user_file);
}

}  // namespace sluice::server
