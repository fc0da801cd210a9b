// The HTTP/1.1 front end: accepts connections on one libuv loop, parses
// requests with llhttp (keep-alive, pipelining, chunked bodies,
// Expect: 100-continue) and hands each complete request to a Handler as an
// Exchange. It knows nothing of SQS: handlers decide what a request means.
//
// Ownership: the Server owns its listening socket and every connection; a
// connection owns the Exchanges of its requests. An Exchange lives until it
// has been answered with Respond() *and* its connection no longer needs it,
// so a handler may keep an Exchange* until it calls Respond(), even if the
// peer disconnects meanwhile (the answer is then dropped).
//
// Errors: malformed requests are answered 400 and the connection closed;
// oversized heads 431, oversized bodies 413; slow heads and bodies get 408
// and are closed; idle keep-alive connections, and clients that stop reading
// their responses (write timeout), are closed; over the connection
// limit new connections get 503 and are closed. None of these reach the
// handler. Error bodies are {"error":"..."} (application/json).
//
// Backpressure: at most max_pipelined_requests requests per connection are
// outstanding (with the handler, or answered and not yet fully written);
// beyond that the connection stops parsing and reading until a response has
// been written. Timeouts of 0 are disabled.
//
// Threads: loop thread only, for every class here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include "sluice/status.h"

namespace sluice::http {

struct Header {
  std::string name;   // lower-case
  std::string value;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path plus "?query"
  std::string path;    // percent-decoding is left to the handler
  std::string query;   // without the '?'
  std::vector<Header> headers;
  std::string body;    // de-chunked
  // The x-request-id header when the client sent a usable one (1-128
  // visible ASCII characters), else one the server made up (UUID-shaped,
  // unique within the process). The server sends it back on the response;
  // handlers log it.
  std::string request_id;

  // The first header called `lower_name`, or nullptr.
  const std::string* FindHeader(std::string_view lower_name) const;
};

struct Response {
  int status = 200;
  // Content-Length, Date, Connection and x-request-id are added by the server.
  std::vector<Header> headers;
  std::string body;
  bool close_connection = false;  // send "Connection: close" and close after writing
};

// One request and, eventually, its response.
class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual const Request& request() const = 0;

  // Answers the request. Must be called exactly once per Exchange, on the loop
  // thread; after it returns the handler must not touch the Exchange again.
  // Responses on one connection go out in request order.
  virtual void Respond(Response response) = 0;

  // Called (loop thread) if the peer goes away before Respond(). Handlers that
  // park an Exchange (long polling) use it to answer early; the answer is then
  // discarded. Respond() must still be called, and may be called from inside
  // `on_abort`. Not called if the peer is already gone when it is set: check
  // aborted() before parking. It may run inside another exchange's Respond()
  // on the same connection (a failed write, or a response that closes the
  // connection, ends the exchanges behind it); the handler is never re-entered
  // that way, only abort handlers.
  virtual void SetAbortHandler(std::function<void()> on_abort) = 0;

  // True once the peer has gone away.
  virtual bool aborted() const = 0;
};

// Called on the loop thread once per complete request.
using Handler = std::function<void(Exchange& exchange)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 4566;                       // 0 picks a free port; see Server::port()
  size_t max_connections = 10'000;
  size_t max_header_bytes = 64 * 1024;   // request line plus headers -> 431
  size_t max_body_bytes = 8 * 1024 * 1024;  // -> 413
  uint64_t header_timeout_ms = 10'000;   // from the first byte of a request to the end of its head
  uint64_t body_timeout_ms = 60'000;     // from the end of the head to the end of the body
  uint64_t idle_timeout_ms = 75'000;     // keep-alive connection with no request in progress
  uint64_t write_timeout_ms = 60'000;    // a response the client does not read -> closed
  // Requests one connection may hold before parsing pauses (>= 1). With 1 the
  // next request is not parsed until the previous response is written.
  size_t max_pipelined_requests = 16;
};

class Server {
 public:
  Server(uv_loop_t* loop, ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Errors: kInvalidParameterValue for a bad host,
  // kUnavailable when the address cannot be bound (in use, not permitted).
  Status Listen();

  // The bound port (useful with port 0).
  int port() const;

  // Stops accepting, closes idle connections, lets every request already
  // received be answered and written, then closes the rest and calls `done`
  // (from a loop callback, or before returning if nothing was open). Parked
  // exchanges must be answered for the drain to finish. Call once. Destroy
  // the Server only after `done` (`done` itself may destroy it), or if
  // Listen() never succeeded.
  void Shutdown(std::function<void()> done);

  size_t connection_count() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::http
