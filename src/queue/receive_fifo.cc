// ReceiveMessage on a FIFO queue: group by group, head first.
//
// A group delivers only while none of its messages is in flight, and then
// only from its head, in sequence order, stopping at the first message that
// is not visible (a delayed one, or a later message in flight): strict
// order within a group. One receive may take several messages of one group
// and messages of several groups.
//
// The groups that may deliver now are found by index: fifo_groups holds,
// per group with messages, available_at = when it may deliver again (see
// storage/004_fifo.sql), and the receive walks
//   fifo_groups_by_availability (queue_id, available_at <= now, id)
// oldest-available first. Blocked groups are never read, however many there
// are and however deep their backlogs: a group costs one indexed read of its
// first few messages (messages_by_group) and a refresh of its row.
//
// ReceiveRequestAttemptId: a receive that delivered something records its
// deliveries under the attempt id for 5 minutes; a retry whose messages are
// all unmodified since (same receipt token and visible_at: not deleted, not
// received again, no visibility change) gets the same messages and receipt
// handles back, their visibility timeout restarted and their receive count
// unchanged. Otherwise the retry is a new receive, recorded under the id.
#include <set>
#include <limits>

#include "queue/engine_impl.h"
#include "queue/fifo.h"
#include "queue/hot_sql.h"

namespace sluice::queue {

const char kSelectAvailableGroups[] =
    "SELECT id, message_group_id, available_at FROM fifo_groups "
    "WHERE queue_id = ?1 AND available_at <= ?2 AND (available_at, id) > (?3, ?4) "
    "ORDER BY available_at, id LIMIT ?5";

namespace {

constexpr const char kSelectGroupMessages[] =
    "SELECT " SLUICE_CANDIDATE_COLUMNS " FROM messages "
    "WHERE queue_id = ?1 AND message_group_id = ?2 AND sequence_number > ?3 "
    "ORDER BY sequence_number LIMIT ?4";
constexpr const char kNextAvailableAt[] =
    "SELECT MIN(available_at) FROM fifo_groups WHERE queue_id = ?1 AND available_at > ?2";
constexpr const char kDeleteMessage[] = "DELETE FROM messages WHERE id = ?1";
constexpr const char kSelectAttempt[] =
    "SELECT deliveries FROM fifo_receive_attempts "
    "WHERE queue_id = ?1 AND attempt_id = ?2 AND expires_at > ?3";
constexpr const char kUpdateAttempt[] =
    "UPDATE fifo_receive_attempts SET deliveries = ?1 WHERE queue_id = ?2 AND attempt_id = ?3";
constexpr const char kSelectDelivered[] =
    "SELECT " SLUICE_CANDIDATE_COLUMNS " FROM messages WHERE id = ?1 AND queue_id = ?2";
constexpr const char kRestartVisibility[] = "UPDATE messages SET visible_at = ?1 WHERE id = ?2";

// As in receive.cc: bounds the expired or dead-lettered rows one receive clears.
constexpr int kMaxSkippedPerReceive = 1000;

}  // namespace

Status Engine::Impl::ReceiveFromGroup(const ReceivePlan& plan, const std::string& group_id,
                                      int wanted, int* skipped, ReceiveMessageResult* result,
                                      std::vector<Delivery>* deliveries) {
  const QueueRow& queue = *plan.queue;
  int delivered = 0;
  int64_t after_sequence = 0;
  bool blocked = false;
  while (!blocked && delivered < wanted && *skipped < kMaxSkippedPerReceive) {
    const int batch = wanted - delivered;
    std::vector<Candidate> candidates;
    {
      storage::Statement select = db_.Prepare(kSelectGroupMessages);
      select.BindInt(queue.id).BindText(group_id).BindInt(after_sequence).BindInt(batch);
      while (select.Step()) candidates.push_back(ReadCandidate(select));
      if (!select.ok()) return select.status();
    }
    for (Candidate& c : candidates) {
      after_sequence = c.sequence_number;
      if (c.visible_at > plan.now) {  // delayed, or in flight: the order stops here
        blocked = true;
        break;
      }
      if (c.sent_at + plan.retention_millis <= plan.now) {
        storage::Statement erase = db_.Prepare(kDeleteMessage);
        erase.BindInt(c.id);
        SLUICE_RETURN_IF_ERROR(erase.Run());
        ++*skipped;
        continue;
      }
      if (plan.dead_letter_queue != nullptr && c.receive_count >= plan.max_receive_count) {
        // The head goes to the DLQ and the group moves on to the next message.
        SLUICE_RETURN_IF_ERROR(MoveToDeadLetterQueue(plan, c));
        result->moved_to_dead_letter_queue = plan.dead_letter_queue->name;
        ++*skipped;
        continue;
      }
      SLUICE_RETURN_IF_ERROR(DeliverCandidate(plan, c, result, deliveries));
      ++delivered;
    }
    if (static_cast<int>(candidates.size()) < batch) break;  // the group has no more
  }
  return RefreshGroup(queue.id, group_id, plan.now);
}

Status Engine::Impl::ReceiveFifo(const ReceivePlan& plan, ReceiveMessageResult* result,
                                 std::vector<Delivery>* deliveries) {
  const QueueRow& queue = *plan.queue;
  int64_t cursor_available_at = std::numeric_limits<int64_t>::min();
  int64_t cursor_id = 0;
  int skipped = 0;
  // A group delivered with VisibilityTimeout 0 stays available and may come
  // up again in this walk: one visit per group and receive.
  std::set<int64_t> visited;
  auto remaining = [&] { return plan.max_messages - static_cast<int>(result->messages.size()); };
  while (remaining() > 0 && skipped < kMaxSkippedPerReceive) {
    const int wanted = remaining();
    // Read the groups first and write afterwards, as receive.cc does.
    std::vector<std::pair<int64_t, std::string>> groups;
    {
      storage::Statement select = db_.Prepare(kSelectAvailableGroups);
      select.BindInt(queue.id).BindInt(plan.now).BindInt(cursor_available_at).BindInt(cursor_id);
      select.BindInt(wanted);
      while (select.Step()) {
        cursor_available_at = select.Int(2);
        cursor_id = select.Int(0);
        groups.emplace_back(select.Int(0), std::string(select.Text(1)));
      }
      if (!select.ok()) return select.status();
    }
    for (const auto& [group_row, group_id] : groups) {
      if (remaining() == 0 || skipped >= kMaxSkippedPerReceive) break;
      if (!visited.insert(group_row).second) continue;
      SLUICE_RETURN_IF_ERROR(
          ReceiveFromGroup(plan, group_id, remaining(), &skipped, result, deliveries));
    }
    if (static_cast<int>(groups.size()) < wanted) break;  // no other group is available
  }

  if (remaining() > 0) {
    // Parked receivers look again when the next group becomes available (a
    // delay or a visibility timeout ending); deletes wake them through the
    // action table.
    storage::Statement next = db_.Prepare(kNextAvailableAt);
    next.BindInt(queue.id).BindInt(plan.now);
    if (next.Step() && !next.IsNull(0)) result->next_visible_at = next.Int(0);
    if (!next.ok()) return next.status();
  }
  return Status::Ok();
}

Result<bool> Engine::Impl::ReplayReceiveAttempt(const ReceivePlan& plan,
                                                const std::string& attempt_id,
                                                ReceiveMessageResult* result) {
  const QueueRow& queue = *plan.queue;
  std::optional<std::vector<Delivery>> deliveries;
  {
    storage::Statement select = db_.Prepare(kSelectAttempt);
    select.BindInt(queue.id).BindText(attempt_id).BindInt(plan.now);
    if (select.Step()) deliveries = DecodeDeliveries(select.Text(0));
    if (!select.ok()) return select.status();
  }
  if (!deliveries || deliveries->empty()) return false;

  std::vector<Candidate> candidates;
  for (const Delivery& delivery : *deliveries) {
    storage::Statement select = db_.Prepare(kSelectDelivered);
    select.BindInt(delivery.message_row_id).BindInt(queue.id);
    bool exists = select.Step();
    if (!select.ok()) return select.status();
    if (!exists) return false;  // deleted, expired or moved since
    Candidate c = ReadCandidate(select);
    if (c.receipt_token != delivery.receipt_token || c.visible_at != delivery.visible_at) {
      return false;  // received again, or its visibility changed
    }
    candidates.push_back(std::move(c));
  }

  const int64_t visible_at = plan.now + int64_t{plan.visibility_timeout} * 1000;
  std::set<std::string> groups;
  for (size_t i = 0; i < candidates.size(); ++i) {
    Candidate& c = candidates[i];
    Delivery& delivery = (*deliveries)[i];
    storage::Statement restart = db_.Prepare(kRestartVisibility);
    restart.BindInt(visible_at).BindInt(c.id);
    SLUICE_RETURN_IF_ERROR(restart.Run());
    delivery.visible_at = visible_at;
    groups.insert(c.message_group_id);
    // Same receive, same count: the retry is not another delivery.
    Result<ReceivedMessage> message =
        BuildReceived(plan, c, delivery.receipt_handle, c.receive_count);
    if (!message.ok()) return message.status();
    result->messages.push_back(std::move(message).value());
  }
  for (const std::string& group : groups) {
    SLUICE_RETURN_IF_ERROR(RefreshGroup(queue.id, group, plan.now));
  }
  storage::Statement update = db_.Prepare(kUpdateAttempt);
  update.BindText(EncodeDeliveries(*deliveries)).BindInt(queue.id).BindText(attempt_id);
  SLUICE_RETURN_IF_ERROR(update.Run());
  return true;
}

}  // namespace sluice::queue
