// The server's Exchange: one request, its response once given, and the
// link back to the connection that will write it.
//
// Ownership: a Connection owns its ExchangeImpls and recycles them after
// their responses are written. If the connection goes away first, it orphans
// the unanswered ones: an orphan belongs to itself, knows no connection, and
// deletes itself in Respond(). This is what keeps an Exchange* held by a
// parked handler (long polling) valid until that handler answers, and what
// makes a waiter outliving its connection impossible: the waiter holds the
// exchange, never the connection. A streamed body is the connection's: the
// exchange only forwards ReadBody() to it. An orphan answers ReadBody() with
// an error from a one-shot timer on the loop, which it closes if it is
// deleted first.
//
// Threads: loop thread only.
#pragma once

#include <functional>
#include <string_view>

#include <uv.h>

#include "sluice/http/server.h"

namespace sluice::http {

class Connection;

class ExchangeImpl final : public Exchange {
 public:
  explicit ExchangeImpl(Connection* connection) : connection_(connection) {}
  ~ExchangeImpl() override;
  ExchangeImpl(const ExchangeImpl&) = delete;
  ExchangeImpl& operator=(const ExchangeImpl&) = delete;

  const Request& request() const override { return request_; }
  void Respond(Response response) override;
  void SetAbortHandler(std::function<void()> on_abort) override;
  bool aborted() const override { return aborted_; }
  void ReadBody(std::function<void(Status status, std::string_view data, bool end)> on_chunk) override;

  // Connection side.
  Request* mutable_request() { return &request_; }
  Response* mutable_response() { return &response_; }
  bool responded() const { return responded_; }

  // An answer the server itself gives (errors); never seen by a handler.
  void SetServerResponse(Response response);

  // What the parser learned about the request, for writing its response.
  bool keep_alive = true;
  bool http10 = false;
  bool head_method = false;

  // The peer is gone; the connection detaches the exchange soon (Orphan).
  void MarkAborted() { aborted_ = true; }
  // The connection is going away without writing this exchange: detach and
  // mark aborted. An orphan that has responded is the caller's to delete.
  // `loop` (may be null in tests) runs the answers to later ReadBody()s.
  void Orphan(uv_loop_t* loop);
  // Runs the abort handler, once. It may Respond(), which deletes an orphan:
  // the caller must not touch this exchange afterwards.
  void NotifyAbort();
  // Makes a written exchange ready for the connection's next request,
  // keeping its buffers' capacity.
  void Reset();

 private:
  Connection* connection_;  // nullptr once orphaned
  Request request_;
  Response response_;
  std::function<void()> on_abort_;
  // Orphans only: a ReadBody() waiting for its error on the next loop turn.
  static void OnOrphanRead(uv_timer_t* timer);
  uv_loop_t* loop_ = nullptr;
  uv_timer_t* orphan_timer_ = nullptr;  // heap: freed in its close callback
  std::function<void(Status, std::string_view, bool)> orphan_reader_;
  bool responded_ = false;
  bool aborted_ = false;
};

}  // namespace sluice::http
