#include "sink/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace sluice::sink {

Status ErrnoStatus(std::string_view what, const std::string& path, int error) {
  return Status(Code::kStorageFailed,
                std::string(what) + " " + path + ": " + std::strerror(error));
}

std::string ParentDirectory(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status FsyncDirectory(const std::string& dir) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("cannot open directory", dir, errno);
  if (fsync(fd.get()) != 0) return ErrnoStatus("fsync failed for directory", dir, errno);
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}

Status PwriteAll(int fd, std::string_view bytes, size_t offset, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
    offset += static_cast<size_t>(written);
  }
  return Status::Ok();
}

Result<std::string> PreadUpTo(int fd, size_t size, size_t offset, const std::string& path) {
  std::string bytes(size, '\0');
  size_t filled = 0;
  while (filled < size) {
    const ssize_t n = pread(fd, bytes.data() + filled, size - filled, static_cast<off_t>(offset + filled));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot read", path, errno);
    }
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  bytes.resize(filled);
  return bytes;
}

Status ReplaceFileAtomically(const std::string& path, std::string_view contents, unsigned mode) {
  const std::string temp = path + ".tmp";
  UniqueFd fd(open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd.valid()) return ErrnoStatus("cannot create", temp, errno);
  // open(2) applies the umask and keeps the mode of an existing file.
  if (fchmod(fd.get(), mode) != 0) return ErrnoStatus("cannot chmod", temp, errno);
  SLUICE_RETURN_IF_ERROR(WriteAll(fd.get(), contents, temp));
  if (fsync(fd.get()) != 0) return ErrnoStatus("fsync failed for", temp, errno);
  SLUICE_RETURN_IF_ERROR(fd.Close(temp));
  if (rename(temp.c_str(), path.c_str()) != 0) return ErrnoStatus("cannot rename onto", path, errno);
  return FsyncDirectory(ParentDirectory(path));
}

Status RemoveFile(const std::string& path) {
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("cannot remove", path, errno);
  return Status::Ok();
}

Status RemoveTree(const std::string& path) {
  DIR* stream = opendir(path.c_str());
  if (stream == nullptr) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoStatus("cannot open directory", path, errno);
  }
  std::vector<std::pair<std::string, bool>> entries;  // name, is a directory
  while (dirent* entry = readdir(stream)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    bool directory = entry->d_type == DT_DIR;
    if (entry->d_type == DT_UNKNOWN) {
      struct stat info;
      directory = lstat((path + "/" + name).c_str(), &info) == 0 && S_ISDIR(info.st_mode);
    }
    entries.emplace_back(name, directory);
  }
  closedir(stream);
  for (const auto& [name, directory] : entries) {
    const std::string child = path + "/" + name;
    SLUICE_RETURN_IF_ERROR(directory ? RemoveTree(child) : RemoveFile(child));
  }
  if (rmdir(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("cannot remove directory", path, errno);
  return Status::Ok();
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

Status UniqueFd::Close(const std::string& path) {
  const int fd = release();
  if (fd >= 0 && close(fd) != 0) return ErrnoStatus("cannot close", path, errno);
  return Status::Ok();
}

}  // namespace sluice::sink
