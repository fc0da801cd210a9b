#include "s3/names.h"

#include <algorithm>
#include <cstdint>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::s3 {
namespace {

constexpr size_t kMinBucketNameBytes = 3;
constexpr size_t kMaxBucketNameBytes = 63;
constexpr std::string_view kReservedPrefixes[] = {"xn--", "sthree-", "amzn-s3-demo-"};
constexpr std::string_view kReservedSuffixes[] = {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"};

bool IsLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Four dot-separated groups of 1-3 digits: "192.168.5.4". Names like
// "1.2.3.4" are refused even though their groups might exceed 255 ("999.1.1.1"
// as well), as S3 refuses anything shaped like an address.
bool IsIpv4Shaped(std::string_view name) {
  int groups = 0;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string_view group = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (group.empty() || group.size() > 3 || !std::all_of(group.begin(), group.end(), IsDigit)) return false;
    ++groups;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return groups == 4;
}

S3Error InvalidBucketName(std::string_view name, std::string message) {
  S3Error error = MakeError(ErrorCode::kInvalidBucketName, std::move(message));
  error.bucket_name = std::string(name);
  return error;
}

}  // namespace

std::optional<S3Error> ValidateBucketName(std::string_view name) {
  if (name.size() < kMinBucketNameBytes || name.size() > kMaxBucketNameBytes) {
    return InvalidBucketName(name, "The specified bucket is not valid: bucket names are 3 to 63 characters long.");
  }
  for (char c : name) {
    if (!IsLowerOrDigit(c) && c != '.' && c != '-') {
      return InvalidBucketName(
          name, "The specified bucket is not valid: only lower-case letters, digits, '.' and '-' are allowed.");
    }
  }
  if (!IsLowerOrDigit(name.front()) || !IsLowerOrDigit(name.back())) {
    return InvalidBucketName(name, "The specified bucket is not valid: it must begin and end with a letter or digit.");
  }
  if (name.find("..") != std::string_view::npos) {
    return InvalidBucketName(name, "The specified bucket is not valid: it must not contain two adjacent periods.");
  }
  if (IsIpv4Shaped(name)) {
    return InvalidBucketName(name, "The specified bucket is not valid: it must not be formatted as an IP address.");
  }
  for (std::string_view prefix : kReservedPrefixes) {
    if (StartsWith(name, prefix)) {
      return InvalidBucketName(name, "The specified bucket is not valid: the prefix " + std::string(prefix) +
                                         " is reserved.");
    }
  }
  for (std::string_view suffix : kReservedSuffixes) {
    if (EndsWith(name, suffix)) {
      return InvalidBucketName(name, "The specified bucket is not valid: the suffix " + std::string(suffix) +
                                         " is reserved.");
    }
  }
  return std::nullopt;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code_point = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      code_point = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char continuation = static_cast<unsigned char>(text[i + k]);
      if ((continuation & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (continuation & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF.
    if ((length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000) ||
        (code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) {
      return false;
    }
    i += length;
  }
  return true;
}

std::optional<S3Error> ValidateObjectKey(std::string_view key) {
  if (key.empty()) return InvalidArgumentError("The object key must not be empty.", "key", "");
  if (key.size() > kMaxObjectKeyBytes) {
    S3Error error = MakeError(ErrorCode::kKeyTooLongError);
    error.With("Size", std::to_string(key.size())).With("MaxSizeAllowed", std::to_string(kMaxObjectKeyBytes));
    return error;
  }
  if (!IsValidUtf8(key)) {
    return InvalidArgumentError("The object key is not valid UTF-8.", "key");
  }
  return std::nullopt;
}

S3Result<UserMetadata> CollectUserMetadata(const std::vector<http::Header>& headers) {
  UserMetadata metadata;
  for (const http::Header& header : headers) {
    if (!StartsWith(header.name, kUserMetadataPrefix) || header.name.size() == kUserMetadataPrefix.size()) continue;
    std::string name = header.name.substr(kUserMetadataPrefix.size());
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!IsValidUtf8(header.value)) {
      return InvalidArgumentError("The value of a user metadata header is not valid UTF-8.", header.name);
    }
    auto same = std::find_if(metadata.begin(), metadata.end(),
                             [&](const MetadataEntry& entry) { return entry.name == name; });
    if (same != metadata.end()) {
      same->value += "," + header.value;
    } else {
      metadata.push_back({std::move(name), header.value});
    }
  }
  size_t bytes = 0;
  for (const MetadataEntry& entry : metadata) bytes += entry.name.size() + entry.value.size();
  if (bytes > kMaxUserMetadataBytes) {
    S3Error error = MakeError(ErrorCode::kMetadataTooLarge);
    error.With("Size", std::to_string(bytes)).With("MaxSizeAllowed", std::to_string(kMaxUserMetadataBytes));
    return error;
  }
  std::sort(metadata.begin(), metadata.end(),
            [](const MetadataEntry& a, const MetadataEntry& b) { return a.name < b.name; });
  return metadata;
}

std::string UserMetadataToJson(const UserMetadata& metadata) {
  if (metadata.empty()) return {};
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const MetadataEntry& entry : metadata) {
    writer.Key(entry.name.data(), static_cast<rapidjson::SizeType>(entry.name.size()));
    writer.String(entry.value.data(), static_cast<rapidjson::SizeType>(entry.value.size()));
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<UserMetadata> UserMetadataFromJson(std::string_view json) {
  UserMetadata metadata;
  if (json.empty()) return metadata;
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) {
    return Status(Code::kInternal, "stored user metadata is not a JSON object");
  }
  for (const auto& member : document.GetObject()) {
    if (!member.value.IsString()) {
      return Status(Code::kInternal, "stored user metadata has a value that is not a string");
    }
    metadata.push_back({std::string(member.name.GetString(), member.name.GetStringLength()),
                        std::string(member.value.GetString(), member.value.GetStringLength())});
  }
  return metadata;
}

std::vector<http::Header> UserMetadataHeaders(const UserMetadata& metadata) {
  std::vector<http::Header> headers;
  headers.reserve(metadata.size());
  for (const MetadataEntry& entry : metadata) {
    headers.push_back({std::string(kUserMetadataPrefix) + entry.name, entry.value});
  }
  return headers;
}

}  // namespace sluice::s3
