// Receipt handles: what a ReceiveMessage hands out and DeleteMessage /
// ChangeMessageVisibility take back. A handle names one receive of one
// message: (message row id, receipt_token of that receive, queue id).
//
// Text form: URL-safe base64 (no padding) of
//   version(1) | row id(8) | receipt token(8) | queue id(8) | nonce(8) | check(8)
// integers big-endian, the nonce random, the check a SipHash-2-4 of all that
// precedes it under a fixed key. The check is not a secret (anyone with the
// source can forge it); it makes garbage and truncated handles fail to
// decode instead of naming some other message.
//
// Threads: any (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::queue {

struct ReceiptHandle {
  int64_t message_row_id = 0;  // messages.id
  int64_t receipt_token = 0;   // messages.receipt_token at that receive
  int64_t queue_id = 0;        // queues.id the message was received from
};

std::string EncodeReceiptHandle(const ReceiptHandle& handle);

// nullopt unless `text` is exactly a handle EncodeReceiptHandle produced.
std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text);

}  // namespace sluice::queue
