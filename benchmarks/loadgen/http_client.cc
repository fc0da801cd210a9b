#include "http_client.h"

#include <cstdlib>
#include <cstring>

#include <llhttp.h>

namespace loadgen {

// One TCP connection. Freed only in its close callback; `owner` is cleared
// when the Connection lets go of it, so late callbacks find nobody to tell.
struct Connection::Socket {
  uv_tcp_t tcp;
  uv_connect_t connect_request;
  uv_write_t write_request;
  Connection* owner = nullptr;
  std::string pending;  // the request being written; must live until the write callback
  bool connected = false;
  bool awaiting_reply = false;
  bool closing = false;

  llhttp_t parser;
  int status = 0;
  std::string body;
  bool complete = false;
  bool keep_alive = true;
  char read_buffer[64 * 1024];
};

namespace {

llhttp_settings_t MakeSettings();

const llhttp_settings_t& Settings() {
  static const llhttp_settings_t settings = MakeSettings();
  return settings;
}

int OnMessageBegin(llhttp_t* parser) {
  auto* socket = static_cast<Connection::Socket*>(parser->data);
  socket->body.clear();
  socket->complete = false;
  return 0;
}

int OnBody(llhttp_t* parser, const char* at, size_t length) {
  static_cast<Connection::Socket*>(parser->data)->body.append(at, length);
  return 0;
}

int OnMessageComplete(llhttp_t* parser) {
  auto* socket = static_cast<Connection::Socket*>(parser->data);
  socket->status = parser->status_code;
  // Must be read here: the parser resets its flags for the next message.
  socket->keep_alive = llhttp_should_keep_alive(parser) != 0;
  socket->complete = true;
  return 0;
}

llhttp_settings_t MakeSettings() {
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  settings.on_message_begin = OnMessageBegin;
  settings.on_body = OnBody;
  settings.on_message_complete = OnMessageComplete;
  return settings;
}

void OnClosed(uv_handle_t* handle) {
  delete static_cast<Connection::Socket*>(handle->data);
}

void CloseSocket(Connection::Socket* socket) {
  socket->owner = nullptr;
  if (!socket->closing) {
    socket->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&socket->tcp), OnClosed);
  }
}

void OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buffer) {
  auto* socket = static_cast<Connection::Socket*>(handle->data);
  *buffer = uv_buf_init(socket->read_buffer, sizeof socket->read_buffer);
}

}  // namespace

// libuv callbacks need access to Connection's private members; they are
// static members of Socket's friend, routed through these thunks.
struct SocketCallbacks {
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
    auto* socket = static_cast<Connection::Socket*>(stream->data);
    Connection* owner = socket->owner;
    if (owner == nullptr) return;
    if (nread < 0) {
      if (nread == UV_EOF && socket->awaiting_reply &&
          llhttp_finish(&socket->parser) == HPE_OK && socket->complete) {
        socket->keep_alive = false;
        owner->Deliver(socket);
        return;
      }
      if (socket->awaiting_reply) {
        owner->Fail(socket, static_cast<int>(nread));
      } else {
        owner->Detach();  // an idle keep-alive connection closed by the server
      }
      return;
    }
    if (nread == 0) return;
    llhttp_errno_t error = llhttp_execute(&socket->parser, buffer->base, static_cast<size_t>(nread));
    if (error != HPE_OK) {
      owner->Fail(socket, UV_EPROTO);
      return;
    }
    if (socket->complete) owner->Deliver(socket);
  }

  static void OnWritten(uv_write_t* request, int status) {
    auto* socket = static_cast<Connection::Socket*>(request->data);
    socket->pending.clear();
    if (status < 0 && socket->owner != nullptr) socket->owner->Fail(socket, status);
  }

  static void Write(Connection::Socket* socket) {
    uv_buf_t buffer = uv_buf_init(socket->pending.data(), static_cast<unsigned>(socket->pending.size()));
    socket->write_request.data = socket;
    int rc = uv_write(&socket->write_request, reinterpret_cast<uv_stream_t*>(&socket->tcp), &buffer, 1,
                      OnWritten);
    if (rc < 0) socket->owner->Fail(socket, rc);
  }

  static void OnConnected(uv_connect_t* request, int status) {
    auto* socket = static_cast<Connection::Socket*>(request->data);
    if (socket->owner == nullptr) return;
    if (status < 0) {
      socket->owner->Fail(socket, status);
      return;
    }
    socket->connected = true;
    uv_tcp_nodelay(&socket->tcp, 1);
    int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&socket->tcp), OnAlloc, OnRead);
    if (rc < 0) {
      socket->owner->Fail(socket, rc);
      return;
    }
    Write(socket);
  }
};

Connection::Connection(uv_loop_t* loop, const sockaddr_in& address, Listener* listener, int id)
    : loop_(loop), address_(address), listener_(listener), id_(id) {}

Connection::~Connection() { Close(); }

void Connection::Close() { Detach(); }

void Connection::Detach() {
  if (socket_ != nullptr) {
    CloseSocket(socket_);
    socket_ = nullptr;
  }
}

void Connection::Send(std::string request_bytes) {
  if (socket_ == nullptr) {
    socket_ = new Socket;
    socket_->owner = this;
    socket_->tcp.data = socket_;
    socket_->connect_request.data = socket_;
    llhttp_init(&socket_->parser, HTTP_RESPONSE, &Settings());
    socket_->parser.data = socket_;
    uv_tcp_init(loop_, &socket_->tcp);
    socket_->pending = std::move(request_bytes);
    socket_->awaiting_reply = true;
    int rc = uv_tcp_connect(&socket_->connect_request, &socket_->tcp,
                            reinterpret_cast<const sockaddr*>(&address_), SocketCallbacks::OnConnected);
    if (rc < 0) Fail(socket_, rc);
    return;
  }
  socket_->pending = std::move(request_bytes);
  socket_->awaiting_reply = true;
  SocketCallbacks::Write(socket_);
}

void Connection::Deliver(Socket* socket) {
  socket->awaiting_reply = false;
  socket->complete = false;
  int status = socket->status;
  // Move the body out: the listener may Send() again, and if the server asked
  // to close, this socket goes away before the listener runs.
  std::string body = std::move(socket->body);
  socket->body.clear();
  if (!socket->keep_alive) Detach();
  listener_->OnReply(*this, status, body);
}

void Connection::Fail(Socket* socket, int uv_error) {
  bool was_awaiting = socket->awaiting_reply;
  socket->awaiting_reply = false;
  Detach();
  if (was_awaiting) listener_->OnError(*this, uv_error);
}

std::string JsonRequest(std::string_view host, std::string_view target, std::string_view body) {
  std::string request;
  request.reserve(300 + body.size());
  request += "POST / HTTP/1.1\r\nHost: ";
  request += host;
  request += "\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.";
  request += target;
  request +=
      "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=00\r\nContent-Length: ";
  request += std::to_string(body.size());
  request += "\r\n\r\n";
  request += body;
  return request;
}

}  // namespace loadgen
