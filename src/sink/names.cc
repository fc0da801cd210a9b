#include "sluice/sink/names.h"

#include <cstdint>

#include "sink/sodium_init.h"

namespace sluice::sink {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// A key or name quoted for an error message, cut short when very long.
std::string Quote(std::string_view text) {
  constexpr size_t kShown = 120;
  std::string quoted(1, '\'');
  quoted.append(text.substr(0, kShown));
  if (text.size() <= kShown) return quoted.append("'");
  return quoted.append("...' (").append(std::to_string(text.size())).append(" bytes)");
}

Status BadBucket(std::string_view name, const std::string& why) {
  return Status(Code::kInvalidParameterValue, "bucket name " + Quote(name) + " is invalid: " + why);
}

Status BadKey(std::string_view key, const std::string& why) {
  return Status(Code::kInvalidParameterValue, "key " + Quote(key) + " " + why);
}

bool LooksLikeIpv4(std::string_view name) {
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string_view part = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || part.size() > 3) return false;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

// Length of the UTF-8 sequence starting at `s[i]`, 0 when it is malformed
// (overlong forms, surrogates and code points past U+10FFFF included).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint32_t code_point = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinimum[length] || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

// ".<16 hex>.sealed" at the end of `name`, after at least one byte.
bool HasSealedSuffix(std::string_view name) {
  if (name.size() <= kFileNameSuffixBytes) return false;
  if (!name.ends_with(kSealedSuffix)) return false;
  const size_t dot = name.size() - kFileNameSuffixBytes;
  if (name[dot] != '.') return false;
  return IsGeneration(name.substr(dot + 1, kGenerationHexDigits));
}

}  // namespace

Status ValidateBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) {
    return BadBucket(name, "it must be 3 to 63 characters long");
  }
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '.' && c != '-') {
      return BadBucket(name, "only lower-case letters, digits, '.' and '-' are allowed");
    }
  }
  if (!IsLowerAlnum(name.front()) || !IsLowerAlnum(name.back())) {
    return BadBucket(name, "it must start and end with a letter or digit");
  }
  if (name.find("..") != std::string_view::npos) {
    return BadBucket(name, "it must not contain two adjacent periods");
  }
  if (LooksLikeIpv4(name)) return BadBucket(name, "it must not be formatted as an IP address");
  return Status::Ok();
}

Status ValidateObjectKey(std::string_view key) {
  if (key.empty()) return Status(Code::kInvalidParameterValue, "key must not be empty");
  if (key.size() > kMaxKeyBytes) {
    return BadKey(key, "is longer than " + std::to_string(kMaxKeyBytes) + " bytes");
  }
  for (size_t i = 0; i < key.size();) {
    if (key[i] == '\0') return BadKey(key, "contains a NUL byte");
    const size_t length = Utf8SequenceLength(key, i);
    if (length == 0) return BadKey(key, "is not valid UTF-8");
    i += length;
  }
  if (key.front() == '/') return BadKey(key, "must not start with '/'");
  size_t start = 0;
  while (true) {
    const size_t slash = key.find('/', start);
    const bool last = slash == std::string_view::npos;
    const std::string_view segment = key.substr(start, last ? slash : slash - start);
    if (segment == "..") return BadKey(key, "would escape the bucket ('..' segment)");
    if (segment == ".") return BadKey(key, "has a '.' segment");
    if (segment.empty()) {
      return BadKey(key, last ? "must not end with '/'" : "has an empty segment ('//')");
    }
    if (last) {
      if (segment.size() + kFileNameSuffixBytes > kMaxFileNameBytes) {
        return BadKey(key, "has a last segment longer than " +
                               std::to_string(kMaxFileNameBytes - kFileNameSuffixBytes) + " bytes");
      }
      break;
    }
    if (segment.size() > kMaxFileNameBytes) {
      return BadKey(key, "has a segment longer than " + std::to_string(kMaxFileNameBytes) + " bytes");
    }
    if (HasSealedSuffix(segment)) {
      return BadKey(key, "has a directory segment ending in '.<16 hex digits>.sealed', "
                         "which is how stored object files are named");
    }
    start = slash + 1;
  }
  return Status::Ok();
}

namespace {

std::string RandomHex(size_t digits) {
  EnsureSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, digits / 2);
  static const char kHex[] = "0123456789abcdef";
  std::string hex(digits, '0');
  for (size_t i = 0; i < digits / 2; ++i) {
    hex[2 * i] = kHex[bytes[i] >> 4];
    hex[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return hex;
}

bool IsLowerHexOfLength(std::string_view text, size_t digits) {
  if (text.size() != digits) return false;
  for (char c : text) {
    if (!IsLowerHex(c)) return false;
  }
  return true;
}

}  // namespace

std::string NewGeneration() { return RandomHex(kGenerationHexDigits); }

std::string NewUploadId() { return RandomHex(kUploadIdHexDigits); }

bool IsUploadId(std::string_view text) { return IsLowerHexOfLength(text, kUploadIdHexDigits); }

std::string PartKey(std::string_view upload_id, int part_number) {
  std::string number = std::to_string(part_number);
  std::string key(upload_id);
  key.push_back('/');
  key.append(number.size() < 5 ? 5 - number.size() : 0, '0').append(number);
  return key;
}

bool ParsePartKey(std::string_view key, std::string* upload_id, int* part_number) {
  if (key.size() != kUploadIdHexDigits + 6 || key[kUploadIdHexDigits] != '/') return false;
  if (!IsUploadId(key.substr(0, kUploadIdHexDigits))) return false;
  int number = 0;
  for (char c : key.substr(kUploadIdHexDigits + 1)) {
    if (c < '0' || c > '9') return false;
    number = number * 10 + (c - '0');
  }
  if (number < 1 || number > kMaxPartNumber) return false;
  *upload_id = std::string(key.substr(0, kUploadIdHexDigits));
  *part_number = number;
  return true;
}

bool IsGeneration(std::string_view text) {
  if (text.size() != kGenerationHexDigits) return false;
  for (char c : text) {
    if (!IsLowerHex(c)) return false;
  }
  return true;
}

std::string ObjectFileName(std::string_view key, std::string_view generation) {
  std::string name;
  name.reserve(key.size() + kFileNameSuffixBytes);
  name.append(key).append(".").append(generation).append(kSealedSuffix);
  return name;
}

bool ParseObjectFileName(std::string_view relative_path, std::string* key, std::string* generation) {
  if (!HasSealedSuffix(relative_path)) return false;
  const size_t dot = relative_path.size() - kFileNameSuffixBytes;
  if (relative_path[dot - 1] == '/') return false;  // "dir/.<gen>.sealed": no last segment
  *key = std::string(relative_path.substr(0, dot));
  *generation = std::string(relative_path.substr(dot + 1, kGenerationHexDigits));
  return true;
}

std::string DisplayName(std::string_view bucket, std::string_view key) {
  constexpr size_t kShown = 200;
  std::string name(bucket);
  name.push_back('/');
  if (key.size() <= kShown) return name.append(key);
  return name.append(key.substr(0, kShown)).append("...");
}

}  // namespace sluice::sink
