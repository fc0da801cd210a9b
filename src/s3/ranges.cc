#include "s3/ranges.h"

#include <limits>

namespace sluice::s3 {
namespace {

constexpr uint64_t kTooLarge = std::numeric_limits<uint64_t>::max();

// One "first-last" spec after the unit; either side may be empty.
struct RangeSpec {
  std::optional<uint64_t> first;
  std::optional<uint64_t> last;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Decimal digits, at least one; values past 64 bits saturate at kTooLarge.
std::optional<uint64_t> ParseNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    value = value > (kTooLarge - digit) / 10 ? kTooLarge : value * 10 + digit;
  }
  return value;
}

// "bytes=SPEC" with exactly one spec; nullopt when the header is not of that
// form (the caller ignores it or refuses it).
std::optional<RangeSpec> ParseSingleRange(std::string_view header) {
  constexpr std::string_view kUnit = "bytes=";
  if (header.size() < kUnit.size()) return std::nullopt;
  for (size_t i = 0; i < kUnit.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kUnit[i]) return std::nullopt;
  }
  std::string_view spec = header.substr(kUnit.size());
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view first_text = spec.substr(0, dash);
  std::string_view last_text = spec.substr(dash + 1);
  RangeSpec range;
  if (!first_text.empty()) {
    range.first = ParseNumber(first_text);
    if (!range.first) return std::nullopt;
  }
  if (!last_text.empty()) {
    range.last = ParseNumber(last_text);  // also refuses "-1-", "0--1" and "0-1,3-4"
    if (!range.last) return std::nullopt;
  }
  if (!range.first && !range.last) return std::nullopt;               // "bytes=-"
  if (range.first && range.last && *range.last < *range.first) return std::nullopt;  // "bytes=1-0"
  return range;
}

S3Error InvalidRange(std::string_view header, uint64_t object_size) {
  S3Error error = MakeError(ErrorCode::kInvalidRange);
  error.With("RangeRequested", std::string(header)).With("ActualObjectSize", std::to_string(object_size));
  error.headers.push_back({"content-range", "bytes */" + std::to_string(object_size)});
  return error;
}

S3Error CopyRangeFormatError(std::string_view header) {
  return InvalidArgumentError(
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the "
      "zero-based offsets of the first and last bytes to copy",
      "x-amz-copy-source-range", header);
}

}  // namespace

S3Result<std::optional<ByteRange>> ResolveRange(std::optional<std::string_view> range_header,
                                                uint64_t object_size) {
  if (!range_header) return std::optional<ByteRange>();
  std::optional<RangeSpec> spec = ParseSingleRange(*range_header);
  if (!spec) return std::optional<ByteRange>();  // ignored: the whole object
  if (!spec->first) {
    // Suffix range: the last n bytes.
    const uint64_t suffix = *spec->last;
    if (suffix == 0) return InvalidRange(*range_header, object_size);
    if (object_size == 0) return std::optional<ByteRange>();
    const uint64_t length = suffix < object_size ? suffix : object_size;
    return std::optional<ByteRange>(ByteRange{object_size - length, object_size - 1});
  }
  if (*spec->first >= object_size) return InvalidRange(*range_header, object_size);
  const uint64_t last = spec->last && *spec->last < object_size ? *spec->last : object_size - 1;
  return std::optional<ByteRange>(ByteRange{*spec->first, last});
}

std::string ContentRange(const ByteRange& range, uint64_t object_size) {
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
         std::to_string(object_size);
}

S3Result<ByteRange> ResolveCopySourceRange(std::string_view header, uint64_t source_size) {
  std::optional<RangeSpec> spec = ParseSingleRange(header);
  // Only the literal "bytes=" unit, and both ends.
  if (!spec || header.substr(0, 6) != "bytes=" || !spec->first || !spec->last) {
    return CopyRangeFormatError(header);
  }
  if (*spec->first >= source_size) {
    return MakeError(ErrorCode::kInvalidRequest, "The specified copy range is invalid for the source object size");
  }
  if (*spec->last >= source_size) {
    return InvalidArgumentError("Range specified is not valid for source object of size: " +
                                    std::to_string(source_size),
                                "x-amz-copy-source-range", header);
  }
  return ByteRange{*spec->first, *spec->last};
}

}  // namespace sluice::s3
