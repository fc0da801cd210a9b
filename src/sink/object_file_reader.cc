#include "sink/object_file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "sink/buffer_pool.h"

namespace sluice::sink {
namespace {

// Sealed bytes read per pread.
constexpr size_t kReadBufferBytes = 256 << 10;

size_t OverheadOf(uint32_t format_version) {
  return format_version >= 2 ? kChunkOverheadBytes : kFormat1ChunkOverheadBytes;
}

// Chunks of an object of `size` plaintext bytes: full ones, then a final
// one with the rest (a full one for a multiple of the chunk; an empty one
// for an empty object). Both formats.
uint64_t ChunkCount(uint64_t size, uint32_t chunk_bytes) {
  return size == 0 ? 1 : (size + chunk_bytes - 1) / chunk_bytes;
}

}  // namespace

Result<std::unique_ptr<ObjectFileReader>> ObjectFileReader::Open(const ObjectFiles& files,
                                                                 const ObjectBinding& object,
                                                                 const Keyring& keyring,
                                                                 const std::string& journaled_header,
                                                                 std::optional<uint64_t> size,
                                                                 std::optional<ByteRange> range) {
  std::unique_ptr<ObjectFileReader> file(new ObjectFileReader());
  file->object_ = object;
  file->path_ = files.PathOf(object);
  const std::string& path = file->path_;
  file->fd_ = UniqueFd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file->fd_.valid()) {
    if (errno == ENOENT) return Status(Code::kResourceNotFound, "the object's file " + path + " is missing");
    return ErrnoStatus("cannot open", path, errno);
  }
  const int fd = file->fd_.get();
  // The header names the key version; authenticate it before reading on.
  auto open_reader = [&](std::string_view bytes) -> Result<std::unique_ptr<ObjectReader>> {
    Result<EnvelopeHeader> header = EnvelopeHeader::Parse(object, bytes);
    if (!header.ok()) return header.status();
    Result<Kek> kek = keyring.Find(header->kek_version());
    if (!kek.ok()) {
      return IntegrityError(object, "its header names key version " +
                                        std::to_string(header->kek_version()) + ": " +
                                        kek.status().message());
    }
    return ObjectReader::Open(object, *header, *kek);
  };
  Result<std::string> header_bytes = PreadUpTo(fd, kEnvelopeHeaderBytes, 0, path);
  if (!header_bytes.ok()) return header_bytes.status();
  Result<std::unique_ptr<ObjectReader>> reader = open_reader(*header_bytes);
  if (!reader.ok() && IsIntegrityError(reader.status())) {
    // A rewrap may have been rewriting the header while we read it.
    Result<std::string> again = PreadUpTo(fd, kEnvelopeHeaderBytes, 0, path);
    if (again.ok() && *again != *header_bytes) reader = open_reader(*again);
    if (!reader.ok() && !journaled_header.empty()) {
      Result<std::unique_ptr<ObjectReader>> journaled = open_reader(journaled_header);
      if (journaled.ok()) reader = std::move(journaled);
    }
  }
  if (!reader.ok()) return reader.status();
  file->reader_ = std::move(reader).value();
  file->format_version_ = file->reader_->format_version();
  file->chunk_bytes_ = file->reader_->chunk_bytes();
  file->file_offset_ = kEnvelopeHeaderBytes;

  struct stat info;
  if (fstat(fd, &info) != 0) return ErrnoStatus("cannot stat", path, errno);
  const uint64_t file_bytes = static_cast<uint64_t>(info.st_size);
  file->size_ = size;
  if (size) {
    // A range that stops early never sees the tail: the length tells
    // whether chunks were cut off or added.
    const uint64_t expected = kEnvelopeHeaderBytes + *size +
                              ChunkCount(*size, file->chunk_bytes_) * OverheadOf(file->format_version_);
    if (file_bytes != expected) {
      return IntegrityError(object, "the file holds " + std::to_string(file_bytes) + " bytes but an object of " +
                                        std::to_string(*size) + " bytes takes " + std::to_string(expected));
    }
    file->end_ = *size;
  }
  if (range) {
    if (!size || range->first > range->last || range->last >= *size) {
      return Status(Code::kInvalidParameterValue, "the range is not within the object");
    }
    file->next_ = range->first;
    file->end_ = range->last + 1;
    // A range in the object's last chunk reads to the end of the file: that
    // chunk may be short, and only Finish() opens (and checks) it.
    file->to_object_end_ = range->last / file->chunk_bytes_ == (*size - 1) / file->chunk_bytes_;
    const uint64_t first_chunk = range->first / file->chunk_bytes_;
    if (first_chunk > 0 && file->reader_->seekable()) {
      SLUICE_RETURN_IF_ERROR(file->reader_->SeekToChunk(first_chunk));
      file->file_offset_ = file->ChunkOffset(first_chunk);
      file->position_ = first_chunk * file->chunk_bytes_;
    }
    if (!file->to_object_end_) file->stop_offset_ = file->ChunkOffset(range->last / file->chunk_bytes_ + 1);
  }
  const uint64_t to_read = std::min(file_bytes, file->stop_offset_) - std::min(file_bytes, file->file_offset_);
  // Small objects are read with one small buffer, large ones 256 KiB at a time.
  const size_t buffer_bytes = static_cast<size_t>(std::clamp<uint64_t>(to_read + 1, 1, kReadBufferBytes));
  file->sealed_ = BufferPool::Take(buffer_bytes);
  file->sealed_.resize(buffer_bytes);
  return file;
}

ObjectFileReader::~ObjectFileReader() { BufferPool::Give(std::move(sealed_)); }

uint64_t ObjectFileReader::ChunkOffset(uint64_t index) const {
  if (format_version_ >= 2) return ObjectWriter::SealedChunkOffset(index, chunk_bytes_);
  return kEnvelopeHeaderBytes + index * (chunk_bytes_ + kFormat1ChunkOverheadBytes);
}

Status ObjectFileReader::Fail(Status status) {
  failure_ = std::move(status);
  return failure_;
}

Status ObjectFileReader::Take(const std::string& plaintext, std::string* out) {
  const uint64_t from = position_;
  position_ += plaintext.size();
  if (size_ && position_ > *size_) {
    return Fail(IntegrityError(object_, "it holds more than the " + std::to_string(*size_) +
                                            " bytes its metadata says"));
  }
  if (position_ <= next_ || from >= end_) return Status::Ok();
  const uint64_t begin = std::max(from, next_);
  const uint64_t stop = std::min(position_, end_);
  out->append(plaintext, static_cast<size_t>(begin - from), static_cast<size_t>(stop - begin));
  next_ = stop;
  return Status::Ok();
}

Status ObjectFileReader::ReadSome(size_t max_bytes, std::string* out) {
  if (!failure_.ok()) return failure_;
  const size_t start = out->size();
  while (!done_ && out->size() - start < max_bytes) {
    const uint64_t want = std::min<uint64_t>(sealed_.size(), stop_offset_ - file_offset_);
    ssize_t n = 0;
    if (want > 0) {
      n = pread(fd_.get(), sealed_.data(), static_cast<size_t>(want), static_cast<off_t>(file_offset_));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Fail(ErrnoStatus("cannot read", path_, errno));
      }
    }
    plaintext_.clear();
    if (n == 0) {
      // The end of the file, or of the range's last chunk.
      Status finished = to_object_end_ ? reader_->Finish(&plaintext_) : reader_->FinishRange();
      if (!finished.ok()) return Fail(std::move(finished));
      SLUICE_RETURN_IF_ERROR(Take(plaintext_, out));
      if (next_ != end_ && end_ != UINT64_MAX) {
        return Fail(IntegrityError(object_, "it holds " + std::to_string(position_) +
                                                " bytes but its metadata says " + std::to_string(*size_)));
      }
      done_ = true;
      break;
    }
    file_offset_ += static_cast<uint64_t>(n);
    Status read = reader_->Read(std::string_view(sealed_.data(), static_cast<size_t>(n)), &plaintext_);
    if (!read.ok()) return Fail(std::move(read));
    SLUICE_RETURN_IF_ERROR(Take(plaintext_, out));
    if (next_ == end_ && !to_object_end_) {
      // Every chunk fed was whole: the range ends on a chunk boundary.
      Status finished = reader_->FinishRange();
      if (!finished.ok()) return Fail(std::move(finished));
      done_ = true;
    }
  }
  return Status::Ok();
}

}  // namespace sluice::sink
