// Incremental request parsing over llhttp (request mode), with the size
// limits applied as the bytes arrive so that an oversized head or body never
// accumulates in memory.
//
// The parser stops at two points of every request so that its owner acts
// outside llhttp's callbacks: after the head (only when a body follows) and
// after the whole message. Bytes after a stop point are left unconsumed; the
// owner hands them back on the next call.
//
// Bodies are buffered into Request::body under max_body_bytes, or, when
// streaming is enabled and the chooser picks the request at its head,
// appended de-chunked to the owner's body output under
// max_streamed_body_bytes (trailers of streamed bodies are dropped). The
// chooser runs inside Execute() but outside llhttp's callbacks.
//
// Ownership: owns its llhttp state; fills the Request passed to Execute(),
// which must be the same object from a request's first byte to its end (or
// to its head's end, for a streamed body: the body phase then takes none).
// Borrows the chooser and the body output.
// Errors: a parse or limit error is final (kError, then always kError); the
// owner answers it and closes the connection.
// Threads: one connection's; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <llhttp.h>

#include "sluice/http/server.h"

namespace sluice::http {

class RequestParser {
 public:
  enum class Event {
    kNeedMore,         // every byte was consumed; the request is not complete
    kHeadComplete,     // the head is complete and a body follows
    kMessageComplete,  // the request is complete (with its body, if any)
    kError,            // error_status() / error_message() say what
  };
  struct Step {
    Event event;
    size_t consumed;  // bytes of `data` used up to the event
  };
  // Where the current request is; kIdle between requests.
  enum class Phase { kIdle, kHead, kBody };

  RequestParser(size_t max_header_bytes, size_t max_body_bytes);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Lets bodies stream: `choose` (not null, outliving the parser) is asked
  // at the end of each head with a body; true streams that body.
  void EnableStreaming(const std::function<bool(const Request&)>* choose, uint64_t max_streamed_body_bytes);

  // Parses a prefix of `data` into *request, up to the next event. While a
  // streamed body is parsed, `request` may be null and the caller bounds
  // `length` (the body output grows by at most `length` bytes).
  Step Execute(const char* data, size_t length, Request* request);

  // Where a streamed body goes; nullptr drops it. Reset at each request.
  void set_body_output(std::string* output) { body_output_ = output; }

  Phase phase() const { return phase_; }
  // Requests begun so far (a request begins at its first non-CRLF byte).
  uint64_t requests_begun() const { return requests_begun_; }

  // About the current request, valid from its head's end to the next begin.
  bool keep_alive() const { return keep_alive_; }
  bool http10() const { return http10_; }
  bool head_method() const { return head_method_; }
  bool expects_continue() const { return expects_continue_; }
  bool body_streamed() const { return body_streamed_; }
  bool chunked() const { return chunked_; }
  // The declared Content-Length; 0 for chunked bodies.
  uint64_t content_length() const { return declared_length_; }
  // De-chunked body bytes of the current request parsed so far.
  uint64_t body_bytes() const { return body_bytes_; }

  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

 private:
  static RequestParser& From(llhttp_t* parser);

  static int OnMessageBegin(llhttp_t* parser);
  static int OnUrl(llhttp_t* parser, const char* at, size_t length);
  static int OnHeaderField(llhttp_t* parser, const char* at, size_t length);
  static int OnHeaderFieldComplete(llhttp_t* parser);
  static int OnHeaderValue(llhttp_t* parser, const char* at, size_t length);
  static int OnHeaderValueComplete(llhttp_t* parser);
  static int OnHeadersComplete(llhttp_t* parser);
  static int OnChunkHeader(llhttp_t* parser);
  static int OnBody(llhttp_t* parser, const char* at, size_t length);
  static int OnMessageComplete(llhttp_t* parser);

  // Records a limit or semantic error raised from a callback; returns the
  // value the callback must return to stop llhttp.
  int Fail(int status, std::string message);
  Step Failed(llhttp_errno_t error, size_t consumed);
  Step Paused(const char* data, size_t consumed, bool in_head);
  int FinishHead();
  // At the end of a head with a body: buffered or streamed, and its limit.
  bool ChooseBody();
  uint64_t body_limit() const { return body_streamed_ ? max_streamed_body_bytes_ : max_body_bytes_; }
  // Trailers of a streamed body have no Request to go to.
  bool dropping_trailers() const { return body_streamed_ && phase_ == Phase::kBody; }

  const size_t max_header_bytes_;
  const size_t max_body_bytes_;
  const std::function<bool(const Request&)>* choose_streaming_ = nullptr;
  uint64_t max_streamed_body_bytes_ = 0;
  std::string* body_output_ = nullptr;
  llhttp_t parser_;
  Request* request_ = nullptr;
  Phase phase_ = Phase::kIdle;
  uint64_t requests_begun_ = 0;
  size_t head_bytes_ = 0;  // bytes consumed since the previous request ended
  bool in_header_field_ = false;
  bool message_complete_ = false;  // set by OnMessageComplete, read by Execute
  bool head_has_body_ = false;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool head_method_ = false;
  bool expects_continue_ = false;
  bool body_streamed_ = false;
  bool chunked_ = false;
  uint64_t declared_length_ = 0;
  uint64_t body_bytes_ = 0;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace sluice::http
