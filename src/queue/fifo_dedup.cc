// FIFO deduplication records (fifo_deduplication) and receive attempts
// (fifo_receive_attempts): lookups, writes, and their expiry sweep.
//
// A record is written in the savepoint of the send it guards (send.cc), so
// after any crash there is never a record without the message it names
// having been enqueued, nor a second message for a duplicate that was
// acknowledged. Expired rows count as absent; the sweep deletes them in
// bounded slices, by the expiry indexes.
#include "queue/engine_impl.h"
#include "queue/hot_sql.h"

namespace sluice::queue {

const char kSelectDuplicate[] =
    "SELECT message_id, sequence_number FROM fifo_deduplication "
    "WHERE queue_id = ?1 AND scope = ?2 AND deduplication_id = ?3 AND expires_at > ?4";

namespace {

// Replaces an expired record of the same id.
constexpr const char kRecordDuplicate[] =
    "INSERT OR REPLACE INTO fifo_deduplication(queue_id, scope, deduplication_id, message_id, "
    "sequence_number, expires_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char kRecordAttempt[] =
    "INSERT OR REPLACE INTO fifo_receive_attempts(queue_id, attempt_id, deliveries, expires_at) "
    "VALUES(?1, ?2, ?3, ?4)";
constexpr const char kSelectExpiredDuplicates[] =
    "SELECT queue_id, scope, deduplication_id FROM fifo_deduplication WHERE expires_at <= ?1 "
    "ORDER BY expires_at LIMIT ?2";
constexpr const char kDeleteDuplicate[] =
    "DELETE FROM fifo_deduplication WHERE queue_id = ?1 AND scope = ?2 AND deduplication_id = ?3";
constexpr const char kSelectExpiredAttempts[] =
    "SELECT queue_id, attempt_id FROM fifo_receive_attempts WHERE expires_at <= ?1 "
    "ORDER BY expires_at LIMIT ?2";
constexpr const char kDeleteAttempt[] =
    "DELETE FROM fifo_receive_attempts WHERE queue_id = ?1 AND attempt_id = ?2";

}  // namespace

Result<std::optional<DeduplicationRecord>> Engine::Impl::FindDuplicate(
    int64_t queue_id, std::string_view scope, std::string_view deduplication_id, int64_t now) {
  storage::Statement select = db_.Prepare(kSelectDuplicate);
  select.BindInt(queue_id).BindText(scope).BindText(deduplication_id).BindInt(now);
  std::optional<DeduplicationRecord> record;
  if (select.Step()) record = DeduplicationRecord{std::string(select.Text(0)), select.Int(1)};
  if (!select.ok()) return select.status();
  return record;
}

Status Engine::Impl::RecordDeduplication(int64_t queue_id, std::string_view scope,
                                         std::string_view deduplication_id,
                                         const DeduplicationRecord& record, int64_t now) {
  storage::Statement insert = db_.Prepare(kRecordDuplicate);
  insert.BindInt(queue_id).BindText(scope).BindText(deduplication_id).BindText(record.message_id);
  insert.BindInt(record.sequence_number).BindInt(now + kDeduplicationIntervalMillis);
  return insert.Run();
}

Status Engine::Impl::RecordReceiveAttempt(int64_t queue_id, const std::string& attempt_id,
                                          const std::vector<Delivery>& deliveries,
                                          int64_t expires_at) {
  storage::Statement insert = db_.Prepare(kRecordAttempt);
  insert.BindInt(queue_id).BindText(attempt_id).BindText(EncodeDeliveries(deliveries));
  insert.BindInt(expires_at);
  return insert.Run();
}

Result<int> Engine::Impl::SweepFifoRecords(int64_t now, int limit) {
  int deleted = 0;
  struct Key {
    int64_t queue_id;
    std::string first;
    std::string second;
  };
  std::vector<Key> keys;
  {
    storage::Statement select = db_.Prepare(kSelectExpiredDuplicates);
    select.BindInt(now).BindInt(limit);
    while (select.Step()) {
      keys.push_back({select.Int(0), std::string(select.Text(1)), std::string(select.Text(2))});
    }
    if (!select.ok()) return select.status();
  }
  for (const Key& key : keys) {
    storage::Statement erase = db_.Prepare(kDeleteDuplicate);
    erase.BindInt(key.queue_id).BindText(key.first).BindText(key.second);
    SLUICE_RETURN_IF_ERROR(erase.Run());
  }
  deleted += static_cast<int>(keys.size());
  if (deleted >= limit) return deleted;
  keys.clear();
  {
    storage::Statement select = db_.Prepare(kSelectExpiredAttempts);
    select.BindInt(now).BindInt(limit - deleted);
    while (select.Step()) keys.push_back({select.Int(0), std::string(select.Text(1)), ""});
    if (!select.ok()) return select.status();
  }
  for (const Key& key : keys) {
    storage::Statement erase = db_.Prepare(kDeleteAttempt);
    erase.BindInt(key.queue_id).BindText(key.first);
    SLUICE_RETURN_IF_ERROR(erase.Run());
  }
  return deleted + static_cast<int>(keys.size());
}

}  // namespace sluice::queue
