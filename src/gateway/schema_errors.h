// Sentences for JSON Schema failures, for the producer who sent the body.
//
// rapidjson 1.1's validator (Debian 12) reports only the failing keyword, a
// pointer to the schema that failed and a pointer into the document; these
// functions look both up and say what is wrong, naming the field as
// a.b[0].c: "Field 'amount' must be a number, got string".
//
// Threads: any (pure).
#pragma once

#include <string>

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

namespace sluice::gateway {

// What a failed validation left behind.
struct SchemaFailure {
  std::string keyword;                 // "type", "required", ...
  rapidjson::Pointer schema_pointer;   // the (sub)schema whose keyword failed
  rapidjson::Pointer document_pointer; // the value it failed on
};

// The message for `failure` of `body` against `schema` (the schema as JSON).
std::string DescribeSchemaFailure(const rapidjson::Value& schema, const rapidjson::Value& body,
                                  const SchemaFailure& failure);

// "Missing required field: NAME" for the first name of `object_schema`'s
// "required" list (in list order) that `object` lacks; "" if none is
// missing. `object_field` names the object ("" for the body itself).
std::string DescribeMissingRequired(const rapidjson::Value& object_schema, const rapidjson::Value& object,
                                    const std::string& object_field);

// A value quoted for a message: 'text' for strings (long ones cut short),
// compact JSON for numbers, true, false and null, "an object", "an array".
std::string QuoteValue(const rapidjson::Value& value);

// "Field 'a.b'" or, for the body itself, "Request body".
std::string Subject(const std::string& field);

}  // namespace sluice::gateway
