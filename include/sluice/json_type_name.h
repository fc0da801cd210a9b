// The JSON type of a parsed value, named as JSON Schema names types, for
// messages that say what a value should have been and what it was
// ("must be a number, got string").
//
// Threads: any (pure).
#pragma once

#include <rapidjson/document.h>

namespace sluice {

// "null", "boolean", "object", "array", "string" or "number".
const char* JsonTypeName(const rapidjson::Value& value);

}  // namespace sluice
