// A token bucket: `rate_per_second` tokens flow in per second, at most
// `burst` are kept, each admitted request takes one. Time is passed in (from
// the injected Clock), so tests drive it with a FakeClock.
//
// A rate of 0 (or less) admits everything. A burst below 1 is raised to
// max(1, rate): the bucket must hold at least the one token a request takes.
// A clock that steps back refills nothing until it passes its old reading.
//
// Threads: one thread at a time (the loop thread).
#pragma once

#include <cstdint>

namespace sluice::gateway {

class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst);

  bool unlimited() const { return rate_per_second_ <= 0; }
  double rate_per_second() const { return rate_per_second_; }

  // Takes a token at `now_millis`: true if there was one. The bucket starts full.
  bool TryTake(int64_t now_millis);

  // Whole seconds, at least 1, until a token will be there (for Retry-After).
  int64_t RetryAfterSeconds(int64_t now_millis);

 private:
  void Refill(int64_t now_millis);

  const double rate_per_second_;
  const double burst_;
  double tokens_;
  int64_t refilled_at_ = 0;
  bool started_ = false;
};

}  // namespace sluice::gateway
