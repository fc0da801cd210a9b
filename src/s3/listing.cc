#include "s3/listing.h"

#include <algorithm>
#include <limits>

#include "s3/names.h"
#include "sluice/http/query.h"

// Assigns an S3Result's value to `target`, or returns its error.
#define SLUICE_S3_ASSIGN(target, expr)            \
  do {                                            \
    auto _result = (expr);                        \
    if (!_result.ok()) return _result.error();    \
    target = std::move(_result).value();          \
  } while (0)

namespace sluice::s3 {
namespace {

constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int Base64UrlValue(char c) {
  size_t index = kBase64Url.find(c);
  return index == std::string_view::npos ? -1 : static_cast<int>(index);
}

// The raw value of the first `name` parameter (names are plain ASCII).
std::optional<std::string_view> RawParameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
  }
  return std::nullopt;
}

// The decoded value of `name`, nullopt when absent; InvalidURI when it is
// not decodable.
S3Result<std::optional<std::string>> Parameter(std::string_view query, std::string_view name) {
  std::optional<std::string_view> raw = RawParameter(query, name);
  if (!raw) return std::optional<std::string>();
  std::optional<std::string> decoded = http::PercentDecode(*raw, true);
  if (!decoded) return MakeError(ErrorCode::kInvalidURI).With("URI", std::string(query));
  return std::optional<std::string>(std::move(*decoded));
}

// Decimal digits for a value in 0..2^31-1; nullopt otherwise.
std::optional<int> ParseNonNegative(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
    if (value > std::numeric_limits<int32_t>::max()) return std::nullopt;
  }
  return static_cast<int>(value);
}

// A count parameter (max-keys, max-uploads, max-parts): 0..2^31-1, capped
// at kMaxListKeys. Absent: kMaxListKeys.
S3Result<int> ParseCount(const std::optional<std::string>& text, std::string_view name) {
  if (!text) return kMaxListKeys;
  const bool negative = !text->empty() && text->front() == '-';
  std::optional<int> value = ParseNonNegative(negative ? std::string_view(*text).substr(1) : *text);
  if (!value) {
    return InvalidArgumentError("Provided " + std::string(name) + " not an integer or within integer range", name,
                                *text);
  }
  if (negative && *value != 0) {
    return InvalidArgumentError("Argument " + std::string(name) + " must be an integer between 0 and 2147483647",
                                name, *text);
  }
  return std::min(*value, kMaxListKeys);
}

// encoding-type: absent, or "url".
S3Result<bool> ParseEncodingType(const std::optional<std::string>& text) {
  if (!text) return false;
  if (*text != "url") {
    return InvalidArgumentError("Invalid Encoding Method specified in Request", "encoding-type", *text);
  }
  return true;
}

}  // namespace

std::string EncodeContinuationToken(std::string_view position) {
  std::string out;
  out.reserve((position.size() * 4 + 2) / 3);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : position) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64Url[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kBase64Url[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

std::optional<std::string> DecodeContinuationToken(std::string_view token) {
  if (token.empty() || token.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(token.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : token) {
    int value = Base64UrlValue(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  // The left-over bits of a canonical encoding are zero.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  if (!IsValidUtf8(out)) return std::nullopt;
  return out;
}

S3Result<ListObjectsParams> ParseListObjectsParams(std::string_view query, ListVersion version) {
  ListObjectsParams params;
  params.version = version;
  std::optional<std::string> value;
  SLUICE_S3_ASSIGN(value, Parameter(query, "prefix"));
  params.prefix = value.value_or("");
  SLUICE_S3_ASSIGN(value, Parameter(query, "delimiter"));
  params.delimiter = value.value_or("");
  SLUICE_S3_ASSIGN(value, Parameter(query, "max-keys"));
  SLUICE_S3_ASSIGN(params.max_keys, ParseCount(value, "max-keys"));
  SLUICE_S3_ASSIGN(value, Parameter(query, "encoding-type"));
  SLUICE_S3_ASSIGN(params.url_encoding, ParseEncodingType(value));
  if (version == ListVersion::kV1) {
    SLUICE_S3_ASSIGN(value, Parameter(query, "marker"));
    params.marker = value.value_or("");
    params.start = params.marker;
    return params;
  }
  SLUICE_S3_ASSIGN(value, Parameter(query, "fetch-owner"));
  params.fetch_owner = value == "true";
  SLUICE_S3_ASSIGN(params.start_after, Parameter(query, "start-after"));
  SLUICE_S3_ASSIGN(params.continuation_token, Parameter(query, "continuation-token"));
  if (params.continuation_token) {
    std::optional<std::string> position = DecodeContinuationToken(*params.continuation_token);
    if (!position) {
      S3Error error = MakeError(ErrorCode::kInvalidArgument, "The continuation token provided is incorrect");
      return error.With("ArgumentName", "continuation-token");
    }
    params.start = std::move(*position);
  } else {
    params.start = params.start_after.value_or("");
  }
  return params;
}

S3Result<ListUploadsParams> ParseListUploadsParams(std::string_view query) {
  ListUploadsParams params;
  std::optional<std::string> value;
  SLUICE_S3_ASSIGN(value, Parameter(query, "prefix"));
  params.prefix = value.value_or("");
  SLUICE_S3_ASSIGN(value, Parameter(query, "delimiter"));
  params.delimiter = value.value_or("");
  SLUICE_S3_ASSIGN(value, Parameter(query, "max-uploads"));
  SLUICE_S3_ASSIGN(params.max_uploads, ParseCount(value, "max-uploads"));
  SLUICE_S3_ASSIGN(value, Parameter(query, "encoding-type"));
  SLUICE_S3_ASSIGN(params.url_encoding, ParseEncodingType(value));
  SLUICE_S3_ASSIGN(value, Parameter(query, "key-marker"));
  params.key_marker = value.value_or("");
  SLUICE_S3_ASSIGN(value, Parameter(query, "upload-id-marker"));
  params.upload_id_marker = value.value_or("");
  return params;
}

S3Result<ListPartsParams> ParseListPartsParams(std::string_view query) {
  ListPartsParams params;
  std::optional<std::string> value;
  SLUICE_S3_ASSIGN(value, Parameter(query, "max-parts"));
  SLUICE_S3_ASSIGN(params.max_parts, ParseCount(value, "max-parts"));
  SLUICE_S3_ASSIGN(value, Parameter(query, "part-number-marker"));
  if (value && !value->empty()) {
    std::optional<int> marker = ParseNonNegative(*value);
    if (!marker) {
      return InvalidArgumentError("Provided part-number-marker not an integer or within integer range",
                                  "part-number-marker", *value);
    }
    params.part_number_marker = *marker;
  }
  return params;
}

std::string ListPage::NextContinuationToken() const {
  return is_truncated ? EncodeContinuationToken(last_listed) : std::string();
}

std::string ListPage::NextMarker(std::string_view delimiter) const {
  return is_truncated && !delimiter.empty() ? last_listed : std::string();
}

ListPager::ListPager(std::string prefix, std::string delimiter, int max_keys, std::string start)
    : prefix_(std::move(prefix)), delimiter_(std::move(delimiter)), max_keys_(std::clamp(max_keys, 0, kMaxListKeys)) {
  // A start inside (or equal to) a common prefix skips that whole group: the
  // group sorts at its prefix, which is not after the start.
  std::string_view group = CommonPrefixOf(start);
  after_ = group.empty() ? std::move(start) : std::string(group) + '\xff';
  done_ = max_keys_ == 0;
}

std::string_view ListPager::CommonPrefixOf(std::string_view key) const {
  if (delimiter_.empty() || key.size() < prefix_.size() || key.substr(0, prefix_.size()) != prefix_) return {};
  size_t found = key.find(delimiter_, prefix_.size());
  if (found == std::string_view::npos) return {};
  return key.substr(0, found + delimiter_.size());
}

std::optional<StoreQuery> ListPager::NextQuery() const {
  if (done_) return std::nullopt;
  // One more than the entries still wanted: enough to tell whether the page
  // is truncated when every remaining key is listable.
  const int wanted = max_keys_ - page_.key_count() + 1;
  return StoreQuery{prefix_, after_, std::min(wanted, kMaxListKeys)};
}

void ListPager::Feed(StoreBatch batch) {
  if (done_) return;
  bool advanced = false;
  for (ObjectEntry& entry : batch.entries) {
    // The store promises both; a key that breaks them is skipped, not listed.
    if (entry.key <= after_ || entry.key.compare(0, prefix_.size(), prefix_) != 0) continue;
    advanced = true;
    if (page_.key_count() == max_keys_) {
      page_.is_truncated = true;
      done_ = true;
      return;
    }
    std::string_view group = CommonPrefixOf(entry.key);
    if (!group.empty()) {
      page_.common_prefixes.emplace_back(group);
      page_.last_listed = page_.common_prefixes.back();
      after_ = page_.last_listed + '\xff';  // past every key of the group
    } else {
      after_ = entry.key;
      page_.last_listed = entry.key;
      page_.contents.push_back(std::move(entry));
    }
  }
  // A batch that moved nothing forward would be asked for again forever.
  if (batch.exhausted || !advanced) done_ = true;
}

Status RunListPager(ListPager& pager, const SyncListStore& store) {
  while (std::optional<StoreQuery> query = pager.NextQuery()) {
    Result<StoreBatch> batch = store(*query);
    if (!batch.ok()) return batch.status();
    pager.Feed(std::move(batch).value());
  }
  return Status::Ok();
}

}  // namespace sluice::s3

#undef SLUICE_S3_ASSIGN
