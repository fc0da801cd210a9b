// The HTTP/1.1 front end: accepts connections on one libuv loop, parses
// requests with llhttp (keep-alive, pipelining, chunked bodies,
// Expect: 100-continue) and hands each complete request to a Handler as an
// Exchange. It knows nothing of SQS: handlers decide what a request means.
// Bodies are buffered whole by default; a request that
// ServerOptions::stream_body picks streams its body to the handler
// (Exchange::ReadBody), and a response may stream its body from a
// BodySource, so large objects cross the server in bounded memory.
//
// Ownership: the Server owns its listening socket and every connection; a
// connection owns the Exchanges of its requests. An Exchange lives until it
// has been answered with Respond() *and* its connection no longer needs it,
// so a handler may keep an Exchange* until it calls Respond(), even if the
// peer disconnects meanwhile (the answer is then dropped). A streamed
// request body is buffered by the connection until ReadBody() takes it; a
// Response's BodySource belongs to the connection from Respond() on.
//
// Errors: malformed requests are answered 400 and the connection closed;
// oversized heads 431, oversized bodies 413; slow heads and bodies get 408
// and are closed; idle keep-alive connections, and clients that stop reading
// their responses (write timeout), are closed; over the connection
// limit new connections get 503 and are closed. None of these reach the
// handler. Error bodies are {"error":"..."} (application/json). Once the
// handler of a streamed request runs, errors of its body (framing, size,
// timeout, peer gone) go to its ReadBody() instead, and its response closes
// the connection. A BodySource that fails or miscounts ends the connection
// abruptly: the client sees a truncated body.
//
// Backpressure: at most max_pipelined_requests requests per connection are
// outstanding (with the handler, or answered and not yet fully written);
// beyond that the connection stops parsing and reading until a response has
// been written. A streamed request body is read only while less than
// stream_buffer_bytes of it wait for the handler; a streamed response body
// is asked for one piece at a time, each after the previous one was written.
// Timeouts of 0 are disabled.
//
// Threads: loop thread only, for every class here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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
  std::string body;    // de-chunked; empty when body_streamed
  // The x-request-id header when the client sent a usable one (1-128
  // visible ASCII characters), else one the server made up (UUID-shaped,
  // unique within the process). The server sends it back on the response;
  // handlers log it.
  std::string request_id;
  // True when the body streams to the handler through Exchange::ReadBody();
  // `body` then stays empty. Set for requests ServerOptions::stream_body chose.
  bool body_streamed = false;

  // The first header called `lower_name`, or nullptr.
  const std::string* FindHeader(std::string_view lower_name) const;
};

// A response body produced piece by piece (S3 GetObject of a large object).
//
// Ownership: the connection owns it once the Response is given to Respond()
// and destroys it on the loop thread when it no longer needs it: after the
// last byte was written, or when the connection closes, possibly while a
// Read() is pending. It is never destroyed from inside its own Read() or
// on_data call, but may be from any later loop callback; after its
// destruction the source must never call on_data (implementations keep their
// own liveness token).
// Errors: an error status, an empty piece (the source ran dry early) or more
// bytes than the Content-Length end the connection abruptly (the peer sees a
// truncated body); the server logs it once. Nothing is retried.
// Threads: Read() is called on the loop thread; on_data must be called there.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Asks for the next bytes. `on_data` runs exactly once, on the loop thread
  // (it may run inside Read()), with a non-empty piece, or with an error
  // status. The connection calls Read() again only after that piece was
  // written to the socket (this is the backpressure), and never once
  // content_length bytes were delivered. The first Read() may come from
  // inside the Respond() that handed the source over.
  virtual void Read(std::function<void(Status status, std::string data)> on_data) = 0;
};

// Move-only (it may own a BodySource).
struct Response {
  int status = 200;
  // Content-Length, Date, Connection and x-request-id are added by the server.
  std::vector<Header> headers;
  std::string body;
  bool close_connection = false;  // send "Connection: close" and close after writing
  // With body_source: the body comes from it and is exactly content_length
  // bytes (required); `body` must be empty. Without body_source: when set,
  // sent as Content-Length instead of body.size(), only for HEAD requests
  // (S3 HeadObject), where no body is sent; ignored for other methods.
  std::optional<uint64_t> content_length;
  // Streams the body; see BodySource. Not read for HEAD requests or statuses
  // without a body (1xx, 204, 304): the source is then destroyed unread.
  // Responses behind it on the same connection wait until it is written.
  std::unique_ptr<BodySource> body_source;
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

  // Streamed bodies only (request().body_streamed). Asks for the next piece
  // of the de-chunked body. `on_chunk` runs once, on the loop thread, never
  // inside ReadBody() itself: with the next bytes (non-empty `data`, valid
  // only during the call), or with end == true and empty data once the whole
  // body was delivered, or with a non-OK status; after end or an error it is
  // not called again. One ReadBody() at a time, none after the end or an
  // error, and only before Respond(): Respond() drops a pending on_chunk
  // uncalled. (Breaking these rules asserts in debug builds; release builds
  // log it and drop the on_chunk.)
  //
  // Errors (the handler still owes a response; the connection closes after
  // it):
  //   kUnavailable       the peer went away (aborted() is then true, and the
  //                      abort handler runs too, after on_chunk), or no
  //                      bytes came for body_timeout_ms while a ReadBody()
  //                      was pending (aborted() false: answer RequestTimeout)
  //   kMalformedRequest  broken chunked framing
  //   kRequestTooLarge   a chunked body grew past max_streamed_body_bytes
  // Bytes received before an error are handed out first. ReadBody() on an
  // exchange whose peer is already gone gets kUnavailable on a later loop
  // turn.
  //
  // Backpressure: the connection buffers at most stream_buffer_bytes of
  // unread body and stops reading the socket beyond that; only the time a
  // ReadBody() waits for bytes counts against body_timeout_ms, so a handler
  // that takes its time between pieces (a slow disk) never times the
  // client out. The first ReadBody() sends "HTTP/1.1 100 Continue" when the
  // request carried "Expect: 100-continue" and nothing was sent yet (after
  // the responses to earlier requests).
  //
  // Answering early: a handler may Respond() before the body was consumed
  // (NoSuchBucket). If the request expected 100-continue and none was sent,
  // the response carries "Connection: close" and the connection closes after
  // it (the client may or may not be sending the body). Otherwise, when at
  // most 1 MiB of it remains per Content-Length, the rest is read and dropped
  // (under the body timeout) and the connection stays open; a larger or
  // chunked remainder also gets "Connection: close". Requests pipelined
  // behind a streamed one are parsed only once its body was consumed or
  // dropped.
  virtual void ReadBody(std::function<void(Status status, std::string_view data, bool end)> on_chunk) = 0;
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
                                         // (streamed: without progress, see Exchange::ReadBody)
  uint64_t idle_timeout_ms = 75'000;     // keep-alive connection with no request in progress
  uint64_t write_timeout_ms = 60'000;    // a response the client does not read -> closed
  // Requests one connection may hold before parsing pauses (>= 1). With 1 the
  // next request is not parsed until the previous response is written.
  size_t max_pipelined_requests = 16;

  // Called (loop thread) once a request's head is complete and a body
  // follows (Content-Length > 0 or chunked); `head` has no request_id yet.
  // True streams the body: the handler runs right away with body_streamed
  // set; max_body_bytes does not apply, max_streamed_body_bytes does (413
  // before the handler if Content-Length says more; a chunked body that
  // grows past it fails the handler's ReadBody). Null: never stream.
  std::function<bool(const Request& head)> stream_body;
  uint64_t max_streamed_body_bytes = 6ull * 1024 * 1024 * 1024;
  // Unread streamed body a connection holds before it stops reading (>= 1).
  size_t stream_buffer_bytes = 256 * 1024;
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
