// The sink: a local, encrypted, date-partitioned object store under the
// data directory. Objects live in named buckets, one sealed file per object
// (<root>/<bucket>/<key>.<generation>.sealed, see names.h), encrypted with
// a fresh data key per object that a keyring KEK wraps (envelope.h); their
// metadata is in SQLite (storage/002_sink.sql), written through the
// storage thread.
//
// Rule: no reply before it is durable. A Put's `done` runs only after the
// object's file and directory entry were fsynced AND the metadata row that
// names it committed (src/sink/put_op.cc says where). File I/O, fsync and
// crypto run on the sink's own I/O threads, never on the loop thread or the
// storage thread; the metadata goes through StorageThread::Submit.
//
// Integrity: a Get returns a body only after every byte of the file
// authenticated; any changed, truncated, appended or swapped byte is a
// kInternal error whose message starts "integrity check failed for
// BUCKET/KEY: " (IsIntegrityError in envelope.h).
//
// Errors: kInvalidParameterValue for bad names, keys or arguments;
// kResourceNotFound for an unknown bucket ("no bucket named X"), object or
// key version; kConflict for a refusal because of state (retiring a key in
// use, a second rewrap); kStorageFailed after an I/O or commit failure
// (sticky: every later write fails until restart; healthy() turns false);
// kUnavailable before Start() completed and after Shutdown().
//
// Ownership: the Sink owns its keyring, I/O threads and timer; it borrows
// the loop and the storage thread, which must outlive it. Call Shutdown()
// and wait for it before StorageThread::Shutdown() and before destroying
// the Sink.
// Threads: loop thread only, every method; every callback runs on the loop
// thread, possibly before the call returns (validation errors).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

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
  // OK(true) when created, OK(false) when it already existed.
  void CreateBucket(std::string name, Callback<bool> done);
  // Reads and authenticates every object (of `bucket`, or all), checking
  // size and ETag against the metadata. Damage is reported, not an error.
  void Verify(std::optional<std::string> bucket, Callback<VerifyReport> done);

  // The keyring with each version's object count.
  void Keys(Callback<KeyringInfo> done);
  // Adds a KEK version and makes it active; returns the new version.
  void Rotate(Callback<int> done);
  // Re-wraps every object's data key with the active KEK, rewriting only
  // each file's header, in place and crash-safely (journaled in metadata).
  void Rewrap(Callback<RewrapReport> done);
  // Erases version `version`'s key material. kConflict while it is active or
  // any object (or a write in progress) uses it; kResourceNotFound if unknown.
  void Retire(int version, Callback<int> done);
  // Rotates now if rotation_period_days > 0 and the active version is at
  // least that old: OK(new version), or OK(0) when no rotation was due. The
  // hourly timer calls this; tests call it after moving a FakeClock.
  void CheckRotation(Callback<int> done);

  // False after an unrecoverable I/O failure (the sink's or the storage's).
  bool healthy() const;
  const std::string& root_dir() const;
  const std::string& keyring_path() const;

  // Refuses new operations, stops the timer, waits for every operation and
  // background job in flight (removals of replaced files included), stops
  // the I/O threads, then calls `done`. Call once.
  void Shutdown(std::function<void()> done);

 private:
  explicit Sink(std::unique_ptr<SinkCore> core);
  std::unique_ptr<SinkCore> core_;
};

}  // namespace sluice::sink
