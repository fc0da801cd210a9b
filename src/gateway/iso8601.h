// ISO 8601 date-times: the check behind a schema's "format": "date-time".
// (Formatting them is sluice/time_format.h.)
//
// Threads: any (pure).
#pragma once

#include <string_view>

namespace sluice::gateway {

// True for a calendar date and a time of day, as ISO 8601 and RFC 3339 write
// them: "2026-01-15T10:00:00Z", "2026-01-15T10:00:00.123+02:00",
// "2026-01-15T10:00Z", "2026-01-15 10:00:00" (RFC 3339 allows the space; a
// missing offset is ISO 8601 local time). Fields are range-checked, days
// against the month (leap years included); seconds may be 60 (leap second).
// Offsets: Z, +HH:MM, +HHMM or +HH. Not accepted: dates alone, week or
// ordinal dates, the basic format without separators.
bool IsIso8601DateTime(std::string_view text);

}  // namespace sluice::gateway
