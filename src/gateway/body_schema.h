// A route's body schema, compiled once: JSON Schema (draft-04, as rapidjson
// 1.1 implements it) plus the "format": "date-time" checks rapidjson skips.
//
// Check() answers with the one message a producer needs: a missing field of
// the body's own "required" list wins (the first in list order), then the
// first failure in document order, then date-time formats. Messages are
// written by schema_errors.h.
//
// Formats are checked where "properties", "items" (one schema) and
// "additionalProperties" (a schema) lead; a "format" reached only through
// $ref, allOf/anyOf/oneOf or patternProperties is not checked. Compile()
// refuses formats other than "date-time", and "pattern"s rapidjson's regex
// engine cannot compile (rapidjson itself would silently ignore both).
//
// Ownership: owns the schema document and one validator, reused (Reset) by
// every Check().
// Errors: Compile() returns kInvalidParameterValue whose message starts with
// "schema: "; Check() returns kMissingParameter or kInvalidParameterValue.
// Threads: Check() from one thread at a time (the loop thread).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include "sluice/status.h"

namespace sluice::gateway {

class BodySchema {
 public:
  static Result<std::unique_ptr<BodySchema>> Compile(std::string_view schema_json);
  ~BodySchema();

  // `body` must be a JSON object (the caller has checked).
  Status Check(const rapidjson::Value& body);

  const rapidjson::Document& schema() const { return schema_json_; }

 private:
  struct FormatNode;
  BodySchema() = default;
  static std::unique_ptr<FormatNode> BuildFormats(const rapidjson::Value& node);
  Status CheckFormats(const FormatNode& node, const rapidjson::Value& value, const std::string& field) const;

  rapidjson::Document schema_json_;
  std::unique_ptr<rapidjson::SchemaDocument> schema_;
  std::unique_ptr<rapidjson::SchemaValidator> validator_;
  std::unique_ptr<FormatNode> formats_;  // null when the schema checks no format
};

}  // namespace sluice::gateway
