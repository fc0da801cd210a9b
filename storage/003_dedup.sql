-- Schema version 3: dedup records of the ingest gateway (src/gateway/).
-- Applied by src/storage/migrations.cc inside one transaction; the runner sets
-- PRAGMA user_version to the file's number afterwards.
-- Times are milliseconds since the Unix epoch. The gateway is the only
-- writer of this table.
--
-- One row per (route, key) the gateway accepted: the request whose dedup
-- field had this value was enqueued as `message_id` on `queue`. A row is
-- written in the same savepoint as the message it guards (src/gateway/enqueue.cc),
-- so a record never exists without its message. A record whose expires_ms <= now
-- counts as absent: the next request with that key is accepted and replaces
-- it; the sweep deletes the rest in bounded slices.
--
-- No foreign key to messages: a consumer deletes the message long before the
-- record expires, and the record must outlive it.

CREATE TABLE dedup_records (
  route       TEXT NOT NULL,     -- the route's configured name
  dedup_key   TEXT NOT NULL,     -- the dedup field's value (strings as is, others as compact JSON)
  queue       TEXT NOT NULL,     -- the queue the message went to
  message_id  TEXT NOT NULL,     -- its SQS MessageId
  created_ms  INTEGER NOT NULL,
  expires_ms  INTEGER NOT NULL,
  PRIMARY KEY (route, dedup_key)
) WITHOUT ROWID;

-- The expiry sweep takes the oldest expired records by index, never a scan.
CREATE INDEX dedup_records_by_expiry ON dedup_records(expires_ms);
