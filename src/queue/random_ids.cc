#include "queue/random_ids.h"

#include <sodium.h>

namespace sluice::queue {
namespace {

void EnsureSodium() {
  // sodium_init is idempotent and thread-safe; the static makes it run once
  // per process on the fast path. A failure (-1) leaves randombytes usable
  // with its default implementation, so there is nothing else to do.
  static const int initialised = sodium_init();
  (void)initialised;
}

std::string Encode(std::string_view bytes, int variant) {
  EnsureSodium();
  std::string text(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

std::optional<std::string> Decode(std::string_view text, int variant) {
  EnsureSodium();
  std::string bytes(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &length, &end, variant) != 0) {
    return std::nullopt;
  }
  if (end != text.data() + text.size()) return std::nullopt;  // stopped early
  bytes.resize(length);
  return bytes;
}

}  // namespace

void RandomBytes(void* out, size_t size) {
  EnsureSodium();
  randombytes_buf(out, size);
}

std::string NewUuid() {
  unsigned char bytes[16];
  RandomBytes(bytes, sizeof(bytes));
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static const char kHex[] = "0123456789abcdef";
  std::string uuid;
  uuid.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid.push_back('-');
    uuid.push_back(kHex[bytes[i] >> 4]);
    uuid.push_back(kHex[bytes[i] & 0xf]);
  }
  return uuid;
}

int64_t NewReceiptToken() {
  uint64_t value = 0;
  while (value == 0) {  // 0 is the column default: "never received"
    RandomBytes(&value, sizeof(value));
    value &= 0x7fffffffffffffffULL;
  }
  return static_cast<int64_t>(value);
}

std::string Base64UrlEncode(std::string_view bytes) {
  return Encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  return Decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string Base64Encode(std::string_view bytes) {
  return Encode(bytes, sodium_base64_VARIANT_ORIGINAL);
}

std::optional<std::string> Base64Decode(std::string_view text) {
  return Decode(text, sodium_base64_VARIANT_ORIGINAL);
}

}  // namespace sluice::queue
