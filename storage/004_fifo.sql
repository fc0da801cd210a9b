-- Schema version 4: FIFO queues (src/queue/fifo_*.cc).
-- Applied by src/storage/migrations.cc inside one transaction; the runner sets
-- PRAGMA user_version to the file's number afterwards.
-- Times are milliseconds since the Unix epoch. The queue engine is the only
-- writer of these tables and columns.

-- A FIFO message's group, its deduplication id (explicit, or the SHA-256 of
-- the body) and its sequence number in the queue holding it (a new one on
-- every arrival: send, dead-letter move, redrive). A standard queue's
-- message may carry a group id (SQS fair queues), never the other two.
ALTER TABLE messages ADD COLUMN message_group_id TEXT;
ALTER TABLE messages ADD COLUMN deduplication_id TEXT;
ALTER TABLE messages ADD COLUMN sequence_number INTEGER;

-- A group's messages in order, by index: the head of a group and the few
-- messages after it are read without touching the rest of its backlog.
CREATE INDEX messages_by_group ON messages(queue_id, message_group_id, sequence_number)
  WHERE message_group_id IS NOT NULL;

-- One row per FIFO message group that holds at least one message.
-- available_at is when the group may deliver again: the later of its head's
-- visible_at and the visible_at of every message of the group in flight
-- (a group with a message in flight delivers nothing). Receive walks the
-- groups whose available_at <= now by fifo_groups_by_availability, so a
-- receive on a queue with a million blocked groups reads none of them. Every
-- write that changes a group's head or its in-flight messages recomputes the
-- row (Engine::Impl::RefreshGroup) in the same savepoint.
CREATE TABLE fifo_groups (
  id                INTEGER PRIMARY KEY,
  queue_id          INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
  message_group_id  TEXT NOT NULL,
  available_at      INTEGER NOT NULL,
  UNIQUE (queue_id, message_group_id)
);
CREATE INDEX fifo_groups_by_availability ON fifo_groups(queue_id, available_at, id);

-- The last sequence number a FIFO queue handed out; numbers only grow, even
-- when the newest message is deleted.
CREATE TABLE fifo_sequences (
  queue_id              INTEGER PRIMARY KEY REFERENCES queues(id) ON DELETE CASCADE,
  last_sequence_number  INTEGER NOT NULL
);

-- Deduplication records: a send whose (scope, deduplication id) has a record
-- with expires_at > now is accepted but not enqueued, and answered with the
-- recorded MessageId and SequenceNumber. scope is '' under
-- DeduplicationScope=queue and the message group id under messageGroup.
-- A record lives 5 minutes from the first send (duplicates do not extend
-- it) and outlives its message; the retention sweep deletes expired ones.
CREATE TABLE fifo_deduplication (
  queue_id          INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
  scope             TEXT NOT NULL,
  deduplication_id  TEXT NOT NULL,
  message_id        TEXT NOT NULL,
  sequence_number   INTEGER NOT NULL,
  expires_at        INTEGER NOT NULL,
  PRIMARY KEY (queue_id, scope, deduplication_id)
) WITHOUT ROWID;
CREATE INDEX fifo_deduplication_by_expiry ON fifo_deduplication(expires_at);

-- ReceiveRequestAttemptId: what a receive with that id delivered, one line
-- per message "<row id> <receipt token> <visible_at> <receipt handle>", so a
-- retry within 5 minutes returns the same messages and handles while none
-- of them was deleted, received again or had its visibility changed.
CREATE TABLE fifo_receive_attempts (
  queue_id    INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
  attempt_id  TEXT NOT NULL,
  deliveries  TEXT NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (queue_id, attempt_id)
) WITHOUT ROWID;
CREATE INDEX fifo_receive_attempts_by_expiry ON fifo_receive_attempts(expires_at);
