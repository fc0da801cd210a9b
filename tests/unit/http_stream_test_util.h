// Helpers for the streaming tests: a recorder of ReadBody() answers and a
// BodySource the test feeds by hand. Included by
// tests/unit/http_stream_*_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>

#include "sluice/http/server.h"

namespace sluice::http::testing {

// Issues ReadBody() calls and records what comes back; checks that no
// answer comes from inside ReadBody() itself or after the end or an error.
class BodyRecorder {
 public:
  void Read(Exchange* exchange) {
    ASSERT_FALSE(pending) << "a second ReadBody() while one is pending";
    pending = true;
    inside_read_body_ = true;
    exchange->ReadBody([this](Status status, std::string_view data, bool end) {
      EXPECT_FALSE(inside_read_body_) << "on_chunk ran inside ReadBody()";
      EXPECT_FALSE(finished) << "on_chunk after the end or an error";
      pending = false;
      ++calls;
      if (!status.ok()) {
        error = status;
        finished = true;
      } else if (end) {
        EXPECT_TRUE(data.empty());
        finished = true;
        ended = true;
      } else {
        EXPECT_FALSE(data.empty()) << "an empty piece that is not the end";
        pieces.emplace_back(data);
        body.append(data);
      }
      if (on_answer) on_answer();
    });
    inside_read_body_ = false;
  }

  bool pending = false;
  int calls = 0;
  bool finished = false;
  bool ended = false;
  Status error;
  std::string body;
  std::vector<std::string> pieces;
  std::function<void()> on_answer;  // runs after each answer is recorded

 private:
  bool inside_read_body_ = false;
};

// What a FakeSource did; outlives it.
struct SourceLog {
  int reads = 0;
  bool destroyed = false;
  bool inside_on_data = false;  // the source is calling on_data right now
  // The last on_data the connection gave, kept past the source's death so
  // a test can play a misbehaving source.
  std::function<void(Status, std::string)> last_on_data;
};

// A BodySource whose pieces the test hands over with Deliver(); or, with
// `synchronous`, one that answers inside Read() from `script`.
class FakeSource final : public BodySource {
 public:
  explicit FakeSource(SourceLog* log) : log_(log) {}
  ~FakeSource() override {
    EXPECT_FALSE(log_->inside_on_data) << "source destroyed from inside its own on_data call";
    EXPECT_FALSE(log_->destroyed);
    log_->destroyed = true;
    if (alive_ != nullptr) *alive_ = false;
  }

  void Read(std::function<void(Status, std::string)> on_data) override {
    EXPECT_FALSE(log_->destroyed);
    EXPECT_FALSE(on_data_) << "Read() while a Read() is pending";
    ++log_->reads;
    log_->last_on_data = on_data;
    on_data_ = std::move(on_data);
    if (synchronous) Deliver(Status::Ok(), next_piece ? next_piece() : std::string());
  }

  bool read_pending() const { return static_cast<bool>(on_data_); }

  // Answers the pending Read(). The source may be destroyed by the time
  // this returns; `alive` (optional) is cleared when it is.
  void Deliver(Status status, std::string data) {
    ASSERT_TRUE(on_data_) << "no Read() pending";
    std::function<void(Status, std::string)> on_data = std::move(on_data_);
    on_data_ = nullptr;
    SourceLog* log = log_;
    log->inside_on_data = true;
    on_data(std::move(status), std::move(data));
    log->inside_on_data = false;  // `this` may be gone: only the log is touched
  }

  bool synchronous = false;
  std::function<std::string()> next_piece;  // for `synchronous`
  bool* alive_ = nullptr;

 private:
  SourceLog* log_;
  std::function<void(Status, std::string)> on_data_;
};

}  // namespace sluice::http::testing
