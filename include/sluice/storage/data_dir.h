// The data directory lock: one sluice process per data directory. Two
// processes writing the same SQLite database through separate storage
// threads would break group commit's single-writer assumption (and confuse
// operators), so `sluice serve` takes this lock before opening storage.
//
// The lock is flock(LOCK_EX) on <dir>/LOCK, held for the life of the
// DataDirLock. The kernel drops it when the process dies, so a crash never
// leaves a stale lock behind; the pid written into the file is only there to
// name the holder in the error message.
//
// Ownership: a DataDirLock owns the LOCK file descriptor; moving it moves the
// lock; destroying it releases the lock.
// Errors: contention is kUnavailable ("data dir <dir> is in use by another
// sluice process (pid N)"); a directory or file we cannot create or open is
// kStorageFailed with the system's reason.
// Threads: any thread; one object is not shared between threads.
#pragma once

#include <string>
#include <utility>

#include "sluice/status.h"

namespace sluice::storage {

class DataDirLock {
 public:
  // Creates `dir` (and missing parents, mode 0700) if needed and locks it.
  static Result<DataDirLock> Acquire(const std::string& dir);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

  const std::string& dir() const { return dir_; }

 private:
  DataDirLock(std::string dir, int fd) : dir_(std::move(dir)), fd_(fd) {}
  void Release();

  std::string dir_;
  int fd_ = -1;  // the locked <dir>/LOCK; -1 once moved from
};

}  // namespace sluice::storage
