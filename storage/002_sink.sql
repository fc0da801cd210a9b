-- Schema version 2: the sink's buckets and object metadata.
-- The sink (src/sink/) is the only writer of these tables. Object bodies
-- live in files, one per object version, at
--   <root>/<bucket>/<key>.<generation>.sealed
-- and a row is what makes a file an object: the sink writes and fsyncs the
-- file first, then commits the row that names its generation, then removes
-- the file the row named before. A file no row names is an orphan of a
-- crash and is removed at startup. Times are milliseconds since the epoch.

CREATE TABLE sink_buckets (
  name        TEXT PRIMARY KEY,      -- S3 bucket naming rules
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE sink_objects (
  bucket        TEXT NOT NULL REFERENCES sink_buckets(name),
  key           TEXT NOT NULL,       -- UTF-8, up to 1024 bytes
  -- 16 hex digits, new on every put: part of the file name and bound into
  -- the file's authenticated header.
  generation    TEXT NOT NULL,
  size          INTEGER NOT NULL,    -- plaintext bytes
  etag          TEXT NOT NULL,       -- MD5 hex of the plaintext
  content_type  TEXT NOT NULL,
  user_metadata TEXT,                -- JSON object (S3 x-amz-meta-*), NULL for none
  created_at    INTEGER NOT NULL,
  kek_version   INTEGER NOT NULL,    -- the keyring version wrapping the data key
  -- Rewrap journal: the new header bytes and their KEK version, committed
  -- before the file's header is rewritten in place and cleared once it is.
  -- Startup finishes any rewrap left here by a crash.
  rewrap_header      BLOB,
  rewrap_kek_version INTEGER,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;

-- Keys, retire and rewrap count and find objects by key version.
CREATE INDEX sink_objects_by_kek_version ON sink_objects(kek_version);
-- Startup looks for unfinished rewraps; the partial index is empty otherwise.
CREATE INDEX sink_objects_rewrap_pending ON sink_objects(bucket, key)
  WHERE rewrap_header IS NOT NULL;
