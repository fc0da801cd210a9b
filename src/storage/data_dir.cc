#include "sluice/storage/data_dir.h"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice::storage {
namespace {

Status SystemError(const std::string& what) {
  return Status(Code::kStorageFailed, what + ": " + std::strerror(errno));
}

// mkdir -p: creates every missing component of `dir` with mode 0700 (the
// data dir holds message bodies; nobody else should read them).
Status MakeDirectories(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string prefix = dir.substr(0, slash);
    if (!prefix.empty() && mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return SystemError("cannot create data dir " + prefix);
    }
    if (slash == std::string::npos) break;
  }
  struct stat info;
  if (stat(dir.c_str(), &info) != 0) return SystemError("cannot use data dir " + dir);
  if (!S_ISDIR(info.st_mode)) {
    return Status(Code::kStorageFailed, "data dir " + dir + " exists and is not a directory");
  }
  return Status::Ok();
}

// The pid the holder wrote into LOCK, or "unknown" (it may be mid-write).
std::string HolderPid(int fd) {
  char buffer[32] = {};
  const ssize_t n = pread(fd, buffer, sizeof(buffer) - 1, 0);
  std::string pid;
  for (ssize_t i = 0; i < n && buffer[i] >= '0' && buffer[i] <= '9'; ++i) pid += buffer[i];
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

Result<DataDirLock> DataDirLock::Acquire(const std::string& dir) {
  if (dir.empty()) return Status(Code::kStorageFailed, "data dir is empty");
  SLUICE_RETURN_IF_ERROR(MakeDirectories(dir));
  const std::string lock_path = dir + "/LOCK";
  const int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return SystemError("cannot open " + lock_path);
  // flock locks belong to the open file description: a second open() of LOCK,
  // even in this process, conflicts, and the kernel drops it when we die.
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int flock_errno = errno;
    Status status = flock_errno == EWOULDBLOCK
                        ? Status(Code::kUnavailable, "data dir " + dir +
                                                         " is in use by another sluice process (pid " +
                                                         HolderPid(fd) + ")")
                        : Status(Code::kStorageFailed,
                                 "cannot lock " + lock_path + ": " + std::strerror(flock_errno));
    close(fd);
    return status;
  }
  // Only to name the holder in a rival's error message: not synced.
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
    Status status = SystemError("cannot write " + lock_path);
    close(fd);
    return status;
  }
  return DataDirLock(dir, fd);
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept
    : dir_(std::move(other.dir_)), fd_(other.fd_) {
  other.fd_ = -1;
}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    Release();
    dir_ = std::move(other.dir_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

DataDirLock::~DataDirLock() { Release(); }

void DataDirLock::Release() {
  // Closing the only descriptor of the open file description drops the flock.
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

}  // namespace sluice::storage
