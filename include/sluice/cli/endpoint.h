// Where the admin commands find a running server: "http://127.0.0.1:4566".
// Admin commands talk to sluice over HTTP, the way redis-cli talks to Redis;
// they never open the database.
//
// Threads: any (values and a pure function).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::cli {

inline constexpr const char kDefaultEndpoint[] = "http://127.0.0.1:4566";

struct Endpoint {
  std::string url;          // normalized for messages: "http://127.0.0.1:4566"
  std::string host;         // for getaddrinfo: "127.0.0.1", "localhost", "::1"
  uint16_t port = 80;
  std::string host_header;  // the Host header: "127.0.0.1:4566", "[::1]:4566"
};

// Accepts "http://HOST[:PORT][/]" and, for convenience, "HOST[:PORT]".
// HOST may be a name, an IPv4 address or a bracketed IPv6 address.
// Errors: kInvalidParameterValue naming what is wrong (https, a path, a bad
// port); the caller reports it as a usage error.
Result<Endpoint> ParseEndpoint(std::string_view text);

}  // namespace sluice::cli
