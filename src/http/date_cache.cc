#include "http/date_cache.h"

#include <ctime>

namespace sluice::http {
namespace {

// Fixed English names: strftime's %a and %b follow the locale.
constexpr char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

char* PutTwoDigits(int value, char* out) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
  return out + 2;
}

char* PutName(const char (&name)[4], char* out) {
  out[0] = name[0];
  out[1] = name[1];
  out[2] = name[2];
  return out + 3;
}

}  // namespace

size_t FormatHttpDate(int64_t epoch_seconds, char* out) {
  time_t seconds = static_cast<time_t>(epoch_seconds);
  struct tm utc;
  gmtime_r(&seconds, &utc);
  char* p = out;
  p = PutName(kDays[utc.tm_wday], p);
  *p++ = ',';
  *p++ = ' ';
  p = PutTwoDigits(utc.tm_mday, p);
  *p++ = ' ';
  p = PutName(kMonths[utc.tm_mon], p);
  *p++ = ' ';
  int year = utc.tm_year + 1900;
  p = PutTwoDigits(year / 100, p);
  p = PutTwoDigits(year % 100, p);
  *p++ = ' ';
  p = PutTwoDigits(utc.tm_hour, p);
  *p++ = ':';
  p = PutTwoDigits(utc.tm_min, p);
  *p++ = ':';
  p = PutTwoDigits(utc.tm_sec, p);
  for (char c : {' ', 'G', 'M', 'T'}) *p++ = c;
  *p = '\0';
  return static_cast<size_t>(p - out);
}

std::string_view DateCache::Now() {
  int64_t millis = clock_.NowMillis();
  int64_t second = millis >= 0 ? millis / 1000 : (millis - 999) / 1000;
  if (second != formatted_second_) {
    length_ = FormatHttpDate(second, text_);
    formatted_second_ = second;
  }
  return std::string_view(text_, length_);
}

}  // namespace sluice::http
