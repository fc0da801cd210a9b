// The sealed object format: round trips of every size class, and every kind
// of damage (flipped, truncated, appended, swapped bytes) as an integrity
// error that never yields altered plaintext.
#include "sluice/sink/envelope.h"

#include <sodium.h>

#include <map>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

constexpr uint32_t kSmallChunk = 64;  // many chunks from small inputs

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

// Opens a whole file the way Get does: the plaintext only when everything
// authenticated.
Result<std::string> Open(const ObjectBinding& object, const std::map<uint32_t, Kek>& keks,
                         std::string_view file, size_t slice = 1000) {
  Result<EnvelopeHeader> header = EnvelopeHeader::Parse(object, file);
  if (!header.ok()) return header.status();
  auto kek = keks.find(header->kek_version());
  if (kek == keks.end()) return IntegrityError(object, "unknown key version");
  Result<std::unique_ptr<ObjectReader>> reader = ObjectReader::Open(object, *header, kek->second);
  if (!reader.ok()) return reader.status();
  std::string plaintext;
  std::string_view rest = file.substr(kEnvelopeHeaderBytes);
  while (!rest.empty()) {
    const size_t take = std::min(slice, rest.size());
    SLUICE_RETURN_IF_ERROR((*reader)->Read(rest.substr(0, take), &plaintext));
    rest.remove_prefix(take);
  }
  SLUICE_RETURN_IF_ERROR((*reader)->Finish(&plaintext));
  return plaintext;
}

void ExpectIntegrityError(const Result<std::string>& opened, const std::string& what) {
  ASSERT_FALSE(opened.ok()) << what << ": damage went unnoticed";
  EXPECT_TRUE(IsIntegrityError(opened.status())) << what << ": " << opened.status().ToString();
  EXPECT_TRUE(opened.status().message().starts_with("integrity check failed for "));
}

class EnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
  Kek kek_ = MakeKek(1);
  std::map<uint32_t, Kek> keks_{{1, kek_}};
};

TEST_F(EnvelopeTest, RoundTripsEverySizeClass) {
  for (uint32_t chunk : {kSmallChunk, kDefaultChunkBytes}) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{chunk - 1}, size_t{chunk}, size_t{chunk + 1},
                        size_t{3 * chunk}, size_t{3 * chunk + 5}}) {
      const std::string plaintext = RandomBytes(size, static_cast<uint32_t>(size));
      for (size_t slice : {size_t{0}, size_t{1}, size_t{7}, size_t{chunk}}) {
        const std::string file = Seal(Object(), kek_, plaintext, chunk, slice);
        EXPECT_EQ(file.size(), ObjectWriter::SealedSize(size, chunk)) << size;
        for (size_t read_slice : {size_t{1}, size_t{chunk + kChunkOverheadBytes}, size_t{1 << 20}}) {
          Result<std::string> opened = Open(Object(), keks_, file, read_slice);
          ASSERT_TRUE(opened.ok()) << "size " << size << ": " << opened.status().ToString();
          EXPECT_EQ(*opened, plaintext) << "size " << size;
        }
      }
    }
  }
}

TEST_F(EnvelopeTest, SealsDifferentlyEveryTime) {
  const std::string plaintext = "the same bytes";
  EXPECT_NE(Seal(Object(), kek_, plaintext), Seal(Object(), kek_, plaintext));
}

TEST_F(EnvelopeTest, AnyFlippedHeaderByteIsAnIntegrityError) {
  const std::string file = Seal(Object(), kek_, RandomBytes(300));
  for (size_t at = 0; at < kEnvelopeHeaderBytes; ++at) {
    std::string damaged = file;
    damaged[at] ^= 0x01;
    ExpectIntegrityError(Open(Object(), keks_, damaged), "header byte " + std::to_string(at));
  }
}

TEST_F(EnvelopeTest, AnyFlippedChunkByteIsAnIntegrityError) {
  const std::string file = Seal(Object(), kek_, RandomBytes(3 * kSmallChunk + 10));
  for (size_t at = kEnvelopeHeaderBytes; at < file.size(); ++at) {
    std::string damaged = file;
    damaged[at] ^= 0x80;
    ExpectIntegrityError(Open(Object(), keks_, damaged), "byte " + std::to_string(at));
  }
}

TEST_F(EnvelopeTest, TruncationAnywhereIsAnIntegrityError) {
  for (size_t size : {size_t{0}, size_t{kSmallChunk}, size_t{3 * kSmallChunk}, size_t{3 * kSmallChunk + 9}}) {
    const std::string file = Seal(Object(), kek_, RandomBytes(size));
    for (size_t length = 0; length < file.size(); ++length) {
      ExpectIntegrityError(Open(Object(), keks_, std::string_view(file).substr(0, length)),
                           "size " + std::to_string(size) + " cut at " + std::to_string(length));
    }
  }
}

TEST_F(EnvelopeTest, TruncationAtAChunkBoundaryIsReportedAsSuch) {
  const std::string file = Seal(Object(), kek_, RandomBytes(3 * kSmallChunk + 1));
  const size_t two_chunks = kEnvelopeHeaderBytes + 2 * (kSmallChunk + kChunkOverheadBytes);
  Result<std::string> opened = Open(Object(), keks_, std::string_view(file).substr(0, two_chunks));
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("truncated"), std::string::npos) << opened.status().message();
}

TEST_F(EnvelopeTest, AppendedBytesAreAnIntegrityError) {
  const std::string file = Seal(Object(), kek_, RandomBytes(2 * kSmallChunk));
  ExpectIntegrityError(Open(Object(), keks_, file + "x"), "one byte appended");
  ExpectIntegrityError(Open(Object(), keks_, file + RandomBytes(kSmallChunk + kChunkOverheadBytes)),
                       "a chunk's worth appended");
  // A valid final chunk of the same object appended: its counter is wrong.
  const std::string last = file.substr(file.size() - (kSmallChunk + kChunkOverheadBytes));
  ExpectIntegrityError(Open(Object(), keks_, file + last), "the last chunk repeated");
}

TEST_F(EnvelopeTest, ReorderedOrDroppedChunksAreAnIntegrityError) {
  const size_t sealed_chunk = kSmallChunk + kChunkOverheadBytes;
  const std::string file = Seal(Object(), kek_, RandomBytes(3 * kSmallChunk + 10));
  const std::string header = file.substr(0, kEnvelopeHeaderBytes);
  const std::string c0 = file.substr(kEnvelopeHeaderBytes, sealed_chunk);
  const std::string c1 = file.substr(kEnvelopeHeaderBytes + sealed_chunk, sealed_chunk);
  const std::string rest = file.substr(kEnvelopeHeaderBytes + 2 * sealed_chunk);
  ExpectIntegrityError(Open(Object(), keks_, header + c1 + c0 + rest), "chunks 0 and 1 swapped");
  ExpectIntegrityError(Open(Object(), keks_, header + c1 + rest), "chunk 0 dropped");
  ExpectIntegrityError(Open(Object(), keks_, header + c0 + c0 + rest), "chunk 0 twice");
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
}

TEST_F(EnvelopeTest, TheWrongKekIsAnIntegrityError) {
  const std::string file = Seal(Object(), kek_, "secret");
  Kek impostor = MakeKek(1);
  ExpectIntegrityError(Open(Object(), {{1, impostor}}, file), "another key under the same version");
}

TEST_F(EnvelopeTest, RewrapChangesOnlyTheHeader) {
  const std::string plaintext = RandomBytes(5 * kSmallChunk + 3);
  const std::string file = Seal(Object(), kek_, plaintext);
  Result<EnvelopeHeader> header = EnvelopeHeader::Parse(Object(), file);
  ASSERT_TRUE(header.ok());
  const Kek next = MakeKek(2);
  Result<std::string> rewrapped = RewrapHeader(Object(), *header, kek_, next);
  ASSERT_TRUE(rewrapped.ok()) << rewrapped.status().ToString();
  ASSERT_EQ(rewrapped->size(), kEnvelopeHeaderBytes);
  const std::string new_file = *rewrapped + file.substr(kEnvelopeHeaderBytes);
  Result<EnvelopeHeader> new_header = EnvelopeHeader::Parse(Object(), new_file);
  ASSERT_TRUE(new_header.ok());
  EXPECT_EQ(new_header->kek_version(), 2u);
  Result<std::string> opened = Open(Object(), {{2, next}}, new_file);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, plaintext);
  // Version 1 no longer opens it; the rewrapped header is bound like the old.
  Kek old_material = kek_;
  old_material.version = 2;
  ExpectIntegrityError(Open(Object(), {{2, old_material}}, new_file), "old key under the new version");
  ExpectIntegrityError(Open(Object("other.json"), {{2, next}}, new_file), "other key");
  // Rewrapping needs the right current key.
  EXPECT_FALSE(RewrapHeader(Object(), *header, MakeKek(1), next).ok());
}

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
}

}  // namespace
}  // namespace sluice::sink
