// Dedup and enqueue are one unit of work. What must hold:
//
// (1) Never a record without its message. The record is written after the
//     message, in the same Work, hence the same savepoint of the same
//     transaction: if the send fails nothing is written; if the record write
//     fails the Work returns its error and the storage thread rolls the
//     savepoint back, message included; if the COMMIT fails (or the process
//     dies before it) neither exists.
// (2) Never two messages for one key within the TTL. The check and the write
//     run on the storage thread, the only writer, one op after another, and
//     an op sees the uncommitted writes of the ops before it in its batch.
//     So the second of two requests with the same key, even in the same
//     batch, finds the first's record and writes nothing.
// (3) No answer before durability. The caller answers 200 or 409 only in
//     its Done, after the COMMIT that holds the message and record (for a
//     409: the record it saw) returned. A failed commit answers 503 to every
//     op of the batch, so a retry is never refused for a message that does
//     not exist.
// (4) An expired record is absent: the check ignores it and the write
//     replaces it (INSERT OR REPLACE), so a retry after the TTL is accepted.
#include "gateway/enqueue.h"

namespace sluice::gateway {

Result<EnqueueOutcome> EnqueueOnce(sqlite3* db, queue::Engine& engine, DedupStore& dedup,
                                   const GuardedEnqueue& request, int64_t now_millis) {
  EnqueueOutcome outcome;
  if (request.dedup_key != nullptr) {
    Result<std::optional<DedupRecord>> existing = dedup.FindLive(db, request.route, *request.dedup_key, now_millis);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      outcome.duplicate = true;
      outcome.message_id = std::move(existing->value().message_id);
      outcome.queue = std::move(existing->value().queue);
      return outcome;
    }
  }

  Result<queue::SendMessageResult> sent = engine.SendMessage(*request.send);
  if (!sent.ok()) return sent.status();
  outcome.message_id = std::move(sent->message_id);
  outcome.queue = request.send->queue_name;

  if (request.dedup_key != nullptr) {
    DedupRecord record;
    record.route = std::string(request.route);
    record.key = *request.dedup_key;
    record.queue = outcome.queue;
    record.message_id = outcome.message_id;
    record.created_millis = now_millis;
    record.expires_millis = now_millis + request.dedup_ttl_millis;
    // A failure here must undo the send: the caller returns it from its Work (1).
    SLUICE_RETURN_IF_ERROR(dedup.Put(db, record));
  }
  return outcome;
}

}  // namespace sluice::gateway
