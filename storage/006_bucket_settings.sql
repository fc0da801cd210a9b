-- Schema version 6: bucket settings (src/sink/): the S3 subresources a
-- bucket keeps (default encryption, policy, tagging, public access block),
-- one text value per (bucket, name) as the S3 codec encodes it
-- (src/s3/bucket_settings.h). The sink is the only writer. A bucket's
-- settings are deleted in the transaction that deletes the bucket.
CREATE TABLE sink_bucket_settings (
  bucket  TEXT NOT NULL REFERENCES sink_buckets(name),
  name    TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (bucket, name)
) WITHOUT ROWID;
-- Every bucket's value of one setting (the S3 service loads the default
-- encryption of all buckets at startup).
CREATE INDEX sink_bucket_settings_by_name ON sink_bucket_settings(name, bucket);
