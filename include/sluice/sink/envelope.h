// The sealed object format: envelope encryption, the way KMS does it.
//
// Every object gets a fresh random data key (DEK) that seals its plaintext
// in chunks (64 KiB by default); the DEK itself is wrapped with
// crypto_aead_xchacha20poly1305_ietf under a key-encryption key (KEK) from
// the keyring. A sealed file is a fixed-size header followed by the chunks.
// Writers produce format 2; readers accept formats 1 and 2.
//
// Format 2 (seekable: any chunk can be opened on its own):
//
//   offset size  field
//        0    8  magic "SLUICEOB"
//        8    2  format version (2), little-endian
//       10    2  header size (128)
//       12    4  KEK version that wrapped the DEK
//       16    8  generation (the random id in the file name)
//       24    4  plaintext bytes per chunk (`chunk`)
//       28   16  chunk nonce prefix, random per object
//       44    8  zero
//       52   24  nonce of the DEK wrap
//       76   48  wrapped DEK (32-byte key + 16-byte tag)
//      124    4  reserved, zero
//      128       chunks 0, 1, ..., n-1, n = max(1, ceil(size / chunk)); chunk i
//                starts at 128 + i * (chunk + 16) (SealedChunkOffset)
//
//   chunk i = crypto_aead_xchacha20poly1305_ietf_encrypt(
//                 plaintext bytes [i * chunk, min((i + 1) * chunk, size)),
//                 nonce = prefix (16) || i (8, little-endian),
//                 associated data = i (8, little-endian) || final (1),
//                 key = DEK)
//   Every chunk but the last holds exactly `chunk` plaintext bytes and has
//   final = 0; the last holds 0 (only for an empty object) to `chunk` bytes
//   and has final = 1. Overhead: 16 bytes a chunk (kChunkOverheadBytes).
//
// This is the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizar,
// 2015). A chunk authenticates only at its own index (reordered, dropped or
// repeated chunks fail), the end is authenticated (a file cut at a chunk
// boundary lacks a final = 1 chunk; bytes after it are refused), and the
// DEK is per object, so chunks cannot move between objects. The chunk's
// associated data needs nothing more: everything else (chunk size, nonce
// prefix, object) is authenticated by the DEK wrap, and no other object
// shares the DEK.
//
// Format 1 (sequential; files written before format 2 are still read):
// the same header with version 1 and, at 28, the 24-byte header of one
// crypto_secretstream_xchacha20poly1305 stream instead of prefix + zero.
// Chunks are secretstream messages of `chunk` plaintext bytes + 17 bytes
// (kFormat1ChunkOverheadBytes); the last one, possibly empty or full,
// carries the FINAL tag. The stream authenticates order and end by its
// internal counter, so it can only be read from the start.
//
// In both formats the associated data of the DEK wrap is the whole header
// except the wrap nonce and wrapped key, plus the object's bucket and key.
// So the DEK unwraps only for the object (bucket, key, generation) the
// caller expects, with the header exactly as written: a changed header
// byte, or a file moved from another object or another generation, fails
// there.
//
// Rewrapping (a new KEK) rewrites only the header's KEK version, nonce and
// wrapped key; the header keeps its size, so it is rewritten in place. The
// chunks, and so the format, do not change.
//
// Streaming: ObjectWriter and ObjectReader hold one chunk at most, whatever
// the object's size. An ObjectReader hands out each chunk's plaintext only
// once the chunk is authenticated, and reports truncation only at Finish():
// a caller that must never expose a prefix of a damaged object (a whole
// object Get) keeps the plaintext until Finish() returned OK.
//
// Ranged reads (format 2): SeekToChunk(i), feed the file from
// SealedChunkOffset(i), then Finish() if the range reached the object's
// last chunk, else FinishRange(). A range that ends before the last chunk
// cannot tell the object was truncated after it: the caller compares the
// file's size with SealedSize(size) of the size it recorded.
//
// Errors: any authentication or format failure is kInternal with a message
// starting "integrity check failed for BUCKET/KEY: " (IsIntegrityError).
// Threads: the functions are pure; one writer or reader per thread at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::sink {

inline constexpr size_t kKekBytes = 32;
inline constexpr size_t kEnvelopeHeaderBytes = 128;
inline constexpr uint32_t kDefaultChunkBytes = 64 * 1024;
inline constexpr uint32_t kMaxChunkBytes = 16 * 1024 * 1024;
// The format ObjectWriter produces.
inline constexpr uint32_t kCurrentFormatVersion = 2;
// Sealed bytes a chunk adds in format 2: the AEAD's MAC.
inline constexpr size_t kChunkOverheadBytes = 16;
// Format 1: crypto_secretstream_xchacha20poly1305_ABYTES, tag byte plus MAC.
inline constexpr size_t kFormat1ChunkOverheadBytes = 17;

// One version of the keyring's key-encryption key. Zeroed on destruction.
struct Kek {
  Kek() = default;
  Kek(const Kek&) = default;
  Kek& operator=(const Kek&) = default;
  ~Kek();

  uint32_t version = 0;
  std::array<unsigned char, kKekBytes> bytes{};
};

// Which object a sealed file must belong to.
struct ObjectBinding {
  std::string bucket;
  std::string key;
  std::string generation;  // 16 hex digits
};

// "integrity check failed for BUCKET/KEY: DETAIL" (kInternal).
Status IntegrityError(const ObjectBinding& object, std::string_view detail);
bool IsIntegrityError(const Status& status);

// The fixed-size header, parsed but not yet authenticated.
class EnvelopeHeader {
 public:
  // Checks the magic, format version (1 or 2), sizes and zero bytes.
  static Result<EnvelopeHeader> Parse(const ObjectBinding& object, std::string_view bytes);

  uint32_t format_version() const { return format_version_; }
  uint32_t kek_version() const { return kek_version_; }
  uint32_t chunk_bytes() const { return chunk_bytes_; }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
  uint32_t format_version_ = 0;
  uint32_t kek_version_ = 0;
  uint32_t chunk_bytes_ = 0;
};

// Seals a stream of plaintext in format 2. Write the header, then
// everything the calls append to `out`, in order. Owns the DEK (wiped on
// destruction) and at most one chunk of plaintext: a chunk that ends a
// Write() exactly is kept until the next call tells whether it is the last.
class ObjectWriter {
 public:
  // Draws a fresh DEK and wraps it under `kek`. kInvalidParameterValue for a
  // malformed generation or chunk size.
  static Result<std::unique_ptr<ObjectWriter>> Create(const ObjectBinding& object, const Kek& kek,
                                                      uint32_t chunk_bytes = kDefaultChunkBytes);
  ~ObjectWriter();

  const std::string& header() const { return header_; }
  // Appends the sealed form of every chunk that is complete (and known not
  // to be the last) to `out`; keeps the rest (< one chunk).
  void Write(std::string_view plaintext, std::string* out);
  // Seals what is left as the final chunk. Call once, after the last Write.
  void Finish(std::string* out);

  uint64_t plaintext_bytes() const { return plaintext_bytes_; }
  // The sealed size of an object of `plaintext_bytes` in format 2, header
  // included.
  static uint64_t SealedSize(uint64_t plaintext_bytes, uint32_t chunk_bytes = kDefaultChunkBytes);
  // The file offset of chunk `index` in format 2, header included. Chunk i
  // of an object of `size` bytes ends at
  // min(SealedChunkOffset(i + 1), SealedSize(size)).
  static uint64_t SealedChunkOffset(uint64_t index, uint32_t chunk_bytes = kDefaultChunkBytes);

 private:
  ObjectWriter() = default;
  void SealChunk(std::string_view chunk, bool final, std::string* out);

  std::string header_;
  std::array<unsigned char, 32> dek_{};
  std::array<unsigned char, 16> nonce_prefix_{};
  uint64_t chunk_index_ = 0;
  uint32_t chunk_bytes_ = 0;
  std::string pending_;
  uint64_t plaintext_bytes_ = 0;
  bool finished_ = false;
};

// Opens a sealed file of format 1 or 2: authenticates the header, then
// each chunk. Owns the DEK (format 2) or the stream state (format 1), wiped
// on destruction, and at most one partial sealed chunk.
class ObjectReader {
 public:
  // Unwraps the DEK with `kek` (the version the header names).
  static Result<std::unique_ptr<ObjectReader>> Open(const ObjectBinding& object,
                                                    const EnvelopeHeader& header, const Kek& kek);
  ~ObjectReader();

  // Feeds the sealed bytes that follow the header (or, after SeekToChunk,
  // those from the chunk sought), in any slicing. Appends the plaintext of
  // every chunk that is complete and authentic to `out`. After an error
  // every later call (SeekToChunk included) returns the same error.
  Status Read(std::string_view sealed, std::string* out);
  // The end of the file: opens a partial chunk still held as the final one,
  // and fails unless the final chunk was read.
  Status Finish(std::string* out);
  // The end of a range that stops before the object's last chunk: succeeds
  // when every chunk fed was whole and authentic, and fails when the bytes
  // fed end inside a chunk. A range that reaches the object's end calls
  // Finish() instead (the last chunk may be short, and only Finish() opens
  // a chunk it cannot know is whole). It cannot detect that the object was
  // truncated after the range; see the ranged reads above.
  Status FinishRange();

  // Format 2 only (kInvalidParameterValue otherwise, or for an index past
  // any possible file): the next sealed bytes fed to Read() are those of
  // chunk `index`, at ObjectWriter::SealedChunkOffset(index, chunk_bytes()).
  // A partial chunk held is discarded. Any index may be sought, any number
  // of times; a chunk that does not exist fails as truncation or damage.
  Status SeekToChunk(uint64_t index);
  bool seekable() const { return format_version_ >= 2; }

  uint32_t format_version() const { return format_version_; }
  uint32_t chunk_bytes() const { return chunk_bytes_; }
  // Plaintext bytes handed out since Open, over every seek.
  uint64_t plaintext_bytes() const { return plaintext_bytes_; }

 private:
  ObjectReader() = default;
  Status OpenChunk(std::string_view sealed, std::string* out);
  Status OpenChunkV1(std::string_view sealed, std::string* out);
  Status OpenChunkV2(std::string_view sealed, std::string* out);
  Status Fail(std::string_view detail);

  ObjectBinding object_;
  uint32_t format_version_ = 0;
  std::array<unsigned char, 52> state_{};  // format 1: the secretstream state
  std::array<unsigned char, 32> dek_{};    // format 2
  std::array<unsigned char, 16> nonce_prefix_{};
  uint32_t chunk_bytes_ = 0;
  size_t sealed_chunk_bytes_ = 0;  // chunk_bytes_ + the format's overhead
  std::string buffer_;  // a partial sealed chunk
  uint64_t chunk_index_ = 0;  // of the next chunk to open
  uint64_t plaintext_bytes_ = 0;
  bool final_seen_ = false;
  Status failure_;
};

// The header re-sealed under `target`: same format, DEK, stream or nonce
// prefix, and generation, a new wrap. `current` must be the version the
// header names. Works on format 1 and format 2 headers.
Result<std::string> RewrapHeader(const ObjectBinding& object, const EnvelopeHeader& header,
                                 const Kek& current, const Kek& target);

}  // namespace sluice::sink
