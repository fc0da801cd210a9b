#include "queue/validate.h"

#include <charconv>
#include <set>

#include <fmt/format.h>

namespace sluice::queue {
namespace {

bool IsIdentifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

bool IsValidIdentifier(std::string_view text) {
  if (text.empty() || text.size() > 80) return false;
  for (char c : text) {
    if (!IsIdentifierChar(c)) return false;
  }
  return true;
}

Status ValidateQueueName(std::string_view name, bool fifo) {
  if (fifo) {
    // The suffix counts towards the 80 characters: check the stem as if the
    // suffix were five identifier characters.
    constexpr std::string_view kSuffix = ".fifo";
    if (!EndsWith(name, kSuffix) || name.size() > 80 ||
        !IsValidIdentifier(name.substr(0, name.size() - kSuffix.size()))) {
      return Status(Code::kInvalidParameterValue,
                    "The name of a FIFO queue can only include alphanumeric characters, hyphens, "
                    "or underscores, must end with .fifo suffix and be 1 to 80 in length");
    }
    return Status::Ok();
  }
  if (!IsValidIdentifier(name)) {  // also refuses a ".fifo" name: '.' is no identifier character
    return Status(Code::kInvalidParameterValue,
                  "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in "
                  "length");
  }
  return Status::Ok();
}

bool IsValidFifoToken(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  for (char c : text) {
    // Printable ASCII without the space is exactly alphanumerics and punctuation.
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool IsValidMessageText(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {  // ASCII: the common case, one byte at a time
      if (c < 0x20 && c != 0x9 && c != 0xA && c != 0xD) return false;
      ++p;
      continue;
    }
    uint32_t code_point;
    int length;
    if ((c & 0xE0) == 0xC0) {
      code_point = c & 0x1F;
      length = 2;
    } else if ((c & 0xF0) == 0xE0) {
      code_point = c & 0x0F;
      length = 3;
    } else if ((c & 0xF8) == 0xF0) {
      code_point = c & 0x07;
      length = 4;
    } else {
      return false;  // a continuation byte or 0xF8..0xFF where a lead byte belongs
    }
    if (end - p < length) return false;
    for (int i = 1; i < length; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (p[i] & 0x3F);
    }
    // Overlong encodings, surrogates and out-of-range values are not UTF-8.
    static const uint32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinimum[length] || code_point > 0x10FFFF) return false;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
    if (code_point == 0xFFFE || code_point == 0xFFFF) return false;
    p += length;
  }
  return true;
}

Status ValidateBatchIds(const std::vector<std::string>& ids, std::string_view entry_type) {
  if (ids.empty()) {
    return Status(Code::kEmptyBatchRequest,
                  fmt::format("There should be at least one {} in the request.", entry_type));
  }
  if (ids.size() > 10) {
    return Status(Code::kTooManyEntriesInBatchRequest,
                  fmt::format("Maximum number of entries per request are 10. You have sent {}.",
                              ids.size()));
  }
  for (const std::string& id : ids) {
    if (!IsValidIdentifier(id)) {
      return Status(Code::kInvalidBatchEntryId,
                    "A batch entry id can only contain alphanumeric characters, hyphens and "
                    "underscores. It can be at most 80 letters long.");
    }
  }
  std::set<std::string_view> seen;
  for (const std::string& id : ids) {
    if (!seen.insert(id).second) {
      return Status(Code::kBatchEntryIdsNotDistinct, fmt::format("Id {} repeated.", id));
    }
  }
  return Status::Ok();
}

std::optional<int64_t> ParseInteger(std::string_view value) {
  if (value.empty()) return std::nullopt;
  int64_t result = 0;
  const char* begin = value.data();
  const char* end = value.data() + value.size();
  if (*begin == '+') ++begin;  // from_chars takes '-' but not '+'
  auto [ptr, error] = std::from_chars(begin, end, result);
  if (error != std::errc() || ptr != end || begin == end) return std::nullopt;
  return result;
}

Status InvalidParameter(std::string_view name, std::string_view value, std::string_view reason) {
  return Status(Code::kInvalidParameterValue,
                fmt::format("Value {} for parameter {} is invalid. Reason: {}", value, name, reason));
}

Status CheckRange(std::string_view name, int64_t value, int64_t min, int64_t max) {
  if (value >= min && value <= max) return Status::Ok();
  return InvalidParameter(name, std::to_string(value),
                          fmt::format("Must be between {} and {}, if provided.", min, max));
}

}  // namespace sluice::queue
