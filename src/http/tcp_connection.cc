#include "http/tcp_connection.h"

namespace sluice::http {
namespace {

// How long a graceful close waits for the peer to close its side. Long
// enough for a client to read a final error response; short enough that
// lingering sockets do not pile up.
constexpr uint64_t kLingerMs = 2000;

}  // namespace

TcpConnection::TcpConnection(uv_loop_t* loop, const TcpContext& context)
    : context_(context), core_(*context.options, *context.handler, *context.dates, this) {
  uv_tcp_init(loop, &tcp_);
  uv_timer_init(loop, &timer_);
  tcp_.data = this;
  timer_.data = this;
  write_request_.data = this;
  shutdown_request_.data = this;
}

void TcpConnection::Start() {
  uv_tcp_nodelay(&tcp_, 1);
  core_.Start();
}

void TcpConnection::Reject() { core_.RejectOverloaded(); }

void TcpConnection::BeginShutdown() {
  if (lingering_ || core_.closed()) {
    CloseHandles();
    return;
  }
  core_.BeginShutdown();
}

void TcpConnection::CloseNow() {
  if (!core_.closed()) {
    core_.OnPeerClosed();  // closes the core, aborting what is unanswered
  }
  CloseHandles();
}

Transport::WriteResult TcpConnection::Write(const uv_buf_t* buffers, unsigned count) {
  // Most responses fit the socket buffer: one writev, no request object.
  int written = uv_try_write(stream(), buffers, count);
  if (written < 0 && written != UV_EAGAIN) return WriteResult::kFailed;
  size_t done = written > 0 ? static_cast<size_t>(written) : 0;
  uv_buf_t rest[4];
  unsigned rest_count = 0;
  for (unsigned i = 0; i < count && rest_count < 4; ++i) {
    if (done >= buffers[i].len) {
      done -= buffers[i].len;
      continue;
    }
    rest[rest_count++] = uv_buf_init(buffers[i].base + done, static_cast<unsigned>(buffers[i].len - done));
    done = 0;
  }
  if (rest_count == 0) return WriteResult::kDone;
  // uv_write copies the uv_buf_t array; the bytes stay with the core.
  if (uv_write(&write_request_, stream(), rest, rest_count, &TcpConnection::OnWrite) != 0) {
    return WriteResult::kFailed;
  }
  return WriteResult::kPending;
}

void TcpConnection::SetReading(bool reading) {
  if (closing_handles_ || reading == reading_) return;
  reading_ = reading;
  if (reading) {
    uv_read_start(stream(), &TcpConnection::OnAlloc, &TcpConnection::OnRead);
  } else {
    uv_read_stop(stream());
  }
}

void TcpConnection::StartTimer(uint64_t timeout_ms) {
  if (closing_handles_) return;
  uv_timer_start(&timer_, &TcpConnection::OnTimer, timeout_ms, 0);
}

void TcpConnection::StopTimer() {
  if (closing_handles_) return;
  uv_timer_stop(&timer_);
}

void TcpConnection::Close(CloseMode mode) {
  if (closing_handles_ || lingering_) return;
  if (mode == CloseMode::kNow) {
    CloseHandles();
    return;
  }
  // Half-close after the last response, then drain the peer's input until
  // it closes too or the linger time runs out.
  if (uv_shutdown(&shutdown_request_, stream(), &TcpConnection::OnShutdown) != 0) {
    CloseHandles();
    return;
  }
  lingering_ = true;
  uv_timer_start(&timer_, &TcpConnection::OnTimer, kLingerMs, 0);
  SetReading(true);
}

void TcpConnection::CloseHandles() {
  if (closing_handles_) return;
  closing_handles_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &TcpConnection::OnClose);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &TcpConnection::OnClose);
}

void TcpConnection::OnAlloc(uv_handle_t* handle, size_t suggested_size, uv_buf_t* buffer) {
  auto* self = static_cast<TcpConnection*>(handle->data);
  *buffer = uv_buf_init(self->context_.read_buffer, static_cast<unsigned>(self->context_.read_buffer_size));
}

void TcpConnection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
  auto* self = static_cast<TcpConnection*>(stream->data);
  if (self->closing_handles_) return;
  if (self->lingering_) {
    if (nread < 0) self->CloseHandles();  // the peer has closed: done
    return;                               // input while lingering is dropped
  }
  if (nread > 0) {
    self->core_.OnRead(buffer->base, static_cast<size_t>(nread));
  } else if (nread < 0) {
    self->core_.OnPeerClosed();
  }
}

void TcpConnection::OnWrite(uv_write_t* request, int status) {
  auto* self = static_cast<TcpConnection*>(request->data);
  self->core_.OnWriteDone(status);
}

void TcpConnection::OnTimer(uv_timer_t* timer) {
  auto* self = static_cast<TcpConnection*>(timer->data);
  if (self->lingering_) {
    self->CloseHandles();
    return;
  }
  self->core_.OnTimer();
}

void TcpConnection::OnShutdown(uv_shutdown_t* request, int status) {
  // Nothing to do: lingering ends on the peer's EOF or the timer.
}

void TcpConnection::OnClose(uv_handle_t* handle) {
  auto* self = static_cast<TcpConnection*>(handle->data);
  if (--self->open_handles_ > 0) return;
  if (self->context_.host != nullptr) {
    self->context_.host->OnConnectionClosed(self);  // deletes self
  } else {
    delete self;
  }
}

}  // namespace sluice::http
