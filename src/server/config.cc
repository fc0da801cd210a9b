// Configuration loading: merge, schema validation, meaning checks.
//
// Validation runs in two passes. rapidjson's JSON Schema validator checks the
// shape (unknown keys, types, ranges) against the embedded config/schema.json;
// its old (1.1) API reports only the failing keyword and document pointer, so
// DescribeSchemaError() walks the schema alongside the pointer to name the
// offending key. The second pass checks what a schema cannot: that every
// dead-letter queue is declared and the listen address parses.
#include "sluice/server/config.h"

#include <fstream>
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

const char* TypeName(const Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "boolean";
    case rapidjson::kObjectType: return "object";
    case rapidjson::kArrayType: return "array";
    case rapidjson::kStringType: return "string";
    case rapidjson::kNumberType: return value.IsInt64() ? "integer" : "number";
  }
  return "value";
}

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
