#include "queue/message_attributes.h"

#include <fmt/format.h>

#include "queue/validate.h"
#include "sluice/md5.h"

namespace sluice::queue {
namespace {

constexpr size_t kMaxAttributes = 10;
constexpr size_t kMaxNameLength = 256;
constexpr size_t kMaxDataTypeLength = 256;

enum class Kind { kString, kNumber, kBinary, kInvalid };

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = text[i];
    char b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string_view::npos) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return !StartsWithIgnoringCase(name, "aws.") && !StartsWithIgnoringCase(name, "amazon.");
}

// "String", "Number.float", "Binary.gif" -> the base kind; the custom label
// after the first '.' is free text of printable ASCII.
Kind KindOf(std::string_view data_type) {
  if (data_type.empty() || data_type.size() > kMaxDataTypeLength) return Kind::kInvalid;
  std::string_view base = data_type.substr(0, data_type.find('.'));
  if (base.size() < data_type.size()) {
    std::string_view label = data_type.substr(base.size() + 1);
    if (label.empty()) return Kind::kInvalid;
    for (char c : label) {
      if (c < 0x20 || c > 0x7e) return Kind::kInvalid;
    }
  }
  if (base == "String") return Kind::kString;
  if (base == "Number") return Kind::kNumber;
  if (base == "Binary") return Kind::kBinary;
  return Kind::kInvalid;
}

// [+-] digits [. digits] [e [+-] digits], with at least one digit before the
// exponent: what SQS accepts as a Number.
bool IsNumber(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  return i == text.size();
}

Status Invalid(std::string message) {
  return Status(Code::kInvalidParameterValue, std::move(message));
}

void PutLengthPrefixed(std::string* out, std::string_view bytes) {
  uint32_t length = static_cast<uint32_t>(bytes.size());
  char prefix[4] = {static_cast<char>(length >> 24), static_cast<char>(length >> 16),
                    static_cast<char>(length >> 8), static_cast<char>(length)};
  out->append(prefix, 4);
  out->append(bytes);
}

bool GetLengthPrefixed(std::string_view* in, std::string_view* bytes) {
  if (in->size() < 4) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(in->data());
  uint32_t length = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
  in->remove_prefix(4);
  if (in->size() < length) return false;
  *bytes = in->substr(0, length);
  in->remove_prefix(length);
  return true;
}

}  // namespace

Status ValidateMessageAttributes(const MessageAttributeMap& attributes, size_t* size) {
  if (attributes.size() > kMaxAttributes) {
    return Invalid(fmt::format("Number of message attributes [{}] exceeds the allowed maximum [{}].",
                               attributes.size(), kMaxAttributes));
  }
  size_t total = 0;
  for (const auto& [name, value] : attributes) {
    if (!IsValidName(name)) {
      return Invalid(fmt::format(
          "Message (user) attribute name '{}' is invalid. Attribute names can contain A-Z, a-z, "
          "0-9, underscore (_), hyphen (-) and period (.), can be at most 256 characters, must "
          "not start or end with a period or contain two periods in a row, and must not start "
          "with 'AWS.' or 'Amazon.'.",
          name));
    }
    Kind kind = KindOf(value.data_type);
    if (kind == Kind::kInvalid) {
      return Invalid(fmt::format(
          "The type of message (user) attribute '{}' is invalid. You must use only the following "
          "supported type prefixes: Binary, Number, String.",
          name));
    }
    const std::string& payload = kind == Kind::kBinary ? value.binary_value : value.string_value;
    if (payload.empty()) {
      return Invalid(fmt::format(
          "Message (user) attribute '{}' must contain a non-empty value of type '{}'.", name,
          kind == Kind::kBinary ? "Binary" : "String"));
    }
    if (kind == Kind::kNumber && !IsNumber(payload)) {
      return Invalid(fmt::format("Can't cast the value of message (user) attribute '{}' to a number.",
                                 name));
    }
    if (kind != Kind::kBinary && !IsValidMessageText(payload)) {
      return Invalid(fmt::format(
          "Message (user) attribute '{}' contains characters outside the allowed set.", name));
    }
    total += name.size() + value.data_type.size() + payload.size();
  }
  *size += total;
  return Status::Ok();
}

Status ValidateSystemAttributes(const MessageAttributeMap& attributes) {
  for (const auto& [name, value] : attributes) {
    if (name != "AWSTraceHeader") {
      return Invalid(fmt::format("Message system attribute name '{}' is invalid.", name));
    }
    if (value.data_type != "String") {
      return Invalid(fmt::format(
          "Message system attribute '{}' must have a data type of String.", name));
    }
    if (value.string_value.empty()) {
      return Invalid(fmt::format(
          "Message system attribute '{}' must contain a non-empty value of type 'String'.", name));
    }
  }
  return Status::Ok();
}

std::string EncodeMessageAttributes(const MessageAttributeMap& attributes) {
  std::string out;
  for (const auto& [name, value] : attributes) {
    bool binary = KindOf(value.data_type) == Kind::kBinary;
    PutLengthPrefixed(&out, name);
    PutLengthPrefixed(&out, value.data_type);
    out.push_back(binary ? 2 : 1);
    PutLengthPrefixed(&out, binary ? value.binary_value : value.string_value);
  }
  return out;
}

Result<MessageAttributeMap> DecodeMessageAttributes(std::string_view encoded) {
  MessageAttributeMap attributes;
  while (!encoded.empty()) {
    std::string_view name, data_type, payload;
    if (!GetLengthPrefixed(&encoded, &name) || !GetLengthPrefixed(&encoded, &data_type) ||
        encoded.empty()) {
      return Status(Code::kInternal, "corrupt stored message attributes");
    }
    char transport = encoded.front();
    encoded.remove_prefix(1);
    if ((transport != 1 && transport != 2) || !GetLengthPrefixed(&encoded, &payload)) {
      return Status(Code::kInternal, "corrupt stored message attributes");
    }
    MessageAttributeValue& value = attributes[std::string(name)];
    value.data_type = std::string(data_type);
    (transport == 2 ? value.binary_value : value.string_value) = std::string(payload);
  }
  return attributes;
}

std::string MessageAttributesMd5(const MessageAttributeMap& attributes) {
  if (attributes.empty()) return {};
  return Md5Hex(EncodeMessageAttributes(attributes));
}

MessageAttributeFilter::MessageAttributeFilter(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (name == "All" || name == ".*") {
      all_ = true;
    } else if (name.size() > 2 && name.compare(name.size() - 2, 2, ".*") == 0) {
      prefixes_.push_back(name.substr(0, name.size() - 1));
    } else {
      exact_.push_back(name);
    }
  }
}

bool MessageAttributeFilter::Matches(std::string_view name) const {
  if (all_) return true;
  for (const std::string& exact : exact_) {
    if (name == exact) return true;
  }
  for (const std::string& prefix : prefixes_) {
    if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

}  // namespace sluice::queue
