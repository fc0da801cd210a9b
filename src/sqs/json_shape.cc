#include "sqs/json_shape.h"

#include <limits>

#include <sodium.h>

namespace sluice::sqs {
namespace {

const char* Expected(WireType type) {
  switch (type) {
    case WireType::kString: return "a string";
    case WireType::kInteger: return "an integer";
    case WireType::kBlob: return "a base64 string";
    case WireType::kStringList: return "a list of strings";
    case WireType::kStringMap: return "a map of strings to strings";
    case WireType::kStructList: return "a list of objects";
    case WireType::kStructMap: return "a map of strings to objects";
  }
  return "a valid value";
}

std::string_view DisplayName(const MemberSpec& spec, Naming naming) {
  return naming == Naming::kQuery ? QueryName(spec) : spec.name;
}

Status WrongType(std::string_view path, std::string_view name, WireType type) {
  std::string message = "Value for parameter ";
  message.append(path).append(name).append(" is invalid. Reason: must be ");
  message.append(Expected(type)).append(".");
  return Status(Code::kInvalidParameterValue, std::move(message));
}

bool AllStrings(const rapidjson::Value& array) {
  for (const auto& element : array.GetArray()) {
    if (!element.IsString()) return false;
  }
  return true;
}

bool AllStringValues(const rapidjson::Value& object) {
  for (const auto& member : object.GetObject()) {
    if (!member.value.IsString()) return false;
  }
  return true;
}

const rapidjson::Value* FindMember(const rapidjson::Value& object, std::string_view name) {
  auto it = object.FindMember(
      rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

Status CheckMember(const rapidjson::Value& value, const MemberSpec& spec, std::string_view path,
                   Naming naming) {
  const std::string_view name = DisplayName(spec, naming);
  switch (spec.type) {
    case WireType::kString:
    case WireType::kBlob:
      if (!value.IsString()) return WrongType(path, name, spec.type);
      return Status::Ok();
    case WireType::kInteger:
      if (value.IsInt()) return Status::Ok();
      if (value.IsInt64() || value.IsUint64()) {
        // A whole number, just out of range: say which value, as SQS does.
        std::string shown = value.IsInt64() ? std::to_string(value.GetInt64())
                                            : std::to_string(value.GetUint64());
        std::string message = "Value " + shown + " for parameter ";
        message.append(path).append(name).append(" is invalid. Reason: out of range.");
        return Status(Code::kInvalidParameterValue, std::move(message));
      }
      return WrongType(path, name, spec.type);
    case WireType::kStringList:
      if (!value.IsArray() || !AllStrings(value)) return WrongType(path, name, spec.type);
      return Status::Ok();
    case WireType::kStringMap:
      if (!value.IsObject() || !AllStringValues(value)) {
        return WrongType(path, name, spec.type);
      }
      return Status::Ok();
    case WireType::kStructList: {
      if (!value.IsArray()) return WrongType(path, name, spec.type);
      int index = 0;
      for (const auto& element : value.GetArray()) {
        ++index;  // SQS numbers batch entries from 1
        if (!element.IsObject()) return WrongType(path, name, spec.type);
        std::string nested(path);
        nested.append(name).append(".").append(std::to_string(index)).append(".");
        SLUICE_RETURN_IF_ERROR(CheckShape(element, *spec.element, nested, naming));
      }
      return Status::Ok();
    }
    case WireType::kStructMap: {
      if (!value.IsObject()) return WrongType(path, name, spec.type);
      int index = 0;
      for (const auto& member : value.GetObject()) {
        ++index;
        if (!member.value.IsObject()) return WrongType(path, name, spec.type);
        std::string nested(path);
        nested.append(name).append(".");
        if (naming == Naming::kQuery) {
          nested.append(std::to_string(index)).append(".Value.");
        } else {
          nested.append(member.name.GetString(), member.name.GetStringLength()).append(".");
        }
        SLUICE_RETURN_IF_ERROR(CheckShape(member.value, *spec.element, nested, naming));
      }
      return Status::Ok();
    }
  }
  return WrongType(path, name, spec.type);
}

}  // namespace

Status MissingParameter(std::string_view name) {
  std::string message = "The request must contain the parameter ";
  message.append(name).append(".");
  return Status(Code::kMissingParameter, std::move(message));
}

Status CheckShape(const rapidjson::Value& input, const Shape& shape, std::string_view path,
                  Naming naming) {
  if (!input.IsObject()) {
    return Status(Code::kMalformedRequest, "The request body must be a JSON object.");
  }
  for (const MemberSpec& spec : shape.members) {
    const rapidjson::Value* value = FindMember(input, spec.name);
    if (value == nullptr) {
      if (spec.required) {
        return MissingParameter(std::string(path) + std::string(DisplayName(spec, naming)));
      }
      continue;
    }
    SLUICE_RETURN_IF_ERROR(CheckMember(*value, spec, path, naming));
  }
  return Status::Ok();
}

const rapidjson::Value* Members::Find(std::string_view name) const {
  return FindMember(object_, name);
}

std::string Members::String(std::string_view name) const {
  const rapidjson::Value* value = Find(name);
  if (value == nullptr) return {};
  return std::string(value->GetString(), value->GetStringLength());
}

std::optional<std::string> Members::OptionalString(std::string_view name) const {
  const rapidjson::Value* value = Find(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value->GetString(), value->GetStringLength());
}

std::optional<int> Members::Int(std::string_view name) const {
  const rapidjson::Value* value = Find(name);
  if (value == nullptr) return std::nullopt;
  return value->GetInt();
}

std::vector<std::string> Members::StringList(std::string_view name) const {
  std::vector<std::string> list;
  const rapidjson::Value* value = Find(name);
  if (value == nullptr) return list;
  list.reserve(value->Size());
  for (const auto& element : value->GetArray()) {
    list.emplace_back(element.GetString(), element.GetStringLength());
  }
  return list;
}

std::map<std::string, std::string> Members::StringMap(std::string_view name) const {
  std::map<std::string, std::string> map;
  const rapidjson::Value* value = Find(name);
  if (value == nullptr) return map;
  for (const auto& member : value->GetObject()) {
    map.insert_or_assign(std::string(member.name.GetString(), member.name.GetStringLength()),
                         std::string(member.value.GetString(), member.value.GetStringLength()));
  }
  return map;
}

Result<std::string> DecodeBase64(std::string_view text, std::string_view parameter) {
  std::string bytes(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  const char* end = nullptr;
  int rc = sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(),
                             text.data(), text.size(), /*ignore=*/nullptr, &length, &end,
                             sodium_base64_VARIANT_ORIGINAL);
  if (rc != 0 || end != text.data() + text.size()) {
    std::string message = "Value for parameter ";
    message.append(parameter).append(" is invalid. Reason: not valid base64.");
    return Status(Code::kInvalidParameterValue, std::move(message));
  }
  bytes.resize(length);
  return bytes;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);  // the encoded length counts the terminating NUL
  return text;
}

}  // namespace sluice::sqs
