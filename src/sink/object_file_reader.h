// Reads one sealed file, or a byte range of its plaintext, a piece at a
// time: what streamed downloads, copies and multipart completions use, so
// that none of them holds more than a read buffer and a chunk or two.
//
// A range of a format 2 file starts at the chunk holding its first byte
// (ObjectReader::SeekToChunk, ObjectWriter::SealedChunkOffset) and stops
// after the chunk holding its last; a format 1 file can only be decrypted
// from its start, so the bytes before the range are decrypted and dropped.
// When the object's size is known, the file's length is checked against it
// at Open (a range that stops early could not see a truncated or extended
// tail otherwise); a read that reaches the end of the object also checks
// the final chunk (ObjectReader::Finish).
//
// Ownership: owns the open file (so a file unlinked meanwhile stays
// readable), the ObjectReader and its buffers.
// Errors: a missing file is kResourceNotFound; I/O errors kStorageFailed;
// anything that does not authenticate or add up is an integrity error
// (envelope.h). After an error every later ReadSome returns it again.
// Threads: any, one at a time (the sink hands it from one I/O job to the
// next).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sink/file_util.h"
#include "sink/keyring.h"
#include "sink/object_files.h"
#include "sluice/sink/envelope.h"
#include "sluice/sink/types.h"

namespace sluice::sink {

class ObjectFileReader {
 public:
  // Opens `object`'s file and authenticates its header; a header that fails
  // is read once more (a rewrap may be rewriting it in place) and then
  // `journaled_header` is tried, when given. `size` is the plaintext size
  // the metadata records (nullopt: unknown, read to the end); `range` (which
  // needs `size`, and must lie within it) limits the plaintext handed out.
  static Result<std::unique_ptr<ObjectFileReader>> Open(const ObjectFiles& files,
                                                        const ObjectBinding& object,
                                                        const Keyring& keyring,
                                                        const std::string& journaled_header,
                                                        std::optional<uint64_t> size,
                                                        std::optional<ByteRange> range);
  ~ObjectFileReader();
  ObjectFileReader(const ObjectFileReader&) = delete;
  ObjectFileReader& operator=(const ObjectFileReader&) = delete;

  // Appends the next authenticated plaintext of the range to `out`: about
  // `max_bytes` (at least one chunk's worth unless the range ends first).
  Status ReadSome(size_t max_bytes, std::string* out);
  // The whole range was handed out (and, at the object's end, checked).
  bool done() const { return done_; }
  // Plaintext bytes of the range not handed out yet (when the size is known).
  uint64_t remaining() const { return end_ - next_; }

 private:
  ObjectFileReader() = default;
  // The file offset of chunk `index`.
  uint64_t ChunkOffset(uint64_t index) const;
  // Hands out the part of `plaintext` (which starts at position_) that
  // falls in the range.
  Status Take(const std::string& plaintext, std::string* out);
  Status Fail(Status status);

  ObjectBinding object_;
  std::string path_;
  UniqueFd fd_;
  std::unique_ptr<ObjectReader> reader_;
  uint32_t format_version_ = 0;
  uint32_t chunk_bytes_ = 0;
  std::optional<uint64_t> size_;
  uint64_t next_ = 0;              // the next plaintext byte to hand out
  uint64_t end_ = UINT64_MAX;      // one past the range's last byte
  bool to_object_end_ = true;      // the range ends in the object's last chunk
  uint64_t position_ = 0;          // plaintext offset of the reader's next output
  uint64_t file_offset_ = 0;       // the next sealed byte to feed
  uint64_t stop_offset_ = UINT64_MAX;  // feed no further (the end of the range's last chunk)
  std::string sealed_;             // read buffer (from BufferPool)
  std::string plaintext_;          // the reader's output before the range is cut out
  bool done_ = false;
  Status failure_;
};

}  // namespace sluice::sink
