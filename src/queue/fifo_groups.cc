// FIFO message groups (fifo_groups) and sequence numbers (fifo_sequences).
//
// Invariant kept here: a FIFO queue has one fifo_groups row per group that
// holds messages, and its available_at is
//   max(visible_at of the group's head,
//       visible_at of every message of the group in flight)
// so "may this group deliver now?" is available_at <= now. Every write that
// adds a group's first message (AddToGroup), removes messages, delivers, or
// changes a visibility calls RefreshGroup in the same savepoint.
//
// Why RefreshGroup reads only the first kGroupWindow messages: a group with
// a message in flight delivers nothing, so all its messages in flight come
// from the one receive that delivered last, which took at most 10 messages
// from the head; since then messages only left the group or joined its tail,
// so whatever of that batch is still in flight is among the first 10.
#include <algorithm>

#include "queue/engine_impl.h"
#include "queue/hot_sql.h"

namespace sluice::queue {

const char kSelectGroupWindow[] =
    "SELECT visible_at, receive_count FROM messages "
    "WHERE queue_id = ?1 AND message_group_id = ?2 ORDER BY sequence_number LIMIT ?3";

namespace {

constexpr int kGroupWindow = 10;  // SQS's largest MaxNumberOfMessages

constexpr const char kNextSequence[] =
    "INSERT INTO fifo_sequences(queue_id, last_sequence_number) VALUES(?1, 1) "
    "ON CONFLICT(queue_id) DO UPDATE SET last_sequence_number = last_sequence_number + 1 "
    "RETURNING last_sequence_number";
constexpr const char kAddGroup[] =
    "INSERT INTO fifo_groups(queue_id, message_group_id, available_at) VALUES(?1, ?2, ?3) "
    "ON CONFLICT(queue_id, message_group_id) DO NOTHING";
constexpr const char kSetGroup[] =
    "INSERT INTO fifo_groups(queue_id, message_group_id, available_at) VALUES(?1, ?2, ?3) "
    "ON CONFLICT(queue_id, message_group_id) DO UPDATE SET available_at = excluded.available_at";
constexpr const char kDropGroup[] =
    "DELETE FROM fifo_groups WHERE queue_id = ?1 AND message_group_id = ?2";

}  // namespace

Result<int64_t> Engine::Impl::NextSequenceNumber(int64_t queue_id) {
  storage::Statement next = db_.Prepare(kNextSequence);
  next.BindInt(queue_id);
  if (!next.Step()) {
    return next.ok() ? Status(Code::kInternal, "no sequence number returned") : next.status();
  }
  return next.Int(0);
}

Status Engine::Impl::AddToGroup(int64_t queue_id, std::string_view group_id, int64_t visible_at) {
  // An existing group keeps its state: a message at its tail changes
  // neither its head nor its messages in flight.
  storage::Statement add = db_.Prepare(kAddGroup);
  add.BindInt(queue_id).BindText(group_id).BindInt(visible_at);
  return add.Run();
}

Status Engine::Impl::RefreshGroup(int64_t queue_id, std::string_view group_id, int64_t now) {
  bool empty = true;
  int64_t available_at = 0;
  {
    storage::Statement window = db_.Prepare(kSelectGroupWindow);
    window.BindInt(queue_id).BindText(group_id).BindInt(kGroupWindow);
    while (window.Step()) {
      const int64_t visible_at = window.Int(0);
      const bool in_flight = window.Int(1) > 0 && visible_at > now;
      if (empty || in_flight) available_at = std::max(available_at, visible_at);
      empty = false;
    }
    if (!window.ok()) return window.status();
  }
  if (empty) {
    storage::Statement drop = db_.Prepare(kDropGroup);
    drop.BindInt(queue_id).BindText(group_id);
    return drop.Run();
  }
  storage::Statement set = db_.Prepare(kSetGroup);
  set.BindInt(queue_id).BindText(group_id).BindInt(available_at);
  return set.Run();
}

}  // namespace sluice::queue
