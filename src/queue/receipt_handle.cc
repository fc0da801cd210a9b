#include "queue/receipt_handle.h"

#include <sodium.h>

#include "queue/random_ids.h"

namespace sluice::queue {
namespace {

constexpr unsigned char kVersion = 1;
constexpr size_t kPayloadSize = 1 + 8 * 4;  // version, id, token, queue, nonce
constexpr size_t kSize = kPayloadSize + crypto_shorthash_BYTES;

// Fixed, public: see the header. Changing it invalidates outstanding handles.
constexpr unsigned char kCheckKey[crypto_shorthash_KEYBYTES] = {
    's', 'l', 'u', 'i', 'c', 'e', '-', 'r', 'e', 'c', 'e', 'i', 'p', 't', '-', '1'};

void PutInt(unsigned char* out, int64_t value) {
  uint64_t bits = static_cast<uint64_t>(value);
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<unsigned char>(bits & 0xff);
    bits >>= 8;
  }
}

int64_t GetInt(const unsigned char* in) {
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | in[i];
  return static_cast<int64_t>(bits);
}

}  // namespace

std::string EncodeReceiptHandle(const ReceiptHandle& handle) {
  unsigned char bytes[kSize];
  bytes[0] = kVersion;
  PutInt(bytes + 1, handle.message_row_id);
  PutInt(bytes + 9, handle.receipt_token);
  PutInt(bytes + 17, handle.queue_id);
  RandomBytes(bytes + 25, 8);
  crypto_shorthash(bytes + kPayloadSize, bytes, kPayloadSize, kCheckKey);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), kSize));
}

std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text) {
  std::optional<std::string> decoded = Base64UrlDecode(text);
  if (!decoded || decoded->size() != kSize) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(decoded->data());
  if (bytes[0] != kVersion) return std::nullopt;
  unsigned char check[crypto_shorthash_BYTES];
  crypto_shorthash(check, bytes, kPayloadSize, kCheckKey);
  if (sodium_memcmp(check, bytes + kPayloadSize, sizeof(check)) != 0) return std::nullopt;
  ReceiptHandle handle;
  handle.message_row_id = GetInt(bytes + 1);
  handle.receipt_token = GetInt(bytes + 9);
  handle.queue_id = GetInt(bytes + 17);
  if (handle.message_row_id <= 0 || handle.receipt_token <= 0 || handle.queue_id <= 0) {
    return std::nullopt;
  }
  return handle;
}

}  // namespace sluice::queue
