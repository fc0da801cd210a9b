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
// Streamed request body (connection_stream.cc): the handler runs at the end
// of the head; the body is parsed into `in_.buffer` while it holds less than
// stream_buffer_bytes, handed to ReadBody() in pieces, and no later request
// is parsed until the handler has taken the end (or, answered early, the
// rest was dropped). States of `in_`:
//
//   kNone --head of a chosen request (StartStream)--> kStreaming
//   kStreaming --end handed to the reader (DeliverBody)--> kNone
//   kStreaming --early Respond, rest <= 1 MiB (EndStreamEarly)--> kDiscarding
//   kStreaming --early Respond otherwise (EndStreamEarly)--> kNone, closing
//   kDiscarding --end of message parsed (ParseStreamedBody)--> kNone
//   any --Close--> kNone (a pending reader gets an error)
//
// A parse error or a body timeout while streaming keeps kStreaming with
// `in_.error` set: the reader gets it, and the connection closes after the
// handler's response.
//
// Streamed response body (connection_stream.cc): after the head is written
// the connection owns the BodySource in `out_source_` and alternates
// Read() -> write of the piece -> Read(); the responses behind it wait.
// Sources are never destroyed from inside their own calls: those that finish
// or are dropped there wait in `retired_sources_` for the next loop turn.
//
// Ownership: owns its exchanges (see exchange.h for orphans), its parser,
// the streamed body buffers and the BodySource being sent; borrows the
// options, handler, date cache and transport, which outlive it.
// Errors: protocol and limit errors are answered by the server itself
// (400/408/413/431/503, JSON body), queued behind the responses already
// owed, and the connection closes after writing them; once a streamed
// request's handler runs, errors of its body go to its ReadBody() instead.
// A failed write, a failing BodySource or a peer that goes away closes at
// once and aborts unanswered exchanges.
// Threads: loop thread only. Nothing here calls the handler or an abort
// handler from inside Respond() (a BodySource's Read() may be: it is the
// connection's from then on); the handler is called from OnRead() and
// OnTimer() only, abort handlers and ReadBody() callbacks from any entry
// point that closes, ReadBody() callbacks otherwise from OnRead() and
// OnTimer() only (never inside ReadBody()).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
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
  // One call per response head (with its body unless it streams), per
  // streamed body piece, per "100 Continue". Never called while a write is
  // pending.
  virtual WriteResult Write(const uv_buf_t* buffers, unsigned count) = 0;
  virtual void SetReading(bool reading) = 0;
  // The connection's single timer: fires Connection::OnTimer() once after
  // `timeout_ms` (0: on the next loop turn), replacing any armed one.
  virtual void StartTimer(uint64_t timeout_ms) = 0;
  virtual void StopTimer() = 0;
  // The clock the timer runs on, in milliseconds (the loop's cached time).
  virtual uint64_t NowMillis() const = 0;
  // The loop orphaned exchanges schedule their callbacks on (null: none).
  virtual uv_loop_t* loop() const = 0;
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
  // From ExchangeImpl::ReadBody().
  void ReadBody(ExchangeImpl* exchange, std::function<void(Status, std::string_view, bool)> on_chunk);

  bool closed() const { return closed_; }

 private:
  enum class TimerKind { kNone, kIdle, kHead, kBody, kStreamBody, kWrite, kResume };
  using BodyReader = std::function<void(Status, std::string_view, bool)>;

  // The streamed body of one request (see the state diagram above).
  struct StreamedBody {
    enum class State { kNone, kStreaming, kDiscarding };
    State state = State::kNone;
    ExchangeImpl* exchange = nullptr;  // the handler's, while kStreaming
    std::string buffer;      // parsed, not yet handed out (the parser's body output)
    std::string delivering;  // what the reader is looking at, during its call
    BodyReader reader;       // the pending ReadBody()
    Status error;            // once set, final: the reader gets it
    bool parsed_all = false;       // the parser reached the end of the message
    bool expects_continue = false;
    bool continue_sent = false;
    uint64_t progress = 0;  // bumped by bytes and reads: restarts the body timeout
  };

  // Responses owed: handed out, or answered and not yet fully written.
  size_t outstanding() const {
    return held_.size() + (write_in_flight_ || out_source_ != nullptr ? 1 : 0);
  }
  // Whether Parse() may consume bytes now.
  bool CanParse() const;
  // Input is read only to notice the peer leaving, and dropped.
  bool DroppingInput() const { return closing_ && !BodyWanted(); }
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

  // Writable now: a "100 Continue" owed and nothing before it.
  bool ContinueWritable() const;
  // Work is waiting for the next loop turn (the kResume timer).
  bool TurnDue() const;

  // Streamed request bodies (connection_stream.cc).
  void StartStream();  // at the end of the head: runs the handler
  // Parses body bytes of the streamed request; returns the bytes used.
  size_t ParseStreamedBody(const char* data, size_t length);
  size_t StreamRoom() const;
  bool BodyWanted() const;
  bool DeliveryDue() const;
  // Hands what is due to the pending reader, then parses what waited for
  // room. From OnRead() and OnTimer() only.
  void DeliverBody();
  void FailStream(Status status);
  void OnStreamTimeout(const std::string& message);
  // The handler answered before taking the whole body.
  void EndStreamEarly();
  // Back to kNone, releasing the buffer; never touches `in_.delivering`.
  void ResetStream();

  // Streamed response bodies (connection_stream.cc).
  void StartSource(std::unique_ptr<BodySource> source, uint64_t length, const std::string& request_id);
  bool SourceReadDue() const {
    return out_source_ != nullptr && !source_reading_ && !write_in_flight_ && out_remaining_ > 0 && !closed_;
  }
  // Asks the source for pieces while they can be written at once.
  void ReadSource();
  void OnSourceData(uint64_t generation, Status status, std::string data);
  // Checks and writes one piece; false if no Read() may follow now.
  bool TakePiece(Status status, std::string data);
  void FailSource(const std::string& why);
  // Destroys the source now, or on the next turn when inside a source call.
  void RetireSource();
  void ReleaseRetiredSources() {
    if (source_calls_ == 0) retired_sources_.clear();
  }

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
  StreamedBody in_;

  // Output: the head of the response being written, and its body, kept here
  // (not in the exchange) so the exchange is recycled as soon as the write
  // starts; their capacity is reused from response to response.
  std::string out_head_;
  std::string out_body_;
  bool write_in_flight_ = false;
  uint64_t writes_pending_ = 0;  // writes that had to wait for the socket, ever

  // The BodySource being sent, and what it still owes.
  std::unique_ptr<BodySource> out_source_;
  uint64_t out_remaining_ = 0;
  uint64_t source_generation_ = 0;  // tells a stale on_data from the current one
  bool source_reading_ = false;     // a Read() is pending
  int source_calls_ = 0;            // depth of calls into or from a source
  bool inside_read_ = false;        // within out_source_->Read()
  bool piece_ready_ = false;        // on_data ran inside Read(): the piece waits in out_body_
  Status piece_status_;
  std::string source_request_id_;   // for the log line when it fails
  std::vector<std::unique_ptr<BodySource>> retired_sources_;

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
