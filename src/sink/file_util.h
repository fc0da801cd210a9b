// POSIX file helpers for the sink's durable writes: errors as Status values,
// fsync of directories, atomic replacement of small files.
//
// Errors: kStorageFailed with "<what> <path>: <strerror>".
// Threads: any.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::sink {

// "<what> <path>: <strerror(error)>" as kStorageFailed.
Status ErrnoStatus(std::string_view what, const std::string& path, int error);

// The directory part of `path` ("a/b/c" -> "a/b", "c" -> ".").
std::string ParentDirectory(const std::string& path);

// Opens `dir` and fsyncs it, making the entries created or renamed in it
// durable.
Status FsyncDirectory(const std::string& dir);

// write(2) until everything is written (retrying short writes and EINTR).
Status WriteAll(int fd, std::string_view bytes, const std::string& path);
// pwrite(2) of all of `bytes` at `offset`.
Status PwriteAll(int fd, std::string_view bytes, size_t offset, const std::string& path);
// Reads up to `size` bytes at `offset`; fewer only at the end of the file.
Result<std::string> PreadUpTo(int fd, size_t size, size_t offset, const std::string& path);

// Replaces `path` with `contents` so that a crash leaves either the old or
// the new file: writes <path>.tmp with `mode`, fsyncs it, renames it over
// `path`, fsyncs the directory.
Status ReplaceFileAtomically(const std::string& path, std::string_view contents, unsigned mode);

// Removes `path`; a file that is already gone is not an error.
Status RemoveFile(const std::string& path);

// Removes the directory `path` and everything below it (symbolic links are
// removed, never followed); one that is already gone is not an error.
Status RemoveTree(const std::string& path);

// A file descriptor closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // close(2) with its result: a close that fails after writes may mean lost data.
  Status Close(const std::string& path);

 private:
  int fd_ = -1;
};

}  // namespace sluice::sink
