// Bucket names, object keys and object file names.
#include "sluice/sink/names.h"

#include <string>

#include <gtest/gtest.h>

namespace sluice::sink {
namespace {

TEST(SinkNames, BucketNamesFollowS3Rules) {
  for (std::string good : {std::string("abc"), std::string("payments"), std::string("my-bucket.2026"),
                           std::string("a1b"), std::string(63, 'x')}) {
    EXPECT_TRUE(ValidateBucketName(good).ok()) << good;
  }
  for (std::string bad : {std::string("ab"), std::string(64, 'x'), std::string("Payments"),
                          std::string("-abc"), std::string("abc-"), std::string(".abc"),
                          std::string("a..b"), std::string("a_b"), std::string("a b"),
                          std::string("192.168.1.1"), std::string("a/b"), std::string("")}) {
    Status status = ValidateBucketName(bad);
    EXPECT_EQ(status.code(), Code::kInvalidParameterValue) << bad;
    EXPECT_NE(status.message().find("bucket name"), std::string::npos) << status.message();
  }
}

TEST(SinkNames, AcceptsOrdinaryKeys) {
  for (const char* good : {"a", "raw/dt=2026-01-15/4f1c.json", "x/y/z", "a.b", "..a", "a..",
                           "caf\xc3\xa9/\xe2\x82\xac.json", "with space/and+plus"}) {
    EXPECT_TRUE(ValidateObjectKey(good).ok()) << good << ": " << ValidateObjectKey(good).message();
  }
  const std::string segment(250, 'd');
  const std::string longest = segment + "/" + segment + "/" + segment + "/" + segment + "/" + std::string(20, 'f');
  ASSERT_EQ(longest.size(), kMaxKeyBytes);
  EXPECT_TRUE(ValidateObjectKey(longest).ok()) << ValidateObjectKey(longest).message();
}

TEST(SinkNames, RefusesKeysThatEscapeOrBreakTheTree) {
  struct Case {
    std::string key;
    std::string says;
  } cases[] = {
      {"", "must not be empty"},
      {"/a", "must not start with '/'"},
      {"a/../b", "would escape the bucket"},
      {"..", "would escape the bucket"},
      {"../x", "would escape the bucket"},
      {"a/./b", "'.' segment"},
      {".", "'.' segment"},
      {"a//b", "empty segment"},
      {"a/", "must not end with '/'"},
      {std::string("a\0b", 3), "NUL"},
      {"bad\xff", "UTF-8"},
      {"over\xc0\xaf", "UTF-8"},  // overlong '/'
      {std::string(kMaxKeyBytes + 1, 'k'), "longer than 1024 bytes"},
      {std::string(256, 'd') + "/x", "segment longer than 255"},
      {std::string(232, 'f'), "last segment longer than 231"},
      {"dir.0123456789abcdef.sealed/x", "directory segment"},
  };
  for (const Case& c : cases) {
    Status status = ValidateObjectKey(c.key);
    EXPECT_EQ(status.code(), Code::kInvalidParameterValue) << c.key;
    EXPECT_NE(status.message().find(c.says), std::string::npos) << status.message();
  }
  EXPECT_EQ(ValidateObjectKey("a/../b").message(), "key 'a/../b' would escape the bucket ('..' segment)");
  EXPECT_TRUE(ValidateObjectKey(std::string(231, 'f')).ok());
}

TEST(SinkNames, FileNamesRoundTrip) {
  const std::string generation = NewGeneration();
  EXPECT_TRUE(IsGeneration(generation));
  EXPECT_NE(generation, NewGeneration());
  const std::string name = ObjectFileName("raw/dt=2026-01-15/x.json", generation);
  EXPECT_EQ(name, "raw/dt=2026-01-15/x.json." + generation + ".sealed");
  std::string key, parsed;
  ASSERT_TRUE(ParseObjectFileName(name, &key, &parsed));
  EXPECT_EQ(key, "raw/dt=2026-01-15/x.json");
  EXPECT_EQ(parsed, generation);
  // A key that itself looks like a file name still parses back to itself.
  const std::string tricky = ObjectFileName("k.0123456789abcdef.sealed", generation);
  ASSERT_TRUE(ParseObjectFileName(tricky, &key, &parsed));
  EXPECT_EQ(key, "k.0123456789abcdef.sealed");
  for (const char* not_ours : {"x.json", "x.0123.sealed", ".0123456789abcdef.sealed",
                               "d/.0123456789abcdef.sealed", "x.0123456789ABCDEF.sealed"}) {
    EXPECT_FALSE(ParseObjectFileName(not_ours, &key, &parsed)) << not_ours;
  }
}

}  // namespace
}  // namespace sluice::sink
