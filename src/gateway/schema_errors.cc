#include "gateway/schema_errors.h"

#include <vector>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "sluice/json_type_name.h"

namespace sluice::gateway {
namespace {

using rapidjson::Value;

constexpr size_t kMaxQuotedLength = 100;

std::string Compact(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string Join(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "." + name;
}

const Value* Member(const Value* object, const char* name) {
  if (object == nullptr || !object->IsObject()) return nullptr;
  auto member = object->FindMember(name);
  return member == object->MemberEnd() ? nullptr : &member->value;
}

// The document value at the first `token_count` tokens of `pointer`, and the
// field name of that place ("a.b[0].c"). Array indexes are told from object
// keys by the container met on the way, not by the token's look ("0" may be
// a key).
struct Place {
  const Value* value = nullptr;
  std::string field;
};

Place Locate(const Value& body, const rapidjson::Pointer& pointer, size_t token_count) {
  Place place{&body, ""};
  for (size_t i = 0; i < token_count; ++i) {
    const rapidjson::Pointer::Token& token = pointer.GetTokens()[i];
    const Value* node = place.value;
    if (node != nullptr && node->IsArray() && token.index != rapidjson::kPointerInvalidIndex) {
      place.field += fmt::format("[{}]", token.index);
      place.value = token.index < node->Size() ? &(*node)[token.index] : nullptr;
      continue;
    }
    std::string name(token.name, token.length);
    place.field = Join(place.field, name);
    place.value = nullptr;
    if (node != nullptr && node->IsObject()) {
      auto member = node->FindMember(Value(rapidjson::StringRef(token.name, token.length)));
      if (member != node->MemberEnd()) place.value = &member->value;
    }
  }
  return place;
}

const char* WithArticle(const std::string& type) {
  if (type == "string") return "a string";
  if (type == "number") return "a number";
  if (type == "integer") return "an integer";
  if (type == "boolean") return "a boolean";
  if (type == "object") return "an object";
  if (type == "array") return "an array";
  if (type == "null") return "null";
  return nullptr;
}

// "a number", "a string or null", "a string, a number or null".
std::string ExpectedTypes(const Value* type) {
  std::vector<std::string> names;
  auto add = [&names](const Value& name) {
    const char* phrase = name.IsString() ? WithArticle(name.GetString()) : nullptr;
    names.push_back(phrase != nullptr ? phrase : Compact(name));
  };
  if (type != nullptr && type->IsString()) add(*type);
  if (type != nullptr && type->IsArray()) {
    for (const Value& name : type->GetArray()) add(name);
  }
  if (names.empty()) return "of another type";
  std::string text = names[0];
  for (size_t i = 1; i < names.size(); ++i) text += (i + 1 == names.size() ? " or " : ", ") + names[i];
  return text;
}

std::string EnumList(const Value* choices) {
  std::string text;
  if (choices == nullptr || !choices->IsArray()) return text;
  for (const Value& choice : choices->GetArray()) {
    if (!text.empty()) text += ", ";
    text += choice.IsString() ? std::string(choice.GetString(), choice.GetStringLength()) : Compact(choice);
  }
  return text;
}

bool IsTrue(const Value* value) { return value != nullptr && value->IsBool() && value->GetBool(); }

std::string Plural(const Value* count, const char* singular, const char* plural) {
  std::string number = count != nullptr ? Compact(*count) : "?";
  return number + " " + (number == "1" ? singular : plural);
}

size_t CodePoints(const Value& text) {
  size_t count = 0;
  const char* bytes = text.GetString();
  for (rapidjson::SizeType i = 0; i < text.GetStringLength(); ++i) {
    if ((static_cast<unsigned char>(bytes[i]) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string DescribeDependencies(const Value* rule, const Value& object, const std::string& field) {
  const Value* dependencies = Member(rule, "dependencies");
  if (dependencies != nullptr && dependencies->IsObject() && object.IsObject()) {
    for (auto& dependency : dependencies->GetObject()) {
      if (!object.HasMember(dependency.name) || !dependency.value.IsArray()) continue;
      for (const Value& needed : dependency.value.GetArray()) {
        if (needed.IsString() && !object.HasMember(needed)) {
          return fmt::format("Missing field: {} (required when {} is present)", Join(field, needed.GetString()),
                             Join(field, dependency.name.GetString()));
        }
      }
    }
  }
  return fmt::format("{} fails the schema's 'dependencies' rule", Subject(field));
}

}  // namespace

std::string QuoteValue(const Value& value) {
  if (value.IsString()) {
    std::string text(value.GetString(), value.GetStringLength());
    if (text.size() > kMaxQuotedLength) {
      size_t cut = kMaxQuotedLength;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
      text = text.substr(0, cut) + "...";
    }
    return "'" + text + "'";
  }
  if (value.IsObject()) return "an object";
  if (value.IsArray()) return "an array";
  return Compact(value);
}

std::string Subject(const std::string& field) {
  return field.empty() ? std::string("Request body") : "Field '" + field + "'";
}

std::string DescribeMissingRequired(const Value& object_schema, const Value& object, const std::string& object_field) {
  const Value* required = Member(&object_schema, "required");
  if (required == nullptr || !required->IsArray() || !object.IsObject()) return "";
  for (const Value& name : required->GetArray()) {
    if (name.IsString() && !object.HasMember(name)) {
      return "Missing required field: " + Join(object_field, name.GetString());
    }
  }
  return "";
}

std::string DescribeSchemaFailure(const Value& schema, const Value& body, const SchemaFailure& failure) {
  const std::string& keyword = failure.keyword;
  const Value* rule = failure.schema_pointer.Get(schema);
  const rapidjson::Pointer& pointer = failure.document_pointer;
  const size_t tokens = pointer.GetTokenCount();
  const Place place = Locate(body, pointer, tokens);
  const std::string& field = place.field;

  // Checked on a member or element, reported with its pointer, but about
  // the object or array that holds it.
  if (keyword == "additionalProperties") return fmt::format("Unknown field '{}'", field);
  if (keyword == "items" || keyword == "uniqueItems") {
    const Place container = tokens > 0 ? Locate(body, pointer, tokens - 1) : place;
    if (keyword == "uniqueItems") {
      return fmt::format("{} must not contain duplicate items ({} repeats an earlier item)",
                         Subject(container.field), field);
    }
    const Value* items = Member(rule, "items");
    size_t allowed = items != nullptr && items->IsArray() ? items->Size() : 0;
    size_t count = container.value != nullptr && container.value->IsArray() ? container.value->Size() : 0;
    return fmt::format("{} must have at most {} items, got {}", Subject(container.field), allowed, count);
  }

  if (place.value == nullptr || rule == nullptr) {
    return fmt::format("{} fails the schema's '{}' rule", Subject(field), keyword);
  }
  const Value& value = *place.value;
  const std::string subject = Subject(field);

  if (keyword == "type") {
    return fmt::format("{} must be {}, got {}", subject, ExpectedTypes(Member(rule, "type")), JsonTypeName(value));
  }
  if (keyword == "enum") {
    return fmt::format("{} must be one of: {}; got {}", subject, EnumList(Member(rule, "enum")), QuoteValue(value));
  }
  if (keyword == "required") {
    std::string missing = DescribeMissingRequired(*rule, value, field);
    if (!missing.empty()) return missing;
  }
  if (keyword == "minimum" || keyword == "maximum") {
    const bool minimum = keyword == "minimum";
    const Value* bound = Member(rule, keyword.c_str());
    const bool exclusive = IsTrue(Member(rule, minimum ? "exclusiveMinimum" : "exclusiveMaximum"));
    const char* relation = minimum ? (exclusive ? "greater than" : "at least") : (exclusive ? "less than" : "at most");
    return fmt::format("{} must be {} {}, got {}", subject, relation, bound != nullptr ? Compact(*bound) : "?",
                       QuoteValue(value));
  }
  if (keyword == "multipleOf") {
    const Value* factor = Member(rule, "multipleOf");
    return fmt::format("{} must be a multiple of {}, got {}", subject, factor != nullptr ? Compact(*factor) : "?",
                       QuoteValue(value));
  }
  if ((keyword == "minLength" || keyword == "maxLength") && value.IsString()) {
    return fmt::format("{} must be at {} {} long, got {}", subject, keyword == "minLength" ? "least" : "most",
                       Plural(Member(rule, keyword.c_str()), "character", "characters"), CodePoints(value));
  }
  if (keyword == "pattern") {
    const Value* pattern = Member(rule, "pattern");
    return fmt::format("{} must match the pattern '{}', got {}", subject,
                       pattern != nullptr && pattern->IsString() ? pattern->GetString() : "?", QuoteValue(value));
  }
  if ((keyword == "minProperties" || keyword == "maxProperties") && value.IsObject()) {
    return fmt::format("{} must have at {} {}, got {}", subject, keyword == "minProperties" ? "least" : "most",
                       Plural(Member(rule, keyword.c_str()), "field", "fields"), value.MemberCount());
  }
  if ((keyword == "minItems" || keyword == "maxItems") && value.IsArray()) {
    return fmt::format("{} must have at {} {}, got {}", subject, keyword == "minItems" ? "least" : "most",
                       Plural(Member(rule, keyword.c_str()), "item", "items"), value.Size());
  }
  if (keyword == "dependencies") return DescribeDependencies(rule, value, field);
  if (keyword == "anyOf") return fmt::format("{} does not match any of the allowed schemas (anyOf)", subject);
  if (keyword == "oneOf") return fmt::format("{} must match exactly one of the allowed schemas (oneOf)", subject);
  if (keyword == "allOf") return fmt::format("{} does not match every required schema (allOf)", subject);
  if (keyword == "not") return fmt::format("{} matches a schema it must not match (not)", subject);
  return fmt::format("{} fails the schema's '{}' rule", subject, keyword);
}

}  // namespace sluice::gateway
