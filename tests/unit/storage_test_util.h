// Test support for the storage module's tests: a temporary directory and a
// libuv loop that runs until a condition holds or a deadline passes.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <uv.h>

namespace sluice::storage::testing {

// mkdtemp under $TMPDIR (or /tmp); removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/sluice-storage-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A private uv loop. A repeating timer wakes it every few milliseconds while
// RunUntil waits, so the deadline is checked even when nothing else happens.
class LoopRunner {
 public:
  LoopRunner() {
    uv_loop_init(&loop_);
    uv_timer_init(&loop_, &tick_);
  }
  ~LoopRunner() {
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle was left open on the loop";
  }
  uv_loop_t* loop() { return &loop_; }

  // Runs the loop until `done()` holds or `deadline` passes; returns done().
  bool RunUntil(const std::function<bool()>& done,
                std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    uv_timer_start(&tick_, [](uv_timer_t*) {}, 2, 2);
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done() && std::chrono::steady_clock::now() < end) uv_run(&loop_, UV_RUN_ONCE);
    uv_timer_stop(&tick_);
    return done();
  }

 private:
  uv_loop_t loop_;
  uv_timer_t tick_;
};

}  // namespace sluice::storage::testing
