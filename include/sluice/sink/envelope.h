// The sealed object format: envelope encryption, the way KMS does it.
//
// Every object gets a fresh random data key (DEK). The plaintext is sealed
// with that DEK by libsodium's crypto_secretstream_xchacha20poly1305 in
// chunks (64 KiB by default), and the DEK itself is wrapped with
// crypto_aead_xchacha20poly1305_ietf under a key-encryption key (KEK) from
// the keyring. A sealed file is a fixed-size header followed by the chunks:
//
//   offset size  field
//        0    8  magic "SLUICEOB"
//        8    2  format version (1), little-endian
//       10    2  header size (128)
//       12    4  KEK version that wrapped the DEK
//       16    8  generation (the random id in the file name)
//       24    4  plaintext bytes per chunk
//       28   24  secretstream header (the stream's initial nonce)
//       52   24  nonce of the DEK wrap
//       76   48  wrapped DEK (32-byte key + 16-byte tag)
//      124    4  reserved, zero
//      128       chunks: every chunk but the last holds exactly `chunk`
//                plaintext bytes (+17 bytes of overhead); the last one,
//                possibly empty, carries the FINAL tag
//
// The associated data of the DEK wrap is the whole header except the nonce
// and wrapped key, plus the object's bucket and key. So the DEK unwraps only
// for the object (bucket, key, generation) the caller expects, with the
// header exactly as written: a changed header byte, or a file moved from
// another object or another generation, fails there. The secretstream then
// authenticates every chunk, their order (a per-chunk counter), and the end
// (the FINAL tag): flipped, reordered, truncated or appended bytes fail.
//
// Rewrapping (a new KEK) rewrites only the header's KEK version, nonce and
// wrapped key; the header keeps its size, so it is rewritten in place.
//
// Streaming: ObjectWriter and ObjectReader hold one chunk at most, whatever
// the object's size. An ObjectReader hands out each chunk's plaintext only
// once the chunk is authenticated, and reports truncation only at Finish():
// a caller that must never expose a prefix of a damaged object (a whole
// object Get) keeps the plaintext until Finish() returned OK.
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
// crypto_secretstream_xchacha20poly1305_ABYTES: tag byte plus MAC.
inline constexpr size_t kChunkOverheadBytes = 17;

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
  // Checks the magic, format version, sizes and reserved bytes.
  static Result<EnvelopeHeader> Parse(const ObjectBinding& object, std::string_view bytes);

  uint32_t kek_version() const { return kek_version_; }
  uint32_t chunk_bytes() const { return chunk_bytes_; }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
  uint32_t kek_version_ = 0;
  uint32_t chunk_bytes_ = 0;
};

// Seals a stream of plaintext. Write the header, then everything the calls
// append to `out`, in order.
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
  // The sealed size of an object of `plaintext_bytes`, header included.
  static uint64_t SealedSize(uint64_t plaintext_bytes, uint32_t chunk_bytes = kDefaultChunkBytes);

 private:
  ObjectWriter() = default;
  void SealChunk(std::string_view chunk, bool final, std::string* out);

  std::string header_;
  std::array<unsigned char, 52> state_{};  // crypto_secretstream_xchacha20poly1305_state
  uint32_t chunk_bytes_ = 0;
  std::string pending_;
  uint64_t plaintext_bytes_ = 0;
  bool finished_ = false;
};

// Opens a sealed stream: authenticates the header, then each chunk.
class ObjectReader {
 public:
  // Unwraps the DEK with `kek` (the version the header names).
  static Result<std::unique_ptr<ObjectReader>> Open(const ObjectBinding& object,
                                                    const EnvelopeHeader& header, const Kek& kek);
  ~ObjectReader();

  // Feeds the bytes that follow the header, in any slicing. Appends the
  // plaintext of every chunk that is complete and authentic to `out`. After
  // an error every later call returns the same error.
  Status Read(std::string_view sealed, std::string* out);
  // The end of the file: fails unless the final chunk was read.
  Status Finish(std::string* out);

  uint64_t plaintext_bytes() const { return plaintext_bytes_; }

 private:
  ObjectReader() = default;
  Status OpenChunk(std::string_view sealed, std::string* out);
  Status Fail(std::string_view detail);

  ObjectBinding object_;
  std::array<unsigned char, 52> state_{};
  uint32_t chunk_bytes_ = 0;
  std::string buffer_;  // a partial sealed chunk
  uint64_t chunk_index_ = 0;
  uint64_t plaintext_bytes_ = 0;
  bool final_seen_ = false;
  Status failure_;
};

// The header re-sealed under `target`: same DEK, stream and generation, a
// new wrap. `current` must be the version the header names.
Result<std::string> RewrapHeader(const ObjectBinding& object, const EnvelopeHeader& header,
                                 const Kek& current, const Kek& target);

}  // namespace sluice::sink
