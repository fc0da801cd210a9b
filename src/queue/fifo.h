// Pure helpers of FIFO queues: sequence number text, content-based
// deduplication ids, and the stored form of a receive attempt's deliveries.
// The state they describe lives in storage/004_fifo.sql.
//
// Threads: any (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::queue {

// SQS's deduplication interval, and how long a ReceiveRequestAttemptId can
// be retried: both 5 minutes from the first call.
constexpr int64_t kDeduplicationIntervalMillis = 5 * 60 * 1000;
constexpr int64_t kReceiveAttemptMillis = 5 * 60 * 1000;

// The SequenceNumber text of sequence `n` (>= 1): 20 decimal digits, "1"
// then `n` zero-padded to 19, so numbers of one queue grow both as numbers
// and as strings, and look like SQS's.
std::string FormatSequenceNumber(int64_t n);

// The MessageDeduplicationId ContentBasedDeduplication gives a message: the
// SHA-256 of its body, in lowercase hex.
std::string ContentDeduplicationId(std::string_view body);

// What a send that turned out to be a duplicate answers with.
struct DeduplicationRecord {
  std::string message_id;
  int64_t sequence_number = 0;
};

// One message a receive delivered, as a receive attempt remembers it.
struct Delivery {
  int64_t message_row_id = 0;
  int64_t receipt_token = 0;
  int64_t visible_at = 0;
  std::string receipt_handle;
};

// fifo_receive_attempts.deliveries: one "<row> <token> <visible_at> <handle>"
// line per delivery. Decode returns nullopt for text Encode did not write.
std::string EncodeDeliveries(const std::vector<Delivery>& deliveries);
std::optional<std::vector<Delivery>> DecodeDeliveries(std::string_view text);

}  // namespace sluice::queue
