// Serializes response heads and builds the server's own error responses.
// Pure functions over strings: no I/O, no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/http/server.h"

namespace sluice::http {

struct HeadOptions {
  std::string_view date;           // IMF-fixdate, from DateCache
  bool close = false;              // add "Connection: close"
  bool keep_alive_http10 = false;  // add "Connection: keep-alive" (HTTP/1.0 clients)
  std::string_view request_id;     // add "x-request-id" unless empty
  // The Content-Length to send instead of response.body.size() (a streamed
  // body, or the length a HEAD response stands for).
  std::optional<uint64_t> content_length;
};

// Appends "HTTP/1.1 <status> <reason>", Date, Content-Length (from
// options.content_length or else response.body, omitted for 1xx/204/304),
// Connection as asked, then the
// handler's headers except those the server owns (Content-Length, Date,
// Connection, Transfer-Encoding), then the blank line.
void AppendResponseHead(const Response& response, const HeadOptions& options, std::string* out);

// True if a response with this status carries no body whatever the request.
bool StatusForbidsBody(int status);

// The reason phrase for `status` ("" for codes it does not know; the phrase
// is optional on the wire).
std::string_view ReasonPhrase(int status);

// {"error":"<message>"} as application/json, closing the connection.
Response ErrorResponse(int status, std::string_view message);

}  // namespace sluice::http
