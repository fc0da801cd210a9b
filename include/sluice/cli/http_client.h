// A small blocking HTTP/1.1 client for the admin commands: one connection
// per request ("Connection: close"), a connect timeout and a deadline for the
// whole exchange. Responses are parsed by llhttp (Content-Length, chunked, or
// delimited by the server closing the connection).
//
// Transport is the seam the commands see: the binary plugs in HttpClient,
// unit tests a fake that answers in memory.
//
// Errors: a request that never reaches the server (name resolution, connect
// refused or timed out) is kUnavailable with "cannot reach sluice at URL:
// connection refused"; the CLI exits 3 on it. Anything that goes wrong after
// the connection is up (a timeout waiting for the answer, a truncated or
// malformed response) is kInternal. An HTTP error status is *not* an error
// here: the response is returned and the caller decodes it.
//
// Threads: an HttpClient may be used by one thread at a time; it keeps no
// connection between requests.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/cli/endpoint.h"
#include "sluice/status.h"

namespace sluice::cli {

struct HttpHeader {
  std::string name;  // responses: lower-case
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";  // path plus "?query"
  std::vector<HttpHeader> headers;  // Host, Content-Length, Connection are added
  std::string body;
  // Budget for sending the request and receiving the whole response, counted
  // from the moment the connection is up. Long polls must ask for more.
  std::chrono::milliseconds timeout{30'000};
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;  // de-chunked

  // The first header called `lower_name`, or nullptr.
  const std::string* FindHeader(std::string_view lower_name) const;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> RoundTrip(const HttpRequest& request) = 0;
};

class HttpClient final : public Transport {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{3'000};
    size_t max_response_bytes = 256u << 20;  // a runaway server cannot eat our memory
  };

  explicit HttpClient(Endpoint endpoint) : HttpClient(std::move(endpoint), Options()) {}
  HttpClient(Endpoint endpoint, Options options)
      : endpoint_(std::move(endpoint)), options_(options) {}

  Result<HttpResponse> RoundTrip(const HttpRequest& request) override;

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Endpoint endpoint_;
  Options options_;
};

}  // namespace sluice::cli
