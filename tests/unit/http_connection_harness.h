// A socketless harness for Connection: a fake transport that records what
// is written, whether it reads, its timer and how it closed, on a fake
// clock that moves only when a timer is fired. Included by
// tests/unit/http_connection_*_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/connection.h"
#include "http_test_util.h"

namespace sluice::http::testing {

class FakeTransport final : public Transport {
 public:
  WriteResult Write(const uv_buf_t* buffers, unsigned count) override {
    EXPECT_FALSE(closed) << "write after close";
    EXPECT_FALSE(write_pending) << "second write while one is pending";
    ++writes;
    if (fail_writes) return WriteResult::kFailed;
    std::string bytes;
    for (unsigned i = 0; i < count; ++i) bytes.append(buffers[i].base, buffers[i].len);
    if (hold_writes) {
      write_pending = true;
      pending_bytes = bytes;  // a real transport would keep the buffers
      pending_buffers.assign(buffers, buffers + count);
      return WriteResult::kPending;
    }
    output += bytes;
    return WriteResult::kDone;
  }
  void SetReading(bool on) override { reading = on; }
  void StartTimer(uint64_t timeout_ms) override {
    timer = timeout_ms;
    timer_due = now + timeout_ms;
    ++timer_starts;
  }
  void StopTimer() override { timer.reset(); }
  uint64_t NowMillis() const override { return now; }
  uv_loop_t* loop() const override { return orphan_loop; }
  void Close(CloseMode mode) override {
    EXPECT_FALSE(closed) << "closed twice";
    closed = true;
    close_mode = mode;
    timer.reset();
  }

  // Completes the pending write, checking its buffers were left untouched.
  void CompleteWrite(Connection& connection) {
    ASSERT_TRUE(write_pending);
    std::string now;
    for (const uv_buf_t& b : pending_buffers) now.append(b.base, b.len);
    EXPECT_EQ(now, pending_bytes) << "buffers changed while the write was pending";
    output += pending_bytes;
    write_pending = false;
    connection.OnWriteDone(0);
  }

  std::string output;
  int writes = 0;
  bool fail_writes = false;
  bool hold_writes = false;
  bool write_pending = false;
  std::string pending_bytes;
  std::vector<uv_buf_t> pending_buffers;
  bool reading = false;
  uint64_t now = 0;                // the fake loop clock
  std::optional<uint64_t> timer;   // the armed timer's timeout, as started
  uint64_t timer_due = 0;
  int timer_starts = 0;
  bool closed = false;
  CloseMode close_mode = CloseMode::kNow;
  uv_loop_t* orphan_loop = nullptr;  // where orphans answer ReadBody(); none by default
};

// A connection whose handler either answers at once (echoing method, path
// and body) or parks the exchange for the test to answer.
class Harness {
 public:
  explicit Harness(ServerOptions options = ServerOptions(), bool park = false)
      : options_(std::move(options)), clock_(1'767'225'600'000), dates_(clock_) {
    handler_ = [this, park](Exchange& exchange) {
      ++handled;
      if (park) {
        parked.push_back(&exchange);
        return;
      }
      exchange.Respond(Echo(exchange.request()));
    };
    connection = std::make_unique<Connection>(options_, handler_, dates_, &transport);
    connection->Start();
  }

  static Response Echo(const Request& request) {
    Response response;
    response.headers.push_back({"Content-Type", "text/plain"});
    response.body = request.method + " " + request.target + " " + request.body;
    return response;
  }

  void Feed(std::string_view bytes) { connection->OnRead(bytes.data(), bytes.size()); }
  void FeedBytewise(std::string_view bytes) {
    for (char c : bytes) connection->OnRead(&c, 1);
  }
  // Moves the clock to the armed timer's due time and fires it.
  void FireTimer() {
    ASSERT_TRUE(transport.timer.has_value()) << "no timer armed";
    transport.timer.reset();
    transport.now = std::max(transport.now, transport.timer_due);
    connection->OnTimer();
  }
  std::vector<ParsedResponse> Responses() const { return ParseAll(transport.output); }

  int handled = 0;
  std::vector<Exchange*> parked;
  FakeTransport transport;
  std::unique_ptr<Connection> connection;

 private:
  ServerOptions options_;
  FakeClock clock_;
  DateCache dates_;
  Handler handler_;
};

inline Response Text(std::string body, int status = 200) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace sluice::http::testing
