// Random identifiers and the text encodings of opaque tokens (libsodium).
//
// Threads: any. libsodium is initialised on first use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::queue {

// A random (version 4) UUID in lowercase 8-4-4-4-12 form: SQS MessageIds.
std::string NewUuid();

// A random positive 63-bit number: the receipt_token of one receive.
int64_t NewReceiptToken();

// Fills `out` with `size` random bytes.
void RandomBytes(void* out, size_t size);

// URL-safe base64 without padding, and its strict inverse (nullopt on any
// character outside the alphabet, on padding, or on trailing bits).
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Standard base64 with padding, and its strict inverse.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace sluice::queue
