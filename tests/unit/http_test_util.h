// Test helpers for the HTTP module: parsing responses with llhttp, a libuv
// loop on a background thread, and a blocking client with deadlines.
// Header-only; included by tests/unit/http_*_test.cc.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <llhttp.h>
#include <uv.h>

#include "sluice/http/server.h"

namespace sluice::http::testing {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct ParsedResponse {
  int status = 0;
  std::vector<Header> headers;  // names lower-cased
  std::string body;

  const std::string* Find(std::string_view lower_name) const {
    for (const Header& header : headers) {
      if (header.name == lower_name) return &header.value;
    }
    return nullptr;
  }
  std::string Get(std::string_view lower_name) const {
    const std::string* value = Find(lower_name);
    return value != nullptr ? *value : std::string("<absent>");
  }
};

// Parses a stream of responses incrementally; complete ones collect in
// ready(). Not movable: llhttp points back at it.
class ResponseStream {
 public:
  ResponseStream() {
    llhttp_settings_init(&settings_);
    settings_.on_header_field = [](llhttp_t* p, const char* at, size_t n) {
      auto* self = static_cast<ResponseStream*>(p->data);
      if (!self->in_field_) self->current_.headers.emplace_back();
      self->in_field_ = true;
      for (size_t i = 0; i < n; ++i) {
        self->current_.headers.back().name.push_back(static_cast<char>(std::tolower(at[i])));
      }
      return 0;
    };
    settings_.on_header_value = [](llhttp_t* p, const char* at, size_t n) {
      auto* self = static_cast<ResponseStream*>(p->data);
      self->in_field_ = false;
      self->current_.headers.back().value.append(at, n);
      return 0;
    };
    settings_.on_body = [](llhttp_t* p, const char* at, size_t n) {
      static_cast<ResponseStream*>(p->data)->current_.body.append(at, n);
      return 0;
    };
    settings_.on_message_complete = [](llhttp_t* p) {
      auto* self = static_cast<ResponseStream*>(p->data);
      self->current_.status = p->status_code;
      self->ready_.push_back(std::move(self->current_));
      self->current_ = ParsedResponse();
      self->in_field_ = false;
      return 0;
    };
    llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
    parser_.data = this;
  }
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  // False once the bytes are not valid HTTP responses.
  bool Feed(std::string_view bytes) {
    if (failed_) return false;
    failed_ = llhttp_execute(&parser_, bytes.data(), bytes.size()) != HPE_OK;
    return !failed_;
  }
  std::vector<ParsedResponse>& ready() { return ready_; }

 private:
  llhttp_settings_t settings_;
  llhttp_t parser_;
  ParsedResponse current_;
  std::vector<ParsedResponse> ready_;
  bool in_field_ = false;
  bool failed_ = false;
};

// The complete responses in `bytes` (an incomplete tail is ignored).
inline std::vector<ParsedResponse> ParseAll(std::string_view bytes) {
  ResponseStream stream;
  stream.Feed(bytes);
  return std::move(stream.ready());
}

// A libuv loop running on its own thread. Everything touching loop objects
// (the Server, exchanges) goes through Run()/Post().
class LoopThread {
 public:
  LoopThread() {
    uv_loop_init(&loop_);
    uv_async_init(&loop_, &async_, &LoopThread::OnAsync);
    async_.data = this;
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }
  ~LoopThread() {
    Run([this] { uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr); });
    thread_.join();
    uv_loop_close(&loop_);
  }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  uv_loop_t* loop() { return &loop_; }

  void Post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    uv_async_send(&async_);
  }

  // Runs `task` on the loop thread and waits for it.
  template <typename F>
  auto Run(F task) -> decltype(task()) {
    using R = decltype(task());
    std::promise<R> promise;
    std::future<R> future = promise.get_future();
    Post([&] {
      if constexpr (std::is_void_v<R>) {
        task();
        promise.set_value();
      } else {
        promise.set_value(task());
      }
    });
    return future.get();
  }

  // Polls `predicate` on the loop thread until true or the deadline passes.
  bool WaitFor(const std::function<bool()>& predicate, milliseconds timeout = milliseconds(5000)) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (Run(predicate)) return true;
      std::this_thread::sleep_for(milliseconds(2));
    }
    return Run(predicate);
  }

 private:
  static void OnAsync(uv_async_t* async) {
    auto* self = static_cast<LoopThread*>(async->data);
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      tasks.swap(self->tasks_);
    }
    for (auto& task : tasks) task();
  }

  uv_loop_t loop_;
  uv_async_t async_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::function<void()>> tasks_;
};

// A blocking TCP client; every read has a deadline.
class Client {
 public:
  explicit Client(int port, const char* host = "127.0.0.1") {
    sockaddr_storage address{};
    socklen_t length;
    if (std::strchr(host, ':') != nullptr) {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(static_cast<uint16_t>(port));
      inet_pton(AF_INET6, host, &v6->sin6_addr);
      length = sizeof(*v6);
    } else {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
      v4->sin_family = AF_INET;
      v4->sin_port = htons(static_cast<uint16_t>(port));
      inet_pton(AF_INET, host, &v4->sin_addr);
      length = sizeof(*v4);
    }
    fd_ = socket(address.ss_family, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0;
  }
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Waits up to `timeout` for bytes or EOF; appends to received(). Returns
  // false on timeout.
  bool ReadSome(milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buffer[65536];
    ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      eof_ = true;
      return true;
    }
    received_.append(buffer, static_cast<size_t>(n));
    responses_.Feed(std::string_view(buffer, static_cast<size_t>(n)));
    return true;
  }

  // Reads until `count` complete responses arrived, EOF, or the deadline;
  // returns (and consumes) those that arrived.
  std::vector<ParsedResponse> ReadResponses(size_t count, milliseconds timeout = milliseconds(5000)) {
    auto deadline = Clock::now() + timeout;
    while (responses_.ready().size() < count && !eof_ && Clock::now() < deadline) ReadSome(Remaining(deadline));
    std::vector<ParsedResponse> responses = std::move(responses_.ready());
    responses_.ready().clear();
    return responses;
  }

  // Reads until the server closes; true if it did before the deadline.
  bool WaitForClose(milliseconds timeout = milliseconds(5000)) {
    auto deadline = Clock::now() + timeout;
    while (!eof_ && Clock::now() < deadline) ReadSome(Remaining(deadline));
    return eof_;
  }

  bool eof() const { return eof_; }
  std::string& received() { return received_; }

 private:
  static milliseconds Remaining(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? left : milliseconds(0);
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string received_;       // everything read, for raw checks
  ResponseStream responses_;   // the same bytes, parsed
};

}  // namespace sluice::http::testing
