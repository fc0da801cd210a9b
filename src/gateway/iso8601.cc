#include "gateway/iso8601.h"

#include <cstdio>

namespace sluice::gateway {
namespace {

// Reads exactly `count` digits at `*pos` into `*value`.
bool Digits(std::string_view text, size_t* pos, int count, int* value) {
  if (*pos + count > text.size()) return false;
  int result = 0;
  for (int i = 0; i < count; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *pos += count;
  *value = result;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char wanted) {
  if (*pos >= text.size() || text[*pos] != wanted) return false;
  ++*pos;
  return true;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool ParseOffset(std::string_view text, size_t* pos) {
  if (*pos == text.size()) return true;  // no offset: local time
  char sign = text[*pos];
  if (sign == 'Z' || sign == 'z') return ++*pos == text.size();
  if (sign != '+' && sign != '-') return false;
  ++*pos;
  int hours = 0, minutes = 0;
  if (!Digits(text, pos, 2, &hours) || hours > 23) return false;
  if (*pos == text.size()) return true;  // +HH
  if (text[*pos] == ':') ++*pos;
  if (!Digits(text, pos, 2, &minutes) || minutes > 59) return false;
  return *pos == text.size();
}

// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
// Hinnant's civil_from_days).
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

bool IsIso8601DateTime(std::string_view text) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(text, &pos, 4, &year) || !Expect(text, &pos, '-')) return false;
  if (!Digits(text, &pos, 2, &month) || month < 1 || month > 12 || !Expect(text, &pos, '-')) return false;
  if (!Digits(text, &pos, 2, &day) || day < 1 || day > DaysInMonth(year, month)) return false;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) return false;
  ++pos;
  if (!Digits(text, &pos, 2, &hour) || hour > 23 || !Expect(text, &pos, ':')) return false;
  if (!Digits(text, &pos, 2, &minute) || minute > 59) return false;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!Digits(text, &pos, 2, &second) || second > 60) return false;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      size_t start = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
      if (pos == start) return false;
    }
  }
  return ParseOffset(text, &pos);
}

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

}  // namespace sluice::gateway
