// The sink: a local, encrypted, date-partitioned object store under the
// data directory. Objects live in named buckets, one sealed file per object
// (<root>/<bucket>/<key>.<generation>.sealed, see names.h), encrypted with
// a fresh data key per object that a keyring KEK wraps (envelope.h); their
// metadata is in SQLite (storage/002_sink.sql, storage/005_s3.sql), written
// through the storage thread. Multipart uploads keep their parts as sealed
// files too, under <root>/.uploads/<upload id>/ (names.h).
//
// Rule: no reply before it is durable. A Put's `done` (and a streamed
// upload's Commit, a Copy's, a CompleteUpload's) runs only after the new
// file and its directory entry were fsynced AND the metadata row that names
// it committed (src/sink/write_commit.cc says where). File I/O, fsync and
// crypto run on the sink's own I/O threads, never on the loop thread or the
// storage thread; the metadata goes through StorageThread::Submit.
//
// Memory: the streamed operations (BeginPut, OpenRead, Copy, CopyPart,
// CompleteUpload) hold a few chunks of an object at a time (about 2 MiB at
// most), whatever its size. Put and Get hold the whole body.
//
// Integrity: a Get returns a body only after every byte of the file
// authenticated; any changed, truncated, appended or swapped byte is a
// kInternal error whose message starts "integrity check failed for
// BUCKET/KEY: " (IsIntegrityError in envelope.h). An ObjectDownload hands
// out each piece only once it authenticated, but a later piece may still
// fail: its caller has sent a prefix and must cut the connection.
//
// Errors: kInvalidParameterValue for bad names, keys or arguments;
// kNoSuchBucket, kNoSuchKey and kNoSuchUpload for what does not exist;
// kBucketNotEmpty, kBadDigest, kInvalidPart, kInvalidPartOrder,
// kEntityTooSmall and kPreconditionFailed as each method says;
// kResourceNotFound for an unknown key version; kConflict for a refusal
// because of state (retiring a key in use, a second rewrap, an upload being
// completed); kStorageFailed after an I/O or commit failure (sticky: every
// later write fails until restart; healthy() turns false); kUnavailable
// before Start() completed and after Shutdown().
//
// Ownership: the Sink owns its keyring, I/O threads and timer; it borrows
// the loop and the storage thread, which must outlive it. The caller owns
// each ObjectUpload and ObjectDownload it was handed, and must destroy them
// before the Sink: Shutdown() waits until every one was destroyed (an
// upload also once committed). Call Shutdown() and wait for it before
// StorageThread::Shutdown() and before destroying the Sink.
// Threads: loop thread only, every method (of the Sink, ObjectUpload and
// ObjectDownload); every callback runs on the loop thread, possibly before
// the call returns (validation errors).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include "sluice/clock.h"
#include "sluice/sink/sink_config.h"
#include "sluice/sink/types.h"
#include "sluice/status.h"
#include "sluice/storage/storage_thread.h"

namespace sluice::sink {

class SinkCore;

template <typename T>
using Callback = std::function<void(Result<T>)>;

// One streamed write in progress: an object (Sink::BeginPut) or an upload's
// part (Sink::BeginPart). Owned by the caller. Destroying it before its
// Commit completed abandons the write: its temp file is removed (off the
// loop) and no callback of it runs any more; a Commit already under way
// still finishes (the object may then exist), but its `done` does not run.
// Errors: after a failed Write every later call fails with the same error.
class ObjectUpload {
 public:
  virtual ~ObjectUpload() = default;
  // Appends plaintext: it is sealed and written on an I/O thread. One Write
  // at a time (kInternal otherwise). `done` runs once the bytes are in the
  // temp file (not yet durable).
  virtual void Write(std::string data, std::function<void(Status)> done) = 0;
  // Checks the digest and size, then fsync, rename, directory fsync and the
  // metadata commit (the durability steps of Put); then removes the file of
  // the generation it replaced. Returns the new object's info, or for a part
  // an ObjectInfo with the part's etag, size, generation and attributes.
  // Call once, with no Write pending.
  virtual void Commit(std::function<void(Result<ObjectInfo>)> done) = 0;
  // Replaces the attributes the write will store (WriteRequest::attributes):
  // for what is known only once the body is in, such as a checksum sent in
  // an aws-chunked trailer. Call before Commit.
  virtual void SetAttributes(std::string attributes) = 0;
};

// One streamed read of an object or a range of it. Owned by the caller; it
// keeps the object's file open, so the bytes read are the generation that
// was current at OpenRead even if the object is replaced meanwhile.
// Destroying it with a Read pending is fine: that `done` then never runs.
class ObjectDownload {
 public:
  virtual ~ObjectDownload() = default;
  virtual const ObjectInfo& info() const = 0;
  // The next authenticated plaintext of the range (up to about 1 MiB), ""
  // once the range is complete. An integrity failure is a kInternal
  // integrity error (the caller has already sent a prefix: it must cut the
  // connection). One Read at a time.
  virtual void Read(std::function<void(Result<std::string>)> done) = 0;
};

class Sink {
 public:
  // `config` is resolved: absolute root_dir and keyring_path. Loads the
  // keyring (creating it, mode 0600, when missing; refusing one that group
  // or others can access) and creates the root directory. Runs on the loop
  // thread before uv_run: this is startup I/O.
  static Result<std::unique_ptr<Sink>> Open(uv_loop_t* loop, storage::StorageThread& storage,
                                            SinkConfig config, const Clock& clock);
  ~Sink();

  // Creates the configured buckets that are missing, runs the consistency
  // check (removes temp files and orphan files, reports rows whose file is
  // missing, finishes journaled rewraps; logs one summary line), rotates the
  // KEK if it is older than rotation_period_days and starts the hourly
  // rotation check. Operations are refused until `done` ran with OK.
  void Start(std::function<void(Status)> done);
  // What Start()'s check found (after Start completed).
  const CheckReport& check_report() const;

  void Put(PutRequest request, Callback<ObjectInfo> done);
  void Get(std::string bucket, std::string key, Callback<GetResult> done);
  // OK(true) when an object was deleted, OK(false) when there was none.
  void Delete(std::string bucket, std::string key, Callback<bool> done);
  void List(ListRequest request, Callback<ListResult> done);
  void Buckets(Callback<std::vector<BucketInfo>> done);
  // OK(true) when created, OK(false) when it already existed (its region
  // is then left as it was).
  void CreateBucket(std::string name, Callback<bool> done);
  void CreateBucket(std::string name, std::string region, Callback<bool> done);
  // kNoSuchBucket; kBucketNotEmpty while it holds objects or multipart
  // uploads in progress. Removes the row, then the bucket's directory tree.
  void DeleteBucket(std::string name, Callback<bool> done);
  // HeadBucket / GetBucketLocation: name, created_ms and region (objects
  // and bytes are not counted: 0). kNoSuchBucket.
  void BucketInfoOf(std::string name, Callback<BucketInfo> done);
  // Bucket settings: one text value per (bucket, name), opaque to the sink
  // (the S3 API keeps a bucket's default encryption, policy, tagging and
  // public access block here, encoded by src/s3/bucket_settings.h). A
  // change is durable when `done` runs; DeleteBucket removes them.
  // kNoSuchBucket.
  void BucketSetting(std::string bucket, std::string name, Callback<std::optional<std::string>> done);
  // Sets the value, or removes it when `value` is nullopt.
  void PutBucketSetting(std::string bucket, std::string name, std::optional<std::string> value,
                        Callback<bool> done);
  // Every bucket's value of setting `name` (bucket -> value).
  void BucketSettings(std::string name, Callback<std::map<std::string, std::string>> done);

  // ---- streaming (the S3 API) ----
  // A streamed put. kNoSuchBucket; a bad key or metadata is
  // kInvalidParameterValue. See ObjectUpload and WriteRequest.
  void BeginPut(WriteRequest request, Callback<std::unique_ptr<ObjectUpload>> done);
  // kNoSuchBucket / kNoSuchKey; a range not within the object is
  // kInvalidParameterValue (an empty object has no range). Without a range,
  // the whole object.
  void OpenRead(std::string bucket, std::string key, std::optional<ByteRange> range,
                Callback<std::unique_ptr<ObjectDownload>> done);
  // The object's metadata. kNoSuchBucket / kNoSuchKey.
  void Stat(std::string bucket, std::string key, Callback<ObjectInfo> done);
  // Streams the source object into a new object (decrypted and sealed again
  // on the I/O threads). `destination`'s content type, metadata and
  // attributes are used as given (the caller fills them from Stat for S3's
  // COPY directive); its conditions apply to the destination; its digest and
  // observe are honoured too. kNoSuchBucket / kNoSuchKey for the source.
  void Copy(std::string src_bucket, std::string src_key, WriteRequest destination,
            Callback<ObjectInfo> done);

  // ---- multipart uploads ----
  // Starts an upload of request.bucket/key with its content type, metadata
  // and attributes (the rest of `request` is ignored). kNoSuchBucket.
  void CreateUpload(WriteRequest request, Callback<UploadInfo> done);
  // A streamed part: 1..10000 (kInvalidParameterValue otherwise); uploading
  // a part number again replaces that part. Uses part.expected_md5_hex,
  // expected_size, observe and attributes. kNoSuchUpload (also at Commit, if
  // the upload was aborted or completed meanwhile).
  void BeginPart(std::string bucket, std::string key, std::string upload_id, int part_number,
                 WriteRequest part, Callback<std::unique_ptr<ObjectUpload>> done);
  // UploadPartCopy: the part is the source object, or `range` of it.
  void CopyPart(std::string bucket, std::string key, std::string upload_id, int part_number,
                std::string src_bucket, std::string src_key, std::optional<ByteRange> range,
                Callback<PartInfo> done);
  // Parts numbered above `part_number_marker`, ascending, at most `limit`
  // (clamped to 1..1000). kNoSuchUpload.
  void ListParts(std::string bucket, std::string key, std::string upload_id, int part_number_marker,
                 int limit, Callback<ListPartsResult> done);
  void ListUploads(ListUploadsRequest request, Callback<ListUploadsResult> done);
  // Checks the list: parts in strictly ascending order (kInvalidPartOrder),
  // each one uploaded with that ETag (kInvalidPart naming it), every one but
  // the last at least SinkConfig::min_part_bytes (kEntityTooSmall); at least
  // one part (kMalformedRequest). Then streams the parts, in order, into one new
  // sealed object on the I/O threads, and commits in one transaction the
  // object's row and the removal of the upload and its part rows; the part
  // files are removed after that commit. ETag: the hex MD5 of the parts'
  // binary MD5s, then "-N"; parts_count = N. `observe` (may be empty) sees
  // the whole plaintext in order. kNoSuchUpload; kConflict while another
  // completion of the upload is under way.
  void CompleteUpload(std::string bucket, std::string key, std::string upload_id,
                      std::vector<CompletedPart> parts, std::function<void(std::string_view)> observe,
                      Callback<ObjectInfo> done);
  // The same, with the new object's attributes computed from its parts.
  void CompleteUpload(std::string bucket, std::string key, std::string upload_id,
                      std::vector<CompletedPart> parts, std::function<void(std::string_view)> observe,
                      CompletionAttributes attributes, Callback<ObjectInfo> done);
  // Removes the upload and its parts. kNoSuchUpload; kConflict while it is
  // being completed.
  void AbortUpload(std::string bucket, std::string key, std::string upload_id, Callback<bool> done);
  // Reads and authenticates every object (of `bucket`, or all), checking
  // size and ETag against the metadata. Damage is reported, not an error.
  // Without a bucket, the parts of multipart uploads in progress are checked
  // too (reported as bucket ".uploads", key "<upload id>/<part>").
  void Verify(std::optional<std::string> bucket, Callback<VerifyReport> done);

  // The keyring with each version's object count.
  void Keys(Callback<KeyringInfo> done);
  // Adds a KEK version and makes it active; returns the new version.
  void Rotate(Callback<int> done);
  // Re-wraps every object's (and upload part's) data key with the active
  // KEK, rewriting only each file's header, in place and crash-safely
  // (journaled in metadata).
  void Rewrap(Callback<RewrapReport> done);
  // Erases version `version`'s key material. kConflict while it is active or
  // any object, upload part or write in progress uses it; kResourceNotFound
  // if unknown.
  void Retire(int version, Callback<int> done);
  // Rotates now if rotation_period_days > 0 and the active version is at
  // least that old: OK(new version), or OK(0) when no rotation was due. The
  // hourly timer calls this; tests call it after moving a FakeClock.
  void CheckRotation(Callback<int> done);

  // False after an unrecoverable I/O failure (the sink's or the storage's).
  bool healthy() const;
  const std::string& root_dir() const;
  const std::string& keyring_path() const;

  // Refuses new operations (and every later Write, Commit and Read of open
  // uploads and downloads: kUnavailable), stops the timer, waits for every
  // operation and background job in flight (removals of replaced files
  // included) and for every open upload and download to be destroyed, stops
  // the I/O threads, then calls `done`. Call once.
  void Shutdown(std::function<void()> done);

 private:
  explicit Sink(std::unique_ptr<SinkCore> core);
  std::unique_ptr<SinkCore> core_;
};

}  // namespace sluice::sink
