#include "queue/fifo.h"

#include <charconv>

#include <fmt/format.h>
#include <sodium.h>

namespace sluice::queue {
namespace {

bool ParseInt64(std::string_view text, int64_t* out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::string FormatSequenceNumber(int64_t n) { return fmt::format("1{:019d}", n); }

std::string ContentDeduplicationId(std::string_view body) {
  static const int initialised = sodium_init();  // idempotent; once per process
  (void)initialised;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * sizeof digest);
  for (unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  return hex;
}

std::string EncodeDeliveries(const std::vector<Delivery>& deliveries) {
  std::string text;
  for (const Delivery& delivery : deliveries) {
    text += fmt::format("{} {} {} {}\n", delivery.message_row_id, delivery.receipt_token,
                        delivery.visible_at, delivery.receipt_handle);
  }
  return text;
}

std::optional<std::vector<Delivery>> DecodeDeliveries(std::string_view text) {
  std::vector<Delivery> deliveries;
  while (!text.empty()) {
    size_t end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    Delivery& delivery = deliveries.emplace_back();
    int64_t* numbers[] = {&delivery.message_row_id, &delivery.receipt_token, &delivery.visible_at};
    for (int64_t* number : numbers) {
      size_t space = line.find(' ');
      if (space == std::string_view::npos || !ParseInt64(line.substr(0, space), number)) {
        return std::nullopt;
      }
      line.remove_prefix(space + 1);
    }
    if (line.empty()) return std::nullopt;
    delivery.receipt_handle = std::string(line);
  }
  return deliveries;
}

}  // namespace sluice::queue
