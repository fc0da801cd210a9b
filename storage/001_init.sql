-- Schema version 1: queues, messages, message move tasks.
-- Applied by src/storage/migrations.cc inside one transaction; the runner sets
-- PRAGMA user_version to the file's number afterwards.
-- Times are milliseconds since the Unix epoch. The queue engine
-- (src/queue/) is the only writer of these tables.

CREATE TABLE queues (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  created_at    INTEGER NOT NULL,
  modified_at   INTEGER NOT NULL,
  -- Settable attributes as a JSON object of strings, exactly as SQS returns
  -- them ({"VisibilityTimeout":"30", "RedrivePolicy":"{...}", ...}), with the
  -- defaults filled in. AddPermission edits the "Policy" member.
  attributes    TEXT NOT NULL DEFAULT '{}',
  tags          TEXT NOT NULL DEFAULT '{}',   -- JSON object of strings
  -- Name of the dead-letter queue the RedrivePolicy targets, NULL without
  -- one: ListDeadLetterSourceQueues and "is this a DLQ?" by index.
  redrive_target TEXT,
  -- PurgeQueue may run once every 60 s (PurgeQueueInProgress otherwise).
  purged_at     INTEGER NOT NULL DEFAULT 0,
  -- A PurgeQueue of a deep queue deletes its messages in slices (SQS allows
  -- up to 60 s): messages of this queue with id <= this are still to go.
  -- 0: no purge pending.
  purge_high_water_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX queues_by_redrive_target ON queues(redrive_target, name);

CREATE TABLE messages (
  -- The sequence: increasing (max + 1), so (queue_id, visible_at, id) gives
  -- oldest-first delivery among the visible messages. Not AUTOINCREMENT: that
  -- costs a sqlite_sequence update per insert. An id may be reused only after
  -- the newest message was deleted; receipt handles also carry a random
  -- per-receive token, so a handle never acts on the message that reused its id.
  id                  INTEGER PRIMARY KEY,
  queue_id            INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
  message_id          TEXT NOT NULL,            -- the SQS MessageId (UUID)
  body                BLOB NOT NULL,
  -- Message attributes and system attributes, each in the canonical form
  -- SQS hashes for MD5OfMessageAttributes (src/queue/message_attributes.h),
  -- NULL when there are none.
  attributes          BLOB,
  system_attributes   BLOB,
  md5_body            TEXT NOT NULL,
  md5_attributes      TEXT,
  md5_system_attributes TEXT,
  sent_at             INTEGER NOT NULL,         -- SentTimestamp; kept across DLQ moves
  visible_at          INTEGER NOT NULL,         -- deliverable when visible_at <= now
  receive_count       INTEGER NOT NULL DEFAULT 0,
  first_received_at   INTEGER NOT NULL DEFAULT 0,
  -- The latest receive: ChangeMessageVisibility may not push visible_at
  -- past received_at + 12 hours.
  received_at         INTEGER NOT NULL DEFAULT 0,
  -- Changes on every receive: a receipt handle names (id, receipt_token), so
  -- a handle from an earlier receive no longer matches.
  receipt_token       INTEGER NOT NULL DEFAULT 0,
  -- Set when the message was moved to a dead-letter queue: where it came from.
  dead_letter_source_queue_id INTEGER,
  sender_id           TEXT NOT NULL DEFAULT '000000000000'
);

-- Receive: the oldest visible messages of one queue, by index, never a scan.
CREATE INDEX messages_by_visibility ON messages(queue_id, visible_at, id);
-- Retention, peeking and move tasks: one queue's messages, oldest first
-- (the implicit rowid suffix orders ties by id).
CREATE INDEX messages_by_age ON messages(queue_id, sent_at);

CREATE TABLE move_tasks (
  task_handle           TEXT PRIMARY KEY,
  source_queue_id       INTEGER NOT NULL,
  source_arn            TEXT NOT NULL,
  destination_arn       TEXT,                -- NULL: back to each message's source queue
  max_per_second        INTEGER,             -- NULL: as fast as we go
  status                TEXT NOT NULL,       -- RUNNING, CANCELLING, CANCELLED, COMPLETED, FAILED
  moved                 INTEGER NOT NULL DEFAULT 0,
  to_move               INTEGER NOT NULL,    -- ApproximateNumberOfMessagesToMove at start
  -- Only messages with id <= high_water_id (present when the task started) move.
  high_water_id         INTEGER NOT NULL,
  failure_reason        TEXT,
  started_at            INTEGER NOT NULL,
  finished_at           INTEGER
);
CREATE INDEX move_tasks_by_source ON move_tasks(source_queue_id, started_at);
