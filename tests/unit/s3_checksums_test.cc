// S3 checksums: known vectors, botocore's own outputs on generated data
// (s3_checksum_fixtures.h, from s3_checksum_fixtures_gen.py), CRC
// combination, multipart COMPOSITE / FULL_OBJECT, request headers and
// Content-MD5.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "s3/checksums.h"
#include "s3_checksum_fixtures.h"
#include "sluice/md5.h"

namespace sluice::s3 {
namespace {

// The generator of s3_checksum_fixtures_gen.py: a 64-bit LCG, one byte from
// the top of each state.
std::string FixtureBytes(uint64_t seed, uint64_t length) {
  std::string out(length, '\0');
  uint64_t state = seed;
  for (uint64_t i = 0; i < length; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    out[i] = static_cast<char>(state >> 56);
  }
  return out;
}

std::string Hex(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out += kHex[static_cast<unsigned char>(c) >> 4];
    out += kHex[static_cast<unsigned char>(c) & 0xf];
  }
  return out;
}

std::string BinaryDigest(ChecksumAlgorithm algorithm, std::string_view data) {
  Checksum checksum(algorithm);
  checksum.Update(data);
  return checksum.FinishBinary();
}

TEST(S3ChecksumsTest, CheckValuesOfTheCatalogue) {
  EXPECT_EQ(Hex(BinaryDigest(ChecksumAlgorithm::kCrc32, "123456789")), "cbf43926");
  EXPECT_EQ(Hex(BinaryDigest(ChecksumAlgorithm::kCrc32c, "123456789")), "e3069283");
  EXPECT_EQ(Hex(BinaryDigest(ChecksumAlgorithm::kCrc64Nvme, "123456789")), "ae8b14860a799888");
  EXPECT_EQ(Hex(BinaryDigest(ChecksumAlgorithm::kSha1, "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Hex(BinaryDigest(ChecksumAlgorithm::kSha256, "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // As S3 sends them: base64 of the big-endian digest.
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc32, "123456789"), "y/Q5Jg==");
  EXPECT_EQ(ComputeCrc(ChecksumAlgorithm::kCrc64Nvme, "123456789"), 0xae8b14860a799888ull);
  EXPECT_EQ(ComputeCrc(ChecksumAlgorithm::kCrc32c, "123456789"), 0xe3069283u);
  // The S3 API reference's trailer example: 65 KiB of 'a' has CRC32C sOO8/Q==.
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc32c, std::string(66560, 'a')), "sOO8/Q==");
}

TEST(S3ChecksumsTest, EqualsBotocoreOnGeneratedData) {
  for (const fixtures::ChecksumFixture& fixture : fixtures::kChecksumFixtures) {
    std::string data = FixtureBytes(fixture.seed, fixture.length);
    EXPECT_EQ(ComputeChecksum(fixture.algorithm, data), fixture.base64)
        << ChecksumAlgorithmName(fixture.algorithm) << " of " << fixture.length << " bytes";
  }
}

TEST(S3ChecksumsTest, StreamingInAnySlicingGivesTheSameChecksum) {
  std::string data = FixtureBytes(99, 100000);
  std::mt19937 random(7);
  for (ChecksumAlgorithm algorithm : kChecksumAlgorithms) {
    std::string whole = ComputeChecksum(algorithm, data);
    for (int round = 0; round < 5; ++round) {
      Checksum checksum(algorithm);
      size_t position = 0;
      while (position < data.size()) {
        size_t piece = std::min<size_t>(random() % 300, data.size() - position);  // zero-size pieces too
        checksum.Update(std::string_view(data).substr(position, piece));
        position += piece;
      }
      EXPECT_EQ(checksum.Finish(), whole) << ChecksumAlgorithmName(algorithm);
    }
    Checksum moved_from(algorithm);
    moved_from.Update(std::string_view(data).substr(0, 500));
    Checksum moved = std::move(moved_from);
    moved.Update(std::string_view(data).substr(500));
    EXPECT_EQ(moved.Finish(), whole) << ChecksumAlgorithmName(algorithm);
  }
}

TEST(S3ChecksumsTest, CombinedCrcEqualsTheCrcOfTheConcatenation) {
  std::string data = FixtureBytes(5, 20000);
  for (ChecksumAlgorithm algorithm :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    uint64_t whole = ComputeCrc(algorithm, data);
    for (size_t split : {size_t{0}, size_t{1}, size_t{8}, size_t{4095}, size_t{19999}, size_t{20000}}) {
      std::string_view a = std::string_view(data).substr(0, split);
      std::string_view b = std::string_view(data).substr(split);
      EXPECT_EQ(CombineCrc(algorithm, ComputeCrc(algorithm, a), ComputeCrc(algorithm, b), b.size()), whole)
          << ChecksumAlgorithmName(algorithm) << " split at " << split;
    }
  }
  // A length whose bits are far apart exercises the squaring chain; checked
  // against appending the zero bytes for real.
  std::string zeros(70000, '\0');
  for (ChecksumAlgorithm algorithm :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    uint64_t a = ComputeCrc(algorithm, "prefix");
    EXPECT_EQ(CombineCrc(algorithm, a, ComputeCrc(algorithm, zeros), zeros.size()),
              ComputeCrc(algorithm, "prefix" + zeros));
  }
}

TEST(S3ChecksumsTest, NamesAndParsing) {
  EXPECT_EQ(ParseChecksumAlgorithm("CRC32"), ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(ParseChecksumAlgorithm("crc32c"), ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(ParseChecksumAlgorithm("Crc64Nvme"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_EQ(ParseChecksumAlgorithm("sha256"), ChecksumAlgorithm::kSha256);
  EXPECT_EQ(ParseChecksumAlgorithm("MD5"), std::nullopt);
  EXPECT_EQ(ParseChecksumAlgorithm("CRC32 "), std::nullopt);
  EXPECT_EQ(ParseChecksumAlgorithm(""), std::nullopt);
  EXPECT_EQ(ChecksumAlgorithmForHeader("x-amz-checksum-crc64nvme"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_EQ(ChecksumAlgorithmForHeader("X-Amz-Checksum-SHA1"), ChecksumAlgorithm::kSha1);
  EXPECT_EQ(ChecksumAlgorithmForHeader("x-amz-checksum-algorithm"), std::nullopt);
  EXPECT_EQ(ChecksumAlgorithmForHeader("x-amz-checksum-type"), std::nullopt);
  EXPECT_EQ(ChecksumAlgorithmForHeader("x-amz-checksum-crc64"), std::nullopt);
  for (ChecksumAlgorithm algorithm : kChecksumAlgorithms) {
    EXPECT_EQ(ParseChecksumAlgorithm(ChecksumAlgorithmName(algorithm)), algorithm);
    EXPECT_EQ(ChecksumAlgorithmForHeader(ChecksumHeaderName(algorithm)), algorithm);
    EXPECT_EQ(BinaryDigest(algorithm, "x").size(), ChecksumDigestBytes(algorithm));
  }
  EXPECT_EQ(ChecksumElementName(ChecksumAlgorithm::kCrc64Nvme), "ChecksumCRC64NVME");
  EXPECT_EQ(ChecksumHeaderName(ChecksumAlgorithm::kCrc32c), "x-amz-checksum-crc32c");
}

TEST(S3ChecksumsTest, Base64IsStrict) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("\xff\xfe\xfd"), "//79");
  EXPECT_EQ(Base64Decode("Zg=="), "f");
  EXPECT_EQ(Base64Decode("Zm8="), "fo");
  EXPECT_EQ(Base64Decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(Base64Decode(""), "");
  for (std::string_view bad : {"Zg=", "Zg", "Z===", "====", "Zg==Zg==", "Zm9v YmFy", "Zm9-", "Zm9_",
                               "Z=g=", "Zm9vYmF\n"}) {
    EXPECT_EQ(Base64Decode(bad), std::nullopt) << bad;
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t length = 0; length < 10; ++length) {
    EXPECT_EQ(Base64Decode(Base64Encode(all.substr(0, length))), all.substr(0, length));
  }
  EXPECT_EQ(Base64Decode(Base64Encode(all)), all);
}

// --- Multipart.

std::vector<PartChecksum> PartsOf(const fixtures::MultipartFixture& fixture, const std::string& data,
                                  ChecksumAlgorithm algorithm) {
  std::vector<PartChecksum> parts;
  size_t offset = 0;
  for (uint64_t size : fixture.part_sizes) {
    if (size == 0) break;
    parts.push_back({ComputeChecksum(algorithm, std::string_view(data).substr(offset, size)), size});
    offset += size;
  }
  return parts;
}

TEST(S3ChecksumsTest, MultipartChecksumsEqualBotocoreComputations) {
  for (const fixtures::MultipartFixture& fixture : fixtures::kMultipartFixtures) {
    uint64_t total = 0;
    for (uint64_t size : fixture.part_sizes) total += size;
    std::string data = FixtureBytes(fixture.seed, total);
    std::vector<PartChecksum> parts = PartsOf(fixture, data, fixture.algorithm);
    SCOPED_TRACE(std::string(ChecksumAlgorithmName(fixture.algorithm)) + " seed " + std::to_string(fixture.seed));

    Result<std::string> composite = MultipartChecksum(fixture.algorithm, ChecksumType::kComposite, parts);
    if (fixture.composite.empty()) {
      EXPECT_FALSE(composite.ok());
    } else {
      ASSERT_TRUE(composite.ok()) << composite.status().ToString();
      EXPECT_EQ(*composite, fixture.composite);
    }
    Result<std::string> full = MultipartChecksum(fixture.algorithm, ChecksumType::kFullObject, parts);
    if (fixture.full_object.empty()) {
      EXPECT_FALSE(full.ok());
    } else {
      ASSERT_TRUE(full.ok()) << full.status().ToString();
      EXPECT_EQ(*full, fixture.full_object);
      EXPECT_EQ(*full, ComputeChecksum(fixture.algorithm, data));  // no re-read needed, same answer
    }
  }
}

TEST(S3ChecksumsTest, MultipartChecksumRefusesBadParts) {
  EXPECT_FALSE(MultipartChecksum(ChecksumAlgorithm::kCrc32, ChecksumType::kComposite, {}).ok());
  Result<std::string> bad =
      MultipartChecksum(ChecksumAlgorithm::kCrc32, ChecksumType::kFullObject, {{"y/Q5Jg==", 9}, {"AAAA", 1}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("part 2"), std::string::npos) << bad.status().message();
  // A SHA256 value given as a CRC32 part.
  EXPECT_FALSE(MultipartChecksum(ChecksumAlgorithm::kCrc32, ChecksumType::kComposite,
                                 {{ComputeChecksum(ChecksumAlgorithm::kSha256, "x"), 1}})
                   .ok());
}

TEST(S3ChecksumsTest, MultipartChecksumTypeRules) {
  auto type = [](std::optional<ChecksumAlgorithm> algorithm, std::optional<std::string_view> header) {
    return MultipartChecksumType(algorithm, header);
  };
  EXPECT_EQ(*type(std::nullopt, std::nullopt), std::nullopt);
  EXPECT_EQ(*type(ChecksumAlgorithm::kCrc64Nvme, std::nullopt), ChecksumType::kFullObject);
  EXPECT_EQ(*type(ChecksumAlgorithm::kCrc32, std::nullopt), ChecksumType::kComposite);
  EXPECT_EQ(*type(ChecksumAlgorithm::kSha256, std::nullopt), ChecksumType::kComposite);
  EXPECT_EQ(*type(ChecksumAlgorithm::kCrc32c, "FULL_OBJECT"), ChecksumType::kFullObject);
  EXPECT_EQ(*type(ChecksumAlgorithm::kCrc64Nvme, "FULL_OBJECT"), ChecksumType::kFullObject);
  EXPECT_EQ(*type(ChecksumAlgorithm::kSha1, "COMPOSITE"), ChecksumType::kComposite);
  for (auto [algorithm, header] : std::vector<std::pair<std::optional<ChecksumAlgorithm>, std::string_view>>{
           {ChecksumAlgorithm::kCrc64Nvme, "COMPOSITE"},
           {ChecksumAlgorithm::kSha256, "FULL_OBJECT"},
           {ChecksumAlgorithm::kSha1, "FULL_OBJECT"},
           {ChecksumAlgorithm::kCrc32, "full_object"},
           {ChecksumAlgorithm::kCrc32, "PARTIAL"},
           {std::nullopt, "FULL_OBJECT"}}) {
    Result<std::optional<ChecksumType>> result = type(algorithm, header);
    ASSERT_FALSE(result.ok()) << header;
    EXPECT_EQ(result.status().code(), Code::kInvalidParameterValue);
  }
}

// --- The checksum a request carries.

Result<std::optional<RequestChecksum>> FromHeaders(std::map<std::string, std::string> headers) {
  return RequestChecksumFromHeaders([&headers](std::string_view name) -> std::optional<std::string_view> {
    auto found = headers.find(std::string(name));
    if (found == headers.end()) return std::nullopt;
    return found->second;
  });
}

TEST(S3ChecksumsTest, RequestChecksumFromAHeader) {
  // As botocore sends PutObject with ChecksumAlgorithm over http.
  auto result = FromHeaders({{"x-amz-sdk-checksum-algorithm", "CRC32"}, {"x-amz-checksum-crc32", "y/Q5Jg=="}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ((*result)->algorithm, ChecksumAlgorithm::kCrc32);
  EXPECT_EQ((*result)->source, RequestChecksum::Source::kHeader);
  EXPECT_EQ((*result)->expected, "y/Q5Jg==");

  result = FromHeaders({{"x-amz-checksum-sha256", ComputeChecksum(ChecksumAlgorithm::kSha256, "")}});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)->algorithm, ChecksumAlgorithm::kSha256);

  result = FromHeaders({{"content-type", "text/plain"}});
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->has_value());
}

TEST(S3ChecksumsTest, RequestChecksumInATrailer) {
  // As botocore sends PutObject with ChecksumAlgorithm over https.
  auto result = FromHeaders({{"x-amz-sdk-checksum-algorithm", "CRC32C"},
                             {"x-amz-trailer", "x-amz-checksum-crc32c"},
                             {"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)->algorithm, ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ((*result)->source, RequestChecksum::Source::kTrailer);
  EXPECT_EQ((*result)->expected, "");

  result = FromHeaders({{"x-amz-trailer", " X-Amz-Checksum-CRC64NVME "}});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)->algorithm, ChecksumAlgorithm::kCrc64Nvme);
}

TEST(S3ChecksumsTest, RequestChecksumAlgorithmOnly) {
  auto result = FromHeaders({{"x-amz-checksum-algorithm", "SHA1"}});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)->algorithm, ChecksumAlgorithm::kSha1);
  EXPECT_EQ((*result)->source, RequestChecksum::Source::kAlgorithmOnly);
}

TEST(S3ChecksumsTest, RequestChecksumRefusals) {
  std::string crc32 = "y/Q5Jg==";
  std::string sha1 = ComputeChecksum(ChecksumAlgorithm::kSha1, "x");
  std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"x-amz-checksum-crc32", crc32}, {"x-amz-checksum-sha1", sha1}}, "Multiple checksum"},
      {{{"x-amz-checksum-crc32", crc32}, {"x-amz-trailer", "x-amz-checksum-crc32"}}, "Multiple checksum"},
      {{{"x-amz-trailer", "x-amz-checksum-crc32, x-amz-checksum-sha1"}}, "Multiple checksum"},
      {{{"x-amz-trailer", "x-amz-checksum-md5"}}, "x-amz-trailer"},
      {{{"x-amz-sdk-checksum-algorithm", "CRC32"}}, "no corresponding"},
      {{{"x-amz-sdk-checksum-algorithm", "MD5"}, {"x-amz-checksum-crc32", crc32}}, "x-amz-sdk-checksum-algorithm"},
      {{{"x-amz-sdk-checksum-algorithm", "SHA1"}, {"x-amz-checksum-crc32", crc32}}, "x-amz-sdk-checksum-algorithm"},
      {{{"x-amz-checksum-algorithm", "CRC32C"}, {"x-amz-trailer", "x-amz-checksum-crc32"}}, "x-amz-checksum-algorithm"},
      {{{"x-amz-checksum-algorithm", "XXHASH64"}}, "x-amz-checksum-algorithm"},
      {{{"x-amz-checksum-crc32", "y/Q5Jg="}}, "x-amz-checksum-crc32 header is invalid"},      // bad base64
      {{{"x-amz-checksum-crc32", "y/Q5JgAA"}}, "x-amz-checksum-crc32 header is invalid"},     // 6 bytes
      {{{"x-amz-checksum-crc64nvme", crc32}}, "x-amz-checksum-crc64nvme header is invalid"},  // 4 bytes
      {{{"x-amz-checksum-sha256", ""}}, "x-amz-checksum-sha256 header is invalid"},
  };
  for (const auto& [headers, expected_text] : cases) {
    auto result = FromHeaders(headers);
    ASSERT_FALSE(result.ok()) << expected_text;
    EXPECT_EQ(result.status().code(), Code::kInvalidParameterValue);
    EXPECT_NE(result.status().message().find(expected_text), std::string::npos) << result.status().message();
  }
}

TEST(S3ChecksumsTest, ValidateAndVerify) {
  EXPECT_TRUE(ValidateChecksumValue(ChecksumAlgorithm::kCrc32, "y/Q5Jg==", "x-amz-checksum-crc32").ok());
  Status invalid = ValidateChecksumValue(ChecksumAlgorithm::kCrc32, "y/Q5", "x-amz-checksum-crc32");
  EXPECT_EQ(invalid.code(), Code::kInvalidParameterValue);
  EXPECT_TRUE(VerifyChecksum(ChecksumAlgorithm::kCrc32, "y/Q5Jg==", "y/Q5Jg==").ok());
  Status mismatch = VerifyChecksum(ChecksumAlgorithm::kCrc32, "AAAAAA==", "y/Q5Jg==");
  EXPECT_EQ(mismatch.code(), Code::kBadDigest);
  EXPECT_EQ(mismatch.message(), "The CRC32 you specified did not match the calculated checksum.");
  EXPECT_EQ(VerifyChecksum(ChecksumAlgorithm::kCrc32, "junk", "y/Q5Jg==").code(), Code::kBadDigest);
}

TEST(S3ChecksumsTest, ContentMd5) {
  // MD5("hello") = 5d41402abc4b2a76b9719d911017c592; base64 XUFAKrxLKna5cZ2REBfFkg==.
  Result<std::string> hex = ParseContentMd5("XUFAKrxLKna5cZ2REBfFkg==");
  ASSERT_TRUE(hex.ok());
  EXPECT_EQ(*hex, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_TRUE(VerifyContentMd5(*hex, Md5Hex("hello")).ok());
  Status mismatch = VerifyContentMd5(*hex, Md5Hex("hellO"));
  EXPECT_EQ(mismatch.code(), Code::kBadDigest);
  for (std::string_view bad : {"", "XUFAKrxLKna5cZ2REBfFkg=", "5d41402abc4b2a76b9719d911017c592", "XUFAKrxLKna5cZ2R",
                               "XUFAKrxLKna5cZ2REBfFkgAA"}) {
    Result<std::string> parsed = ParseContentMd5(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), Code::kInvalidParameterValue);
    EXPECT_EQ(parsed.status().message(), "The Content-MD5 you specified was invalid.");
  }
}

}  // namespace
}  // namespace sluice::s3
