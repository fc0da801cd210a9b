#include "sluice/cli/endpoint.h"

#include <charconv>

namespace sluice::cli {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

Status Invalid(std::string_view text, std::string_view why) {
  return Status(Code::kInvalidParameterValue,
                "invalid endpoint \"" + std::string(text) + "\": " + std::string(why));
}

}  // namespace

Result<Endpoint> ParseEndpoint(std::string_view text) {
  std::string_view rest = text;
  if (StartsWithNoCase(rest, "http://")) {
    rest.remove_prefix(7);
  } else if (rest.find("://") != std::string_view::npos) {
    return Invalid(text, "only http:// is supported");
  }
  // A trailing slash is harmless; any other path is a mistake we should not
  // silently drop, since requests always go to "/".
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    if (slash + 1 != rest.size()) return Invalid(text, "an endpoint has no path");
    rest = rest.substr(0, slash);
  }
  if (rest.empty()) return Invalid(text, "no host");

  Endpoint endpoint;
  std::string_view port_text;
  if (rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return Invalid(text, "unterminated [IPv6] host");
    endpoint.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Invalid(text, "expected ':' after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return Invalid(text, "empty port");
    }
  } else {
    size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos) {
      if (rest.find(':') != colon) return Invalid(text, "IPv6 hosts go in brackets: [::1]:4566");
      endpoint.host = std::string(rest.substr(0, colon));
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return Invalid(text, "empty port");
    } else {
      endpoint.host = std::string(rest);
    }
  }
  if (endpoint.host.empty()) return Invalid(text, "no host");

  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return Invalid(text, "bad port \"" + std::string(port_text) + "\"");
    }
    endpoint.port = static_cast<uint16_t>(port);
  }
  endpoint.host_header = std::string(rest);
  endpoint.url = "http://" + endpoint.host_header;
  return endpoint;
}

}  // namespace sluice::cli
