// The value of the HTTP Date header (IMF-fixdate, RFC 9110 5.6.7), formatted
// once per second instead of once per response.
//
// Ownership: borrows the Clock, which must outlive it.
// Threads: not thread-safe; the server uses one per loop (loop thread only).
#pragma once

#include <cstdint>
#include <string_view>

#include "sluice/clock.h"

namespace sluice::http {

class DateCache {
 public:
  explicit DateCache(const Clock& clock) : clock_(clock) {}
  DateCache(const DateCache&) = delete;
  DateCache& operator=(const DateCache&) = delete;

  // "Sun, 06 Nov 1994 08:49:37 GMT". Valid until the next call.
  std::string_view Now();

 private:
  const Clock& clock_;
  int64_t formatted_second_ = INT64_MIN;
  char text_[32] = {};
  size_t length_ = 0;
};

// Formats `epoch_seconds` as an IMF-fixdate into `out` (at least 30 bytes);
// returns the length (29).
size_t FormatHttpDate(int64_t epoch_seconds, char* out);

}  // namespace sluice::http
