#include "http/exchange.h"

#include <cassert>

#include "http/connection.h"

namespace sluice::http {
namespace {

// Buffers past this size are released rather than kept for the next request,
// so one large request does not pin memory for the connection's lifetime.
constexpr size_t kMaxRetainedCapacity = 64 * 1024;

void ClearRetaining(std::string* buffer) {
  if (buffer->capacity() > kMaxRetainedCapacity) {
    std::string().swap(*buffer);
  } else {
    buffer->clear();
  }
}

void FreeTimer(uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); }

}  // namespace

ExchangeImpl::~ExchangeImpl() {
  if (orphan_timer_ != nullptr) uv_close(reinterpret_cast<uv_handle_t*>(orphan_timer_), &FreeTimer);
}

void ExchangeImpl::Respond(Response response) {
  assert(!responded_ && "Respond() called twice");
  on_abort_ = nullptr;
  orphan_reader_ = nullptr;
  if (connection_ == nullptr) {
    // Orphaned: the peer is gone, nobody will read the answer.
    delete this;
    return;
  }
  response_ = std::move(response);
  responded_ = true;
  // Last statement: the connection may recycle this exchange at once.
  connection_->OnResponded(this);
}

void ExchangeImpl::SetAbortHandler(std::function<void()> on_abort) {
  if (aborted_ && connection_ == nullptr) return;
  on_abort_ = std::move(on_abort);
}

void ExchangeImpl::ReadBody(std::function<void(Status status, std::string_view data, bool end)> on_chunk) {
  assert(!responded_ && "ReadBody() after Respond()");
  if (connection_ != nullptr) {
    connection_->ReadBody(this, std::move(on_chunk));
    return;
  }
  // Orphaned: the peer is gone. The error comes on a later turn, never
  // inside this call.
  orphan_reader_ = std::move(on_chunk);
  if (orphan_timer_ != nullptr || loop_ == nullptr) return;
  orphan_timer_ = new uv_timer_t;
  uv_timer_init(loop_, orphan_timer_);
  orphan_timer_->data = this;
  uv_timer_start(orphan_timer_, &ExchangeImpl::OnOrphanRead, 0, 0);
}

void ExchangeImpl::OnOrphanRead(uv_timer_t* timer) {
  auto* self = static_cast<ExchangeImpl*>(timer->data);
  self->orphan_timer_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(timer), &FreeTimer);
  std::function<void(Status, std::string_view, bool)> reader = std::move(self->orphan_reader_);
  self->orphan_reader_ = nullptr;
  // May Respond(), which deletes `self`.
  if (reader) reader(Status(Code::kUnavailable, "the client closed the connection"), std::string_view(), false);
}

void ExchangeImpl::SetServerResponse(Response response) {
  response_ = std::move(response);
  responded_ = true;
  keep_alive = false;
}

void ExchangeImpl::Orphan(uv_loop_t* loop) {
  connection_ = nullptr;
  loop_ = loop;
  aborted_ = true;
}

void ExchangeImpl::NotifyAbort() {
  // Moved out first: the handler may Respond(), which deletes this exchange
  // and with it the std::function that is running.
  std::function<void()> on_abort = std::move(on_abort_);
  on_abort_ = nullptr;
  if (on_abort) on_abort();
}

void ExchangeImpl::Reset() {
  request_.method.clear();
  request_.target.clear();
  request_.path.clear();
  request_.query.clear();
  request_.headers.clear();
  request_.request_id.clear();
  ClearRetaining(&request_.body);
  request_.body_streamed = false;
  response_.status = 200;
  response_.headers.clear();
  ClearRetaining(&response_.body);
  response_.close_connection = false;
  response_.content_length.reset();
  response_.body_source.reset();
  on_abort_ = nullptr;
  responded_ = false;
  aborted_ = false;
  keep_alive = true;
  http10 = false;
  head_method = false;
}

}  // namespace sluice::http
