// The 200 body of a route: a JSON object whose strings may name fields of
// the validated event. "${field}" as a whole string is replaced by the
// field's value with its JSON type (null when absent); inside a longer string
// it is replaced by the value's text ("" when absent). Field names are dotted
// paths (field_path.h).
//
// The template is compiled once into a flat list of writer steps, so
// rendering is one pass over the list with no parsing.
//
// Errors: Compile() returns kInvalidParameterValue whose message starts with
// "response: ".
// Threads: any (immutable after Compile).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/field_path.h"
#include "sluice/status.h"

namespace sluice::gateway {

class ResponseTemplate {
 public:
  static Result<ResponseTemplate> Compile(std::string_view template_json);

  // The body for `event` (compact JSON).
  std::string Render(const rapidjson::Value& event) const;

 private:
  struct Part {
    std::string literal;  // text before the field, or the tail when `field` is empty
    FieldPath field;
  };
  struct Step {
    enum class Kind { kStartObject, kEndObject, kStartArray, kEndArray, kKey, kLiteral, kField, kInterpolated };
    Kind kind;
    std::string text;          // kKey: the name; kLiteral: compact JSON of the value
    rapidjson::Type literal_type = rapidjson::kNullType;
    FieldPath field;           // kField
    std::vector<Part> parts;   // kInterpolated
  };

  void CompileValue(const rapidjson::Value& value);

  std::vector<Step> steps_;
};

}  // namespace sluice::gateway
