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
// poller on the loop thread. A FIFO queue picks its candidates group by
// group instead (receive_fifo.cc); the steps on each candidate are these.
//
// System attribute names SQS defines only for FIFO queues select nothing on
// a standard queue's message that lacks them, and names it does not define
// at all select nothing (clients send AttributeNames lists written for any
// queue type).
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
    "SELECT " SLUICE_CANDIDATE_COLUMNS " FROM messages "
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
// Into a FIFO dead-letter queue the message arrives as SQS documents it: its
// deduplication id becomes its message id (two messages that shared one
// must both be kept), its enqueue time restarts (retention counts from the
// move), and it takes the DLQ's next sequence number.
constexpr const char kMoveToFifoDeadLetterQueue[] =
    "UPDATE messages SET queue_id = ?1, visible_at = ?2, sent_at = ?2, received_at = 0, "
    "dead_letter_source_queue_id = ?3, deduplication_id = message_id, sequence_number = ?4 "
    "WHERE id = ?5";
constexpr const char kDeleteMessage[] = "DELETE FROM messages WHERE id = ?1";

// Expired or dead-lettered rows one receive may clear before it returns what
// it has: bounds the work of a single call on a neglected queue.
constexpr int kMaxSkippedPerReceive = 1000;

}  // namespace

Candidate ReadCandidate(const storage::Statement& row) {
  Candidate c;
  c.id = row.Int(0);
  c.visible_at = row.Int(1);
  c.message_id = row.Text(2);
  c.body = row.Blob(3);
  c.attributes = row.Blob(4);
  c.system_attributes = row.Blob(5);
  c.md5_body = row.Text(6);
  c.md5_attributes = row.Text(7);
  c.sent_at = row.Int(8);
  c.receive_count = row.Int(9);
  c.first_received_at = row.Int(10);
  c.dead_letter_source_queue_id = row.IsNull(11) ? 0 : row.Int(11);
  c.sender_id = row.Text(12);
  c.message_group_id = row.Text(13);
  c.deduplication_id = row.Text(14);
  c.sequence_number = row.IsNull(15) ? 0 : row.Int(15);
  c.receipt_token = row.Int(16);
  return c;
}

Result<ReceivedMessage> Engine::Impl::BuildReceived(const ReceivePlan& plan, Candidate& c,
                                                    std::string receipt_handle,
                                                    int64_t receive_count) {
  ReceivedMessage message;
  message.message_id = std::move(c.message_id);
  message.receipt_handle = std::move(receipt_handle);
  message.body = std::move(c.body);
  message.md5_of_body = std::move(c.md5_body);

  const MessageAttributeFilter& filter = plan.attribute_filter;
  if (!c.attributes.empty() && !filter.selects_nothing()) {
    Result<MessageAttributeMap> attributes = DecodeMessageAttributes(c.attributes);
    if (!attributes.ok()) return attributes.status();
    if (filter.selects_all()) {
      message.message_attributes = std::move(attributes).value();
      message.md5_of_message_attributes = std::move(c.md5_attributes);
    } else {
      for (auto& [name, value] : *attributes) {
        if (filter.Matches(name)) message.message_attributes[name] = std::move(value);
      }
      message.md5_of_message_attributes = MessageAttributesMd5(message.message_attributes);
    }
  }

  const SystemAttributeSelection& wanted = plan.system_selection;
  AttributeMap& system = message.attributes;
  if (wanted.Wants("SenderId")) system["SenderId"] = c.sender_id;
  if (wanted.Wants("SentTimestamp")) system["SentTimestamp"] = std::to_string(c.sent_at);
  if (wanted.Wants("ApproximateReceiveCount")) {
    system["ApproximateReceiveCount"] = std::to_string(receive_count);
  }
  if (wanted.Wants("ApproximateFirstReceiveTimestamp")) {
    system["ApproximateFirstReceiveTimestamp"] =
        std::to_string(c.first_received_at == 0 ? plan.now : c.first_received_at);
  }
  if (wanted.Wants("AWSTraceHeader") && !c.system_attributes.empty()) {
    Result<MessageAttributeMap> stored = DecodeMessageAttributes(c.system_attributes);
    if (!stored.ok()) return stored.status();
    auto trace = stored->find("AWSTraceHeader");
    if (trace != stored->end()) system["AWSTraceHeader"] = trace->second.string_value;
  }
  if (wanted.Wants("DeadLetterQueueSourceArn") && c.dead_letter_source_queue_id != 0) {
    Result<const QueueRow*> source = catalog_.FindById(c.dead_letter_source_queue_id);
    if (!source.ok()) return source.status();
    if (*source != nullptr) system["DeadLetterQueueSourceArn"] = arns_.Of((*source)->name);
  }
  if (wanted.Wants("MessageGroupId") && !c.message_group_id.empty()) {
    system["MessageGroupId"] = c.message_group_id;
  }
  if (wanted.Wants("MessageDeduplicationId") && !c.deduplication_id.empty()) {
    system["MessageDeduplicationId"] = c.deduplication_id;
  }
  if (wanted.Wants("SequenceNumber") && c.sequence_number != 0) {
    system["SequenceNumber"] = FormatSequenceNumber(c.sequence_number);
  }
  return message;
}

Status Engine::Impl::DeliverCandidate(const ReceivePlan& plan, Candidate& c,
                                      ReceiveMessageResult* result,
                                      std::vector<Delivery>* deliveries) {
  const int64_t receipt_token = NewReceiptToken();
  const int64_t visible_at = plan.now + int64_t{plan.visibility_timeout} * 1000;
  storage::Statement deliver = db_.Prepare(kDeliver);
  deliver.BindInt(visible_at).BindInt(plan.now).BindInt(receipt_token).BindInt(c.id);
  SLUICE_RETURN_IF_ERROR(deliver.Run());
  std::string handle = EncodeReceiptHandle({c.id, receipt_token, plan.queue->id});
  if (deliveries != nullptr) deliveries->push_back({c.id, receipt_token, visible_at, handle});
  Result<ReceivedMessage> message = BuildReceived(plan, c, std::move(handle), c.receive_count + 1);
  if (!message.ok()) return message.status();
  result->messages.push_back(std::move(message).value());
  return Status::Ok();
}

Status Engine::Impl::MoveToDeadLetterQueue(const ReceivePlan& plan, const Candidate& c) {
  const QueueRow& target = *plan.dead_letter_queue;
  if (!target.settings.fifo) {
    storage::Statement move = db_.Prepare(kMoveToDeadLetterQueue);
    move.BindInt(target.id).BindInt(plan.now).BindInt(plan.queue->id).BindInt(c.id);
    return move.Run();
  }
  // A FIFO queue's dead-letter queue is a FIFO queue (CheckRedriveTarget).
  Result<int64_t> sequence = NextSequenceNumber(target.id);
  if (!sequence.ok()) return sequence.status();
  storage::Statement move = db_.Prepare(kMoveToFifoDeadLetterQueue);
  move.BindInt(target.id).BindInt(plan.now).BindInt(plan.queue->id).BindInt(*sequence);
  move.BindInt(c.id);
  SLUICE_RETURN_IF_ERROR(move.Run());
  return AddToGroup(target.id, c.message_group_id, plan.now);
}

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
  // The attempt id applies only to FIFO queues; a standard queue ignores it.
  const std::string& attempt_id = request.receive_request_attempt_id;
  if (queue.settings.fifo && !attempt_id.empty() && !IsValidFifoToken(attempt_id)) {
    return InvalidParameter("ReceiveRequestAttemptId", attempt_id,
                            "ReceiveRequestAttemptId can only include alphanumeric and punctuation "
                            "characters. 1 to 128 in length.");
  }

  ReceivePlan plan{.queue = &queue,
                   .max_messages = max_messages,
                   .visibility_timeout = visibility_timeout,
                   .now = clock_.NowMillis(),
                   .retention_millis = int64_t{queue.settings.message_retention_period} * 1000,
                   .system_selection = SystemAttributeSelection(request.system_attribute_names),
                   .attribute_filter = MessageAttributeFilter(request.message_attribute_names)};
  // A RedrivePolicy whose target was deleted since moves nothing: the
  // messages stay and keep being delivered, as in SQS.
  if (const auto& redrive = queue.settings.redrive_policy) {
    Result<const QueueRow*> target = QueueByArn(redrive->dead_letter_target_arn);
    if (!target.ok()) return target.status();
    if (*target != nullptr && (*target)->id != queue.id &&
        (*target)->settings.fifo == queue.settings.fifo) {
      plan.dead_letter_queue = *target;
      plan.max_receive_count = redrive->max_receive_count;
    }
  }
  // Looking the target up may have refilled the catalog: `queue` still
  // points at a live row (FindByName never evicts what it does not replace).

  ReceiveMessageResult result;
  result.wait_time_seconds = wait_time_seconds;
  if (queue.settings.fifo) {
    if (!attempt_id.empty()) {
      Result<bool> replayed = ReplayReceiveAttempt(plan, attempt_id, &result);
      if (!replayed.ok()) return replayed.status();
      if (*replayed) return result;
    }
    std::vector<Delivery> deliveries;
    SLUICE_RETURN_IF_ERROR(ReceiveFifo(plan, &result, &deliveries));
    if (!attempt_id.empty() && !deliveries.empty()) {
      SLUICE_RETURN_IF_ERROR(RecordReceiveAttempt(queue.id, attempt_id, deliveries,
                                                  plan.now + kReceiveAttemptMillis));
    }
  } else {
    int64_t cursor_visible_at = std::numeric_limits<int64_t>::min();
    int64_t cursor_id = 0;
    int skipped = 0;
    while (static_cast<int>(result.messages.size()) < max_messages &&
           skipped < kMaxSkippedPerReceive) {
      const int wanted = max_messages - static_cast<int>(result.messages.size());
      // Read the candidates first and write afterwards: updating rows of the
      // index a SELECT is walking would let it meet them again.
      std::vector<Candidate> candidates;
      {
        storage::Statement select = db_.Prepare(kSelectDeliverable);
        select.BindInt(queue.id).BindInt(plan.now).BindInt(cursor_visible_at).BindInt(cursor_id);
        select.BindInt(wanted);
        while (select.Step()) candidates.push_back(ReadCandidate(select));
        if (!select.ok()) return select.status();
      }
      for (Candidate& c : candidates) {
        cursor_visible_at = c.visible_at;
        cursor_id = c.id;
        if (c.sent_at + plan.retention_millis <= plan.now) {
          storage::Statement erase = db_.Prepare(kDeleteMessage);
          erase.BindInt(c.id);
          SLUICE_RETURN_IF_ERROR(erase.Run());
          ++skipped;
          continue;
        }
        if (plan.dead_letter_queue != nullptr && c.receive_count >= plan.max_receive_count) {
          SLUICE_RETURN_IF_ERROR(MoveToDeadLetterQueue(plan, c));
          result.moved_to_dead_letter_queue = plan.dead_letter_queue->name;
          ++skipped;
          continue;
        }
        SLUICE_RETURN_IF_ERROR(DeliverCandidate(plan, c, &result, nullptr));
      }
      if (static_cast<int>(candidates.size()) < wanted) break;  // nothing more is visible
    }
  }

  if (static_cast<int>(result.messages.size()) < max_messages && !queue.settings.fifo) {
    storage::Statement next = db_.Prepare(kNextVisibleAt);
    next.BindInt(queue.id).BindInt(plan.now);
    if (next.Step() && !next.IsNull(0)) result.next_visible_at = next.Int(0);
    if (!next.ok()) return next.status();
  }
  return result;
}

}  // namespace sluice::queue
