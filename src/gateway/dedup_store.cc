#include "gateway/dedup_store.h"

#include "sluice/storage/statement_cache.h"

namespace sluice::gateway {
namespace {

// Statements are cached by the address of these strings (storage::StatementCache).
constexpr char kFindLive[] =
    "SELECT queue, message_id, created_ms, expires_ms FROM dedup_records "
    "WHERE route = ?1 AND dedup_key = ?2 AND expires_ms > ?3";
constexpr char kPut[] =
    "INSERT OR REPLACE INTO dedup_records(route, dedup_key, queue, message_id, created_ms, expires_ms) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
constexpr char kForget[] = "DELETE FROM dedup_records WHERE route = ?1 AND dedup_key = ?2 AND expires_ms > ?3";
// By the expiry index; each victim is then deleted by its primary key.
constexpr char kSweep[] =
    "DELETE FROM dedup_records WHERE (route, dedup_key) IN ("
    "SELECT route, dedup_key FROM dedup_records WHERE expires_ms <= ?1 ORDER BY expires_ms LIMIT ?2)";

}  // namespace

DedupStore::DedupStore() = default;
DedupStore::~DedupStore() = default;

Result<storage::StatementCache*> DedupStore::Statements(sqlite3* db) {
  if (closed_) return Status(Code::kUnavailable, "the gateway is shutting down");
  if (statements_ == nullptr || statements_->connection() != db) {
    statements_ = std::make_unique<storage::StatementCache>(db);
  }
  return statements_.get();
}

Result<std::optional<DedupRecord>> DedupStore::FindLive(sqlite3* db, std::string_view route, std::string_view key,
                                                        int64_t now_millis) {
  Result<storage::StatementCache*> statements = Statements(db);
  if (!statements.ok()) return statements.status();
  storage::Statement find = (*statements)->Prepare(kFindLive);
  find.BindText(route).BindText(key).BindInt(now_millis);
  std::optional<DedupRecord> record;
  if (find.Step()) {
    record.emplace();
    record->route = std::string(route);
    record->key = std::string(key);
    record->queue = std::string(find.Text(0));
    record->message_id = std::string(find.Text(1));
    record->created_millis = find.Int(2);
    record->expires_millis = find.Int(3);
  }
  if (!find.ok()) return find.status();
  return record;
}

Status DedupStore::Put(sqlite3* db, const DedupRecord& record) {
  Result<storage::StatementCache*> statements = Statements(db);
  if (!statements.ok()) return statements.status();
  storage::Statement put = (*statements)->Prepare(kPut);
  put.BindText(record.route)
      .BindText(record.key)
      .BindText(record.queue)
      .BindText(record.message_id)
      .BindInt(record.created_millis)
      .BindInt(record.expires_millis);
  return put.Run();
}

Result<bool> DedupStore::Forget(sqlite3* db, std::string_view route, std::string_view key, int64_t now_millis) {
  Result<storage::StatementCache*> statements = Statements(db);
  if (!statements.ok()) return statements.status();
  storage::Statement forget = (*statements)->Prepare(kForget);
  forget.BindText(route).BindText(key).BindInt(now_millis);
  SLUICE_RETURN_IF_ERROR(forget.Run());
  return (*statements)->Changes() > 0;
}

Result<int> DedupStore::SweepExpired(sqlite3* db, int64_t now_millis, int limit) {
  Result<storage::StatementCache*> statements = Statements(db);
  if (!statements.ok()) return statements.status();
  storage::Statement sweep = (*statements)->Prepare(kSweep);
  sweep.BindInt(now_millis).BindInt(limit);
  SLUICE_RETURN_IF_ERROR(sweep.Run());
  return (*statements)->Changes();
}

void DedupStore::Close() {
  statements_.reset();
  closed_ = true;
}

}  // namespace sluice::gateway
