// The storage half of an ingest request: enqueue a message unless its dedup
// key was accepted before, and remember the key, as ONE unit of work.
//
// Ownership: borrows everything it is handed.
// Errors: the engine's (kQueueDoesNotExist when the target queue is gone,
// kInvalidParameterValue for a body SQS refuses) and the dedup store's
// (kStorageFailed). On any error the caller's Work must return it, so the
// storage thread rolls the savepoint back: nothing of the op stays.
// Threads: storage thread only, inside a StorageThread::Work.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "gateway/dedup_store.h"
#include "sluice/queue/engine.h"
#include "sluice/queue/types.h"
#include "sluice/status.h"

namespace sluice::gateway {

struct GuardedEnqueue {
  std::string_view route;
  const std::string* dedup_key = nullptr;  // null: not deduplicated
  int64_t dedup_ttl_millis = 0;
  const queue::SendMessageRequest* send = nullptr;
};

struct EnqueueOutcome {
  bool duplicate = false;  // a live record holds the key: nothing was written
  std::string message_id;  // the new message's id, or (duplicate) the original's
  std::string queue;       // the queue it went to (duplicate: the original's)
};

Result<EnqueueOutcome> EnqueueOnce(sqlite3* db, queue::Engine& engine, DedupStore& dedup,
                                   const GuardedEnqueue& request, int64_t now_millis);

}  // namespace sluice::gateway
