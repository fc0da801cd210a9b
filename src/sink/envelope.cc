#include "sluice/sink/envelope.h"

#include <algorithm>
#include <cstring>

#include "sink/sodium_init.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

// Header layout (see envelope.h).
constexpr char kMagic[8] = {'S', 'L', 'U', 'I', 'C', 'E', 'O', 'B'};
constexpr uint16_t kSecretstreamFormat = 1;
constexpr uint16_t kStreamFormat = 2;
constexpr size_t kFormatAt = 8;
constexpr size_t kHeaderSizeAt = 10;
constexpr size_t kKekVersionAt = 12;
constexpr size_t kGenerationAt = 16;
constexpr size_t kChunkBytesAt = 24;
constexpr size_t kStreamHeaderAt = 28;   // format 1
constexpr size_t kNoncePrefixAt = 28;    // format 2
constexpr size_t kNoncePrefixBytes = 16;
constexpr size_t kNonceZeroAt = 44;      // format 2
constexpr size_t kWrapNonceAt = 52;
constexpr size_t kWrappedDekAt = 76;
constexpr size_t kReservedAt = 124;
constexpr size_t kDekBytes = 32;
constexpr size_t kWrappedDekBytes = kDekBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES;
// Format 2's chunk associated data: the index, then the final flag.
constexpr size_t kChunkAdBytes = 9;
constexpr size_t kChunkNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

static_assert(kStreamHeaderAt + crypto_secretstream_xchacha20poly1305_HEADERBYTES == kWrapNonceAt);
static_assert(kNoncePrefixAt + kNoncePrefixBytes == kNonceZeroAt && kNonceZeroAt + 8 == kWrapNonceAt);
static_assert(kNoncePrefixBytes + 8 == kChunkNonceBytes);
static_assert(kWrapNonceAt + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kWrappedDekAt);
static_assert(kWrappedDekAt + kWrappedDekBytes == kReservedAt);
static_assert(kReservedAt + 4 == kEnvelopeHeaderBytes);
static_assert(kFormat1ChunkOverheadBytes == crypto_secretstream_xchacha20poly1305_ABYTES);
static_assert(kChunkOverheadBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kCurrentFormatVersion == kStreamFormat);
static_assert(kDekBytes == crypto_secretstream_xchacha20poly1305_KEYBYTES);
static_assert(kDekBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kKekBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(sizeof(crypto_secretstream_xchacha20poly1305_state) == 52);

constexpr std::string_view kIntegrityPrefix = "integrity check failed for ";

void PutLe(std::string& bytes, size_t at, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) bytes[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

uint64_t GetLe(std::string_view bytes, size_t at, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  }
  return value;
}

unsigned char* Bytes(std::string& s, size_t at = 0) {
  return reinterpret_cast<unsigned char*>(s.data()) + at;
}
const unsigned char* Bytes(std::string_view s, size_t at = 0) {
  return reinterpret_cast<const unsigned char*>(s.data()) + at;
}

void StoreLe64(unsigned char* out, uint64_t value) {
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}

// Format 2: what makes chunk `index` unique (nonce) and places it (index
// and final flag, authenticated as associated data).
struct ChunkParameters {
  ChunkParameters(const std::array<unsigned char, kNoncePrefixBytes>& prefix, uint64_t index,
                  bool final) {
    std::memcpy(nonce, prefix.data(), kNoncePrefixBytes);
    StoreLe64(nonce + kNoncePrefixBytes, index);
    StoreLe64(ad, index);
    ad[8] = final ? 1 : 0;
  }
  unsigned char nonce[kChunkNonceBytes];
  unsigned char ad[kChunkAdBytes];
};

// The largest chunk index whose offset still fits a uint64_t.
uint64_t MaxChunkIndex(uint32_t chunk_bytes) {
  return (UINT64_MAX - kEnvelopeHeaderBytes) / (uint64_t{chunk_bytes} + kChunkOverheadBytes);
}

// The 8 bytes behind 16 hex digits; false when `hex` is not a generation.
bool GenerationBytes(std::string_view hex, unsigned char out[8]) {
  if (!IsGeneration(hex)) return false;
  size_t length = 0;
  return sodium_hex2bin(out, 8, hex.data(), hex.size(), nullptr, &length, nullptr) == 0 &&
         length == 8;
}

// What the DEK wrap authenticates: every header byte but the nonce and the
// wrapped key, then the bucket and key (length-prefixed, so "a"+"bc" and
// "ab"+"c" differ). The generation is among the header bytes.
std::string AssociatedData(const std::string& header, const ObjectBinding& object) {
  std::string data;
  data.reserve(kWrapNonceAt + 4 + 4 + object.bucket.size() + object.key.size());
  data.append(header, 0, kWrapNonceAt);
  data.append(header, kReservedAt, kEnvelopeHeaderBytes - kReservedAt);
  std::string lengths(4, '\0');
  PutLe(lengths, 0, object.bucket.size(), 2);
  PutLe(lengths, 2, object.key.size(), 2);
  data.append(lengths).append(object.bucket).append(object.key);
  return data;
}

// Fills the nonce and wrapped key of `header` (whose other fields are set).
void WrapDek(std::string& header, const ObjectBinding& object, const unsigned char* dek,
             const Kek& kek) {
  randombytes_buf(Bytes(header, kWrapNonceAt), crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const std::string ad = AssociatedData(header, object);
  unsigned long long wrapped_length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(Bytes(header, kWrappedDekAt), &wrapped_length, dek,
                                             kDekBytes, Bytes(ad), ad.size(), nullptr,
                                             Bytes(header, kWrapNonceAt), kek.bytes.data());
}

// The DEK, or false when the header does not authenticate under `kek`.
bool UnwrapDek(const std::string& header, const ObjectBinding& object, const Kek& kek,
               unsigned char* dek) {
  const std::string ad = AssociatedData(header, object);
  unsigned long long dek_length = 0;
  return crypto_aead_xchacha20poly1305_ietf_decrypt(
             dek, &dek_length, nullptr, Bytes(header, kWrappedDekAt), kWrappedDekBytes, Bytes(ad),
             ad.size(), Bytes(header, kWrapNonceAt), kek.bytes.data()) == 0 &&
         dek_length == kDekBytes;
}

// Checks what only the caller knows: the generation and the KEK version.
Status CheckBinding(const ObjectBinding& object, const EnvelopeHeader& header, const Kek& kek) {
  unsigned char expected[8];
  if (!GenerationBytes(object.generation, expected)) {
    return Status(Code::kInvalidParameterValue, "'" + object.generation + "' is not a generation id");
  }
  if (std::memcmp(expected, Bytes(header.bytes(), kGenerationAt), 8) != 0) {
    return IntegrityError(object, "the file belongs to another generation of the object (expected " +
                                      object.generation + ")");
  }
  if (header.kek_version() != kek.version) {
    return Status(Code::kInvalidParameterValue,
                  "the header names key version " + std::to_string(header.kek_version()) +
                      " but key version " + std::to_string(kek.version) + " was given");
  }
  return Status::Ok();
}

// The DEK of `header`, once its binding checks out and it authenticates
// under `kek`. The caller wipes `dek` when done.
Status OpenDek(const ObjectBinding& object, const EnvelopeHeader& header, const Kek& kek,
               unsigned char* dek) {
  SLUICE_RETURN_IF_ERROR(CheckBinding(object, header, kek));
  if (!UnwrapDek(header.bytes(), object, kek, dek)) {
    return IntegrityError(object,
                          "the header does not authenticate (altered, or the file belongs to "
                          "another object)");
  }
  return Status::Ok();
}

}  // namespace

Kek::~Kek() { sodium_memzero(bytes.data(), bytes.size()); }

Status IntegrityError(const ObjectBinding& object, std::string_view detail) {
  return Status(Code::kInternal, std::string(kIntegrityPrefix) +
                                     DisplayName(object.bucket, object.key) + ": " +
                                     std::string(detail));
}

bool IsIntegrityError(const Status& status) {
  return status.code() == Code::kInternal && status.message().starts_with(kIntegrityPrefix);
}

Result<EnvelopeHeader> EnvelopeHeader::Parse(const ObjectBinding& object, std::string_view bytes) {
  if (bytes.size() < kEnvelopeHeaderBytes) {
    return IntegrityError(object, "the file is shorter than the " +
                                      std::to_string(kEnvelopeHeaderBytes) + "-byte header");
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return IntegrityError(object, "the file does not start with the sealed object magic");
  }
  const uint64_t format = GetLe(bytes, kFormatAt, 2);
  if (format != kSecretstreamFormat && format != kStreamFormat) {
    return IntegrityError(object, "unknown format version " + std::to_string(format));
  }
  if (GetLe(bytes, kHeaderSizeAt, 2) != kEnvelopeHeaderBytes || GetLe(bytes, kReservedAt, 4) != 0 ||
      (format == kStreamFormat && GetLe(bytes, kNonceZeroAt, 8) != 0)) {
    return IntegrityError(object, "the header is malformed");
  }
  EnvelopeHeader header;
  header.format_version_ = static_cast<uint32_t>(format);
  header.kek_version_ = static_cast<uint32_t>(GetLe(bytes, kKekVersionAt, 4));
  header.chunk_bytes_ = static_cast<uint32_t>(GetLe(bytes, kChunkBytesAt, 4));
  if (header.chunk_bytes_ == 0 || header.chunk_bytes_ > kMaxChunkBytes) {
    return IntegrityError(object, "the header names an impossible chunk size");
  }
  header.bytes_ = std::string(bytes.substr(0, kEnvelopeHeaderBytes));
  return header;
}

// ---- ObjectWriter ----

Result<std::unique_ptr<ObjectWriter>> ObjectWriter::Create(const ObjectBinding& object,
                                                           const Kek& kek, uint32_t chunk_bytes) {
  EnsureSodium();
  if (chunk_bytes == 0 || chunk_bytes > kMaxChunkBytes) {
    return Status(Code::kInvalidParameterValue, "chunk size must be 1 byte to 16 MiB");
  }
  std::unique_ptr<ObjectWriter> writer(new ObjectWriter());
  writer->chunk_bytes_ = chunk_bytes;
  std::string& header = writer->header_;
  header.assign(kEnvelopeHeaderBytes, '\0');
  if (!GenerationBytes(object.generation, Bytes(header, kGenerationAt))) {
    return Status(Code::kInvalidParameterValue, "'" + object.generation + "' is not a generation id");
  }
  std::memcpy(header.data(), kMagic, sizeof(kMagic));
  PutLe(header, kFormatAt, kStreamFormat, 2);
  PutLe(header, kHeaderSizeAt, kEnvelopeHeaderBytes, 2);
  PutLe(header, kKekVersionAt, kek.version, 4);
  PutLe(header, kChunkBytesAt, chunk_bytes, 4);

  // The DEK is never used for another object, so the chunk index alone
  // would keep nonces unique; the random prefix keeps them unique even if a
  // DEK were ever reused. Both come from one draw (one getrandom call: this
  // runs once per put, however small the object).
  unsigned char random[kDekBytes + kNoncePrefixBytes];
  randombytes_buf(random, sizeof(random));
  std::memcpy(writer->dek_.data(), random, kDekBytes);
  std::memcpy(writer->nonce_prefix_.data(), random + kDekBytes, kNoncePrefixBytes);
  sodium_memzero(random, sizeof(random));
  std::memcpy(Bytes(header, kNoncePrefixAt), writer->nonce_prefix_.data(), kNoncePrefixBytes);
  WrapDek(header, object, writer->dek_.data(), kek);
  writer->pending_.reserve(std::min<size_t>(chunk_bytes, 1 << 20));
  return writer;
}

ObjectWriter::~ObjectWriter() {
  sodium_memzero(dek_.data(), dek_.size());
  if (!pending_.empty()) sodium_memzero(pending_.data(), pending_.size());
}

// Seals straight into `out`: no staging buffer between the AEAD and it.
void ObjectWriter::SealChunk(std::string_view chunk, bool final, std::string* out) {
  const ChunkParameters chunk_parameters(nonce_prefix_, chunk_index_++, final);
  const size_t at = out->size();
  out->resize(at + chunk.size() + kChunkOverheadBytes);
  unsigned long long sealed_length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(Bytes(*out, at), &sealed_length, Bytes(chunk), chunk.size(),
                                             chunk_parameters.ad, kChunkAdBytes, nullptr,
                                             chunk_parameters.nonce, dek_.data());
}

void ObjectWriter::Write(std::string_view plaintext, std::string* out) {
  plaintext_bytes_ += plaintext.size();
  while (!plaintext.empty()) {
    // A full pending chunk is sealed only now that more data follows it: the
    // last chunk must be sealed as final, even when it is a full one.
    if (pending_.size() == chunk_bytes_) {
      SealChunk(pending_, false, out);
      pending_.clear();
    }
    if (pending_.empty() && plaintext.size() > chunk_bytes_) {
      SealChunk(plaintext.substr(0, chunk_bytes_), false, out);
      plaintext.remove_prefix(chunk_bytes_);
      continue;
    }
    const size_t take = std::min<size_t>(chunk_bytes_ - pending_.size(), plaintext.size());
    pending_.append(plaintext.substr(0, take));
    plaintext.remove_prefix(take);
  }
}

void ObjectWriter::Finish(std::string* out) {
  if (finished_) return;
  finished_ = true;
  SealChunk(pending_, true, out);
  sodium_memzero(pending_.data(), pending_.size());
  pending_.clear();
}

uint64_t ObjectWriter::SealedSize(uint64_t plaintext_bytes, uint32_t chunk_bytes) {
  // Full chunks, then a final one holding the rest (a full one if the size
  // is a multiple of the chunk, an empty one for an empty object).
  const uint64_t chunks =
      plaintext_bytes == 0 ? 1 : (plaintext_bytes + chunk_bytes - 1) / chunk_bytes;
  return kEnvelopeHeaderBytes + plaintext_bytes + chunks * kChunkOverheadBytes;
}

uint64_t ObjectWriter::SealedChunkOffset(uint64_t index, uint32_t chunk_bytes) {
  return kEnvelopeHeaderBytes + index * (uint64_t{chunk_bytes} + kChunkOverheadBytes);
}

// ---- ObjectReader ----

Result<std::unique_ptr<ObjectReader>> ObjectReader::Open(const ObjectBinding& object,
                                                         const EnvelopeHeader& header,
                                                         const Kek& kek) {
  EnsureSodium();
  std::unique_ptr<ObjectReader> reader(new ObjectReader());
  SLUICE_RETURN_IF_ERROR(OpenDek(object, header, kek, reader->dek_.data()));
  reader->object_ = object;
  reader->format_version_ = header.format_version();
  reader->chunk_bytes_ = header.chunk_bytes();
  if (reader->format_version_ == kSecretstreamFormat) {
    reader->sealed_chunk_bytes_ = size_t{reader->chunk_bytes_} + kFormat1ChunkOverheadBytes;
    auto* state = reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(reader->state_.data());
    const int rc = crypto_secretstream_xchacha20poly1305_init_pull(
        state, Bytes(header.bytes(), kStreamHeaderAt), reader->dek_.data());
    // The stream state holds what it needs; the DEK is not kept.
    sodium_memzero(reader->dek_.data(), reader->dek_.size());
    if (rc != 0) return IntegrityError(object, "the stream header is invalid");
  } else {
    reader->sealed_chunk_bytes_ = size_t{reader->chunk_bytes_} + kChunkOverheadBytes;
    std::memcpy(reader->nonce_prefix_.data(), Bytes(header.bytes(), kNoncePrefixAt), kNoncePrefixBytes);
  }
  return reader;
}

ObjectReader::~ObjectReader() {
  sodium_memzero(state_.data(), state_.size());
  sodium_memzero(dek_.data(), dek_.size());
}

Status ObjectReader::Fail(std::string_view detail) {
  failure_ = IntegrityError(object_, detail);
  return failure_;
}

Status ObjectReader::OpenChunk(std::string_view sealed, std::string* out) {
  return format_version_ == kSecretstreamFormat ? OpenChunkV1(sealed, out) : OpenChunkV2(sealed, out);
}

Status ObjectReader::OpenChunkV1(std::string_view sealed, std::string* out) {
  if (sealed.size() < kFormat1ChunkOverheadBytes) {
    return Fail("the file is truncated (chunk " + std::to_string(chunk_index_) + " is incomplete)");
  }
  const size_t at = out->size();
  out->resize(at + sealed.size() - kFormat1ChunkOverheadBytes);
  unsigned long long length = 0;
  unsigned char tag = 0;
  auto* state = reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(state_.data());
  if (crypto_secretstream_xchacha20poly1305_pull(state, Bytes(*out, at), &length, &tag,
                                                 Bytes(sealed), sealed.size(), nullptr, 0) != 0) {
    out->resize(at);
    return Fail("chunk " + std::to_string(chunk_index_) +
                " does not authenticate (altered, reordered, truncated or from another object)");
  }
  out->resize(at + length);
  ++chunk_index_;
  plaintext_bytes_ += length;
  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    final_seen_ = true;
  } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
    return Fail("chunk " + std::to_string(chunk_index_ - 1) + " has an unexpected tag");
  }
  return Status::Ok();
}

// A short chunk can only be the final one. A full chunk is usually not, but
// may be (an object whose size is a multiple of the chunk), and nothing
// before its MAC says which: it is tried as non-final, then as final. The
// failed try costs a Poly1305 pass (no decryption: the MAC is checked
// first), once per object at most when the object is intact.
Status ObjectReader::OpenChunkV2(std::string_view sealed, std::string* out) {
  if (sealed.size() < kChunkOverheadBytes) {
    return Fail("the file is truncated (chunk " + std::to_string(chunk_index_) + " is incomplete)");
  }
  const size_t length = sealed.size() - kChunkOverheadBytes;
  const size_t at = out->size();
  out->resize(at + length);
  auto open_as = [&](bool final) {
    const ChunkParameters chunk_parameters(nonce_prefix_, chunk_index_, final);
    return crypto_aead_xchacha20poly1305_ietf_decrypt(Bytes(*out, at), nullptr, nullptr, Bytes(sealed),
                                                      sealed.size(), chunk_parameters.ad, kChunkAdBytes,
                                                      chunk_parameters.nonce, dek_.data()) == 0;
  };
  bool final = length < chunk_bytes_;
  bool authentic = open_as(final);
  if (!authentic && !final) authentic = open_as(final = true);
  if (!authentic) {
    out->resize(at);
    return Fail("chunk " + std::to_string(chunk_index_) +
                " does not authenticate (altered, reordered, truncated or from another object)");
  }
  ++chunk_index_;
  plaintext_bytes_ += length;
  final_seen_ = final;
  return Status::Ok();
}

Status ObjectReader::Read(std::string_view sealed, std::string* out) {
  if (!failure_.ok()) return failure_;
  const size_t full = sealed_chunk_bytes_;
  while (!sealed.empty()) {
    if (final_seen_) return Fail("the file has bytes after its final chunk");
    if (buffer_.empty() && sealed.size() >= full) {
      SLUICE_RETURN_IF_ERROR(OpenChunk(sealed.substr(0, full), out));
      sealed.remove_prefix(full);
      continue;
    }
    const size_t take = std::min(full - buffer_.size(), sealed.size());
    buffer_.append(sealed.substr(0, take));
    sealed.remove_prefix(take);
    if (buffer_.size() == full) {
      Status status = OpenChunk(buffer_, out);
      buffer_.clear();
      SLUICE_RETURN_IF_ERROR(status);
    }
  }
  return Status::Ok();
}

Status ObjectReader::Finish(std::string* out) {
  if (!failure_.ok()) return failure_;
  if (!buffer_.empty()) {
    Status status = OpenChunk(buffer_, out);
    buffer_.clear();
    SLUICE_RETURN_IF_ERROR(status);
  }
  if (!final_seen_) {
    return Fail("the file is truncated (it ends after chunk " + std::to_string(chunk_index_) +
                " without the final chunk)");
  }
  return Status::Ok();
}

Status ObjectReader::FinishRange() {
  if (!failure_.ok()) return failure_;
  if (!buffer_.empty()) {
    return Fail("the file is truncated (chunk " + std::to_string(chunk_index_) + " is incomplete)");
  }
  return Status::Ok();
}

Status ObjectReader::SeekToChunk(uint64_t index) {
  if (!failure_.ok()) return failure_;
  if (!seekable()) {
    return Status(Code::kInvalidParameterValue,
                  "a format " + std::to_string(format_version_) + " sealed object can only be read from the start");
  }
  if (index > MaxChunkIndex(chunk_bytes_)) {
    return Status(Code::kInvalidParameterValue, "chunk " + std::to_string(index) + " is past any sealed object");
  }
  chunk_index_ = index;
  buffer_.clear();
  final_seen_ = false;
  return Status::Ok();
}

Result<std::string> RewrapHeader(const ObjectBinding& object, const EnvelopeHeader& header,
                                 const Kek& current, const Kek& target) {
  EnsureSodium();
  unsigned char dek[kDekBytes];
  SLUICE_RETURN_IF_ERROR(OpenDek(object, header, current, dek));
  std::string rewrapped = header.bytes();
  PutLe(rewrapped, kKekVersionAt, target.version, 4);
  WrapDek(rewrapped, object, dek, target);
  sodium_memzero(dek, sizeof(dek));
  return rewrapped;
}

}  // namespace sluice::sink
