// ReceiveMessage: the oldest visible messages of a queue, by index.
//
// Each candidate (visible_at <= now, oldest first) is, in this order:
//   expired (sent_at + retention <= now)       -> deleted, look further
//   received maxReceiveCount times already and
//   the queue's dead-letter queue exists       -> moved there, look further
//   otherwise                                  -> delivered: in flight until
//                                                 now + visibility timeout
// so the caller sees only deliverable messages. The engine never waits: an
// empty result carries the wait time and the next visible_at for the long
// poller on the loop thread.
//
// System attribute names SQS defines only for FIFO queues, and names it does
// not define at all, select nothing (clients send AttributeNames lists
// written for any queue type).
#include <array>
#include <limits>

#include "queue/engine_impl.h"
#include "queue/hot_sql.h"
#include "queue/message_attributes.h"
#include "queue/random_ids.h"
#include "queue/receipt_handle.h"
#include "queue/validate.h"

namespace sluice::queue {

// The row-value cursor keeps the search on messages_by_visibility while
// skipping rows this receive already handled (a VisibilityTimeout of 0
// leaves a delivered message visible).
const char kSelectDeliverable[] =
    "SELECT id, visible_at, message_id, body, attributes, system_attributes, md5_body, "
    "md5_attributes, sent_at, receive_count, first_received_at, dead_letter_source_queue_id, "
    "sender_id FROM messages "
    "WHERE queue_id = ?1 AND visible_at <= ?2 AND (visible_at, id) > (?3, ?4) "
    "ORDER BY visible_at, id LIMIT ?5";

const char kNextVisibleAt[] =
    "SELECT MIN(visible_at) FROM messages WHERE queue_id = ?1 AND visible_at > ?2";

namespace {

constexpr const char kDeliver[] =
    "UPDATE messages SET visible_at = ?1, receive_count = receive_count + 1, "
    "first_received_at = CASE first_received_at WHEN 0 THEN ?2 ELSE first_received_at END, "
    "received_at = ?2, receipt_token = ?3 WHERE id = ?4";
// The receive count travels with the message (SQS: "received across all
// queues"), so an operator peeking at a DLQ sees how often it failed; a
// redrive (move_tasks.cc) resets it for a fresh set of attempts.
constexpr const char kMoveToDeadLetterQueue[] =
    "UPDATE messages SET queue_id = ?1, visible_at = ?2, "
    "received_at = 0, dead_letter_source_queue_id = ?3 WHERE id = ?4";
constexpr const char kDeleteMessage[] = "DELETE FROM messages WHERE id = ?1";

// Expired or dead-lettered rows one receive may clear before it returns what
// it has: bounds the work of a single call on a neglected queue.
constexpr int kMaxSkippedPerReceive = 1000;

constexpr std::array<std::string_view, 6> kSystemAttributeNames = {
    "SenderId",          "SentTimestamp",   "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp", "AWSTraceHeader", "DeadLetterQueueSourceArn",
};

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
};

// Which system attributes the request asked for.
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

}  // namespace

Result<ReceiveMessageResult> Engine::Impl::ReceiveMessage(const ReceiveMessageRequest& request) {
  Result<const QueueRow*> found = RequireQueue(request.queue_name);
  if (!found.ok()) return found.status();
  const QueueRow& queue = **found;
  const int max_messages = request.max_number_of_messages.value_or(1);
  const int visibility_timeout =
      request.visibility_timeout.value_or(queue.settings.visibility_timeout);
  const int wait_time_seconds =
      request.wait_time_seconds.value_or(queue.settings.receive_message_wait_time_seconds);
  SLUICE_RETURN_IF_ERROR(CheckRange("MaxNumberOfMessages", max_messages, 1, 10));
  SLUICE_RETURN_IF_ERROR(CheckRange("VisibilityTimeout", visibility_timeout, 0, 43200));
  SLUICE_RETURN_IF_ERROR(CheckRange("WaitTimeSeconds", wait_time_seconds, 0, 20));

  // A RedrivePolicy whose target was deleted since moves nothing: the
  // messages stay and keep being delivered, as in SQS.
  int64_t dead_letter_queue_id = 0;
  std::string dead_letter_queue_name;
  int max_receive_count = 0;
  if (const auto& redrive = queue.settings.redrive_policy) {
    Result<const QueueRow*> target = QueueByArn(redrive->dead_letter_target_arn);
    if (!target.ok()) return target.status();
    if (*target != nullptr && (*target)->id != queue.id) {
      dead_letter_queue_id = (*target)->id;
      dead_letter_queue_name = (*target)->name;
      max_receive_count = redrive->max_receive_count;
    }
  }

  const int64_t now = clock_.NowMillis();
  const int64_t retention_millis = int64_t{queue.settings.message_retention_period} * 1000;
  const SystemAttributeSelection system_selection(request.system_attribute_names);
  const MessageAttributeFilter attribute_filter(request.message_attribute_names);

  ReceiveMessageResult result;
  result.wait_time_seconds = wait_time_seconds;
  int64_t cursor_visible_at = std::numeric_limits<int64_t>::min();
  int64_t cursor_id = 0;
  int skipped = 0;
  while (static_cast<int>(result.messages.size()) < max_messages && skipped < kMaxSkippedPerReceive) {
    const int wanted = max_messages - static_cast<int>(result.messages.size());
    // Read the candidates first and write afterwards: updating rows of the
    // index a SELECT is walking would let it meet them again.
    std::vector<Candidate> candidates;
    {
      storage::Statement select = db_.Prepare(kSelectDeliverable);
      select.BindInt(queue.id).BindInt(now).BindInt(cursor_visible_at).BindInt(cursor_id);
      select.BindInt(wanted);
      while (select.Step()) {
        Candidate& c = candidates.emplace_back();
        c.id = select.Int(0);
        c.visible_at = select.Int(1);
        c.message_id = select.Text(2);
        c.body = select.Blob(3);
        c.attributes = select.Blob(4);
        c.system_attributes = select.Blob(5);
        c.md5_body = select.Text(6);
        c.md5_attributes = select.Text(7);
        c.sent_at = select.Int(8);
        c.receive_count = select.Int(9);
        c.first_received_at = select.Int(10);
        c.dead_letter_source_queue_id = select.IsNull(11) ? 0 : select.Int(11);
        c.sender_id = select.Text(12);
      }
      if (!select.ok()) return select.status();
    }

    for (Candidate& c : candidates) {
      cursor_visible_at = c.visible_at;
      cursor_id = c.id;
      if (c.sent_at + retention_millis <= now) {
        storage::Statement erase = db_.Prepare(kDeleteMessage);
        erase.BindInt(c.id);
        SLUICE_RETURN_IF_ERROR(erase.Run());
        ++skipped;
        continue;
      }
      if (dead_letter_queue_id != 0 && c.receive_count >= max_receive_count) {
        storage::Statement move = db_.Prepare(kMoveToDeadLetterQueue);
        move.BindInt(dead_letter_queue_id).BindInt(now).BindInt(queue.id).BindInt(c.id);
        SLUICE_RETURN_IF_ERROR(move.Run());
        result.moved_to_dead_letter_queue = dead_letter_queue_name;
        ++skipped;
        continue;
      }

      const int64_t receipt_token = NewReceiptToken();
      storage::Statement deliver = db_.Prepare(kDeliver);
      deliver.BindInt(now + int64_t{visibility_timeout} * 1000).BindInt(now);
      deliver.BindInt(receipt_token).BindInt(c.id);
      SLUICE_RETURN_IF_ERROR(deliver.Run());

      ReceivedMessage& message = result.messages.emplace_back();
      message.message_id = std::move(c.message_id);
      message.receipt_handle = EncodeReceiptHandle({c.id, receipt_token, queue.id});
      message.body = std::move(c.body);
      message.md5_of_body = std::move(c.md5_body);

      if (!c.attributes.empty() && !attribute_filter.selects_nothing()) {
        Result<MessageAttributeMap> attributes = DecodeMessageAttributes(c.attributes);
        if (!attributes.ok()) return attributes.status();
        if (attribute_filter.selects_all()) {
          message.message_attributes = std::move(attributes).value();
          message.md5_of_message_attributes = std::move(c.md5_attributes);
        } else {
          for (auto& [name, value] : *attributes) {
            if (attribute_filter.Matches(name)) message.message_attributes[name] = std::move(value);
          }
          message.md5_of_message_attributes = MessageAttributesMd5(message.message_attributes);
        }
      }

      AttributeMap& system = message.attributes;
      if (system_selection.Wants("SenderId")) system["SenderId"] = c.sender_id;
      if (system_selection.Wants("SentTimestamp")) system["SentTimestamp"] = std::to_string(c.sent_at);
      if (system_selection.Wants("ApproximateReceiveCount")) {
        system["ApproximateReceiveCount"] = std::to_string(c.receive_count + 1);
      }
      if (system_selection.Wants("ApproximateFirstReceiveTimestamp")) {
        system["ApproximateFirstReceiveTimestamp"] =
            std::to_string(c.first_received_at == 0 ? now : c.first_received_at);
      }
      if (system_selection.Wants("AWSTraceHeader") && !c.system_attributes.empty()) {
        Result<MessageAttributeMap> stored = DecodeMessageAttributes(c.system_attributes);
        if (!stored.ok()) return stored.status();
        auto trace = stored->find("AWSTraceHeader");
        if (trace != stored->end()) system["AWSTraceHeader"] = trace->second.string_value;
      }
      if (system_selection.Wants("DeadLetterQueueSourceArn") && c.dead_letter_source_queue_id != 0) {
        Result<const QueueRow*> source = catalog_.FindById(c.dead_letter_source_queue_id);
        if (!source.ok()) return source.status();
        if (*source != nullptr) system["DeadLetterQueueSourceArn"] = arns_.Of((*source)->name);
      }
    }
    if (static_cast<int>(candidates.size()) < wanted) break;  // nothing more is visible
  }

  if (static_cast<int>(result.messages.size()) < max_messages) {
    storage::Statement next = db_.Prepare(kNextVisibleAt);
    next.BindInt(queue.id).BindInt(now);
    if (next.Step() && !next.IsNull(0)) result.next_visible_at = next.Int(0);
    if (!next.ok()) return next.status();
  }
  return result;
}

}  // namespace sluice::queue
