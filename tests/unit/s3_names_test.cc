// Bucket names, object keys and user metadata.
#include <string>

#include <gtest/gtest.h>

#include "s3/names.h"

namespace sluice::s3 {
namespace {

TEST(S3Names, ValidBucketNames) {
  for (const char* name : {"abc", "a-b", "a.b.c", "1bucket", "bucket1", "my-bucket.2026", "xn-a", "a-s3alia",
                           "192.168.5", "1.2.3.4.5", "s3-bucket", "a--b"}) {
    EXPECT_EQ(ValidateBucketName(name), std::nullopt) << name;
  }
  EXPECT_EQ(ValidateBucketName(std::string(63, 'a')), std::nullopt);
  EXPECT_EQ(ValidateBucketName(std::string(3, '7')), std::nullopt);
}

TEST(S3Names, InvalidBucketNames) {
  for (std::string name : {"", "ab", "Abc", "abC", "a_b", "a b", "-abc", "abc-", ".abc", "abc.", "a..b",
                           "192.168.5.4", "1.1.1.1", "999.1.1.1", "xn--abc", "sthree-abc", "amzn-s3-demo-bucket",
                           "abc-s3alias", "abc--ol-s3", "abc.mrap", "abc--x-s3", "abc--table-s3", "ab/c", "ab%c",
                           "caf\xC3\xA9"}) {
    std::optional<S3Error> error = ValidateBucketName(name);
    ASSERT_TRUE(error.has_value()) << name;
    EXPECT_EQ(error->code, "InvalidBucketName") << name;
    EXPECT_EQ(error->http_status, 400);
    EXPECT_EQ(error->bucket_name, name);
  }
  EXPECT_TRUE(ValidateBucketName(std::string(64, 'a')).has_value());
}

TEST(S3Names, ObjectKeys) {
  EXPECT_EQ(ValidateObjectKey("a"), std::nullopt);
  EXPECT_EQ(ValidateObjectKey("dir/sub dir/\xE2\x82\xAC.txt"), std::nullopt);
  EXPECT_EQ(ValidateObjectKey(std::string(1024, 'k')), std::nullopt);
  // 1024 bytes of 3-byte characters plus one: counted in bytes, not characters.
  std::string euros;
  for (int i = 0; i < 341; ++i) euros += "\xE2\x82\xAC";
  EXPECT_EQ(ValidateObjectKey(euros + "x"), std::nullopt);  // 1024 bytes
  std::optional<S3Error> too_long = ValidateObjectKey(euros + "xy");
  ASSERT_TRUE(too_long.has_value());
  EXPECT_EQ(too_long->code, "KeyTooLongError");
  EXPECT_EQ(too_long->http_status, 400);
  ASSERT_EQ(too_long->details.size(), 2u);
  EXPECT_EQ(too_long->details[0].value, "1025");
  EXPECT_EQ(too_long->details[1].value, "1024");

  EXPECT_EQ(ValidateObjectKey(std::string(1025, 'k'))->code, "KeyTooLongError");
  EXPECT_EQ(ValidateObjectKey("")->code, "InvalidArgument");
  EXPECT_EQ(ValidateObjectKey("bad\xFF")->code, "InvalidArgument");
  EXPECT_EQ(ValidateObjectKey("\xC0\xAF")->code, "InvalidArgument");  // overlong '/'
}

TEST(S3Names, Utf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

std::vector<http::Header> Headers(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  std::vector<http::Header> headers;
  for (const auto& [name, value] : pairs) headers.push_back({name, value});
  return headers;
}

TEST(S3Names, CollectUserMetadata) {
  S3Result<UserMetadata> metadata = CollectUserMetadata(Headers({{"content-type", "text/plain"},
                                                                 {"x-amz-meta-color", "blue"},
                                                                 {"x-amz-meta-Author", "Ada"},
                                                                 {"x-amz-meta-", "ignored"},
                                                                 {"x-amz-meta-color", "green"},
                                                                 {"x-amz-metadata-directive", "COPY"}}));
  ASSERT_TRUE(metadata.ok());
  ASSERT_EQ(metadata->size(), 2u);
  EXPECT_EQ((*metadata)[0].name, "author");  // lower-cased, sorted
  EXPECT_EQ((*metadata)[0].value, "Ada");
  EXPECT_EQ((*metadata)[1].name, "color");
  EXPECT_EQ((*metadata)[1].value, "blue,green");  // repeated names fold
  EXPECT_TRUE(CollectUserMetadata({}).value().empty());
}

TEST(S3Names, UserMetadataSizeLimit) {
  // name "k" (1 byte) + value: exactly 2048 bytes passes, 2049 fails.
  std::vector<http::Header> at_limit = {{"x-amz-meta-k", std::string(2047, 'v')}};
  EXPECT_TRUE(CollectUserMetadata(at_limit).ok());
  std::vector<http::Header> over = {{"x-amz-meta-k", std::string(2048, 'v')}};
  S3Result<UserMetadata> result = CollectUserMetadata(over);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "MetadataTooLarge");
  EXPECT_EQ(result.error().http_status, 400);
  // Summed over all entries.
  std::vector<http::Header> many;
  for (int i = 0; i < 10; ++i) many.push_back({"x-amz-meta-name" + std::to_string(i), std::string(200, 'v')});
  EXPECT_EQ(CollectUserMetadata(many).error().code, "MetadataTooLarge");  // 10 * 205 = 2050
}

TEST(S3Names, UserMetadataMustBeUtf8) {
  std::vector<http::Header> latin1 = {{"x-amz-meta-city", "M\xFCnchen"}};
  S3Result<UserMetadata> result = CollectUserMetadata(latin1);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "InvalidArgument");
}

TEST(S3Names, UserMetadataJsonRoundTrip) {
  UserMetadata metadata = {{"a", "1"}, {"quote", "say \"hi\"\\"}, {"unicode", "\xC3\xA9\xF0\x9F\x98\x80"}};
  std::string json = UserMetadataToJson(metadata);
  EXPECT_EQ(json.substr(0, 9), "{\"a\":\"1\",");
  Result<UserMetadata> back = UserMetadataFromJson(json);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*back)[i].name, metadata[i].name);
    EXPECT_EQ((*back)[i].value, metadata[i].value);
  }
  EXPECT_EQ(UserMetadataToJson({}), "");
  EXPECT_TRUE(UserMetadataFromJson("").value().empty());
  EXPECT_EQ(UserMetadataFromJson("[1]").status().code(), Code::kInternal);
  EXPECT_EQ(UserMetadataFromJson("{\"a\":1}").status().code(), Code::kInternal);
  EXPECT_EQ(UserMetadataFromJson("{").status().code(), Code::kInternal);
}

TEST(S3Names, UserMetadataHeaders) {
  std::vector<http::Header> headers = UserMetadataHeaders({{"author", "Ada"}, {"color", "blue"}});
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].name, "x-amz-meta-author");
  EXPECT_EQ(headers[0].value, "Ada");
  EXPECT_EQ(headers[1].name, "x-amz-meta-color");
}

}  // namespace
}  // namespace sluice::s3
