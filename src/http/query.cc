#include "sluice/http/query.h"

namespace sluice::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string decoded;
  decoded.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    // Copy the run up to the next escape (or '+') at once: most values have none.
    size_t special = i;
    while (special < text.size() && text[special] != '%' && !(plus_is_space && text[special] == '+')) ++special;
    decoded.append(text.substr(i, special - i));
    if (special == text.size()) break;
    if (text[special] == '+') {
      decoded.push_back(' ');
      i = special + 1;
      continue;
    }
    if (special + 2 >= text.size()) return std::nullopt;
    int high = HexValue(text[special + 1]);
    int low = HexValue(text[special + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    decoded.push_back(static_cast<char>(high * 16 + low));
    i = special + 3;
  }
  return decoded;
}

std::optional<std::string> QueryParameter(std::string_view query, std::string_view name) {
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    size_t equals = pair.find('=');
    std::string_view key = pair.substr(0, equals);
    if (PercentDecode(key, true) == std::string(name)) {
      if (equals == std::string_view::npos) return std::string();
      return PercentDecode(pair.substr(equals + 1), true);
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace sluice::http
