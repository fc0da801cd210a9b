// Helpers both clients (SqsClient, AdminClient) use to read and write the
// wire: tolerant JSON member access, percent-encoding, and printable excerpts
// of bodies that are not what we expected.
//
// Tolerant means: a missing member, or one of the wrong type, reads as "" or
// 0. The clients decide which members matter; these never fail.
//
// Threads: any (pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace sluice::cli {

// Compact JSON text of `value`.
std::string SerializeJson(const rapidjson::Value& value);

// The string member `name` of `object`; "" if absent, null or not a string.
std::string StringMember(const rapidjson::Value& object, const char* name);

// The integer member `name` of `object`, sent as a number or as a decimal
// string (SQS attribute maps do that); 0 if absent or not a number.
int64_t IntegerMember(const rapidjson::Value& object, const char* name);

// The array member `name` of `object`, or nullptr.
const rapidjson::Value* ArrayMember(const rapidjson::Value& object, const char* name);

// RFC 3986: every byte but the unreserved A-Z a-z 0-9 - _ . ~ becomes %XX.
// Safe both as one path segment and as a query value ('/', '=', '&', '%',
// '+' and '?' are all encoded).
std::string PercentEncode(std::string_view text);

// The first 200 bytes of `body` on one line, with "..." if there was more.
std::string Excerpt(std::string_view body);

}  // namespace sluice::cli
