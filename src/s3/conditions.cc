#include "s3/conditions.h"

#include <cstdio>
#include <initializer_list>

namespace sluice::s3 {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kLongWeekdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
// Hinnant's days_from_civil / civil_from_days).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

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

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned DaysInMonth(int64_t year, unsigned month) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

int64_t FloorDiv(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

// A left-to-right reader over the date text.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool Literal(std::string_view literal) {
    if (text_.substr(0, literal.size()) != literal) return false;
    text_.remove_prefix(literal.size());
    return true;
  }
  // Exactly `digits` decimal digits.
  bool Number(size_t digits, int64_t* value) {
    if (text_.size() < digits) return false;
    int64_t result = 0;
    for (size_t i = 0; i < digits; ++i) {
      if (text_[i] < '0' || text_[i] > '9') return false;
      result = result * 10 + (text_[i] - '0');
    }
    text_.remove_prefix(digits);
    *value = result;
    return true;
  }
  // One of `names` (index returned), matched exactly.
  template <size_t N>
  bool OneOf(const char* const (&names)[N], unsigned* index) {
    for (size_t i = 0; i < N; ++i) {
      if (Literal(names[i])) {
        *index = static_cast<unsigned>(i);
        return true;
      }
    }
    return false;
  }
  bool AtEnd() const { return text_.empty(); }

 private:
  std::string_view text_;
};

struct DateParts {
  int64_t year = 0;
  unsigned month = 0;  // 1..12
  int64_t day = 0, hour = 0, minute = 0, second = 0;
};

// "HH:MM:SS"
bool ReadTime(Cursor& cursor, DateParts* parts) {
  return cursor.Number(2, &parts->hour) && cursor.Literal(":") && cursor.Number(2, &parts->minute) &&
         cursor.Literal(":") && cursor.Number(2, &parts->second);
}

bool ReadMonth(Cursor& cursor, DateParts* parts) {
  unsigned index = 0;
  if (!cursor.OneOf(kMonths, &index)) return false;
  parts->month = index + 1;
  return true;
}

// Sun, 06 Nov 1994 08:49:37 GMT
bool ParseImfFixdate(std::string_view text, DateParts* parts) {
  Cursor cursor(text);
  unsigned weekday = 0;
  return cursor.OneOf(kWeekdays, &weekday) && cursor.Literal(", ") && cursor.Number(2, &parts->day) &&
         cursor.Literal(" ") && ReadMonth(cursor, parts) && cursor.Literal(" ") && cursor.Number(4, &parts->year) &&
         cursor.Literal(" ") && ReadTime(cursor, parts) && cursor.Literal(" GMT") && cursor.AtEnd();
}

// Sunday, 06-Nov-94 08:49:37 GMT
bool ParseRfc850(std::string_view text, DateParts* parts) {
  Cursor cursor(text);
  unsigned weekday = 0;
  int64_t two_digit_year = 0;
  if (!(cursor.OneOf(kLongWeekdays, &weekday) && cursor.Literal(", ") && cursor.Number(2, &parts->day) &&
        cursor.Literal("-") && ReadMonth(cursor, parts) && cursor.Literal("-") && cursor.Number(2, &two_digit_year) &&
        cursor.Literal(" ") && ReadTime(cursor, parts) && cursor.Literal(" GMT") && cursor.AtEnd())) {
    return false;
  }
  parts->year = two_digit_year + (two_digit_year >= 70 ? 1900 : 2000);
  return true;
}

// Sun Nov  6 08:49:37 1994
bool ParseAsctime(std::string_view text, DateParts* parts) {
  Cursor cursor(text);
  unsigned weekday = 0;
  if (!(cursor.OneOf(kWeekdays, &weekday) && cursor.Literal(" ") && ReadMonth(cursor, parts) && cursor.Literal(" "))) {
    return false;
  }
  if (!(cursor.Literal(" ") ? cursor.Number(1, &parts->day) : cursor.Number(2, &parts->day))) return false;
  return cursor.Literal(" ") && ReadTime(cursor, parts) && cursor.Literal(" ") && cursor.Number(4, &parts->year) &&
         cursor.AtEnd();
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string_view Unquote(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') return text.substr(1, text.size() - 2);
  return text;
}

int64_t Seconds(int64_t epoch_millis) { return FloorDiv(epoch_millis, 1000); }

S3Error PreconditionFailed(const char* condition) {
  return MakeError(ErrorCode::kPreconditionFailed).With("Condition", condition);
}

// Which header a failure names, for reads or copy sources.
struct ConditionNames {
  const char* if_match;
  const char* if_none_match;
  const char* if_modified_since;
  const char* if_unmodified_since;
};

constexpr ConditionNames kReadNames = {"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"};
constexpr ConditionNames kCopySourceNames = {"x-amz-copy-source-If-Match", "x-amz-copy-source-If-None-Match",
                                             "x-amz-copy-source-If-Modified-Since",
                                             "x-amz-copy-source-If-Unmodified-Since"};

enum class Outcome { kProceed, kNotModified, kFailed };

// RFC 9110 section 13.2.2, steps 1-4; `failed` names the condition.
Outcome Evaluate(const ReadConditions& conditions, const ObjectState& object, int64_t now_ms,
                 const ConditionNames& names, const char** failed) {
  const int64_t modified_s = Seconds(object.last_modified_ms);
  if (conditions.if_match) {
    if (!EtagListMatches(*conditions.if_match, object.etag, false)) {
      *failed = names.if_match;
      return Outcome::kFailed;
    }
  } else if (conditions.if_unmodified_since) {
    std::optional<int64_t> date = ParseHttpDate(*conditions.if_unmodified_since);
    if (date && modified_s > *date) {
      *failed = names.if_unmodified_since;
      return Outcome::kFailed;
    }
  }
  if (conditions.if_none_match) {
    if (EtagListMatches(*conditions.if_none_match, object.etag, true)) {
      *failed = names.if_none_match;
      return Outcome::kNotModified;
    }
  } else if (conditions.if_modified_since) {
    std::optional<int64_t> date = ParseHttpDate(*conditions.if_modified_since);
    // A date in the future is ignored, as AWS does.
    if (date && *date <= Seconds(now_ms) && modified_s <= *date) {
      *failed = names.if_modified_since;
      return Outcome::kNotModified;
    }
  }
  return Outcome::kProceed;
}

std::optional<std::string> Header(const http::Request& request, std::string_view name) {
  const std::string* value = request.FindHeader(name);
  return value != nullptr ? std::optional<std::string>(*value) : std::nullopt;
}

S3Error HeaderNotImplemented(const char* header, const char* additional_message) {
  return MakeError(ErrorCode::kNotImplemented).With("Header", header).With("additionalMessage", additional_message);
}

}  // namespace

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  text = Trim(text);
  DateParts parts;
  bool parsed = false;
  for (bool (*parse)(std::string_view, DateParts*) : {ParseImfFixdate, ParseRfc850, ParseAsctime}) {
    parts = DateParts();
    if ((parsed = parse(text, &parts))) break;
  }
  if (!parsed) return std::nullopt;
  if (parts.day < 1 || parts.day > DaysInMonth(parts.year, parts.month) || parts.hour > 23 || parts.minute > 59 ||
      parts.second > 60) {
    return std::nullopt;
  }
  const int64_t second = parts.second == 60 ? 59 : parts.second;  // a leap second
  return DaysFromCivil(parts.year, parts.month, static_cast<unsigned>(parts.day)) * 86400 + parts.hour * 3600 +
         parts.minute * 60 + second;
}

std::string FormatHttpDate(int64_t epoch_millis) {
  const int64_t seconds = Seconds(epoch_millis);
  const int64_t days = FloorDiv(seconds, 86400);
  const int64_t second_of_day = seconds - days * 86400;
  int64_t year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  const int64_t weekday = ((days % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday
  char buffer[64];
  int length = std::snprintf(buffer, sizeof(buffer), "%s, %02u %s %04lld %02d:%02d:%02d GMT", kWeekdays[weekday],
                             day, kMonths[month - 1], static_cast<long long>(year),
                             static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
                             static_cast<int>(second_of_day % 60));
  return std::string(buffer, static_cast<size_t>(length));
}

bool EtagListMatches(std::string_view header, std::string_view etag, bool weak_comparison) {
  etag = Unquote(etag);
  while (true) {
    size_t comma = header.find(',');
    std::string_view entry = Trim(header.substr(0, comma));
    if (entry == "*") return true;
    bool weak = entry.size() >= 2 && entry.substr(0, 2) == "W/";
    if (weak) entry.remove_prefix(2);
    if ((weak_comparison || !weak) && !entry.empty() && Unquote(entry) == etag) return true;
    if (comma == std::string_view::npos) return false;
    header.remove_prefix(comma + 1);
  }
}

ReadConditions ReadConditionsFrom(const http::Request& request) {
  return {Header(request, "if-match"), Header(request, "if-none-match"), Header(request, "if-modified-since"),
          Header(request, "if-unmodified-since")};
}

ReadConditions CopySourceConditionsFrom(const http::Request& request) {
  return {Header(request, "x-amz-copy-source-if-match"), Header(request, "x-amz-copy-source-if-none-match"),
          Header(request, "x-amz-copy-source-if-modified-since"),
          Header(request, "x-amz-copy-source-if-unmodified-since")};
}

std::optional<S3Error> EvaluateReadConditions(const ReadConditions& conditions, const ObjectState& object,
                                              int64_t now_ms) {
  const char* failed = nullptr;
  switch (Evaluate(conditions, object, now_ms, kReadNames, &failed)) {
    case Outcome::kProceed: return std::nullopt;
    case Outcome::kNotModified: return MakeError(ErrorCode::kNotModified);
    case Outcome::kFailed: return PreconditionFailed(failed);
  }
  return std::nullopt;
}

std::optional<S3Error> EvaluateCopySourceConditions(const ReadConditions& conditions, const ObjectState& object,
                                                    int64_t now_ms) {
  const char* failed = nullptr;
  if (Evaluate(conditions, object, now_ms, kCopySourceNames, &failed) == Outcome::kProceed) return std::nullopt;
  return PreconditionFailed(failed);
}

WriteConditions WriteConditionsFrom(const http::Request& request) {
  return {Header(request, "if-match"), Header(request, "if-none-match")};
}

std::optional<S3Error> ValidateWriteConditions(const WriteConditions& conditions) {
  if (conditions.if_match && conditions.if_none_match) {
    return HeaderNotImplemented("If-Match,If-None-Match", "Multiple conditional request headers present in the request");
  }
  if (conditions.if_none_match && Trim(*conditions.if_none_match) != "*") {
    return HeaderNotImplemented("If-None-Match", "We don't accept the provided value of If-None-Match header for this API");
  }
  if (conditions.if_match && Trim(*conditions.if_match) == "*") {
    return HeaderNotImplemented("If-Match", "We don't accept the provided value of If-Match header for this API");
  }
  return std::nullopt;
}

std::optional<S3Error> EvaluateWriteConditions(const WriteConditions& conditions, const ObjectState* existing,
                                               std::string_view key) {
  if (conditions.if_none_match && existing != nullptr) return PreconditionFailed("If-None-Match");
  if (conditions.if_match) {
    if (existing == nullptr) return NoSuchKeyError(key);
    if (!EtagListMatches(*conditions.if_match, existing->etag, false)) return PreconditionFailed("If-Match");
  }
  return std::nullopt;
}

}  // namespace sluice::s3
