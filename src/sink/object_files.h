// Sealed object files under the sink's root directory:
//
//   <root>/.tmp/<generation>.tmp                   while being written
//   <root>/<bucket>/<key>.<generation>.sealed      once complete and durable
//   <root>/.uploads/<upload id>/<part>.<generation>.sealed
//                                                  a multipart upload's part
//                                                  (the object kUploadsArea/
//                                                  PartKey, names.h)
//
// Durability of a write (ObjectFileWriter::Install), in this order:
//   (1) the sealed bytes go to a temp file in <root>/.tmp, which is fsynced;
//   (2) every directory of the key exists and its entry is durable: each
//       directory this process has not yet seen durable is created if
//       missing and its parent fsynced (DirectoryCache);
//   (3) the temp file is renamed into place and the key's directory fsynced
//       (one fsync covers every rename into that directory that came
//       before it began: DirectorySync).
// Only then may the caller commit the metadata row that names the
// generation, and only after that commit may it remove the previous
// generation's file. A crash between (3) and the commit leaves an orphan
// that Start()'s check removes; no crash ever leaves a row without its file.
//
// Sticky failure: when an fsync (or fdatasync) fails, the kernel may
// already have dropped the dirty pages, and a second fsync can report
// success for data that is gone. The first such failure is remembered and
// every later write fails with it until restart (failure()).
//
// Ownership: owns the directory cache and the sticky failure.
// Errors: kStorageFailed naming the path and errno; a missing object file
// is kResourceNotFound; authentication failures are integrity errors
// (envelope.h).
// Threads: any; pool threads call it concurrently. No lock is held across
// an fsync.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "sink/directory_sync.h"
#include "sink/file_util.h"
#include "sink/keyring.h"
#include "sluice/md5.h"
#include "sluice/sink/envelope.h"

namespace sluice::sink {

class ObjectFiles;

// One object being written. Abandoned (its temp file removed) unless
// Install() succeeded. Holds a few hundred KiB whatever the object's size.
class ObjectFileWriter {
 public:
  ~ObjectFileWriter();
  Status Append(std::string_view plaintext);
  // Seals the rest and writes it to the temp file: size() and etag() are
  // final, nothing is durable yet. Call once, after the last Append().
  Status Seal();
  // Steps (1) to (3) above. After Seal(). A bucket directory that vanished
  // (the bucket was deleted meanwhile) is kNoSuchBucket.
  Status Install();
  // Seal(), then Install().
  Status Commit();

  const ObjectBinding& binding() const { return object_; }
  uint64_t size() const { return writer_->plaintext_bytes(); }
  // MD5 hex of the plaintext; valid after Seal().
  const std::string& etag() const { return etag_; }

 private:
  friend class ObjectFiles;
  ObjectFileWriter(ObjectFiles& files, ObjectBinding object) : files_(files), object_(std::move(object)) {}
  Status Flush(bool force);

  ObjectFiles& files_;
  ObjectBinding object_;
  std::unique_ptr<ObjectWriter> writer_;
  Md5 md5_;
  std::string temp_path_;
  UniqueFd fd_;
  std::string buffer_;  // sealed bytes not yet written
  uint64_t written_ = 0;  // sealed bytes written so far
  std::string etag_;
  bool sealed_ = false;
  bool committed_ = false;
};

class ObjectFiles {
 public:
  explicit ObjectFiles(std::string root);

  const std::string& root() const { return root_; }
  std::string TempDirectory() const { return root_ + "/.tmp"; }
  std::string BucketDirectory(const std::string& bucket) const { return root_ + "/" + bucket; }
  std::string PathOf(const ObjectBinding& object) const;

  std::string UploadDirectory(const std::string& upload_id) const;

  // Creates <root>, <root>/.tmp and <root>/<bucket> durably.
  Status PrepareRoot();
  Status PrepareBucket(const std::string& bucket);
  // Removes <root>/<bucket> and everything under it, then fsyncs the root.
  Status RemoveBucketTree(const std::string& bucket);
  // Removes the (emptied) directory of an upload's parts.
  void RemoveUploadDirectory(const std::string& upload_id);

  Result<std::unique_ptr<ObjectFileWriter>> BeginWrite(const ObjectBinding& object, const Kek& kek);

  // Reads and authenticates the whole file, handing out plaintext chunk by
  // chunk as each one authenticates; fails if anything after them is wrong,
  // so a caller keeping a whole object must wait for OK before using it.
  // A header that fails authentication is read once more (a rewrap may have
  // been rewriting it) and then `journaled_header` is tried, when given.
  // (ObjectFileReader reads a piece or a range at a time.)
  Status Read(const ObjectBinding& object, const Keyring& keyring,
              const std::string& journaled_header,
              const std::function<void(std::string_view plaintext)>& consume);

  Result<std::string> ReadHeader(const ObjectBinding& object);
  // Overwrites the fixed-size header in place and fdatasyncs the file.
  Status WriteHeader(const ObjectBinding& object, const std::string& header);
  Status Remove(const ObjectBinding& object);

  // OK, or the first fsync failure: sticky until restart.
  Status failure() const;
  void RecordFailure(const Status& status);

 private:
  friend class ObjectFileWriter;
  // Step (2): the key's directories exist and their entries are durable.
  Status EnsureDirectories(const std::string& bucket, std::string_view key);
  Status EnsureDirectory(const std::string& relative);
  // Drops `relative` and everything below it from the directory cache (the
  // directories are about to go, or went).
  void ForgetDirectories(const std::string& relative);

  const std::string root_;
  std::mutex directories_mu_;
  std::unordered_set<std::string> durable_directories_;  // relative to root; GUARDED_BY(directories_mu_)
  DirectorySync directory_sync_;
  std::atomic<bool> failed_{false};
  mutable std::mutex failure_mu_;
  Status failure_;  // GUARDED_BY(failure_mu_)
};

}  // namespace sluice::sink
