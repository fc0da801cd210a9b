#include "queue/random_ids.h"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

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

// randombytes_buf costs a getrandom(2) system call per call, which showed up
// as a tenth of the CPU of a SendMessage (one UUID, one request id, one
// receipt token each). Each thread instead runs its own ChaCha20 keystream,
// keyed once from the kernel and consumed a block at a time: the same
// generator libsodium uses, without the system call.
void RandomBytes(void* out, size_t size) {
  struct Stream {
    unsigned char key[crypto_stream_chacha20_KEYBYTES];
    uint64_t nonce = 0;
    unsigned char block[1024];
    size_t used = sizeof(block);
  };
  thread_local Stream stream = [] {
    EnsureSodium();
    Stream fresh;
    randombytes_buf(fresh.key, sizeof(fresh.key));
    return fresh;
  }();
  auto* target = static_cast<unsigned char*>(out);
  while (size > 0) {
    if (stream.used == sizeof(stream.block)) {
      unsigned char nonce[crypto_stream_chacha20_NONCEBYTES] = {};
      uint64_t counter = stream.nonce++;
      std::memcpy(nonce, &counter, sizeof(counter));
      crypto_stream_chacha20(stream.block, sizeof(stream.block), nonce, stream.key);
      stream.used = 0;
    }
    size_t take = std::min(size, sizeof(stream.block) - stream.used);
    std::memcpy(target, stream.block + stream.used, take);
    sodium_memzero(stream.block + stream.used, take);
    stream.used += take;
    target += take;
    size -= take;
  }
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
