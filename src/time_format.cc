#include "sluice/time_format.h"

#include <cstdio>

namespace sluice {
namespace {

// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
// Hinnant's civil_from_days). Unlike gmtime_r it needs no time_t range and
// floors negative days.
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  *day = day_of_year - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int64_t>(year_of_era) + era * 400 + (*month <= 2);
}

}  // namespace

std::string FormatIso8601Millis(int64_t epoch_millis) {
  int64_t days = epoch_millis / 86'400'000;
  int64_t millis_of_day = epoch_millis % 86'400'000;
  if (millis_of_day < 0) {
    millis_of_day += 86'400'000;
    --days;
  }
  int64_t year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  const int64_t seconds_of_day = millis_of_day / 1000;
  char buffer[40];
  int length = std::snprintf(buffer, sizeof(buffer), "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                             static_cast<long long>(year), month, day, static_cast<int>(seconds_of_day / 3600),
                             static_cast<int>(seconds_of_day / 60 % 60), static_cast<int>(seconds_of_day % 60),
                             static_cast<int>(millis_of_day % 1000));
  return std::string(buffer, static_cast<size_t>(length));
}

}  // namespace sluice
