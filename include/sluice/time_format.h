// Timestamps as text: ISO 8601 / RFC 3339 in UTC with milliseconds, the form
// of admin API timestamps, the keyring file and the gateway's "$now".
//
// Threads: any (pure).
#pragma once

#include <cstdint>
#include <string>

namespace sluice {

// "2026-01-15T10:00:00.123Z" for milliseconds since the Unix epoch (UTC).
// Proleptic Gregorian; times before 1970 count back correctly
// (-1 -> "1969-12-31T23:59:59.999Z").
std::string FormatIso8601Millis(int64_t epoch_millis);

}  // namespace sluice
