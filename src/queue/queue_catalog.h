// The queues table, and an in-memory cache of its rows so that a send or a
// receive finds its queue's settings without SQL or JSON parsing.
//
// Cache rule: rows are cached only when read, and every write to a queue row
// erases the cached copy first. A failed operation's writes are rolled back
// by the caller's savepoint; since nothing is cached from a write, a rollback
// can leave the cache missing an entry (refilled on the next read) but never
// holding a row the database does not have. (A failed COMMIT of the whole
// batch can: a row written and then read by ops of that batch. The storage
// thread is sticky-failed from then on, so no later operation runs.) This
// holds only while the engine is the sole writer of the queues table.
//
// Ownership: borrows the engine's StatementCache. Pointers returned by Find*
// stay valid until the next call that writes (Update*, Delete) or Forget; the
// writers accept arguments that point into the row they replace.
// Errors: kStorageFailed from SQLite, kInternal for a corrupt stored row.
// Threads: the storage thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "queue/queue_attributes.h"
#include "sluice/queue/types.h"
#include "sluice/status.h"
#include "sluice/storage/statement_cache.h"

namespace sluice::queue {

struct QueueRow {
  int64_t id = 0;
  std::string name;
  int64_t created_at = 0;   // epoch ms
  int64_t modified_at = 0;  // epoch ms
  int64_t purged_at = 0;    // epoch ms of the last PurgeQueue, 0 if never
  AttributeMap attributes;  // settable attributes, canonical, defaults filled in
  TagMap tags;
  QueueSettings settings;   // parsed from `attributes`
  std::string redrive_target;  // DLQ name the RedrivePolicy names, "" if none
};

class QueueCatalog {
 public:
  explicit QueueCatalog(storage::StatementCache& db) : db_(db) {}

  // The queue called `name`, or nullptr if there is none.
  Result<const QueueRow*> FindByName(std::string_view name);
  // The queue whose id is `id`, or nullptr if there is none.
  Result<const QueueRow*> FindById(int64_t id);

  // Inserts a new queue and returns its id.
  Result<int64_t> Insert(const std::string& name, const AttributeMap& attributes,
                         const TagMap& tags, const std::string& redrive_target, int64_t now);
  Status UpdateAttributes(const QueueRow& queue, const AttributeMap& attributes,
                          const std::string& redrive_target, int64_t now);
  Status UpdateTags(const QueueRow& queue, const TagMap& tags);
  Status UpdatePurgedAt(const QueueRow& queue, int64_t purged_at);
  // Deletes the queue row (not its messages).
  Status Delete(const QueueRow& queue);
  // Frees the name of a queue whose messages are still being deleted: the row
  // is renamed to char(127) "deleted:<id>" (outside every name range that
  // ListNames serves; never a valid queue name) and loses its redrive target.
  Status Tombstone(const QueueRow& queue);

  // Queue names in order, name > after and starting with prefix, at most
  // `limit` of them. With `redrive_target` set: only the queues whose
  // RedrivePolicy targets that queue.
  Result<std::vector<std::string>> ListNames(std::string_view prefix, std::string_view after,
                                             int limit);
  Result<std::vector<std::string>> ListSourcesOf(std::string_view redrive_target,
                                                 std::string_view after, int limit);
  // Whether any queue's RedrivePolicy targets `name`.
  Result<bool> IsDeadLetterTarget(std::string_view name);
  // Every queue id, for the retention sweep.
  Result<std::vector<int64_t>> AllIds();

  // Drops every cached row (tests; after an external write).
  void Forget();

 private:
  Result<const QueueRow*> Load(storage::Statement& statement);
  void Erase(int64_t id);

  storage::StatementCache& db_;
  std::unordered_map<std::string, QueueRow> by_name_;
  std::unordered_map<int64_t, std::string> name_by_id_;
};

}  // namespace sluice::queue
