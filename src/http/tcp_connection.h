// The Transport of a real connection: a libuv TCP handle and a timer around
// a Connection core.
//
// Ownership: created by the server for each accepted socket and linked into
// its list; owns its handles and its Connection. It is destroyed only in the
// close callback of its last handle, where it tells its host, which unlinks
// and deletes it. Nothing else deletes it.
// Closing gracefully, it half-closes after the last response and reads and
// discards input for a moment (lingering close): closing a socket with
// unread input makes the kernel send RST, which can destroy the final
// response (typically a 413) before the client reads it.
// Threads: loop thread only.
#pragma once

#include <cstddef>

#include <uv.h>

#include "http/connection.h"

namespace sluice::http {

class TcpConnection;

// The server side of a connection's life.
class ConnectionHost {
 public:
  // The connection's handles are closed; the host unlinks and deletes it.
  virtual void OnConnectionClosed(TcpConnection* connection) = 0;

 protected:
  ~ConnectionHost() = default;
};

struct TcpContext {
  const ServerOptions* options;
  const Handler* handler;
  DateCache* dates;
  // One buffer for every read on the loop: a read is consumed (parsed, or
  // the leftover copied) before the next one starts.
  char* read_buffer;
  size_t read_buffer_size;
  ConnectionHost* host;  // nullptr once the server is gone
};

class TcpConnection final : public Transport {
 public:
  // Initializes the handles on `loop`; uv_accept() into stream() next.
  TcpConnection(uv_loop_t* loop, const TcpContext& context);
  // Only from ConnectionHost::OnConnectionClosed (or if no host is left,
  // from the close callback itself).
  ~TcpConnection() override = default;
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }

  // After uv_accept: serve requests, or refuse with 503.
  void Start();
  void Reject();
  // Server shutdown: drain (see Connection::BeginShutdown), or close at once
  // if only lingering.
  void BeginShutdown();
  // Closes the handles now, whatever the state; aborts unanswered exchanges.
  void CloseNow();
  // The server is going away: no more calls to the host.
  void DetachHost() { context_.host = nullptr; }

  // Transport.
  WriteResult Write(const uv_buf_t* buffers, unsigned count) override;
  void SetReading(bool reading) override;
  void StartTimer(uint64_t timeout_ms) override;
  void StopTimer() override;
  uint64_t NowMillis() const override { return uv_now(tcp_.loop); }
  uv_loop_t* loop() const override { return tcp_.loop; }
  void Close(CloseMode mode) override;

  // The server's intrusive list of connections, and whether this one counts
  // against max_connections (rejected ones do not).
  TcpConnection* prev = nullptr;
  TcpConnection* next = nullptr;
  bool counted = false;

 private:
  static void OnAlloc(uv_handle_t* handle, size_t suggested_size, uv_buf_t* buffer);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer);
  static void OnWrite(uv_write_t* request, int status);
  static void OnTimer(uv_timer_t* timer);
  static void OnShutdown(uv_shutdown_t* request, int status);
  static void OnClose(uv_handle_t* handle);

  void CloseHandles();

  TcpContext context_;
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  uv_write_t write_request_;
  uv_shutdown_t shutdown_request_;
  Connection core_;
  int open_handles_ = 2;
  bool reading_ = false;
  bool lingering_ = false;
  bool closing_handles_ = false;
};

}  // namespace sluice::http
