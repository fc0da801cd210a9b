-- Schema version 5: what the S3 API needs from the sink (src/sink/).
-- Applied by src/storage/migrations.cc inside one transaction; the runner sets
-- PRAGMA user_version to 5 afterwards. The sink is the only writer of these
-- tables and columns. Times are milliseconds since the epoch.

-- S3 headers kept with an object (Content-Encoding, Cache-Control, SSE and
-- checksum headers, ...) as a JSON object, stored as given; NULL for none.
ALTER TABLE sink_objects ADD COLUMN attributes TEXT;
-- 0 for an object put in one piece; N for one completed from N parts (its
-- etag is then "<md5 of the parts' md5s>-N").
ALTER TABLE sink_objects ADD COLUMN parts_count INTEGER NOT NULL DEFAULT 0;

-- The bucket's LocationConstraint; '' = us-east-1 (none).
ALTER TABLE sink_buckets ADD COLUMN region TEXT NOT NULL DEFAULT '';

-- Multipart uploads in progress. A row exists from CreateMultipartUpload
-- until the upload is completed or aborted; a bucket with one is not empty.
CREATE TABLE sink_uploads (
  upload_id     TEXT PRIMARY KEY,    -- 32 hex digits
  bucket        TEXT NOT NULL REFERENCES sink_buckets(name),
  key           TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  user_metadata TEXT,                -- JSON object, NULL for none
  attributes    TEXT,                -- JSON object, NULL for none
  initiated_at  INTEGER NOT NULL
) WITHOUT ROWID;
-- ListMultipartUploads walks a bucket's uploads in (key, upload_id) order.
CREATE INDEX sink_uploads_by_key ON sink_uploads(bucket, key, upload_id);

-- One row per uploaded part, naming its file's generation:
--   <root>/.uploads/<upload_id>/<part_number, 5 digits>.<generation>.sealed
-- sealed like an object of the pseudo-bucket ".uploads" under the key
-- "<upload_id>/<part_number, 5 digits>". As for objects, the file is
-- written and fsynced first, then this row committed, then the file of the
-- generation it replaced removed; a file no row names is removed at startup.
-- Completing or aborting an upload deletes its part rows in the same
-- transaction as its upload row; the part files go after that commit.
CREATE TABLE sink_upload_parts (
  upload_id     TEXT NOT NULL REFERENCES sink_uploads(upload_id),
  part_number   INTEGER NOT NULL,    -- 1..10000
  generation    TEXT NOT NULL,
  size          INTEGER NOT NULL,    -- plaintext bytes
  etag          TEXT NOT NULL,       -- MD5 hex of the part's plaintext
  attributes    TEXT,                -- JSON object (e.g. the part's checksum), NULL for none
  modified_at   INTEGER NOT NULL,
  kek_version   INTEGER NOT NULL,
  -- Rewrap journal, exactly as in sink_objects.
  rewrap_header      BLOB,
  rewrap_kek_version INTEGER,
  PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;

CREATE INDEX sink_upload_parts_by_kek_version ON sink_upload_parts(kek_version);
CREATE INDEX sink_upload_parts_rewrap_pending ON sink_upload_parts(upload_id, part_number)
  WHERE rewrap_header IS NOT NULL;
