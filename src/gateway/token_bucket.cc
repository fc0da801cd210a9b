#include "gateway/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace sluice::gateway {

TokenBucket::TokenBucket(double rate_per_second, double burst)
    : rate_per_second_(rate_per_second),
      burst_(burst >= 1 ? burst : std::max(1.0, rate_per_second)),
      tokens_(burst_) {}

void TokenBucket::Refill(int64_t now_millis) {
  if (!started_) {
    started_ = true;
    refilled_at_ = now_millis;
    return;
  }
  if (now_millis <= refilled_at_) return;
  tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_millis - refilled_at_) * rate_per_second_ / 1000.0);
  refilled_at_ = now_millis;
}

bool TokenBucket::TryTake(int64_t now_millis) {
  if (unlimited()) return true;
  Refill(now_millis);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

int64_t TokenBucket::RetryAfterSeconds(int64_t now_millis) {
  if (unlimited()) return 1;
  Refill(now_millis);
  const double missing = 1 - tokens_;
  if (missing <= 0) return 1;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(missing / rate_per_second_)));
}

}  // namespace sluice::gateway
