// A minimal HTTP/1.1 client connection for the load generator: one request
// at a time (no pipelining), keep-alive when the server allows it, and a
// transparent reconnect when it does not (moto answers "Connection: close"
// to every request, so each of its requests pays a TCP connect — as real
// clients of moto do).
//
// Ownership: a Connection owns its current socket. Closing a socket is
// asynchronous, so the socket lives in a separate heap block that is freed in
// its close callback; the Connection itself may be destroyed at any time on
// the loop thread, but the loop must run afterwards for the close to finish.
// The Listener is not owned and must outlive the Connection.
//
// Errors: a failed connect, a reset, a parse error or EOF before a complete
// response is reported once through Listener::OnError with a libuv error
// code (or UV_EPROTO for a malformed response); the socket is closed and the
// next Send() reconnects.
//
// Threads: loop thread only.
#pragma once

#include <netinet/in.h>

#include <string>
#include <string_view>

#include <uv.h>

namespace loadgen {

class Connection;

class Listener {
 public:
  virtual ~Listener() = default;
  // A complete response to the last Send(). `body` is valid only during the call.
  virtual void OnReply(Connection& connection, int status, std::string_view body) = 0;
  // The last Send() will get no response.
  virtual void OnError(Connection& connection, int uv_error) = 0;
};

class Connection {
 public:
  Connection(uv_loop_t* loop, const sockaddr_in& address, Listener* listener, int id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one complete HTTP request (head and body). Must not be called while
  // a previous request awaits its reply.
  void Send(std::string request_bytes);

  // Closes the socket, if any. No callback follows.
  void Close();

  int id() const { return id_; }

  struct Socket;  // one TCP connection; defined in http_client.cc

 private:
  friend struct SocketCallbacks;

  void Deliver(Socket* socket);
  void Fail(Socket* socket, int uv_error);
  void Detach();

  uv_loop_t* loop_;
  sockaddr_in address_;
  Listener* listener_;
  int id_;
  Socket* socket_ = nullptr;  // null when disconnected
};

// Builds a POST / request for the AWS JSON 1.0 protocol. `host` goes into the
// Host header ("127.0.0.1:4566"). The Authorization header carries an
// (unverified) SigV4 credential scope naming "sqs": moto routes requests to a
// service by it, and the same bytes go to every server under test.
std::string JsonRequest(std::string_view host, std::string_view target, std::string_view body);

}  // namespace loadgen
