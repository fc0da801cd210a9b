// URL helpers for handlers: percent-decoding and query-string lookup.
//
// Threads: any (pure).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::http {

// "%2F" -> "/"; with `plus_is_space` (form and query encoding) "+" -> " ".
// nullopt for a malformed escape ("%", "%G1").
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// The decoded value of the first `name=` parameter of a query string
// ("a=1&b=x%2Fy" -> b: "x/y"); nullopt when absent or malformed. A bare
// "name" (no '=') yields "".
std::optional<std::string> QueryParameter(std::string_view query, std::string_view name);

}  // namespace sluice::http
