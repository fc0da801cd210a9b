#include "gateway/iso8601.h"

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

}  // namespace sluice::gateway
