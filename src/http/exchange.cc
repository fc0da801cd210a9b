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

}  // namespace

void ExchangeImpl::Respond(Response response) {
  assert(!responded_ && "Respond() called twice");
  on_abort_ = nullptr;
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
  if (aborted_) return;
  on_abort_ = std::move(on_abort);
}

void ExchangeImpl::SetServerResponse(Response response) {
  response_ = std::move(response);
  responded_ = true;
  keep_alive = false;
}

void ExchangeImpl::Orphan() {
  connection_ = nullptr;
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
  response_.status = 200;
  response_.headers.clear();
  ClearRetaining(&response_.body);
  response_.close_connection = false;
  on_abort_ = nullptr;
  responded_ = false;
  aborted_ = false;
  keep_alive = true;
  http10 = false;
  head_method = false;
}

}  // namespace sluice::http
