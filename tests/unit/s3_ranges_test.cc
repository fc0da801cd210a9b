// Range and x-amz-copy-source-range, checked against AWS's recorded answers
// (LocalStack's test_get_object_range and test_upload_part_copy_range, a
// 10-byte object "0123456789").
#include <gtest/gtest.h>

#include "s3/ranges.h"

namespace sluice::s3 {
namespace {

struct Satisfied {
  const char* header;
  uint64_t size;
  uint64_t first;
  uint64_t last;
};

TEST(S3Ranges, Satisfiable) {
  const Satisfied cases[] = {
      {"bytes=0-8", 10, 0, 8},     {"bytes=1-1", 10, 1, 1},   {"bytes=1-", 10, 1, 9},
      {"bytes=-2", 10, 8, 9},      {"bytes=-9", 10, 1, 9},    {"bytes=-15", 10, 0, 9},
      {"bytes=0-100", 10, 0, 9},   {"bytes=0-0", 10, 0, 0},   {"bytes=9-9", 10, 9, 9},
      {"bytes=9-", 10, 9, 9},      {"bytes=0-9", 10, 0, 9},   {"bytes=-10", 10, 0, 9},
      {"bytes=-1", 1, 0, 0},       {"bytes=0-", 1, 0, 0},     {"Bytes=2-3", 10, 2, 3},
      {"bytes=0-99999999999999999999999", 10, 0, 9},
  };
  for (const Satisfied& c : cases) {
    S3Result<std::optional<ByteRange>> range = ResolveRange(c.header, c.size);
    ASSERT_TRUE(range.ok()) << c.header;
    ASSERT_TRUE(range->has_value()) << c.header;
    EXPECT_EQ((*range)->first, c.first) << c.header;
    EXPECT_EQ((*range)->last, c.last) << c.header;
    EXPECT_EQ((*range)->length(), c.last - c.first + 1) << c.header;
  }
}

TEST(S3Ranges, IgnoredMeansWholeObject) {
  for (const char* header : {"bytes=1-0", "bytes=-1-", "bytes=0--1", "bytes=0-1,3-4,7-9", "0-1", "bytes=-",
                             "bytes=", "bytes=a-b", "items=0-1", "bytes= 0-1", "bytes=0-1 ", ""}) {
    S3Result<std::optional<ByteRange>> range = ResolveRange(header, 10);
    ASSERT_TRUE(range.ok()) << header;
    EXPECT_FALSE(range->has_value()) << header;
  }
  S3Result<std::optional<ByteRange>> absent = ResolveRange(std::nullopt, 10);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
}

void ExpectUnsatisfiable(const char* header, uint64_t size) {
  S3Result<std::optional<ByteRange>> range = ResolveRange(header, size);
  ASSERT_FALSE(range.ok()) << header << " of " << size;
  const S3Error& error = range.error();
  EXPECT_EQ(error.code, "InvalidRange");
  EXPECT_EQ(error.http_status, 416);
  EXPECT_EQ(error.message, "The requested range is not satisfiable");
  ASSERT_EQ(error.details.size(), 2u);
  EXPECT_STREQ(error.details[0].name, "RangeRequested");
  EXPECT_EQ(error.details[0].value, header);
  EXPECT_STREQ(error.details[1].name, "ActualObjectSize");
  EXPECT_EQ(error.details[1].value, std::to_string(size));
  ASSERT_EQ(error.headers.size(), 1u);
  EXPECT_EQ(error.headers[0].name, "content-range");
  EXPECT_EQ(error.headers[0].value, "bytes */" + std::to_string(size));
}

TEST(S3Ranges, Unsatisfiable) {
  ExpectUnsatisfiable("bytes=-0", 10);
  ExpectUnsatisfiable("bytes=100-200", 10);
  ExpectUnsatisfiable("bytes=10-", 10);  // first == size
  ExpectUnsatisfiable("bytes=10-20", 10);
  ExpectUnsatisfiable("bytes=1024-4096", 8);
  ExpectUnsatisfiable("bytes=99999999999999999999999-", 10);
  // An empty object has no first byte.
  ExpectUnsatisfiable("bytes=0-", 0);
  ExpectUnsatisfiable("bytes=0-0", 0);
  ExpectUnsatisfiable("bytes=-0", 0);
}

TEST(S3Ranges, SuffixOfEmptyObjectIsTheWholeObject) {
  S3Result<std::optional<ByteRange>> range = ResolveRange("bytes=-1", 0);
  ASSERT_TRUE(range.ok());
  EXPECT_FALSE(range->has_value());
}

TEST(S3Ranges, ContentRange) {
  EXPECT_EQ(ContentRange({0, 8}, 10), "bytes 0-8/10");
  EXPECT_EQ(ContentRange({9, 9}, 10), "bytes 9-9/10");
  EXPECT_EQ(ContentRange({0, 5368709119}, 5368709120), "bytes 0-5368709119/5368709120");
}

TEST(S3Ranges, CopySourceRange) {
  const Satisfied cases[] = {{"bytes=0-8", 10, 0, 8}, {"bytes=1-1", 10, 1, 1}, {"bytes=0-0", 10, 0, 0},
                             {"bytes=0-9", 10, 0, 9}, {"bytes=9-9", 10, 9, 9}};
  for (const auto& [header, size, first, last] : cases) {
    S3Result<ByteRange> range = ResolveCopySourceRange(header, size);
    ASSERT_TRUE(range.ok()) << header;
    EXPECT_EQ(range->first, first) << header;
    EXPECT_EQ(range->last, last) << header;
  }
}

TEST(S3Ranges, CopySourceRangeErrors) {
  // Malformed: InvalidArgument naming the header and echoing the value.
  for (const char* header : {"0-8", "bytes=1-0", "bytes=-1-", "bytes=0--1", "bytes=0-1,3-4,7-9", "bytes=-",
                             "bytes=-0", "bytes=1-", "bytes=-2", "bytes=-15", "Bytes=0-1", ""}) {
    S3Result<ByteRange> range = ResolveCopySourceRange(header, 10);
    ASSERT_FALSE(range.ok()) << header;
    EXPECT_EQ(range.error().code, "InvalidArgument") << header;
    EXPECT_EQ(range.error().message.rfind("The x-amz-copy-source-range value must be of the form", 0), 0u);
    ASSERT_EQ(range.error().details.size(), 2u);
    EXPECT_EQ(range.error().details[0].value, "x-amz-copy-source-range");
    EXPECT_EQ(range.error().details[1].value, header);
  }
  // Past the end of the source.
  S3Result<ByteRange> last_past = ResolveCopySourceRange("bytes=0-100", 10);
  ASSERT_FALSE(last_past.ok());
  EXPECT_EQ(last_past.error().code, "InvalidArgument");
  EXPECT_EQ(last_past.error().message, "Range specified is not valid for source object of size: 10");
  S3Result<ByteRange> edge = ResolveCopySourceRange("bytes=0-10", 10);
  ASSERT_FALSE(edge.ok());
  EXPECT_EQ(edge.error().code, "InvalidArgument");
  S3Result<ByteRange> first_past = ResolveCopySourceRange("bytes=100-200", 10);
  ASSERT_FALSE(first_past.ok());
  EXPECT_EQ(first_past.error().code, "InvalidRequest");
  EXPECT_EQ(first_past.error().message, "The specified copy range is invalid for the source object size");
  EXPECT_EQ(ResolveCopySourceRange("bytes=10-10", 10).error().code, "InvalidRequest");
  EXPECT_EQ(ResolveCopySourceRange("bytes=0-0", 0).error().code, "InvalidRequest");  // empty source
}

}  // namespace
}  // namespace sluice::s3
