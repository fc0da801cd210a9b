// Time is injected. Everything that depends on "now" (visibility timeouts,
// delays, retention, long-poll deadlines, move-task rates) asks a Clock, so
// the engine is tested on a FakeClock without sleeping.
//
// Thread safety: both implementations may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace sluice {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (wall clock: SQS timestamps are epoch).
  virtual int64_t NowMillis() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  // The process-wide instance.
  static const SystemClock& Instance();
};

// A clock that moves only when told to. Starts at a fixed, realistic epoch.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_millis = 1'767'225'600'000) : now_(start_millis) {}
  int64_t NowMillis() const override { return now_.load(std::memory_order_acquire); }
  void Advance(int64_t millis) { now_.fetch_add(millis, std::memory_order_acq_rel); }
  void Set(int64_t millis) { now_.store(millis, std::memory_order_release); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace sluice
