#include "gateway/response_template.h"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::gateway {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string Compact(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

Result<ResponseTemplate> ResponseTemplate::Compile(std::string_view template_json) {
  rapidjson::Document document;
  document.Parse(template_json.data(), template_json.size());
  if (document.HasParseError()) {
    return Status(Code::kInvalidParameterValue,
                  fmt::format("response: not valid JSON at offset {}: {}", document.GetErrorOffset(),
                              rapidjson::GetParseError_En(document.GetParseError())));
  }
  if (!document.IsObject()) return Status(Code::kInvalidParameterValue, "response: must be a JSON object");
  ResponseTemplate compiled;
  compiled.CompileValue(document);
  return compiled;
}

void ResponseTemplate::CompileValue(const rapidjson::Value& value) {
  if (value.IsObject()) {
    steps_.push_back({Step::Kind::kStartObject, "", rapidjson::kNullType, {}, {}});
    for (auto& member : value.GetObject()) {
      steps_.push_back({Step::Kind::kKey, std::string(member.name.GetString(), member.name.GetStringLength()),
                        rapidjson::kStringType, {}, {}});
      CompileValue(member.value);
    }
    steps_.push_back({Step::Kind::kEndObject, "", rapidjson::kNullType, {}, {}});
    return;
  }
  if (value.IsArray()) {
    steps_.push_back({Step::Kind::kStartArray, "", rapidjson::kNullType, {}, {}});
    for (const rapidjson::Value& element : value.GetArray()) CompileValue(element);
    steps_.push_back({Step::Kind::kEndArray, "", rapidjson::kNullType, {}, {}});
    return;
  }
  if (value.IsString()) {
    std::string_view text(value.GetString(), value.GetStringLength());
    std::vector<Part> parts;
    size_t position = 0;
    std::string literal;
    while (position < text.size()) {
      size_t open = text.find("${", position);
      size_t close = open == std::string_view::npos ? std::string_view::npos : text.find('}', open + 2);
      if (close == std::string_view::npos) {
        literal.append(text.substr(position));
        break;
      }
      literal.append(text.substr(position, open - position));
      parts.push_back({std::move(literal), FieldPath::Parse(text.substr(open + 2, close - open - 2))});
      literal.clear();
      position = close + 1;
    }
    if (parts.size() == 1 && parts[0].literal.empty() && literal.empty()) {
      steps_.push_back({Step::Kind::kField, "", rapidjson::kNullType, std::move(parts[0].field), {}});
      return;
    }
    if (!parts.empty()) {
      if (!literal.empty()) parts.push_back({std::move(literal), FieldPath()});
      steps_.push_back({Step::Kind::kInterpolated, "", rapidjson::kStringType, {}, std::move(parts)});
      return;
    }
  }
  steps_.push_back({Step::Kind::kLiteral, Compact(value), value.GetType(), {}, {}});
}

std::string ResponseTemplate::Render(const rapidjson::Value& event) const {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  std::string text;
  for (const Step& step : steps_) {
    switch (step.kind) {
      case Step::Kind::kStartObject: writer.StartObject(); break;
      case Step::Kind::kEndObject: writer.EndObject(); break;
      case Step::Kind::kStartArray: writer.StartArray(); break;
      case Step::Kind::kEndArray: writer.EndArray(); break;
      case Step::Kind::kKey:
        writer.Key(step.text.data(), static_cast<rapidjson::SizeType>(step.text.size()));
        break;
      case Step::Kind::kLiteral:
        writer.RawValue(step.text.data(), step.text.size(), step.literal_type);
        break;
      case Step::Kind::kField: {
        const rapidjson::Value* value = step.field.Find(event);
        if (value != nullptr) {
          value->Accept(writer);
        } else {
          writer.Null();
        }
        break;
      }
      case Step::Kind::kInterpolated:
        text.clear();
        for (const Part& part : step.parts) {
          text += part.literal;
          if (part.field.empty()) continue;
          if (const rapidjson::Value* value = part.field.Find(event)) text += ValueText(*value);
        }
        writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
        break;
    }
  }
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::gateway
