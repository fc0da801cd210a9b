// Connection: streamed request bodies (Exchange::ReadBody) and streamed
// response bodies (BodySource). The state diagram and the rules are in
// connection.h; the request cycle they plug into is in connection.cc.
#include <algorithm>
#include <cassert>

#include <spdlog/spdlog.h>

#include "http/connection.h"

namespace sluice::http {
namespace {

// An early answer keeps the connection when at most this much of the body
// is still to come: reading and dropping it is cheaper than a new
// connection. Beyond it, closing is.
constexpr uint64_t kMaxDiscardBytes = 1 << 20;

}  // namespace

// ---- Streamed request bodies ------------------------------------------------

void Connection::StartStream() {
  ResetStream();
  in_.state = StreamedBody::State::kStreaming;
  in_.exchange = current_.get();
  in_.expects_continue = parser_.expects_continue();
  current_->mutable_request()->body_streamed = true;
  parser_.set_body_output(&in_.buffer);
  // "100 Continue" waits for the first ReadBody(): a handler that refuses
  // at once never invites the body.
  Dispatch();
}

size_t Connection::ParseStreamedBody(const char* data, size_t length) {
  // The parser appends at most as many body bytes as it is fed raw bytes.
  size_t feed = in_.state == StreamedBody::State::kStreaming ? std::min(length, StreamRoom()) : length;
  RequestParser::Step step = parser_.Execute(data, feed, nullptr);
  if (step.consumed > 0) ++in_.progress;
  switch (step.event) {
    case RequestParser::Event::kNeedMore:
    case RequestParser::Event::kHeadComplete:  // not within a body
      break;
    case RequestParser::Event::kMessageComplete:
      in_.parsed_all = true;
      if (in_.state == StreamedBody::State::kDiscarding) ResetStream();  // the next request may follow
      break;
    case RequestParser::Event::kError:
      if (in_.state == StreamedBody::State::kStreaming) {
        Code code = parser_.error_status() == 413 ? Code::kRequestTooLarge : Code::kMalformedRequest;
        FailStream(Status(code, parser_.error_message()));
      } else {
        // Dropping the rest of an answered request: its answer stands.
        closing_ = true;
        ResetStream();
      }
      break;
  }
  return step.consumed;
}

size_t Connection::StreamRoom() const {
  size_t limit = std::max<size_t>(1, options_.stream_buffer_bytes);
  return in_.buffer.size() >= limit ? 0 : limit - in_.buffer.size();
}

bool Connection::BodyWanted() const {
  switch (in_.state) {
    case StreamedBody::State::kStreaming:
      return in_.error.ok() && !in_.parsed_all;
    case StreamedBody::State::kDiscarding:
      return true;
    case StreamedBody::State::kNone:
      break;
  }
  return false;
}

bool Connection::DeliveryDue() const {
  return in_.reader && in_.state == StreamedBody::State::kStreaming &&
         (!in_.buffer.empty() || in_.parsed_all || !in_.error.ok());
}

void Connection::ReadBody(ExchangeImpl* exchange, BodyReader on_chunk) {
  if (closed_ || in_.state != StreamedBody::State::kStreaming || in_.exchange != exchange || in_.reader) {
    assert(false && "ReadBody() on a body that does not stream, or while one is pending");
    spdlog::error("http: ReadBody() on request {} whose body is not streaming, or twice; ignored",
                  exchange->request().request_id);
    return;
  }
  in_.reader = std::move(on_chunk);
  ++in_.progress;  // the body timeout runs from now
  if (in_.expects_continue && !in_.continue_sent && !in_.parsed_all && in_.error.ok()) continue_due_ = true;
  // Nothing is called from here: what is due runs on the next loop turn.
  UpdateIo();
}

void Connection::DeliverBody() {
  if (closed_ || !DeliveryDue()) return;
  // Moved out first: the reader may call ReadBody() (a new reader) or
  // Respond() (which drops a pending one).
  BodyReader reader = std::move(in_.reader);
  in_.reader = nullptr;
  if (in_.buffer.empty() && !in_.error.ok()) {
    Status error = in_.error;  // bytes before the error were handed out first
    reader(std::move(error), std::string_view(), false);
    return;
  }
  if (in_.buffer.empty()) {
    // The whole body was handed out: the connection goes on with the next
    // request once the handler has seen the end.
    ResetStream();
    reader(Status::Ok(), std::string_view(), true);
    ParsePending();
    return;
  }
  // `delivering` is left alone by everything the reader may cause, so its
  // bytes stay valid for the call; the buffer keeps filling meanwhile.
  in_.delivering.swap(in_.buffer);
  ++in_.progress;
  reader(Status::Ok(), in_.delivering, false);
  if (in_.state != StreamedBody::State::kStreaming) {
    std::string().swap(in_.delivering);
  } else {
    in_.delivering.clear();
  }
  ParsePending();  // bytes that waited for room
}

void Connection::FailStream(Status status) {
  if (!in_.error.ok()) return;
  in_.error = std::move(status);
  continue_due_ = false;
  closing_ = true;  // after the handler's answer
}

void Connection::OnStreamTimeout(const std::string& message) {
  if (in_.state == StreamedBody::State::kDiscarding) {
    // The answer is given; a client that stops sending loses the connection.
    closing_ = true;
    ResetStream();
    Flush();
    return;
  }
  FailStream(Status(Code::kUnavailable, message));
  DeliverBody();
}

void Connection::EndStreamEarly() {
  ExchangeImpl* exchange = in_.exchange;
  in_.reader = nullptr;  // the handler is done with the exchange
  continue_due_ = false;
  if (in_.parsed_all && in_.error.ok()) {
    ResetStream();  // everything arrived: nothing to drop, keep-alive stays
    return;
  }
  // A client that was never invited may be sending the body or waiting for
  // the invitation: only closing settles that.
  bool uninvited = in_.expects_continue && !in_.continue_sent;
  uint64_t remaining = parser_.chunked() ? UINT64_MAX : parser_.content_length() - parser_.body_bytes();
  if (in_.error.ok() && !closing_ && !uninvited && remaining <= kMaxDiscardBytes) {
    ResetStream();
    in_.state = StreamedBody::State::kDiscarding;
    ++in_.progress;
    return;
  }
  exchange->keep_alive = false;  // "Connection: close" on its response
  closing_ = true;
  ResetStream();
}

void Connection::ResetStream() {
  in_.state = StreamedBody::State::kNone;
  in_.exchange = nullptr;
  in_.reader = nullptr;
  std::string().swap(in_.buffer);
  in_.error = Status::Ok();
  in_.parsed_all = false;
  in_.expects_continue = false;
  in_.continue_sent = false;
  parser_.set_body_output(nullptr);
}

// ---- Streamed response bodies -----------------------------------------------

void Connection::StartSource(std::unique_ptr<BodySource> source, uint64_t length, const std::string& request_id) {
  out_source_ = std::move(source);
  out_remaining_ = length;
  ++source_generation_;
  source_reading_ = false;
  source_request_id_ = request_id;
}

void Connection::ReadSource() {
  // A source that answers inside Read() is served by this loop, not by
  // recursion: a fast source and a fast socket would otherwise nest a call
  // per piece.
  while (SourceReadDue()) {
    source_reading_ = true;
    piece_ready_ = false;
    uint64_t generation = source_generation_;
    BodySource* source = out_source_.get();
    ++source_calls_;
    inside_read_ = true;
    source->Read([this, generation](Status status, std::string data) {
      OnSourceData(generation, std::move(status), std::move(data));
    });
    inside_read_ = false;
    --source_calls_;
    if (!piece_ready_) return;  // on_data comes later
    piece_ready_ = false;
    std::string piece = std::move(out_body_);
    if (!TakePiece(std::move(piece_status_), std::move(piece))) return;
  }
}

void Connection::OnSourceData(uint64_t generation, Status status, std::string data) {
  // Sources are destroyed before the connection and never call after that;
  // this guards against a retired one that has not been destroyed yet.
  if (closed_ || generation != source_generation_ || out_source_ == nullptr || !source_reading_) return;
  source_reading_ = false;
  if (inside_read_) {
    piece_status_ = std::move(status);
    out_body_ = std::move(data);
    piece_ready_ = true;
    return;
  }
  ++source_calls_;
  // The next Read(), if the piece is written at once, comes on the next
  // turn: never from inside the source's own callback.
  if (TakePiece(std::move(status), std::move(data))) Flush();
  --source_calls_;
  UpdateIo();
}

bool Connection::TakePiece(Status status, std::string data) {
  if (!status.ok()) {
    FailSource("the body source failed: " + status.ToString());
    return false;
  }
  if (data.empty()) {
    FailSource("the body source ended " + std::to_string(out_remaining_) + " bytes short of its length");
    return false;
  }
  if (data.size() > out_remaining_) {
    FailSource("the body source gave " + std::to_string(data.size() - out_remaining_) +
               " bytes more than its length");
    return false;
  }
  out_remaining_ -= data.size();
  out_body_ = std::move(data);
  uv_buf_t buffer = uv_buf_init(out_body_.data(), static_cast<unsigned>(out_body_.size()));
  if (!HandleWriteResult(transport_->Write(&buffer, 1))) return false;
  if (!write_in_flight_ && out_remaining_ == 0) RetireSource();  // the last byte is out
  return !closed_;
}

void Connection::FailSource(const std::string& why) {
  // The head promised a length the body will not have: only an abrupt
  // close tells the client (a truncated body).
  spdlog::warn("http: response to request {} cut short: {}", source_request_id_, why);
  Close(Transport::CloseMode::kNow);
}

void Connection::RetireSource() {
  if (out_source_ == nullptr) return;
  ++source_generation_;  // whatever it still calls back is stale
  source_reading_ = false;
  out_remaining_ = 0;
  if (source_calls_ > 0) {
    retired_sources_.push_back(std::move(out_source_));  // a source call is on the stack
  } else {
    out_source_.reset();
  }
  out_source_ = nullptr;
}

}  // namespace sluice::http
