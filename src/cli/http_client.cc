// The blocking client behind every admin command. Sockets are non-blocking
// and every wait goes through poll() with a deadline, so no step can hang the
// CLI past the timeouts the caller chose.

#include "sluice/cli/http_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <llhttp.h>

namespace sluice::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Owns a socket descriptor; closes it when destroyed.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// strerror() with a lower-case first letter, to read well after a colon.
std::string ErrnoText(int error) {
  std::string text = std::strerror(error);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

std::string ToLower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

Status Unreachable(const Endpoint& endpoint, std::string_view why) {
  return Status(Code::kUnavailable, "cannot reach sluice at " + endpoint.url + ": " + std::string(why));
}

int MillisUntil(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  if (left.count() <= 0) return 0;
  // Round up so that a sub-millisecond remainder still waits instead of spinning.
  return static_cast<int>(std::min<int64_t>(left.count() + 1, 1 << 30));
}

enum class Wait { kReady, kTimedOut, kFailed };

// Waits until `fd` has one of `events` or the deadline passes. kFailed leaves errno set.
Wait WaitFor(int fd, short events, SteadyClock::time_point deadline) {
  for (;;) {
    pollfd pfd{fd, events, 0};
    int timeout = MillisUntil(deadline);
    int n = ::poll(&pfd, 1, timeout);
    if (n > 0) return Wait::kReady;
    if (n == 0) {
      if (SteadyClock::now() >= deadline) return Wait::kTimedOut;
      continue;
    }
    if (errno != EINTR) return Wait::kFailed;
  }
}

Result<Socket> Connect(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  std::string port = std::to_string(endpoint.port);
  int gai = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &addresses);
  if (gai != 0) return Unreachable(endpoint, ToLower(::gai_strerror(gai)));

  SteadyClock::time_point deadline = SteadyClock::now() + timeout;
  std::string last_error = "no address to connect to";
  Socket connected;
  for (addrinfo* ai = addresses; ai != nullptr; ai = ai->ai_next) {
    Socket socket(::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket.fd() < 0) {
      last_error = ErrnoText(errno);
      continue;
    }
    if (::connect(socket.fd(), ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last_error = ErrnoText(errno);
        continue;
      }
      Wait wait = WaitFor(socket.fd(), POLLOUT, deadline);
      if (wait == Wait::kTimedOut) {
        last_error = "connection timed out after " + std::to_string(timeout.count()) + " ms";
        break;  // the budget is spent for every remaining address too
      }
      if (wait == Wait::kFailed) {
        last_error = ErrnoText(errno);
        continue;
      }
      int error = 0;
      socklen_t length = sizeof(error);
      if (::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
      if (error != 0) {
        last_error = ErrnoText(error);
        continue;
      }
    }
    connected = std::move(socket);
    break;
  }
  ::freeaddrinfo(addresses);
  if (connected.fd() < 0) return Unreachable(endpoint, last_error);
  int one = 1;
  ::setsockopt(connected.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return connected;
}

std::string SerializeRequest(const Endpoint& endpoint, const HttpRequest& request) {
  std::string head;
  head.reserve(256 + request.body.size());
  head += request.method + " " + request.target + " HTTP/1.1\r\n";
  head += "Host: " + endpoint.host_header + "\r\n";
  head += "User-Agent: sluice-cli/" SLUICE_VERSION "\r\n";
  for (const HttpHeader& header : request.headers) head += header.name + ": " + header.value + "\r\n";
  if (!request.body.empty() || (request.method != "GET" && request.method != "HEAD")) {
    head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  head += "Connection: close\r\n\r\n";
  head += request.body;
  return head;
}

// Returns 0 on success, else the errno of the failed send.
int SendAll(int fd, std::string_view data, SteadyClock::time_point deadline, bool* timed_out) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Wait wait = WaitFor(fd, POLLOUT, deadline);
      if (wait == Wait::kReady) continue;
      if (wait == Wait::kTimedOut) {
        *timed_out = true;
        return ETIMEDOUT;
      }
    }
    return errno;
  }
  return 0;
}

// Collects one response from llhttp's callbacks. llhttp calls the data
// callbacks with pieces of a token as bytes arrive; the *_complete callbacks
// mark where a header name or value ends.
struct ResponseCollector {
  llhttp_t parser;
  llhttp_settings_t settings;
  HttpResponse response;
  std::string field;
  std::string value;
  size_t max_bytes = 0;
  size_t received = 0;
  bool complete = false;

  explicit ResponseCollector(size_t max) : max_bytes(max) {
    llhttp_settings_init(&settings);
    settings.on_header_field = [](llhttp_t* p, const char* at, size_t n) {
      Self(p)->field.append(at, n);
      return 0;
    };
    settings.on_header_value = [](llhttp_t* p, const char* at, size_t n) {
      Self(p)->value.append(at, n);
      return 0;
    };
    settings.on_header_value_complete = [](llhttp_t* p) {
      ResponseCollector* self = Self(p);
      self->response.headers.push_back({ToLower(std::move(self->field)), std::move(self->value)});
      self->field.clear();
      self->value.clear();
      return 0;
    };
    settings.on_body = [](llhttp_t* p, const char* at, size_t n) {
      Self(p)->response.body.append(at, n);
      return 0;
    };
    settings.on_message_complete = [](llhttp_t* p) {
      ResponseCollector* self = Self(p);
      int status = llhttp_get_status_code(p);
      // An interim 1xx response is followed by the real one on the same bytes.
      if (status >= 100 && status < 200) {
        self->response = HttpResponse();
        return 0;
      }
      self->response.status = status;
      self->complete = true;
      return static_cast<int>(HPE_PAUSED);  // ignore anything after the response
    };
    llhttp_init(&parser, HTTP_RESPONSE, &settings);
    parser.data = this;
  }
  ResponseCollector(const ResponseCollector&) = delete;
  ResponseCollector& operator=(const ResponseCollector&) = delete;

  static ResponseCollector* Self(llhttp_t* p) { return static_cast<ResponseCollector*>(p->data); }
};

}  // namespace

const std::string* HttpResponse::FindHeader(std::string_view lower_name) const {
  for (const HttpHeader& header : headers) {
    if (header.name == lower_name) return &header.value;
  }
  return nullptr;
}

Result<HttpResponse> HttpClient::RoundTrip(const HttpRequest& request) {
  Result<Socket> socket = Connect(endpoint_, options_.connect_timeout);
  if (!socket.ok()) return socket.status();
  const int fd = socket->fd();
  const SteadyClock::time_point deadline = SteadyClock::now() + request.timeout;
  const std::string timeout_text = "timed out after " + std::to_string(request.timeout.count()) +
                                   " ms waiting for " + endpoint_.url;

  // A server may answer and close before reading a large body (413, say);
  // keep going to read that answer, and report the send error only if none came.
  bool send_timed_out = false;
  int send_error = SendAll(fd, SerializeRequest(endpoint_, request), deadline, &send_timed_out);
  if (send_timed_out) return Status(Code::kInternal, timeout_text);
  // No shutdown(SHUT_WR) after the request: a server may take a half-closed
  // connection for a vanished client and drop a long poll.

  auto failed = [&](std::string why) {
    if (send_error != 0) why = "sending to " + endpoint_.url + ": " + ErrnoText(send_error);
    return Status(Code::kInternal, std::move(why));
  };

  ResponseCollector collector(options_.max_response_bytes);
  char buffer[16384];
  for (;;) {
    Wait wait = WaitFor(fd, POLLIN, deadline);
    if (wait == Wait::kTimedOut) return failed(timeout_text);
    if (wait == Wait::kFailed) return failed("reading from " + endpoint_.url + ": " + ErrnoText(errno));
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return failed("reading from " + endpoint_.url + ": " + ErrnoText(errno));
    }
    if (n == 0) {
      // EOF ends a response that has neither Content-Length nor chunking.
      llhttp_errno_t error = llhttp_finish(&collector.parser);
      if (collector.complete) return std::move(collector.response);
      if (error == HPE_OK || error == HPE_INVALID_EOF_STATE) {
        return failed(endpoint_.url + " closed the connection before the response was complete");
      }
      return failed("malformed HTTP response from " + endpoint_.url + ": " +
                    llhttp_get_error_reason(&collector.parser));
    }
    collector.received += static_cast<size_t>(n);
    if (collector.received > collector.max_bytes) {
      return failed("response from " + endpoint_.url + " is larger than " +
                    std::to_string(collector.max_bytes) + " bytes");
    }
    llhttp_errno_t error = llhttp_execute(&collector.parser, buffer, static_cast<size_t>(n));
    if (collector.complete) return std::move(collector.response);
    if (error != HPE_OK) {
      return failed("malformed HTTP response from " + endpoint_.url + ": " +
                    llhttp_get_error_reason(&collector.parser));
    }
  }
}

}  // namespace sluice::cli
