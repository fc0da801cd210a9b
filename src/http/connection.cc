#include "http/connection.h"

#include <algorithm>
#include <cassert>

#include <spdlog/spdlog.h>

#include "http/request_id.h"
#include "http/response_writer.h"

namespace sluice::http {
namespace {

constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

std::string TimeoutMessage(const char* what, uint64_t timeout_ms) {
  return std::string("request ") + what + " not received within " + std::to_string(timeout_ms) + " ms";
}

}  // namespace

Connection::Connection(const ServerOptions& options, const Handler& handler, DateCache& dates,
                       Transport* transport)
    : options_(options),
      handler_(handler),
      dates_(dates),
      transport_(transport),
      max_held_(std::max<size_t>(1, options.max_pipelined_requests)),
      parser_(options.max_header_bytes, options.max_body_bytes) {
  if (options.stream_body) parser_.EnableStreaming(&options_.stream_body, options.max_streamed_body_bytes);
}

Connection::~Connection() {
  closed_ = true;
  DropHeld();
}

void Connection::Start() { UpdateIo(); }

void Connection::RejectOverloaded() {
  QueueError(503, "too many connections");
  UpdateIo();
}

void Connection::BeginShutdown() {
  if (closed_) return;
  closing_ = true;
  // A streamed body still being read belongs to a request already handed
  // out: it goes on, with its "100 Continue".
  if (in_.state != StreamedBody::State::kStreaming) continue_due_ = false;
  if (current_ != nullptr) Recycle(std::move(current_));  // a request still arriving is dropped
  if (outstanding() == 0) {
    Close(Transport::CloseMode::kNow);
    return;
  }
  Flush();
  UpdateIo();
}

void Connection::OnRead(const char* data, size_t length) {
  ReleaseRetiredSources();
  // After the last request we will answer (and its streamed body), input is
  // read only to notice the peer going away, and dropped.
  if (closed_ || DroppingInput()) return;
  if (pending_.empty()) {
    size_t used = Parse(data, length);
    if (used < length && !closed_ && !DroppingInput()) pending_.assign(data + used, length - used);
  } else {
    pending_.append(data, length);
    ParsePending();
  }
  DeliverBody();
  UpdateIo();
}

void Connection::OnPeerClosed() { Close(Transport::CloseMode::kNow); }

void Connection::OnWriteDone(int status) {
  write_in_flight_ = false;
  if (closed_) return;
  if (status < 0) {
    Close(Transport::CloseMode::kNow);
    return;
  }
  ReleaseRetiredSources();
  if (out_source_ != nullptr) {
    // A streamed response's head or piece went out: the next piece, or done.
    if (out_remaining_ == 0) {
      RetireSource();
    } else {
      ReadSource();
    }
  }
  Flush();
  UpdateIo();
}

void Connection::OnTimer() {
  timer_armed_ = false;
  ReleaseRetiredSources();
  if (closed_ || timer_kind_ == TimerKind::kNone) {  // nothing is due any more
    UpdateIo();  // a turn for retired sources only leaves nothing to do
    return;
  }
  uint64_t now = transport_->NowMillis();
  if (now < deadline_) {
    ArmTimer(deadline_);  // the deadline moved later since the timer was set
    return;
  }
  TimerKind kind = timer_kind_;
  timer_kind_ = TimerKind::kNone;
  switch (kind) {
    case TimerKind::kNone:
      break;
    case TimerKind::kResume:
      // Work that may not run where it became due (inside Respond() or
      // ReadBody(), or inside a BodySource's calls).
      Flush();
      if (SourceReadDue()) ReadSource();
      Flush();
      DeliverBody();
      ParsePending();
      break;
    case TimerKind::kIdle:
      Close(Transport::CloseMode::kNow);
      return;
    case TimerKind::kHead:
      QueueError(408, TimeoutMessage("head", options_.header_timeout_ms));
      break;
    case TimerKind::kBody:
      QueueError(408, TimeoutMessage("body", options_.body_timeout_ms));
      break;
    case TimerKind::kStreamBody:
      OnStreamTimeout(TimeoutMessage("body", options_.body_timeout_ms));
      break;
    case TimerKind::kWrite:
      Close(Transport::CloseMode::kNow);  // the client stopped reading
      return;
  }
  UpdateIo();
}

void Connection::OnResponded(ExchangeImpl* exchange) {
  // No parsing here: that would run the handler for the next pipelined
  // request inside this Respond(). Buffered requests resume from the timer.
  if (in_.state == StreamedBody::State::kStreaming && in_.exchange == exchange) EndStreamEarly();
  Flush();
  UpdateIo();
}

size_t Connection::Parse(const char* data, size_t length) {
  size_t position = 0;
  while (position < length && CanParse()) {
    if (in_.state != StreamedBody::State::kNone) {
      position += ParseStreamedBody(data + position, length - position);
      continue;
    }
    if (current_ == nullptr) current_ = TakeExchange();
    RequestParser::Step step = parser_.Execute(data + position, length - position, current_->mutable_request());
    position += step.consumed;
    switch (step.event) {
      case RequestParser::Event::kNeedMore:
        break;
      case RequestParser::Event::kHeadComplete:
        if (parser_.body_streamed()) {
          StartStream();  // runs the handler
        } else if (parser_.expects_continue()) {
          continue_due_ = true;
          Flush();
        }
        break;
      case RequestParser::Event::kMessageComplete:
        Dispatch();
        break;
      case RequestParser::Event::kError:
        QueueError(parser_.error_status(), parser_.error_message());
        break;
    }
    // A client that sends the body without waiting needs no "100 Continue".
    if (continue_due_ && current_ != nullptr && !current_->request().body.empty()) continue_due_ = false;
  }
  return position;
}

void Connection::ParsePending() {
  if (pending_.empty() || !CanParse()) return;
  size_t used = Parse(pending_.data(), pending_.size());
  pending_.erase(0, used);
}

void Connection::Dispatch() {
  std::unique_ptr<ExchangeImpl> owned = std::move(current_);
  ExchangeImpl* exchange = owned.get();
  exchange->keep_alive = parser_.keep_alive();
  exchange->http10 = parser_.http10();
  exchange->head_method = parser_.head_method();
  continue_due_ = false;
  AssignRequestId(exchange->mutable_request());
  held_.push_back(std::move(owned));
  // Connection: close, or HTTP/1.0 without keep-alive: this is the last one.
  if (!exchange->keep_alive) closing_ = true;
  // The handler may Respond() before returning; `exchange` is not used after.
  handler_(*exchange);
}

void Connection::QueueError(int status, const std::string& message) {
  closing_ = true;
  continue_due_ = false;
  if (current_ != nullptr) Recycle(std::move(current_));
  std::unique_ptr<ExchangeImpl> exchange = TakeExchange();
  exchange->SetServerResponse(ErrorResponse(status, message));
  held_.push_back(std::move(exchange));
  Flush();
}

void Connection::Flush() {
  // A streamed response body holds back everything behind it.
  while (!closed_ && !write_in_flight_ && out_source_ == nullptr) {
    if (!held_.empty() && held_.front()->responded()) {
      if (!WriteFront()) return;
    } else if (ContinueWritable()) {
      continue_due_ = false;
      if (in_.state == StreamedBody::State::kStreaming) in_.continue_sent = true;
      if (!WriteContinue()) return;
    } else {
      break;
    }
  }
  if (!closed_ && closing_ && outstanding() == 0) Close(Transport::CloseMode::kGraceful);
}

bool Connection::ContinueWritable() const {
  // After the responses to earlier requests, never before: a streamed
  // request is already held, unanswered, when its "100 Continue" is due.
  return continue_due_ && (held_.empty() || (in_.exchange != nullptr && held_.front().get() == in_.exchange));
}

bool Connection::WriteFront() {
  std::unique_ptr<ExchangeImpl> exchange = std::move(held_.front());
  held_.pop_front();
  Response* response = exchange->mutable_response();
  if (response->body_source != nullptr && !response->content_length.has_value()) {
    assert(false && "a Response with a body_source needs a content_length");
    spdlog::error("http: response to request {} streams a body without a content_length",
                  exchange->request().request_id);
    *response = ErrorResponse(500, "response body without a length");
  }
  bool close_after = response->close_connection || !exchange->keep_alive || (closing_ && held_.empty());

  HeadOptions head;
  head.date = dates_.Now();
  head.close = close_after;
  head.keep_alive_http10 = exchange->http10 && !close_after;
  // Server-made errors (400, 408, 413, ...) never reached Dispatch.
  if (exchange->request().request_id.empty()) AssignRequestId(exchange->mutable_request());
  head.request_id = exchange->request().request_id;
  std::unique_ptr<BodySource> source = std::move(response->body_source);
  // A declared length stands for a body only when one streams, or for HEAD.
  if (source != nullptr || exchange->head_method) head.content_length = response->content_length;
  out_head_.clear();
  AppendResponseHead(*response, head, &out_head_);
  bool body_allowed = !exchange->head_method && !StatusForbidsBody(response->status);
  uv_buf_t buffers[2];
  unsigned count = 0;
  buffers[count++] = uv_buf_init(out_head_.data(), static_cast<unsigned>(out_head_.size()));
  if (source == nullptr && body_allowed && !response->body.empty()) {
    out_body_.swap(response->body);
    buffers[count++] = uv_buf_init(out_body_.data(), static_cast<unsigned>(out_body_.size()));
  }
  uint64_t stream_length = source != nullptr && body_allowed ? *response->content_length : 0;
  if (stream_length > 0) {
    StartSource(std::move(source), stream_length, exchange->request().request_id);
  } else {
    source.reset();  // never read: HEAD, 204/304, or an empty body
  }
  Recycle(std::move(exchange));
  if (close_after) closing_ = true;
  if (!HandleWriteResult(transport_->Write(buffers, count))) return false;
  // Requests pipelined behind a closing response are never answered.
  if (close_after) DropHeld();
  if (!closed_ && SourceReadDue()) ReadSource();
  return !closed_;
}

bool Connection::WriteContinue() {
  uv_buf_t buffer = uv_buf_init(const_cast<char*>(kContinue), sizeof(kContinue) - 1);
  return HandleWriteResult(transport_->Write(&buffer, 1));
}

bool Connection::HandleWriteResult(Transport::WriteResult result) {
  switch (result) {
    case Transport::WriteResult::kDone:
      return true;
    case Transport::WriteResult::kPending:
      write_in_flight_ = true;
      ++writes_pending_;
      return true;
    case Transport::WriteResult::kFailed:
      break;
  }
  Close(Transport::CloseMode::kNow);
  return false;
}

void Connection::Close(Transport::CloseMode mode) {
  if (closed_) return;
  closed_ = true;
  closing_ = true;
  continue_due_ = false;
  timer_kind_ = TimerKind::kNone;
  if (timer_armed_) {
    transport_->StopTimer();
    timer_armed_ = false;
  }
  if (current_ != nullptr) Recycle(std::move(current_));
  transport_->Close(mode);
  RetireSource();
  // Last: the body reader and abort handlers run arbitrary code. The reader
  // already sees its exchange aborted(); it may Respond(), which leaves the
  // exchange held (answered) for DropHeld() to free.
  BodyReader reader = std::move(in_.reader);
  if (in_.exchange != nullptr) in_.exchange->MarkAborted();
  ResetStream();
  if (reader) reader(Status(Code::kUnavailable, "the connection closed before the body was read"), {}, false);
  DropHeld();
}

void Connection::DropHeld() {
  std::vector<ExchangeImpl*> orphans;
  while (!held_.empty()) {
    std::unique_ptr<ExchangeImpl> exchange = std::move(held_.front());
    held_.pop_front();
    if (exchange->responded()) {
      Recycle(std::move(exchange));
    } else {
      exchange->Orphan(transport_->loop());
      orphans.push_back(exchange.release());  // now owned by itself
    }
  }
  // Each may Respond() and so delete itself: never touched after its call.
  for (ExchangeImpl* orphan : orphans) orphan->NotifyAbort();
}

std::unique_ptr<ExchangeImpl> Connection::TakeExchange() {
  if (spare_.empty()) return std::make_unique<ExchangeImpl>(this);
  std::unique_ptr<ExchangeImpl> exchange = std::move(spare_.back());
  spare_.pop_back();
  return exchange;
}

void Connection::Recycle(std::unique_ptr<ExchangeImpl> exchange) {
  if (closed_ || spare_.size() >= max_held_) return;  // freed here
  exchange->Reset();
  spare_.push_back(std::move(exchange));
}

bool Connection::CanParse() const {
  switch (in_.state) {
    case StreamedBody::State::kStreaming:
      return BodyWanted() && StreamRoom() > 0;
    case StreamedBody::State::kDiscarding:
      return true;
    case StreamedBody::State::kNone:
      break;
  }
  return !closing_ && outstanding() < max_held_;
}

bool Connection::TurnDue() const {
  return (CanParse() && !pending_.empty()) || DeliveryDue() || SourceReadDue() ||
         (ContinueWritable() && out_source_ == nullptr) || !retired_sources_.empty();
}

void Connection::UpdateIo() {
  if (closed_) return;
  // While closing, keep reading (and dropping) to notice the peer leaving.
  bool want_reading = DroppingInput() || CanParse();
  if (want_reading != reading_) {
    reading_ = want_reading;
    transport_->SetReading(want_reading);
  }
  UpdateTimer();
}

void Connection::UpdateTimer() {
  // No timer while the client waits on us (handler busy, parsing paused),
  // except that it must read what we write.
  TimerKind want = TimerKind::kNone;
  uint64_t timeout_ms = 0;
  uint64_t request = parser_.requests_begun();
  if (write_in_flight_) {
    want = options_.write_timeout_ms != 0 ? TimerKind::kWrite : TimerKind::kNone;
    timeout_ms = options_.write_timeout_ms;
    request = writes_pending_;
  } else if (TurnDue()) {
    want = TimerKind::kResume;  // buffered requests or body pieces, on the next loop turn
  } else if (in_.state != StreamedBody::State::kNone) {
    // A streamed body times out only while bytes are wanted and none come:
    // while a ReadBody() waits, or while the rest is dropped.
    bool waiting = in_.state == StreamedBody::State::kDiscarding || (in_.reader && BodyWanted());
    if (waiting && options_.body_timeout_ms != 0) {
      want = TimerKind::kStreamBody;
      timeout_ms = options_.body_timeout_ms;
      request = in_.progress;
    }
  } else if (CanParse()) {
    switch (parser_.phase()) {
      case RequestParser::Phase::kHead:
        want = TimerKind::kHead;
        timeout_ms = options_.header_timeout_ms;
        break;
      case RequestParser::Phase::kBody:
        want = TimerKind::kBody;
        timeout_ms = options_.body_timeout_ms;
        break;
      case RequestParser::Phase::kIdle:
        if (held_.empty() && out_source_ == nullptr) {
          want = TimerKind::kIdle;
          timeout_ms = options_.idle_timeout_ms;
        }
        break;
    }
    if (timeout_ms == 0) want = TimerKind::kNone;  // 0 disables a timeout
  }
  // A timeout runs from the start of its phase: a new deadline only when the
  // phase, the request or the pending write changes, not on every byte (a
  // streamed body's deadline moves with its progress instead).
  if (want == timer_kind_ && (want == TimerKind::kNone || request == timer_request_)) return;
  timer_kind_ = want;
  timer_request_ = request;
  // With nothing due, a running timer is left to fire and find nothing.
  if (want == TimerKind::kNone) return;
  deadline_ = transport_->NowMillis() + timeout_ms;
  if (!timer_armed_ || deadline_ < timer_due_) ArmTimer(deadline_);
}

void Connection::ArmTimer(uint64_t due) {
  uint64_t now = transport_->NowMillis();
  transport_->StartTimer(due > now ? due - now : 0);
  timer_armed_ = true;
  timer_due_ = due;
}

}  // namespace sluice::http
