// What the standard and FIFO receive paths share (receive.cc,
// receive_fifo.cc): the resolved request, a candidate message row, and the
// selection of system attributes.
//
// Threads: the storage thread only (plain values otherwise).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "queue/fifo.h"
#include "queue/message_attributes.h"
#include "sluice/storage/statement_cache.h"

namespace sluice::queue {

struct QueueRow;

// The system attributes ReceiveMessage can return. The last three exist on
// FIFO queues (MessageGroupId also on a standard queue's message sent with
// one: SQS fair queues); a message without the value omits the attribute.
constexpr std::array<std::string_view, 9> kSystemAttributeNames = {
    "SenderId",          "SentTimestamp",   "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp", "AWSTraceHeader", "DeadLetterQueueSourceArn",
    "MessageGroupId",    "MessageDeduplicationId", "SequenceNumber",
};

// Which system attributes a request asked for ("All" is every one; unknown
// names select nothing: clients send lists written for any queue type).
class SystemAttributeSelection {
 public:
  explicit SystemAttributeSelection(const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      if (name == "All") {
        wanted_.fill(true);
        continue;
      }
      for (size_t i = 0; i < kSystemAttributeNames.size(); ++i) {
        if (name == kSystemAttributeNames[i]) wanted_[i] = true;
      }
    }
  }
  bool Wants(std::string_view name) const {
    for (size_t i = 0; i < kSystemAttributeNames.size(); ++i) {
      if (name == kSystemAttributeNames[i]) return wanted_[i];
    }
    return false;
  }

 private:
  std::array<bool, kSystemAttributeNames.size()> wanted_{};
};

// One ReceiveMessage, resolved against its queue.
struct ReceivePlan {
  const QueueRow* queue = nullptr;
  int max_messages = 1;
  int visibility_timeout = 30;
  int64_t now = 0;
  int64_t retention_millis = 0;
  // The dead-letter queue messages move to after max_receive_count
  // receives; nullptr when the queue has none (or its target is gone).
  const QueueRow* dead_letter_queue = nullptr;
  int max_receive_count = 0;
  SystemAttributeSelection system_selection;
  MessageAttributeFilter attribute_filter;
};

// A message row a receive considers.
struct Candidate {
  int64_t id = 0;
  int64_t visible_at = 0;
  std::string message_id;
  std::string body;
  std::string attributes;
  std::string system_attributes;
  std::string md5_body;
  std::string md5_attributes;
  int64_t sent_at = 0;
  int64_t receive_count = 0;
  int64_t first_received_at = 0;
  int64_t dead_letter_source_queue_id = 0;  // 0: none
  std::string sender_id;
  std::string message_group_id;   // "" : none
  std::string deduplication_id;   // "" : none (standard queues)
  int64_t sequence_number = 0;    // 0 : none (standard queues)
  int64_t receipt_token = 0;
};

// The columns every candidate SELECT lists first, in Candidate's order.
#define SLUICE_CANDIDATE_COLUMNS                                                              \
  "id, visible_at, message_id, body, attributes, system_attributes, md5_body, md5_attributes, " \
  "sent_at, receive_count, first_received_at, dead_letter_source_queue_id, sender_id, "         \
  "message_group_id, deduplication_id, sequence_number, receipt_token"

// The candidate in the current row of a SELECT SLUICE_CANDIDATE_COLUMNS ...
Candidate ReadCandidate(const storage::Statement& row);

}  // namespace sluice::queue
