#include "gateway/body_schema.h"

#include <set>
#include <utility>

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/internal/regex.h>

#include "gateway/iso8601.h"
#include "gateway/schema_errors.h"

namespace sluice::gateway {

using rapidjson::Value;

// The fields whose values must be date-times, as a tree shaped like the
// schema's properties/items/additionalProperties (pruned to the branches
// that lead to a format).
struct BodySchema::FormatNode {
  bool date_time = false;
  std::vector<std::pair<std::string, std::unique_ptr<FormatNode>>> properties;
  std::unique_ptr<FormatNode> items;                  // every element of an array
  std::unique_ptr<FormatNode> additional;             // members not in `declared`
  std::set<std::string, std::less<>> declared;        // the schema's "properties" names
};

namespace {

constexpr const char* kUnsupportedRegex =
    "not a regular expression rapidjson supports (it has no \\d, \\w or \\s: write [0-9], [A-Za-z0-9_], [ \\t\\n])";

Status SchemaError(const std::string& where, const std::string& problem) {
  return Status(Code::kInvalidParameterValue,
                where.empty() ? "schema: " + problem : fmt::format("schema: {}: {}", where, problem));
}

std::string Join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "." + b; }

bool IsKnownType(const Value& name) {
  static const char* const kTypes[] = {"null", "boolean", "object", "array", "number", "integer", "string"};
  if (!name.IsString()) return false;
  for (const char* type : kTypes) {
    if (name == type) return true;
  }
  return false;
}

// Unbalanced parentheses trip an assertion inside rapidjson 1.1's regex
// parser (and mean nothing when asserts are off): refuse them first.
bool ParenthesesBalanced(std::string_view pattern) {
  int depth = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      for (++i; i < pattern.size() && pattern[i] != ']'; ++i) {
        if (pattern[i] == '\\') ++i;
      }
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth < 0) {
      return false;
    }
  }
  return depth == 0;
}

bool IsSupportedRegex(const Value& pattern) {
  if (!pattern.IsString()) return false;
  if (!ParenthesesBalanced(std::string_view(pattern.GetString(), pattern.GetStringLength()))) return false;
  rapidjson::internal::GenericRegex<rapidjson::UTF8<>> regex(pattern.GetString());
  return regex.IsValid();
}

// Refuses what rapidjson would silently ignore or misread. `where` is the
// schema node's path ("properties.amount").
Status Lint(const Value& node, const std::string& where) {
  if (!node.IsObject()) return SchemaError(where, "a schema must be a JSON object");
  if (auto type = node.FindMember("type"); type != node.MemberEnd()) {
    bool ok = IsKnownType(type->value);
    if (type->value.IsArray()) {
      ok = type->value.Size() > 0;
      for (const Value& name : type->value.GetArray()) ok = ok && IsKnownType(name);
    }
    if (!ok) return SchemaError(Join(where, "type"), "must name JSON Schema types (string, number, integer, ...)");
  }
  if (auto pattern = node.FindMember("pattern"); pattern != node.MemberEnd() && !IsSupportedRegex(pattern->value)) {
    return SchemaError(Join(where, "pattern"), kUnsupportedRegex);
  }
  if (auto format = node.FindMember("format"); format != node.MemberEnd()) {
    if (!format->value.IsString() || format->value != "date-time") {
      return SchemaError(Join(where, "format"), "only \"date-time\" is supported");
    }
  }
  if (auto required = node.FindMember("required"); required != node.MemberEnd()) {
    bool ok = required->value.IsArray();
    if (ok) {
      for (const Value& name : required->value.GetArray()) ok = ok && name.IsString();
    }
    if (!ok) return SchemaError(Join(where, "required"), "must be an array of field names");
  }
  if (auto choices = node.FindMember("enum"); choices != node.MemberEnd()) {
    if (!choices->value.IsArray() || choices->value.Empty()) {
      return SchemaError(Join(where, "enum"), "must be a non-empty array");
    }
  }
  for (const char* keyword : {"properties", "definitions", "patternProperties"}) {
    auto members = node.FindMember(keyword);
    if (members == node.MemberEnd()) continue;
    if (!members->value.IsObject()) return SchemaError(Join(where, keyword), "must be an object of schemas");
    for (auto& member : members->value.GetObject()) {
      const std::string name(member.name.GetString(), member.name.GetStringLength());
      if (std::string_view(keyword) == "patternProperties" && !IsSupportedRegex(member.name)) {
        return SchemaError(Join(where, keyword), fmt::format("'{}': {}", name, kUnsupportedRegex));
      }
      SLUICE_RETURN_IF_ERROR(Lint(member.value, Join(Join(where, keyword), name)));
    }
  }
  for (const char* keyword : {"additionalProperties", "additionalItems", "not"}) {
    auto sub = node.FindMember(keyword);
    if (sub != node.MemberEnd() && sub->value.IsObject()) SLUICE_RETURN_IF_ERROR(Lint(sub->value, Join(where, keyword)));
  }
  if (auto items = node.FindMember("items"); items != node.MemberEnd()) {
    if (items->value.IsArray()) {
      for (rapidjson::SizeType i = 0; i < items->value.Size(); ++i) {
        SLUICE_RETURN_IF_ERROR(Lint(items->value[i], fmt::format("{}[{}]", Join(where, "items"), i)));
      }
    } else {
      SLUICE_RETURN_IF_ERROR(Lint(items->value, Join(where, "items")));
    }
  }
  for (const char* keyword : {"allOf", "anyOf", "oneOf"}) {
    auto list = node.FindMember(keyword);
    if (list == node.MemberEnd()) continue;
    if (!list->value.IsArray()) return SchemaError(Join(where, keyword), "must be an array of schemas");
    for (rapidjson::SizeType i = 0; i < list->value.Size(); ++i) {
      SLUICE_RETURN_IF_ERROR(Lint(list->value[i], fmt::format("{}[{}]", Join(where, keyword), i)));
    }
  }
  if (auto dependencies = node.FindMember("dependencies"); dependencies != node.MemberEnd() &&
                                                            dependencies->value.IsObject()) {
    for (auto& member : dependencies->value.GetObject()) {
      if (member.value.IsObject()) {
        SLUICE_RETURN_IF_ERROR(Lint(member.value, Join(Join(where, "dependencies"), member.name.GetString())));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

BodySchema::~BodySchema() = default;

Result<std::unique_ptr<BodySchema>> BodySchema::Compile(std::string_view schema_json) {
  std::unique_ptr<BodySchema> compiled(new BodySchema());
  compiled->schema_json_.Parse(schema_json.data(), schema_json.size());
  if (compiled->schema_json_.HasParseError()) {
    return SchemaError("", fmt::format("not valid JSON at offset {}: {}", compiled->schema_json_.GetErrorOffset(),
                                       rapidjson::GetParseError_En(compiled->schema_json_.GetParseError())));
  }
  const Value& root = compiled->schema_json_;
  SLUICE_RETURN_IF_ERROR(Lint(root, ""));
  if (auto type = root.FindMember("type"); type != root.MemberEnd()) {
    bool object = type->value == "object";
    if (type->value.IsArray()) {
      for (const Value& name : type->value.GetArray()) object = object || name == "object";
    }
    if (!object) return SchemaError("type", "a body schema must accept a JSON object");
  }
  compiled->schema_ = std::make_unique<rapidjson::SchemaDocument>(compiled->schema_json_);
  compiled->validator_ = std::make_unique<rapidjson::SchemaValidator>(*compiled->schema_);
  compiled->formats_ = BuildFormats(root);
  return compiled;
}

// The format tree of a (linted) schema node; null when nothing under it has a format.
std::unique_ptr<BodySchema::FormatNode> BodySchema::BuildFormats(const Value& node) {
  if (!node.IsObject()) return nullptr;
  auto result = std::make_unique<BodySchema::FormatNode>();
  bool any = false;
  if (auto format = node.FindMember("format"); format != node.MemberEnd() && format->value == "date-time") {
    result->date_time = any = true;
  }
  if (auto properties = node.FindMember("properties");
      properties != node.MemberEnd() && properties->value.IsObject()) {
    for (auto& member : properties->value.GetObject()) {
      std::string name(member.name.GetString(), member.name.GetStringLength());
      result->declared.insert(name);
      if (auto child = BuildFormats(member.value)) {
        result->properties.emplace_back(std::move(name), std::move(child));
        any = true;
      }
    }
  }
  if (auto items = node.FindMember("items"); items != node.MemberEnd() && items->value.IsObject()) {
    result->items = BuildFormats(items->value);
    any = any || result->items != nullptr;
  }
  if (auto additional = node.FindMember("additionalProperties");
      additional != node.MemberEnd() && additional->value.IsObject()) {
    result->additional = BuildFormats(additional->value);
    any = any || result->additional != nullptr;
  }
  return any ? std::move(result) : nullptr;
}

Status BodySchema::Check(const Value& body) {
  validator_->Reset();
  if (!body.Accept(*validator_)) {
    // A missing field of the body's own "required" list is what a producer
    // most needs to hear, whatever else is wrong.
    std::string message = DescribeMissingRequired(schema_json_, body, "");
    Code code = Code::kMissingParameter;
    if (message.empty()) {
      const char* keyword = validator_->GetInvalidSchemaKeyword();
      SchemaFailure failure{keyword != nullptr ? keyword : "schema", validator_->GetInvalidSchemaPointer(),
                            validator_->GetInvalidDocumentPointer()};
      message = DescribeSchemaFailure(schema_json_, body, failure);
      code = message.rfind("Missing", 0) == 0 ? Code::kMissingParameter : Code::kInvalidParameterValue;
    }
    validator_->Reset();
    return Status(code, std::move(message));
  }
  if (formats_ != nullptr) return CheckFormats(*formats_, body, "");
  return Status::Ok();
}

Status BodySchema::CheckFormats(const FormatNode& node, const Value& value, const std::string& field) const {
  if (node.date_time && value.IsString() &&
      !IsIso8601DateTime(std::string_view(value.GetString(), value.GetStringLength()))) {
    return Status(Code::kInvalidParameterValue,
                  fmt::format("{} must be an ISO 8601 date-time, got {}", Subject(field), QuoteValue(value)));
  }
  if (value.IsObject()) {
    for (const auto& [name, child] : node.properties) {
      auto member = value.FindMember(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size())));
      if (member != value.MemberEnd()) SLUICE_RETURN_IF_ERROR(CheckFormats(*child, member->value, Join(field, name)));
    }
    if (node.additional != nullptr) {
      for (auto& member : value.GetObject()) {
        std::string_view name(member.name.GetString(), member.name.GetStringLength());
        if (node.declared.count(name)) continue;
        SLUICE_RETURN_IF_ERROR(CheckFormats(*node.additional, member.value, Join(field, std::string(name))));
      }
    }
  }
  if (value.IsArray() && node.items != nullptr) {
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      SLUICE_RETURN_IF_ERROR(CheckFormats(*node.items, value[i], fmt::format("{}[{}]", field, i)));
    }
  }
  return Status::Ok();
}

}  // namespace sluice::gateway
