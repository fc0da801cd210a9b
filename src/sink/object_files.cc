#include "sink/object_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "sink/buffer_pool.h"
#include "sink/object_file_reader.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

// Sealed bytes are written in pieces of about this size, which bounds a
// writer's memory whatever the object's size.
constexpr size_t kWriteBufferBytes = 256 << 10;
// Plaintext handed to Read()'s consumer at a time.
constexpr size_t kReadBufferBytes = 256 << 10;
// Plaintext is digested and sealed in slices of this size, so the second
// pass over each slice reads it from the cache, not from memory.
constexpr size_t kSliceBytes = 64 << 10;
// The directory cache is only a hint; past this many entries it starts over.
constexpr size_t kMaxCachedDirectories = 100'000;

}  // namespace

// ---- ObjectFileWriter ----

ObjectFileWriter::~ObjectFileWriter() {
  if (!committed_ && !temp_path_.empty()) {
    fd_ = UniqueFd();
    (void)RemoveFile(temp_path_);
  }
  BufferPool::Give(std::move(buffer_));
}

Status ObjectFileWriter::Flush(bool force) {
  if (buffer_.empty() || (!force && buffer_.size() < kWriteBufferBytes)) return Status::Ok();
  SLUICE_RETURN_IF_ERROR(WriteAll(fd_.get(), buffer_, temp_path_));
  if (!force) {
    // Start writing this piece back now, so the fsync in Commit() finds
    // less to do (RocksDB's bytes_per_sync). Only a hint: errors surface there.
    (void)sync_file_range(fd_.get(), static_cast<off_t>(written_), static_cast<off_t>(buffer_.size()),
                          SYNC_FILE_RANGE_WRITE);
  }
  written_ += buffer_.size();
  buffer_.clear();
  return Status::Ok();
}

Status ObjectFileWriter::Append(std::string_view plaintext) {
  while (!plaintext.empty()) {
    const std::string_view slice = plaintext.substr(0, kSliceBytes);
    md5_.Update(slice);
    writer_->Write(slice, &buffer_);
    plaintext.remove_prefix(slice.size());
    SLUICE_RETURN_IF_ERROR(Flush(false));
  }
  return Status::Ok();
}

Status ObjectFileWriter::Seal() {
  if (sealed_) return Status(Code::kInternal, "ObjectFileWriter::Seal called twice");
  sealed_ = true;
  SLUICE_RETURN_IF_ERROR(files_.failure());
  writer_->Finish(&buffer_);
  SLUICE_RETURN_IF_ERROR(Flush(true));
  etag_ = md5_.HexDigest();
  return Status::Ok();
}

Status ObjectFileWriter::Install() {
  if (!sealed_ || committed_) return Status(Code::kInternal, "ObjectFileWriter::Install out of order");
  SLUICE_RETURN_IF_ERROR(files_.failure());
  // (1) The data is durable before any name points at it.
  if (fsync(fd_.get()) != 0) {
    Status failed = ErrnoStatus("fsync failed for", temp_path_, errno);
    files_.RecordFailure(failed);
    return failed;
  }
  SLUICE_RETURN_IF_ERROR(fd_.Close(temp_path_));
  const std::string path = files_.PathOf(object_);
  for (int attempt = 0;; ++attempt) {
    // (2) Every directory on the way exists and is durable.
    SLUICE_RETURN_IF_ERROR(files_.EnsureDirectories(object_.bucket, object_.key));
    // (3) The name, then the directory that holds it.
    if (rename(temp_path_.c_str(), path.c_str()) == 0) break;
    const int error = errno;
    if (error != ENOENT || attempt > 0) return ErrnoStatus("cannot rename into", path, error);
    // A directory the cache knew vanished: a DeleteBucket (or an aborted
    // upload) removed the tree. Without the bucket directory the write has
    // nowhere to go; otherwise the directories are made again.
    files_.ForgetDirectories(object_.bucket);
    struct stat info;
    if (stat(files_.BucketDirectory(object_.bucket).c_str(), &info) != 0) {
      return Status(Code::kNoSuchBucket, "the directory of bucket " + object_.bucket + " is gone");
    }
  }
  committed_ = true;
  Status synced = files_.directory_sync_.Sync(ParentDirectory(path));
  if (!synced.ok()) files_.RecordFailure(synced);
  return synced;
}

Status ObjectFileWriter::Commit() {
  SLUICE_RETURN_IF_ERROR(Seal());
  return Install();
}

// ---- ObjectFiles ----

ObjectFiles::ObjectFiles(std::string root) : root_(std::move(root)) {}

std::string ObjectFiles::PathOf(const ObjectBinding& object) const {
  std::string path;
  path.reserve(root_.size() + object.bucket.size() + object.key.size() + kFileNameSuffixBytes + 2);
  path.append(root_).append("/").append(object.bucket).append("/");
  path.append(ObjectFileName(object.key, object.generation));
  return path;
}

Status ObjectFiles::failure() const {
  if (!failed_.load(std::memory_order_acquire)) return Status::Ok();
  std::lock_guard<std::mutex> lock(failure_mu_);
  return failure_;
}

void ObjectFiles::RecordFailure(const Status& status) {
  std::lock_guard<std::mutex> lock(failure_mu_);
  if (!failure_.ok()) return;
  failure_ = Status(Code::kStorageFailed,
                    "the sink stopped writing after an I/O failure (" + status.message() +
                        "); restart sluice once the cause is fixed");
  failed_.store(true, std::memory_order_release);
}

Status ObjectFiles::EnsureDirectory(const std::string& relative) {
  {
    std::lock_guard<std::mutex> lock(directories_mu_);
    if (durable_directories_.count(relative) != 0) return Status::Ok();
  }
  const std::string path = relative.empty() ? root_ : root_ + "/" + relative;
  if (mkdir(path.c_str(), 0700) != 0) {
    if (errno != EEXIST) return ErrnoStatus("cannot create directory", path, errno);
    struct stat info;
    if (stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
      return Status(Code::kStorageFailed, path + " exists and is not a directory");
    }
  }
  // Whether this thread or another one (or an earlier run) created it, its
  // entry is durable only once the parent is synced.
  Status synced = directory_sync_.Sync(ParentDirectory(path));
  if (!synced.ok()) {
    RecordFailure(synced);
    return synced;
  }
  std::lock_guard<std::mutex> lock(directories_mu_);
  if (durable_directories_.size() >= kMaxCachedDirectories) durable_directories_.clear();
  durable_directories_.insert(relative);
  return Status::Ok();
}

Status ObjectFiles::EnsureDirectories(const std::string& bucket, std::string_view key) {
  const size_t last_slash = key.rfind('/');
  std::string relative = bucket;
  if (last_slash != std::string_view::npos) relative.append("/").append(key.substr(0, last_slash));
  {
    std::lock_guard<std::mutex> lock(directories_mu_);
    if (durable_directories_.count(relative) != 0) return Status::Ok();
  }
  // Top down, so each parent exists (and is durable) before its child.
  size_t end = 0;
  while (end != std::string::npos) {
    end = relative.find('/', end + 1);
    SLUICE_RETURN_IF_ERROR(EnsureDirectory(relative.substr(0, end)));
  }
  return Status::Ok();
}

Status ObjectFiles::PrepareRoot() {
  // The root's own parent may be missing too (a configured root_dir).
  std::string path;
  size_t end = 0;
  while (end != std::string::npos) {
    end = root_.find('/', end + 1);
    path = root_.substr(0, end);
    if (path.empty()) continue;
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoStatus("cannot create directory", path, errno);
    }
  }
  SLUICE_RETURN_IF_ERROR(FsyncDirectory(ParentDirectory(root_)));
  return EnsureDirectory(".tmp");
}

Status ObjectFiles::PrepareBucket(const std::string& bucket) { return EnsureDirectory(bucket); }

std::string ObjectFiles::UploadDirectory(const std::string& upload_id) const {
  return root_ + "/" + std::string(kUploadsArea) + "/" + upload_id;
}

void ObjectFiles::ForgetDirectories(const std::string& relative) {
  std::lock_guard<std::mutex> lock(directories_mu_);
  const std::string below = relative + "/";
  std::erase_if(durable_directories_,
                [&](const std::string& cached) { return cached == relative || cached.starts_with(below); });
}

Status ObjectFiles::RemoveBucketTree(const std::string& bucket) {
  ForgetDirectories(bucket);
  SLUICE_RETURN_IF_ERROR(RemoveTree(BucketDirectory(bucket)));
  Status synced = FsyncDirectory(root_);
  if (!synced.ok()) RecordFailure(synced);
  return synced;
}

void ObjectFiles::RemoveUploadDirectory(const std::string& upload_id) {
  const std::string relative = std::string(kUploadsArea) + "/" + upload_id;
  ForgetDirectories(relative);
  (void)rmdir(UploadDirectory(upload_id).c_str());  // fails while a part file is left: the startup check prunes it
}

Result<std::unique_ptr<ObjectFileWriter>> ObjectFiles::BeginWrite(const ObjectBinding& object,
                                                                  const Kek& kek) {
  SLUICE_RETURN_IF_ERROR(failure());
  std::unique_ptr<ObjectFileWriter> file(new ObjectFileWriter(*this, object));
  Result<std::unique_ptr<ObjectWriter>> writer = ObjectWriter::Create(object, kek);
  if (!writer.ok()) return writer.status();
  file->writer_ = std::move(writer).value();
  // The generation is random: a clash with another write is a bug or an
  // astronomically unlucky draw, and O_EXCL refuses it either way.
  file->temp_path_ = TempDirectory() + "/" + object.generation + ".tmp";
  file->fd_ = UniqueFd(open(file->temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!file->fd_.valid()) {
    Status status = ErrnoStatus("cannot create", file->temp_path_, errno);
    file->temp_path_.clear();  // not ours to remove
    return status;
  }
  file->buffer_ = BufferPool::Take(kWriteBufferBytes + kSliceBytes + kDefaultChunkBytes + 1024);
  file->buffer_.append(file->writer_->header());
  return file;
}

Status ObjectFiles::Read(const ObjectBinding& object, const Keyring& keyring,
                         const std::string& journaled_header,
                         const std::function<void(std::string_view plaintext)>& consume) {
  Result<std::unique_ptr<ObjectFileReader>> reader =
      ObjectFileReader::Open(*this, object, keyring, journaled_header, std::nullopt, std::nullopt);
  if (!reader.ok()) return reader.status();
  std::string plaintext;
  while (!(*reader)->done()) {
    plaintext.clear();
    SLUICE_RETURN_IF_ERROR((*reader)->ReadSome(kReadBufferBytes, &plaintext));
    if (!plaintext.empty()) consume(plaintext);
  }
  return Status::Ok();
}

Result<std::string> ObjectFiles::ReadHeader(const ObjectBinding& object) {
  const std::string path = PathOf(object);
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return Status(Code::kResourceNotFound, "the object's file " + path + " is missing");
    return ErrnoStatus("cannot open", path, errno);
  }
  return PreadUpTo(fd.get(), kEnvelopeHeaderBytes, 0, path);
}

Status ObjectFiles::WriteHeader(const ObjectBinding& object, const std::string& header) {
  SLUICE_RETURN_IF_ERROR(failure());
  if (header.size() != kEnvelopeHeaderBytes) {
    return Status(Code::kInternal, "a sealed object header must be " +
                                       std::to_string(kEnvelopeHeaderBytes) + " bytes");
  }
  const std::string path = PathOf(object);
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return Status(Code::kResourceNotFound, "the object's file " + path + " is missing");
    return ErrnoStatus("cannot open", path, errno);
  }
  SLUICE_RETURN_IF_ERROR(PwriteAll(fd.get(), header, 0, path));
  if (fdatasync(fd.get()) != 0) {
    Status failed = ErrnoStatus("fdatasync failed for", path, errno);
    RecordFailure(failed);
    return failed;
  }
  return fd.Close(path);
}

Status ObjectFiles::Remove(const ObjectBinding& object) { return RemoveFile(PathOf(object)); }

}  // namespace sluice::sink
