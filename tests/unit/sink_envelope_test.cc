// The sealed object format: round trips of every size class, ranged reads
// from every chunk, and every kind of damage (flipped, truncated, appended,
// swapped bytes, forged chunk flags) as an integrity error that never
// yields altered plaintext. Format 2 comes from the writer; format 1 from
// files the format-1 writer produced (sink_envelope_v1_fixture.h).
#include "sluice/sink/envelope.h"

#include <sodium.h>

#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sink_envelope_v1_fixture.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

constexpr uint32_t kSmallChunk = 64;  // many chunks from small inputs
constexpr size_t kSealedSmallChunk = kSmallChunk + kChunkOverheadBytes;

Kek MakeKek(uint32_t version) {
  Kek kek;
  kek.version = version;
  randombytes_buf(kek.bytes.data(), kek.bytes.size());
  return kek;
}

std::string RandomBytes(size_t size, uint32_t seed = 1) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(generator());
  return bytes;
}

ObjectBinding Object(std::string key = "raw/dt=2026-01-15/a.json", std::string generation = "0123456789abcdef") {
  return ObjectBinding{"payments", std::move(key), std::move(generation)};
}

// The whole file: header, then the sealed chunks. `slice` > 0 feeds the
// writer that many bytes at a time.
std::string Seal(const ObjectBinding& object, const Kek& kek, const std::string& plaintext,
                 uint32_t chunk = kSmallChunk, size_t slice = 0) {
  auto writer = ObjectWriter::Create(object, kek, chunk);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  std::string file = (*writer)->header();
  if (slice == 0) {
    (*writer)->Write(plaintext, &file);
  } else {
    for (size_t at = 0; at < plaintext.size(); at += slice) (*writer)->Write(plaintext.substr(at, slice), &file);
  }
  (*writer)->Finish(&file);
  EXPECT_EQ((*writer)->plaintext_bytes(), plaintext.size());
  return file;
}

Result<std::unique_ptr<ObjectReader>> OpenReader(const ObjectBinding& object,
                                                 const std::map<uint32_t, Kek>& keks,
                                                 std::string_view file) {
  Result<EnvelopeHeader> header = EnvelopeHeader::Parse(object, file);
  if (!header.ok()) return header.status();
  auto kek = keks.find(header->kek_version());
  if (kek == keks.end()) return IntegrityError(object, "unknown key version");
  return ObjectReader::Open(object, *header, kek->second);
}

Status Feed(ObjectReader& reader, std::string_view sealed, size_t slice, std::string* plaintext) {
  while (!sealed.empty()) {
    const size_t take = std::min(slice, sealed.size());
    SLUICE_RETURN_IF_ERROR(reader.Read(sealed.substr(0, take), plaintext));
    sealed.remove_prefix(take);
  }
  return Status::Ok();
}

// Opens a whole file the way Get does: the plaintext only when everything
// authenticated.
Result<std::string> Open(const ObjectBinding& object, const std::map<uint32_t, Kek>& keks,
                         std::string_view file, size_t slice = 1000) {
  Result<std::unique_ptr<ObjectReader>> reader = OpenReader(object, keks, file);
  if (!reader.ok()) return reader.status();
  std::string plaintext;
  SLUICE_RETURN_IF_ERROR(Feed(**reader, file.substr(kEnvelopeHeaderBytes), slice, &plaintext));
  SLUICE_RETURN_IF_ERROR((*reader)->Finish(&plaintext));
  return plaintext;
}

// Opens chunks [first, end) of a format 2 file the way a ranged Get does:
// seek, feed the file from the chunk's offset, then FinishRange(), or
// Finish() when the range runs to the end of the file.
Result<std::string> OpenChunks(const ObjectBinding& object, const std::map<uint32_t, Kek>& keks,
                               std::string_view file, uint64_t first, uint64_t end, size_t slice = 13,
                               uint32_t chunk = kSmallChunk) {
  Result<std::unique_ptr<ObjectReader>> reader = OpenReader(object, keks, file);
  if (!reader.ok()) return reader.status();
  SLUICE_RETURN_IF_ERROR((*reader)->SeekToChunk(first));
  const uint64_t from = ObjectWriter::SealedChunkOffset(first, chunk);
  const uint64_t to = std::min<uint64_t>(ObjectWriter::SealedChunkOffset(end, chunk), file.size());
  std::string plaintext;
  SLUICE_RETURN_IF_ERROR(Feed(**reader, file.substr(from, to - from), slice, &plaintext));
  if (to == file.size()) {
    SLUICE_RETURN_IF_ERROR((*reader)->Finish(&plaintext));
  } else {
    SLUICE_RETURN_IF_ERROR((*reader)->FinishRange());
  }
  return plaintext;
}

void ExpectIntegrityError(const Result<std::string>& opened, const std::string& what) {
  ASSERT_FALSE(opened.ok()) << what << ": damage went unnoticed";
  EXPECT_TRUE(IsIntegrityError(opened.status())) << what << ": " << opened.status().ToString();
  EXPECT_TRUE(opened.status().message().starts_with("integrity check failed for "));
}

// A sealed file and what opens it, in either format.
struct Sealed {
  std::string name;
  ObjectBinding object;
  std::map<uint32_t, Kek> keks;
  std::string file;
  std::string plaintext;
  size_t sealed_chunk = 0;  // chunk + the format's overhead
};

Sealed FromFixture(const v1_fixture::Object& fixture) {
  Kek kek;
  kek.version = v1_fixture::kKekVersion;
  std::memcpy(kek.bytes.data(), v1_fixture::kKekBytes, kek.bytes.size());
  return Sealed{"format 1 " + std::string(fixture.key),
                ObjectBinding{std::string(fixture.bucket), std::string(fixture.key), std::string(fixture.generation)},
                {{kek.version, kek}},
                std::string(fixture.file),
                std::string(fixture.plaintext),
                fixture.chunk_bytes + kFormat1ChunkOverheadBytes};
}

// Format 2 files from the writer and format 1 files from the fixture, of
// the same shapes: empty, full chunks only, full chunks and a short rest.
std::vector<Sealed> BothFormats(const Kek& kek) {
  std::vector<Sealed> all;
  for (size_t size : {size_t{0}, size_t{2 * kSmallChunk}, size_t{3 * kSmallChunk + 5}}) {
    const std::string plaintext = RandomBytes(size, static_cast<uint32_t>(size));
    all.push_back(Sealed{"format 2 of " + std::to_string(size) + " bytes", Object(), {{kek.version, kek}},
                         Seal(Object(), kek, plaintext), plaintext, kSealedSmallChunk});
  }
  for (const v1_fixture::Object* fixture :
       {&v1_fixture::kV1Empty, &v1_fixture::kV1TwoFullChunks, &v1_fixture::kV1ThreeChunksAndARest}) {
    all.push_back(FromFixture(*fixture));
  }
  return all;
}

// An independent writer of format 2, from the table in envelope.h, with a
// DEK the test knows: it pins the reader to the documented format, and
// seals what the writer never would (wrong flags, wrong indexes).
class HandSealer {
 public:
  HandSealer(ObjectBinding object, const Kek& kek, uint32_t chunk) : object_(std::move(object)), chunk_(chunk) {
    randombytes_buf(dek_, sizeof(dek_));
    randombytes_buf(prefix_, sizeof(prefix_));
    header_.assign(kEnvelopeHeaderBytes, '\0');
    std::memcpy(header_.data(), "SLUICEOB", 8);
    PutLe(8, 2, 2);
    PutLe(10, kEnvelopeHeaderBytes, 2);
    PutLe(12, kek.version, 4);
    size_t length = 0;
    EXPECT_EQ(sodium_hex2bin(U(header_, 16), 8, object_.generation.data(), 16, nullptr, &length, nullptr), 0);
    PutLe(24, chunk, 4);
    std::memcpy(U(header_, 28), prefix_, 16);
    randombytes_buf(U(header_, 52), 24);
    std::string ad = header_.substr(0, 52) + header_.substr(124, 4);
    std::string lengths(4, '\0');
    for (size_t i = 0; i < 2; ++i) {
      lengths[i] = static_cast<char>(object_.bucket.size() >> (8 * i));
      lengths[2 + i] = static_cast<char>(object_.key.size() >> (8 * i));
    }
    ad += lengths + object_.bucket + object_.key;
    crypto_aead_xchacha20poly1305_ietf_encrypt(U(header_, 76), nullptr, dek_, 32, U(ad), ad.size(), nullptr,
                                               U(header_, 52), kek.bytes.data());
  }

  const std::string& header() const { return header_; }

  // Chunk `index` as the table describes it; `ad_index` and `final` may lie.
  std::string Chunk(std::string_view plaintext, uint64_t index, bool final) const {
    return Chunk(plaintext, index, final, index);
  }
  std::string Chunk(std::string_view plaintext, uint64_t index, bool final, uint64_t ad_index) const {
    unsigned char nonce[24];
    unsigned char ad[9];
    std::memcpy(nonce, prefix_, 16);
    for (size_t i = 0; i < 8; ++i) {
      nonce[16 + i] = static_cast<unsigned char>(index >> (8 * i));
      ad[i] = static_cast<unsigned char>(ad_index >> (8 * i));
    }
    ad[8] = final ? 1 : 0;
    std::string sealed(plaintext.size() + kChunkOverheadBytes, '\0');
    crypto_aead_xchacha20poly1305_ietf_encrypt(U(sealed), nullptr, U(plaintext), plaintext.size(), ad, sizeof(ad),
                                               nullptr, nonce, dek_);
    return sealed;
  }

  // The whole file for `plaintext`, every chunk as the table says.
  std::string File(std::string_view plaintext) const {
    std::string file = header_;
    const size_t chunks = plaintext.empty() ? 1 : (plaintext.size() + chunk_ - 1) / chunk_;
    for (size_t i = 0; i < chunks; ++i) file += Chunk(plaintext.substr(i * chunk_, chunk_), i, i + 1 == chunks);
    return file;
  }

 private:
  static unsigned char* U(std::string& s, size_t at = 0) { return reinterpret_cast<unsigned char*>(s.data()) + at; }
  static const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
  void PutLe(size_t at, uint64_t value, size_t width) {
    for (size_t i = 0; i < width; ++i) header_[at + i] = static_cast<char>(value >> (8 * i));
  }

  ObjectBinding object_;
  uint32_t chunk_;
  unsigned char dek_[32];
  unsigned char prefix_[16];
  std::string header_;
};

class EnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
  Kek kek_ = MakeKek(1);
  std::map<uint32_t, Kek> keks_{{1, kek_}};
};

// ---- round trips ----

TEST_F(EnvelopeTest, RoundTripsEverySizeClass) {
  for (uint32_t chunk : {kSmallChunk, kDefaultChunkBytes}) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{chunk - 1}, size_t{chunk}, size_t{chunk + 1},
                        size_t{3 * chunk}, size_t{3 * chunk + 5}}) {
      const std::string plaintext = RandomBytes(size, static_cast<uint32_t>(size));
      for (size_t slice : {size_t{0}, size_t{1}, size_t{7}, size_t{chunk}}) {
        const std::string file = Seal(Object(), kek_, plaintext, chunk, slice);
        EXPECT_EQ(file.size(), ObjectWriter::SealedSize(size, chunk)) << size;
        Result<EnvelopeHeader> header = EnvelopeHeader::Parse(Object(), file);
        ASSERT_TRUE(header.ok());
        EXPECT_EQ(header->format_version(), kCurrentFormatVersion);
        EXPECT_EQ(header->chunk_bytes(), chunk);
        for (size_t read_slice : {size_t{1}, size_t{13}, size_t{chunk + kChunkOverheadBytes}, size_t{1 << 20}}) {
          Result<std::string> opened = Open(Object(), keks_, file, read_slice);
          ASSERT_TRUE(opened.ok()) << "size " << size << ": " << opened.status().ToString();
          EXPECT_EQ(*opened, plaintext) << "size " << size;
        }
      }
    }
  }
}

TEST_F(EnvelopeTest, Format2IsTheDocumentedLayout) {
  const std::string plaintext = RandomBytes(3 * kSmallChunk + 5);
  const std::string file = Seal(Object(), kek_, plaintext);
  EXPECT_EQ(file.substr(0, 8), "SLUICEOB");
  EXPECT_EQ(file[8], 2);
  EXPECT_EQ(file[9], 0);
  EXPECT_EQ(file.substr(44, 8), std::string(8, '\0')) << "the 24-byte field is a 16-byte prefix and zeros";
  EXPECT_EQ(ObjectWriter::SealedSize(0, kSmallChunk), kEnvelopeHeaderBytes + kChunkOverheadBytes);
  EXPECT_EQ(ObjectWriter::SealedChunkOffset(0, kSmallChunk), kEnvelopeHeaderBytes);
  EXPECT_EQ(ObjectWriter::SealedChunkOffset(3, kSmallChunk), kEnvelopeHeaderBytes + 3 * kSealedSmallChunk);
  EXPECT_EQ(ObjectWriter::SealedChunkOffset(3, kSmallChunk) + 5 + kChunkOverheadBytes, file.size());
  EXPECT_EQ(ObjectWriter::SealedSize(uint64_t{1} << 30), kEnvelopeHeaderBytes + (uint64_t{1} << 30) + 16384 * 16);
  // A file sealed by hand from the table opens, whole and by chunks.
  HandSealer sealer(Object(), kek_, kSmallChunk);
  for (size_t size : {size_t{0}, size_t{kSmallChunk}, size_t{3 * kSmallChunk + 5}}) {
    const std::string expected = RandomBytes(size, 9);
    const std::string hand = sealer.File(expected);
    EXPECT_EQ(hand.size(), ObjectWriter::SealedSize(size, kSmallChunk));
    Result<std::string> opened = Open(Object(), keks_, hand, 7);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, expected);
    const uint64_t chunks = size == 0 ? 1 : (size + kSmallChunk - 1) / kSmallChunk;
    Result<std::string> last = OpenChunks(Object(), keks_, hand, chunks - 1, chunks);
    ASSERT_TRUE(last.ok()) << last.status().ToString();
    EXPECT_EQ(*last, expected.substr((chunks - 1) * kSmallChunk));
  }
}

TEST_F(EnvelopeTest, Format1FilesStillRead) {
  for (const v1_fixture::Object* fixture :
       {&v1_fixture::kV1Empty, &v1_fixture::kV1TwoFullChunks, &v1_fixture::kV1ThreeChunksAndARest}) {
    const Sealed sealed = FromFixture(*fixture);
    for (size_t slice : {size_t{1}, size_t{13}, sealed.sealed_chunk, size_t{1 << 20}}) {
      Result<std::string> opened = Open(sealed.object, sealed.keks, sealed.file, slice);
      ASSERT_TRUE(opened.ok()) << sealed.name << ": " << opened.status().ToString();
      EXPECT_EQ(*opened, sealed.plaintext) << sealed.name;
    }
    Result<std::unique_ptr<ObjectReader>> reader = OpenReader(sealed.object, sealed.keks, sealed.file);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ((*reader)->format_version(), 1u);
    EXPECT_EQ((*reader)->chunk_bytes(), fixture->chunk_bytes);
    EXPECT_FALSE((*reader)->seekable());
  }
}

TEST_F(EnvelopeTest, SealsDifferentlyEveryTime) {
  const std::string plaintext = "the same bytes";
  EXPECT_NE(Seal(Object(), kek_, plaintext), Seal(Object(), kek_, plaintext));
  // Nonce prefixes differ too, not only the DEKs.
  EXPECT_NE(Seal(Object(), kek_, plaintext).substr(28, 16), Seal(Object(), kek_, plaintext).substr(28, 16));
}

// ---- ranged reads ----

TEST_F(EnvelopeTest, SeeksToEveryChunkAndReadsToTheEnd) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{kSmallChunk - 1}, size_t{kSmallChunk}, size_t{kSmallChunk + 1},
                      size_t{3 * kSmallChunk}, size_t{5 * kSmallChunk + 17}}) {
    const std::string plaintext = RandomBytes(size, static_cast<uint32_t>(size) + 7);
    const std::string file = Seal(Object(), kek_, plaintext);
    const uint64_t chunks = size == 0 ? 1 : (size + kSmallChunk - 1) / kSmallChunk;
    for (uint64_t first = 0; first < chunks; ++first) {
      for (size_t slice : {size_t{1}, size_t{13}, size_t{kSealedSmallChunk}, size_t{1 << 20}}) {
        Result<std::string> opened = OpenChunks(Object(), keks_, file, first, chunks, slice);
        ASSERT_TRUE(opened.ok()) << size << " from chunk " << first << ": " << opened.status().ToString();
        EXPECT_EQ(*opened, plaintext.substr(first * kSmallChunk)) << size << " from chunk " << first;
      }
    }
  }
}

TEST_F(EnvelopeTest, ReadsEveryRangeOfWholeChunks) {
  const std::string plaintext = RandomBytes(5 * kSmallChunk + 17, 3);
  const std::string file = Seal(Object(), kek_, plaintext);
  for (uint64_t first = 0; first < 6; ++first) {
    for (uint64_t end = first + 1; end <= 6; ++end) {
      Result<std::string> opened = OpenChunks(Object(), keks_, file, first, end);
      ASSERT_TRUE(opened.ok()) << first << ".." << end << ": " << opened.status().ToString();
      EXPECT_EQ(*opened, plaintext.substr(first * kSmallChunk, (end - first) * kSmallChunk));
    }
  }
}

TEST_F(EnvelopeTest, OneReaderSeeksManyTimes) {
  const std::string plaintext = RandomBytes(4 * kSmallChunk + 3, 5);
  const std::string file = Seal(Object(), kek_, plaintext);
  auto reader = OpenReader(Object(), keks_, file);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->seekable());
  EXPECT_EQ((*reader)->format_version(), 2u);
  EXPECT_EQ((*reader)->chunk_bytes(), kSmallChunk);
  auto chunk = [&](uint64_t i) {
    const uint64_t at = ObjectWriter::SealedChunkOffset(i, kSmallChunk);
    return std::string_view(file).substr(at, std::min<uint64_t>(kSealedSmallChunk, file.size() - at));
  };
  std::string out;
  // The last chunk, then back to chunk 1 after half of chunk 2 was fed:
  // the partial chunk is discarded.
  ASSERT_TRUE((*reader)->SeekToChunk(4).ok());
  ASSERT_TRUE((*reader)->Read(chunk(4), &out).ok());
  ASSERT_TRUE((*reader)->Finish(&out).ok());
  EXPECT_EQ(out, plaintext.substr(4 * kSmallChunk));
  ASSERT_TRUE((*reader)->SeekToChunk(2).ok());
  ASSERT_TRUE((*reader)->Read(chunk(2).substr(0, 30), &out).ok());
  out.clear();
  ASSERT_TRUE((*reader)->SeekToChunk(1).ok());
  ASSERT_TRUE((*reader)->Read(chunk(1), &out).ok());
  ASSERT_TRUE((*reader)->FinishRange().ok());
  EXPECT_EQ(out, plaintext.substr(kSmallChunk, kSmallChunk));
  // Finish after a range that stopped before the last chunk: truncated.
  Status finished = (*reader)->Finish(&out);
  EXPECT_TRUE(IsIntegrityError(finished)) << finished.ToString();
}

TEST_F(EnvelopeTest, RangeEndsAreChecked) {
  const std::string file = Seal(Object(), kek_, RandomBytes(3 * kSmallChunk + 9));
  auto range = [&](uint64_t first, size_t bytes, bool to_end) -> Result<std::string> {
    auto reader = OpenReader(Object(), keks_, file);
    if (!reader.ok()) return reader.status();
    SLUICE_RETURN_IF_ERROR((*reader)->SeekToChunk(first));
    std::string out;
    const size_t at = std::min<size_t>(ObjectWriter::SealedChunkOffset(first, kSmallChunk), file.size());
    SLUICE_RETURN_IF_ERROR((*reader)->Read(std::string_view(file).substr(at, bytes), &out));
    SLUICE_RETURN_IF_ERROR(to_end ? (*reader)->Finish(&out) : (*reader)->FinishRange());
    return out;
  };
  for (size_t bytes = 1; bytes < kSealedSmallChunk; ++bytes) {
    ExpectIntegrityError(range(1, bytes, false), "range ends inside chunk 1 after " + std::to_string(bytes));
    ExpectIntegrityError(range(1, bytes, true), "file ends inside chunk 1 after " + std::to_string(bytes));
  }
  ExpectIntegrityError(range(1, kSealedSmallChunk, true), "file ends after chunk 1");
  ExpectIntegrityError(range(1, 2 * kSealedSmallChunk, true), "file ends after chunk 2");
  EXPECT_TRUE(range(1, 2 * kSealedSmallChunk, false).ok());
  EXPECT_TRUE(range(3, 9 + kChunkOverheadBytes, true).ok());
  // An empty range is a whole number of chunks, but never a whole file.
  EXPECT_TRUE(range(2, 0, false).ok());
  ExpectIntegrityError(range(2, 0, true), "nothing from chunk 2");
  // Past the last chunk: no bytes there, so the caller's size check is what
  // refuses it; a chunk fed there is one from the wrong index.
  ExpectIntegrityError(range(4, 0, true), "nothing past the end");
  auto reader = OpenReader(Object(), keks_, file);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->SeekToChunk(UINT64_MAX).code(), Code::kInvalidParameterValue);
}

TEST_F(EnvelopeTest, SeekingAFormat1FileIsRefused) {
  const Sealed sealed = FromFixture(v1_fixture::kV1ThreeChunksAndARest);
  auto reader = OpenReader(sealed.object, sealed.keks, sealed.file);
  ASSERT_TRUE(reader.ok());
  for (uint64_t index : {uint64_t{0}, uint64_t{1}}) {
    Status refused = (*reader)->SeekToChunk(index);
    EXPECT_EQ(refused.code(), Code::kInvalidParameterValue) << refused.ToString();
    EXPECT_FALSE(IsIntegrityError(refused));
  }
  // The refusal does not spoil the reader: it still reads from the start.
  std::string out;
  ASSERT_TRUE((*reader)->Read(std::string_view(sealed.file).substr(kEnvelopeHeaderBytes), &out).ok());
  ASSERT_TRUE((*reader)->Finish(&out).ok());
  EXPECT_EQ(out, sealed.plaintext);
}

// ---- damage ----

TEST_F(EnvelopeTest, AnyFlippedHeaderByteIsAnIntegrityError) {
  for (const Sealed& sealed : BothFormats(kek_)) {
    for (size_t at = 0; at < kEnvelopeHeaderBytes; ++at) {
      for (unsigned char bit : {0x01, 0x80}) {
        std::string damaged = sealed.file;
        damaged[at] ^= bit;
        ExpectIntegrityError(Open(sealed.object, sealed.keks, damaged),
                             sealed.name + ": header byte " + std::to_string(at));
      }
    }
  }
}

TEST_F(EnvelopeTest, TheFormatVersionCannotBeChanged) {
  std::string v2 = Seal(Object(), kek_, RandomBytes(2 * kSmallChunk + 1));
  v2[8] = 1;
  ExpectIntegrityError(Open(Object(), keks_, v2), "format 2 read as format 1");
  Sealed v1 = FromFixture(v1_fixture::kV1ThreeChunksAndARest);
  v1.file[8] = 2;
  ExpectIntegrityError(Open(v1.object, v1.keks, v1.file), "format 1 read as format 2");
  std::fill(v1.file.begin() + 44, v1.file.begin() + 52, '\0');
  ExpectIntegrityError(Open(v1.object, v1.keks, v1.file), "format 1 read as format 2, zeros in place");
}

TEST_F(EnvelopeTest, AnyFlippedChunkByteIsAnIntegrityError) {
  for (const Sealed& sealed : BothFormats(kek_)) {
    for (size_t at = kEnvelopeHeaderBytes; at < sealed.file.size(); ++at) {
      std::string damaged = sealed.file;
      damaged[at] ^= 0x80;
      ExpectIntegrityError(Open(sealed.object, sealed.keks, damaged), sealed.name + ": byte " + std::to_string(at));
    }
  }
  // Format 2, read by chunks: the damaged chunk fails on its own.
  const std::string file = Seal(Object(), kek_, RandomBytes(3 * kSmallChunk + 10));
  for (uint64_t chunk = 0; chunk < 4; ++chunk) {
    for (size_t within : {size_t{0}, size_t{kSmallChunk / 2}, size_t{kSmallChunk + 3}}) {
      const size_t at = ObjectWriter::SealedChunkOffset(chunk, kSmallChunk) + within;
      if (at >= file.size()) continue;
      std::string damaged = file;
      damaged[at] ^= 0x01;
      ExpectIntegrityError(OpenChunks(Object(), keks_, damaged, chunk, chunk + 1),
                           "chunk " + std::to_string(chunk) + " byte " + std::to_string(within));
      if (chunk > 0) {
        EXPECT_TRUE(OpenChunks(Object(), keks_, damaged, 0, chunk).ok()) << "chunks before the damage";
      }
    }
  }
}

TEST_F(EnvelopeTest, TruncationAnywhereIsAnIntegrityError) {
  std::vector<Sealed> all = BothFormats(kek_);
  const std::string plaintext = RandomBytes(3 * kSmallChunk);
  all.push_back(Sealed{"format 2, 3 full chunks", Object(), keks_, Seal(Object(), kek_, plaintext), plaintext,
                       kSealedSmallChunk});
  for (const Sealed& sealed : all) {
    for (size_t length = 0; length < sealed.file.size(); ++length) {
      ExpectIntegrityError(Open(sealed.object, sealed.keks, std::string_view(sealed.file).substr(0, length)),
                           sealed.name + " cut at " + std::to_string(length));
    }
  }
}

TEST_F(EnvelopeTest, TruncationAtAChunkBoundaryIsReportedAsSuch) {
  Sealed v1 = FromFixture(v1_fixture::kV1ThreeChunksAndARest);
  const std::string v2 = Seal(Object(), kek_, RandomBytes(3 * kSmallChunk + 1));
  for (size_t cut : {size_t{1}, size_t{2}, size_t{3}}) {
    Result<std::string> opened =
        Open(Object(), keks_, std::string_view(v2).substr(0, kEnvelopeHeaderBytes + cut * kSealedSmallChunk));
    ASSERT_FALSE(opened.ok());
    EXPECT_NE(opened.status().message().find("truncated"), std::string::npos) << opened.status().message();
    // Also when the reader came there by seeking.
    Result<std::string> sought = OpenChunks(Object(), keks_, std::string_view(v2).substr(0, kEnvelopeHeaderBytes + cut * kSealedSmallChunk), cut - 1, 99);
    ASSERT_FALSE(sought.ok());
    EXPECT_NE(sought.status().message().find("truncated"), std::string::npos) << sought.status().message();
    opened = Open(v1.object, v1.keks, std::string_view(v1.file).substr(0, kEnvelopeHeaderBytes + cut * v1.sealed_chunk));
    ASSERT_FALSE(opened.ok());
    EXPECT_NE(opened.status().message().find("truncated"), std::string::npos) << opened.status().message();
  }
}

TEST_F(EnvelopeTest, AppendedBytesAreAnIntegrityError) {
  for (const Sealed& sealed : BothFormats(kek_)) {
    const std::string& file = sealed.file;
    ExpectIntegrityError(Open(sealed.object, sealed.keks, file + "x"), sealed.name + ": one byte appended");
    ExpectIntegrityError(Open(sealed.object, sealed.keks, file + RandomBytes(sealed.sealed_chunk)),
                         sealed.name + ": a chunk's worth appended");
    // A valid final chunk of the same object appended: its index is wrong,
    // and nothing may follow a final chunk.
    const size_t last_size = (file.size() - kEnvelopeHeaderBytes) % sealed.sealed_chunk == 0
                                 ? sealed.sealed_chunk
                                 : (file.size() - kEnvelopeHeaderBytes) % sealed.sealed_chunk;
    const std::string last = file.substr(file.size() - last_size);
    ExpectIntegrityError(Open(sealed.object, sealed.keks, file + last), sealed.name + ": the last chunk repeated");
  }
}

TEST_F(EnvelopeTest, ReorderedOrDroppedChunksAreAnIntegrityError) {
  const Sealed v2{"format 2", Object(), keks_, Seal(Object(), kek_, RandomBytes(3 * kSmallChunk + 10)), "",
                  kSealedSmallChunk};
  for (const Sealed& sealed : {v2, FromFixture(v1_fixture::kV1ThreeChunksAndARest)}) {
    const size_t sealed_chunk = sealed.sealed_chunk;
    const std::string& file = sealed.file;
    const std::string header = file.substr(0, kEnvelopeHeaderBytes);
    const std::string c0 = file.substr(kEnvelopeHeaderBytes, sealed_chunk);
    const std::string c1 = file.substr(kEnvelopeHeaderBytes + sealed_chunk, sealed_chunk);
    const std::string rest = file.substr(kEnvelopeHeaderBytes + 2 * sealed_chunk);
    ExpectIntegrityError(Open(sealed.object, sealed.keks, header + c1 + c0 + rest), sealed.name + ": chunks 0 and 1 swapped");
    ExpectIntegrityError(Open(sealed.object, sealed.keks, header + c1 + rest), sealed.name + ": chunk 0 dropped");
    ExpectIntegrityError(Open(sealed.object, sealed.keks, header + c0 + c0 + rest), sealed.name + ": chunk 0 twice");
  }
  // A seeking reader fed another index's chunk.
  const std::string& file = v2.file;
  for (uint64_t wanted = 0; wanted < 3; ++wanted) {
    for (uint64_t fed = 0; fed < 3; ++fed) {
      if (fed == wanted) continue;
      auto reader = OpenReader(Object(), keks_, file);
      ASSERT_TRUE(reader.ok());
      ASSERT_TRUE((*reader)->SeekToChunk(wanted).ok());
      std::string out;
      Status read = (*reader)->Read(
          std::string_view(file).substr(ObjectWriter::SealedChunkOffset(fed, kSmallChunk), kSealedSmallChunk), &out);
      EXPECT_TRUE(IsIntegrityError(read)) << "chunk " << fed << " read as " << wanted << ": " << read.ToString();
      EXPECT_TRUE(out.empty());
    }
  }
}

TEST_F(EnvelopeTest, ChunkFlagsAndIndexesAreAuthenticated) {
  HandSealer sealer(Object(), kek_, kSmallChunk);
  const std::string a = RandomBytes(kSmallChunk, 1), b = RandomBytes(kSmallChunk, 2), c = RandomBytes(10, 3);
  const std::string& header = sealer.header();
  // The reference: chunks 0, 1 and a short final 2.
  ASSERT_TRUE(Open(Object(), keks_, header + sealer.Chunk(a, 0, false) + sealer.Chunk(b, 1, false) +
                                        sealer.Chunk(c, 2, true)).ok());
  ExpectIntegrityError(Open(Object(), keks_, header + sealer.Chunk(a, 0, false) + sealer.Chunk(b, 1, false) +
                                                 sealer.Chunk(c, 2, false)),
                       "no chunk is final (short last chunk)");
  ExpectIntegrityError(Open(Object(), keks_, header + sealer.Chunk(a, 0, false) + sealer.Chunk(b, 1, false)),
                       "no chunk is final (full last chunk)");
  ExpectIntegrityError(Open(Object(), keks_, header + sealer.Chunk(a, 0, true) + sealer.Chunk(b, 1, false) +
                                                 sealer.Chunk(c, 2, true)),
                       "a final chunk in the middle");
  ExpectIntegrityError(Open(Object(), keks_, header + sealer.Chunk(a, 0, false) + sealer.Chunk(b, 1, true) +
                                                 sealer.Chunk(c, 2, true)),
                       "two final chunks");
  ExpectIntegrityError(Open(Object(), keks_, header + sealer.Chunk(a, 0, false) + sealer.Chunk(b, 1, false, 2) +
                                                 sealer.Chunk(c, 2, true)),
                       "associated data naming another index than the nonce");
  ExpectIntegrityError(Open(Object(), keks_, header + sealer.Chunk(a.substr(0, 10), 0, false) +
                                                 sealer.Chunk(c, 1, true)),
                       "a short chunk that is not the last");
  // A range ending at a forged-final chunk in the middle still reads, as
  // the contract says: only the size check can catch what follows.
  EXPECT_TRUE(OpenChunks(Object(), keks_, header + sealer.Chunk(a, 0, false) + sealer.Chunk(b, 1, true), 0, 99).ok());
}

TEST_F(EnvelopeTest, FilesSwappedBetweenObjectsAreAnIntegrityError) {
  const ObjectBinding a = Object("a.json", "0000000000000001");
  const ObjectBinding b = Object("b.json", "0000000000000002");
  const std::string file_a = Seal(a, kek_, "content of a");
  const std::string file_b = Seal(b, kek_, "content of b");
  ExpectIntegrityError(Open(a, keks_, file_b), "b's file read as a");
  ExpectIntegrityError(Open(b, keks_, file_a), "a's file read as b");
  // Same key, another generation (an older version of the object).
  ExpectIntegrityError(Open(Object("a.json", "0000000000000003"), keks_, file_a), "older generation");
  // Same generation id, another bucket or key.
  ExpectIntegrityError(Open(ObjectBinding{"archive", "a.json", a.generation}, keks_, file_a), "other bucket");
  ExpectIntegrityError(Open(ObjectBinding{"payments", "a.jsonx", a.generation}, keks_, file_a), "other key");
  // A chunk of b spliced into a, even at the same position.
  const std::string spliced = file_a.substr(0, kEnvelopeHeaderBytes) + file_b.substr(kEnvelopeHeaderBytes);
  ExpectIntegrityError(Open(a, keks_, spliced), "b's chunks behind a's header");
  // b's header in front of a's chunks, read as b.
  const std::string spliced_b = file_b.substr(0, kEnvelopeHeaderBytes) + file_a.substr(kEnvelopeHeaderBytes);
  ExpectIntegrityError(Open(b, keks_, spliced_b), "a's chunks behind b's header");
  // The same, one chunk of several, read by chunks.
  const std::string big_a = Seal(a, kek_, RandomBytes(3 * kSmallChunk, 1));
  const std::string big_b = Seal(b, kek_, RandomBytes(3 * kSmallChunk, 2));
  std::string mixed = big_a;
  mixed.replace(ObjectWriter::SealedChunkOffset(1, kSmallChunk), kSealedSmallChunk,
                big_b.substr(ObjectWriter::SealedChunkOffset(1, kSmallChunk), kSealedSmallChunk));
  ExpectIntegrityError(OpenChunks(a, keks_, mixed, 1, 2), "b's chunk 1 in a, read by chunks");
  EXPECT_TRUE(OpenChunks(a, keks_, mixed, 2, 3).ok());
  // A format 1 file read as another object.
  const Sealed v1 = FromFixture(v1_fixture::kV1ThreeChunksAndARest);
  ExpectIntegrityError(Open(ObjectBinding{v1.object.bucket, "other.json", v1.object.generation}, v1.keks, v1.file),
                       "format 1 read as another key");
}

TEST_F(EnvelopeTest, TheWrongKekIsAnIntegrityError) {
  for (const Sealed& sealed : BothFormats(kek_)) {
    Kek impostor = MakeKek(sealed.keks.begin()->first);
    ExpectIntegrityError(Open(sealed.object, {{impostor.version, impostor}}, sealed.file),
                         sealed.name + ": another key under the same version");
  }
}

// ---- rewrap ----

TEST_F(EnvelopeTest, RewrapChangesOnlyTheHeader) {
  const std::string plaintext = RandomBytes(5 * kSmallChunk + 3);
  std::vector<Sealed> all = BothFormats(kek_);
  all.push_back(Sealed{"format 2, 6 chunks", Object(), keks_, Seal(Object(), kek_, plaintext), plaintext,
                       kSealedSmallChunk});
  for (const Sealed& sealed : all) {
    const std::string& file = sealed.file;
    const Kek& current = sealed.keks.begin()->second;
    Result<EnvelopeHeader> header = EnvelopeHeader::Parse(sealed.object, file);
    ASSERT_TRUE(header.ok());
    const Kek next = MakeKek(current.version + 1);
    Result<std::string> rewrapped = RewrapHeader(sealed.object, *header, current, next);
    ASSERT_TRUE(rewrapped.ok()) << sealed.name << ": " << rewrapped.status().ToString();
    ASSERT_EQ(rewrapped->size(), kEnvelopeHeaderBytes);
    EXPECT_EQ(rewrapped->substr(0, 12), file.substr(0, 12)) << sealed.name << ": the format stays";
    EXPECT_EQ(rewrapped->substr(16, 36), file.substr(16, 36)) << sealed.name << ": generation, chunk, nonce stay";
    const std::string new_file = *rewrapped + file.substr(kEnvelopeHeaderBytes);
    Result<EnvelopeHeader> new_header = EnvelopeHeader::Parse(sealed.object, new_file);
    ASSERT_TRUE(new_header.ok());
    EXPECT_EQ(new_header->kek_version(), next.version);
    EXPECT_EQ(new_header->format_version(), header->format_version());
    Result<std::string> opened = Open(sealed.object, {{next.version, next}}, new_file);
    ASSERT_TRUE(opened.ok()) << sealed.name << ": " << opened.status().ToString();
    EXPECT_EQ(*opened, sealed.plaintext) << sealed.name;
    if (header->format_version() >= 2 && sealed.plaintext.size() > kSmallChunk) {
      Result<std::string> tail = OpenChunks(sealed.object, {{next.version, next}}, new_file, 1, 99);
      ASSERT_TRUE(tail.ok()) << sealed.name << ": " << tail.status().ToString();
      EXPECT_EQ(*tail, sealed.plaintext.substr(kSmallChunk));
    }
    // The old key no longer opens it; the rewrapped header is bound like the old.
    Kek old_material = current;
    old_material.version = next.version;
    ExpectIntegrityError(Open(sealed.object, {{next.version, old_material}}, new_file),
                         sealed.name + ": old key under the new version");
    ExpectIntegrityError(Open(ObjectBinding{sealed.object.bucket, "other.json", sealed.object.generation},
                              {{next.version, next}}, new_file),
                         sealed.name + ": other key");
    // Rewrapping needs the right current key.
    EXPECT_FALSE(RewrapHeader(sealed.object, *header, MakeKek(current.version), next).ok());
  }
}

// ---- misuse ----

TEST_F(EnvelopeTest, RefusesMalformedArguments) {
  EXPECT_EQ(ObjectWriter::Create(Object("k", "not-hex"), kek_).status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(ObjectWriter::Create(Object(), kek_, 0).status().code(), Code::kInvalidParameterValue);
  ExpectIntegrityError(Open(Object(), keks_, "short"), "a file shorter than a header");
  ExpectIntegrityError(Open(Object(), keks_, std::string(300, 'x')), "not a sealed file");
}

TEST_F(EnvelopeTest, AReaderThatFailedStaysFailed) {
  std::string file = Seal(Object(), kek_, RandomBytes(2 * kSmallChunk + 1));
  file[kEnvelopeHeaderBytes + 3] ^= 1;
  Result<EnvelopeHeader> header = EnvelopeHeader::Parse(Object(), file);
  ASSERT_TRUE(header.ok());
  auto reader = ObjectReader::Open(Object(), *header, kek_);
  ASSERT_TRUE(reader.ok());
  std::string plaintext;
  EXPECT_FALSE((*reader)->Read(std::string_view(file).substr(kEnvelopeHeaderBytes), &plaintext).ok());
  EXPECT_TRUE(plaintext.empty()) << "no plaintext from a chunk that failed";
  EXPECT_FALSE((*reader)->Read("more", &plaintext).ok());
  EXPECT_FALSE((*reader)->Finish(&plaintext).ok());
  EXPECT_FALSE((*reader)->FinishRange().ok());
  // A seek does not clear the failure: chunk 1 is intact, but not trusted
  // through this reader.
  EXPECT_TRUE(IsIntegrityError((*reader)->SeekToChunk(1)));
  EXPECT_FALSE((*reader)->Read(std::string_view(file).substr(ObjectWriter::SealedChunkOffset(1, kSmallChunk)),
                               &plaintext).ok());
}

}  // namespace
}  // namespace sluice::sink
