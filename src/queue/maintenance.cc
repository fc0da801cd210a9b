// Work no SQS request asks for: the retention sweep (timer-driven) and
// PeekMessages (admin API, `sluice dlq peek`). Deleting FIFO messages here
// refreshes their groups (fifo_groups.cc); the sweep also drops expired FIFO
// deduplication records and receive attempts.
#include <set>

#include "queue/engine_impl.h"
#include "queue/hot_sql.h"
#include "queue/message_attributes.h"
#include "queue/validate.h"

namespace sluice::queue {
// The expired messages of one queue, oldest first, by messages_by_age. They
// are then deleted one by one by primary key: a DELETE ... WHERE id IN
// (subquery) lets the planner pick a table scan once statistics exist.
const char kSelectExpired[] =
    "SELECT id FROM messages WHERE queue_id = ?1 AND sent_at <= ?2 ORDER BY sent_at LIMIT ?3";
// The same for a FIFO queue, with each message's group (to refresh).
constexpr const char kSelectExpiredFifo[] =
    "SELECT id, message_group_id FROM messages WHERE queue_id = ?1 AND sent_at <= ?2 "
    "ORDER BY sent_at LIMIT ?3";

namespace {

constexpr const char kDeleteMessage[] = "DELETE FROM messages WHERE id = ?1";
constexpr const char kPurgedSlice[] =
    "SELECT id, message_group_id, sequence_number IS NOT NULL FROM messages "
    "WHERE queue_id = ?1 AND id <= ?2 LIMIT ?3";
constexpr const char kPendingPurges[] = "SELECT id, purge_high_water_id FROM queues WHERE purge_high_water_id > 0";
constexpr const char kClearPurge[] = "UPDATE queues SET purge_high_water_id = 0 WHERE id = ?1";
// A deleted deep queue (QueueCatalog::Tombstone) goes once its messages are gone.
constexpr const char kDeleteTombstone[] = "DELETE FROM queues WHERE id = ?1 AND name >= char(127)";
constexpr const char kPeek[] =
    "SELECT message_id, body, attributes, sent_at, visible_at, receive_count, "
    "dead_letter_source_queue_id FROM messages WHERE queue_id = ?1 ORDER BY sent_at, id LIMIT ?2";

}  // namespace

Result<int> Engine::Impl::DeleteExpired(const QueueRow& queue, int64_t now, int limit) {
  // Expiry counts from the original send, also in a dead-letter queue (sent_at
  // survives the move), against the retention of the queue holding it now.
  const int64_t sent_before = now - int64_t{queue.settings.message_retention_period} * 1000;
  const bool fifo = queue.settings.fifo;
  std::vector<int64_t> expired;
  std::set<std::string> groups;  // FIFO groups that lost messages
  {
    storage::Statement select = db_.Prepare(fifo ? kSelectExpiredFifo : kSelectExpired);
    select.BindInt(queue.id).BindInt(sent_before).BindInt(limit);
    while (select.Step()) {
      expired.push_back(select.Int(0));
      if (fifo) groups.emplace(select.Text(1));
    }
    if (!select.ok()) return select.status();
  }
  for (int64_t id : expired) {
    storage::Statement erase = db_.Prepare(kDeleteMessage);
    erase.BindInt(id);
    SLUICE_RETURN_IF_ERROR(erase.Run());
  }
  for (const std::string& group : groups) SLUICE_RETURN_IF_ERROR(RefreshGroup(queue.id, group, now));
  return static_cast<int>(expired.size());
}

Result<int> Engine::Impl::DeletePurgedSlice(int64_t queue_id, int64_t high_water, int limit) {
  std::vector<int64_t> doomed;
  std::set<std::string> groups;  // FIFO groups (messages with a sequence number) that lost messages
  {
    storage::Statement select = db_.Prepare(kPurgedSlice);
    select.BindInt(queue_id).BindInt(high_water).BindInt(limit);
    while (select.Step()) {
      doomed.push_back(select.Int(0));
      if (select.Int(2) != 0) groups.emplace(select.Text(1));
    }
    if (!select.ok()) return select.status();
  }
  // One by one by primary key: a DELETE ... IN (subquery) was planned as a scan.
  for (int64_t id : doomed) {
    storage::Statement erase = db_.Prepare(kDeleteMessage);
    erase.BindInt(id);
    SLUICE_RETURN_IF_ERROR(erase.Run());
  }
  const int64_t now = clock_.NowMillis();
  for (const std::string& group : groups) SLUICE_RETURN_IF_ERROR(RefreshGroup(queue_id, group, now));
  return static_cast<int>(doomed.size());
}

Result<int> Engine::Impl::SweepExpired(int limit) {
  if (limit <= 0) return 0;
  int deleted = 0;
  // First what deep purges left behind, then expired messages.
  std::vector<std::pair<int64_t, int64_t>> purges;
  {
    storage::Statement pending = db_.Prepare(kPendingPurges);
    while (pending.Step()) purges.emplace_back(pending.Int(0), pending.Int(1));
    if (!pending.ok()) return pending.status();
  }
  for (const auto& [queue_id, high_water] : purges) {
    if (deleted >= limit) return deleted;
    const int requested = limit - deleted;
    Result<int> count = DeletePurgedSlice(queue_id, high_water, requested);
    if (!count.ok()) return count.status();
    deleted += *count;
    if (*count < requested) {  // nothing left below the high water
      storage::Statement done = db_.Prepare(kClearPurge);
      done.BindInt(queue_id);
      SLUICE_RETURN_IF_ERROR(done.Run());
      storage::Statement tombstone = db_.Prepare(kDeleteTombstone);
      tombstone.BindInt(queue_id);
      SLUICE_RETURN_IF_ERROR(tombstone.Run());
      catalog_.Forget();  // the row may have been cached by id
    }
  }
  const int64_t now = clock_.NowMillis();
  // Expired FIFO deduplication records and receive attempts.
  Result<int> records = SweepFifoRecords(now, limit - deleted);
  if (!records.ok()) return records.status();
  deleted += *records;
  Result<std::vector<int64_t>> ids = catalog_.AllIds();
  if (!ids.ok()) return ids.status();
  for (int64_t id : *ids) {
    if (deleted >= limit) break;
    Result<const QueueRow*> queue = catalog_.FindById(id);
    if (!queue.ok()) return queue.status();
    if (*queue == nullptr) continue;
    Result<int> count = DeleteExpired(**queue, now, limit - deleted);
    if (!count.ok()) return count.status();
    deleted += *count;
  }
  return deleted;
}

Result<PeekMessagesResult> Engine::Impl::PeekMessages(const PeekMessagesRequest& request) {
  SLUICE_RETURN_IF_ERROR(CheckRange("MaxMessages", request.max_messages, 1, 100));
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  std::vector<int64_t> source_ids;
  PeekMessagesResult result;
  {
    storage::Statement select = db_.Prepare(kPeek);
    select.BindInt((*queue)->id).BindInt(request.max_messages);
    while (select.Step()) {
      PeekedMessage& message = result.messages.emplace_back();
      message.message_id = select.Text(0);
      message.body = select.Blob(1);
      Result<MessageAttributeMap> attributes = DecodeMessageAttributes(select.Blob(2));
      if (!attributes.ok()) return attributes.status();
      message.message_attributes = std::move(attributes).value();
      message.sent_timestamp = select.Int(3);
      message.visible_at = select.Int(4);
      message.receive_count = static_cast<int>(select.Int(5));
      source_ids.push_back(select.IsNull(6) ? 0 : select.Int(6));
    }
    if (!select.ok()) return select.status();
  }
  for (size_t i = 0; i < source_ids.size(); ++i) {
    if (source_ids[i] == 0) continue;
    Result<const QueueRow*> source = catalog_.FindById(source_ids[i]);
    if (!source.ok()) return source.status();
    if (*source != nullptr) result.messages[i].dead_letter_source_queue = (*source)->name;
  }
  return result;
}

}  // namespace sluice::queue
