// Server: the listening socket, accepting under the connection limit, and
// the shutdown drain. Everything about a connection's protocol lives in
// connection.cc; everything about its socket in tcp_connection.cc.
#include "sluice/http/server.h"

#include <cstring>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "http/date_cache.h"
#include "http/tcp_connection.h"

namespace sluice::http {
namespace {

constexpr size_t kReadBufferSize = 64 * 1024;
constexpr int kListenBacklog = 511;

// "::1" or "[::1]" or "127.0.0.1" -> a socket address; false if not a literal.
bool ParseHost(const std::string& host, int port, sockaddr_storage* address) {
  std::string literal = host;
  if (literal.size() >= 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  std::memset(address, 0, sizeof(*address));
  if (uv_ip4_addr(literal.c_str(), port, reinterpret_cast<sockaddr_in*>(address)) == 0) return true;
  return uv_ip6_addr(literal.c_str(), port, reinterpret_cast<sockaddr_in6*>(address)) == 0;
}

}  // namespace

class Server::Impl final : public ConnectionHost {
 public:
  Impl(uv_loop_t* loop, ServerOptions options, Handler handler)
      : loop_(loop),
        options_(std::move(options)),
        handler_(std::move(handler)),
        dates_(SystemClock::Instance()),
        read_buffer_(new char[kReadBufferSize]) {}

  ~Impl() {
    // Normally everything is closed by now (see Server::Shutdown). If not,
    // close what is left; the handles free themselves in their callbacks
    // without touching this object.
    if (listener_ != nullptr) {
      listener_->data = nullptr;
      if (!listener_closing_) uv_close(reinterpret_cast<uv_handle_t*>(listener_), &Impl::OnListenerClosed);
    }
    for (TcpConnection* connection = connections_; connection != nullptr;) {
      TcpConnection* next = connection->next;
      connection->DetachHost();
      connection->CloseNow();
      connection = next;
    }
  }

  Status Listen() {
    if (listener_ != nullptr || shutting_down_) return Status(Code::kInvalidParameterValue, "already listening");
    if (options_.port < 0 || options_.port > 65535) {
      return Status(Code::kInvalidParameterValue, "port out of range: " + std::to_string(options_.port));
    }
    sockaddr_storage address;
    if (!ParseHost(options_.host, options_.port, &address)) {
      return Status(Code::kInvalidParameterValue, "not an IPv4 or IPv6 address: " + options_.host);
    }
    listener_ = new uv_tcp_t;
    uv_tcp_init(loop_, listener_);
    listener_->data = this;
    int error = uv_tcp_bind(listener_, reinterpret_cast<const sockaddr*>(&address), 0);
    // Bind errors (EADDRINUSE) may surface only at listen.
    if (error == 0) error = uv_listen(reinterpret_cast<uv_stream_t*>(listener_), kListenBacklog, &Impl::OnConnection);
    if (error == 0) {
      sockaddr_storage bound;
      int length = sizeof(bound);
      error = uv_tcp_getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &length);
      if (error == 0) {
        port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                  : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
      }
    }
    if (error != 0) {
      CloseListener();
      return Status(Code::kUnavailable, "cannot listen on " + options_.host + ":" +
                                            std::to_string(options_.port) + ": " + uv_strerror(error));
    }
    return Status::Ok();
  }

  int port() const { return port_; }
  size_t connection_count() const { return connection_count_; }

  void Shutdown(std::function<void()> done) {
    shutting_down_ = true;
    on_shutdown_done_ = std::move(done);
    CloseListener();
    // BeginShutdown never frees a connection synchronously: close callbacks
    // run later, so the list stays valid while it is walked.
    for (TcpConnection* connection = connections_; connection != nullptr; connection = connection->next) {
      connection->BeginShutdown();
    }
    MaybeFinishShutdown();
  }

  void OnConnectionClosed(TcpConnection* connection) override {
    if (connection->prev != nullptr) connection->prev->next = connection->next;
    if (connection->next != nullptr) connection->next->prev = connection->prev;
    if (connections_ == connection) connections_ = connection->next;
    --connection_count_;
    if (connection->counted) --served_count_;
    delete connection;
    MaybeFinishShutdown();
  }

 private:
  static void OnConnection(uv_stream_t* listener, int status) {
    auto* self = static_cast<Impl*>(listener->data);
    if (self == nullptr) return;
    if (status < 0) {
      spdlog::warn("http: accept failed: {}", uv_strerror(status));
      return;
    }
    self->Accept(listener);
  }

  void Accept(uv_stream_t* listener) {
    TcpContext context{&options_, &handler_, &dates_, read_buffer_.get(), kReadBufferSize, this};
    auto* connection = new TcpConnection(loop_, context);
    connection->next = connections_;
    if (connections_ != nullptr) connections_->prev = connection;
    connections_ = connection;
    ++connection_count_;
    if (uv_accept(listener, connection->stream()) != 0 || shutting_down_) {
      connection->CloseNow();
      return;
    }
    if (served_count_ >= options_.max_connections) {
      connection->Reject();
      return;
    }
    connection->counted = true;
    ++served_count_;
    connection->Start();
  }

  void CloseListener() {
    if (listener_ == nullptr || listener_closing_) return;
    listener_closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(listener_), &Impl::OnListenerClosed);
  }

  static void OnListenerClosed(uv_handle_t* handle) {
    auto* self = static_cast<Impl*>(handle->data);
    delete reinterpret_cast<uv_tcp_t*>(handle);
    if (self == nullptr) return;  // the server is already gone
    self->listener_ = nullptr;
    self->listener_closing_ = false;
    self->MaybeFinishShutdown();
  }

  void MaybeFinishShutdown() {
    if (!shutting_down_ || listener_ != nullptr || connections_ != nullptr || !on_shutdown_done_) return;
    std::function<void()> done = std::move(on_shutdown_done_);
    on_shutdown_done_ = nullptr;
    done();
  }

  uv_loop_t* const loop_;
  const ServerOptions options_;
  const Handler handler_;
  DateCache dates_;
  std::unique_ptr<char[]> read_buffer_;
  // Heap-allocated: its close callback may run after this object is gone.
  uv_tcp_t* listener_ = nullptr;
  bool listener_closing_ = false;
  int port_ = 0;
  TcpConnection* connections_ = nullptr;  // intrusive list, newest first
  size_t connection_count_ = 0;
  size_t served_count_ = 0;  // counted against max_connections
  bool shutting_down_ = false;
  std::function<void()> on_shutdown_done_;
};

Server::Server(uv_loop_t* loop, ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(loop, std::move(options), std::move(handler))) {}

Server::~Server() = default;

Status Server::Listen() { return impl_->Listen(); }

int Server::port() const { return impl_->port(); }

void Server::Shutdown(std::function<void()> done) { impl_->Shutdown(std::move(done)); }

size_t Server::connection_count() const { return impl_->connection_count(); }

}  // namespace sluice::http
