// One HTTP/1.1 connection's protocol logic, without a socket: parsing,
// limits, timeouts, response order, keep-alive and backpressure. It talks to
// the network only through a Transport, so tests drive it with raw bytes
// (tests/unit/http_connection_test.cc) and the server with a TCP socket
// (tcp_connection.h).
//
// Request life: bytes -> RequestParser -> an ExchangeImpl handed to the
// Handler and appended to `held_` -> Respond() -> written strictly in request
// order -> recycled. At most max_pipelined_requests responses are owed
// (held, or being written); at that point parsing stops (the unparsed bytes
// are kept in `pending_`) and reading stops, until a response is written.
//
// Ownership: owns its exchanges (see exchange.h for orphans) and its parser;
// borrows the options, handler, date cache and transport, which outlive it.
// Errors: protocol and limit errors are answered by the server itself
// (400/408/413/431/503, JSON body), queued behind the responses already
// owed, and the connection closes after writing them. A failed write or a
// peer that goes away closes at once and aborts unanswered exchanges.
// Threads: loop thread only. Nothing here calls the handler or an abort
// handler from inside Respond(); the handler is called from OnRead() and
// OnTimer() only, abort handlers from any entry point that closes.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <uv.h>

#include "http/date_cache.h"
#include "http/exchange.h"
#include "http/request_parser.h"
#include "sluice/http/server.h"

namespace sluice::http {

// What a Connection needs from the network. Calls come from the connection
// on the loop thread; the transport calls back into Connection's On*().
class Transport {
 public:
  enum class WriteResult {
    kDone,     // everything written; the buffers are free again
    kPending,  // buffers must stay untouched until Connection::OnWriteDone()
    kFailed,   // the peer is gone; nothing more can be written
  };
  enum class CloseMode {
    kNow,       // drop the connection
    kGraceful,  // all output is written: let the peer read it, then close
  };

  virtual ~Transport() = default;
  // One call per response. Never called while a write is pending.
  virtual WriteResult Write(const uv_buf_t* buffers, unsigned count) = 0;
  virtual void SetReading(bool reading) = 0;
  // The connection's single timer: fires Connection::OnTimer() once after
  // `timeout_ms` (0: on the next loop turn), replacing any armed one.
  virtual void StartTimer(uint64_t timeout_ms) = 0;
  virtual void StopTimer() = 0;
  // The clock the timer runs on, in milliseconds (the loop's cached time).
  virtual uint64_t NowMillis() const = 0;
  // The connection is finished with the transport and makes no more calls
  // into it. The transport destroys the Connection later, from a loop
  // callback, never within this call.
  virtual void Close(CloseMode mode) = 0;
};

class Connection {
 public:
  Connection(const ServerOptions& options, const Handler& handler, DateCache& dates,
             Transport* transport);
  // Orphans and aborts any unanswered exchange.
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts reading requests. Call once, or RejectOverloaded() instead.
  void Start();
  // Answers 503 without reading a request, then closes.
  void RejectOverloaded();
  // Stops taking requests: closes now if nothing is owed, otherwise after
  // the responses to the requests already handed out are written.
  void BeginShutdown();

  // Transport events.
  void OnRead(const char* data, size_t length);
  void OnPeerClosed();  // EOF or read error
  void OnWriteDone(int status);
  void OnTimer();

  // From ExchangeImpl::Respond().
  void OnResponded(ExchangeImpl* exchange);

  bool closed() const { return closed_; }

 private:
  enum class TimerKind { kNone, kIdle, kHead, kBody, kWrite, kResume };

  // Responses owed: handed out, or answered and not yet fully written.
  size_t outstanding() const { return held_.size() + (write_in_flight_ ? 1 : 0); }
  bool CanParse() const { return !closing_ && outstanding() < max_held_; }
  // Parses as much of `data` as may be parsed now; returns the bytes used.
  size_t Parse(const char* data, size_t length);
  void ParsePending();
  void Dispatch();
  void QueueError(int status, const std::string& message);

  // Writes ready responses in order while the transport takes them.
  void Flush();
  bool WriteFront();  // false if the connection closed
  bool WriteContinue();
  bool HandleWriteResult(Transport::WriteResult result);

  void Close(Transport::CloseMode mode);
  // Releases every held exchange; unanswered ones are orphaned and aborted.
  void DropHeld();

  std::unique_ptr<ExchangeImpl> TakeExchange();
  void Recycle(std::unique_ptr<ExchangeImpl> exchange);

  // Reading and the timer follow the state; called after every event.
  void UpdateIo();
  void UpdateTimer();
  void ArmTimer(uint64_t due);

  const ServerOptions& options_;
  const Handler& handler_;
  DateCache& dates_;
  Transport* const transport_;
  const size_t max_held_;
  RequestParser parser_;

  std::unique_ptr<ExchangeImpl> current_;               // being parsed
  std::deque<std::unique_ptr<ExchangeImpl>> held_;      // handed out, in request order
  std::vector<std::unique_ptr<ExchangeImpl>> spare_;    // written, ready for reuse
  std::string pending_;  // received but not yet parsed (parsing paused)

  // Output: the head of the response being written, and its body, kept here
  // (not in the exchange) so the exchange is recycled as soon as the write
  // starts; their capacity is reused from response to response.
  std::string out_head_;
  std::string out_body_;
  bool write_in_flight_ = false;
  uint64_t writes_pending_ = 0;  // writes that had to wait for the socket, ever

  bool continue_due_ = false;  // "100 Continue" owed to the request being parsed
  bool reading_ = false;
  bool closing_ = false;  // no more requests are parsed; close once all is written
  bool closed_ = false;   // the transport is closed
  // Timeouts are deadlines on the transport's clock. The transport timer is
  // only ever moved earlier: when it fires before the deadline (which has
  // moved later meanwhile) it is re-armed for the rest. So the usual request
  // cycle (idle -> request -> handler -> idle) costs no timer operation.
  TimerKind timer_kind_ = TimerKind::kNone;  // what expires at deadline_
  uint64_t timer_request_ = 0;  // requests_begun() (writes_pending_ for kWrite) at deadline_
  uint64_t deadline_ = 0;
  bool timer_armed_ = false;    // the transport timer is running...
  uint64_t timer_due_ = 0;      // ...and fires at this time
};

}  // namespace sluice::http
