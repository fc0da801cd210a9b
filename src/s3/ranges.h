// Byte ranges: the Range header of GetObject/HeadObject and the
// x-amz-copy-source-range header of UploadPartCopy.
//
// Range, as AWS answers it (responses recorded in LocalStack's snapshot
// tests, test_get_object_range):
//   bytes=a-b   a..min(b, size-1); 206
//   bytes=a-    a..size-1; 206
//   bytes=-n    the last min(n, size) bytes; 206
//   a >= size, or bytes=-0          -> 416 InvalidRange, Content-Range: bytes */SIZE
//   b < a, "bytes=-", "bytes=-1-", "bytes=0--1", several ranges
//   ("bytes=0-1,3-4"), no "bytes=" unit  -> ignored: the whole object, 200
// An empty object satisfies no range with a first byte (bytes=0-, bytes=0-0
// -> 416, as AWS and RFC 9110 agree); bytes=-n (n > 0) on it is answered
// with the whole (empty) object, as AWS does for tail reads of empty files.
// The unit is matched case-insensitively; numbers too large for 64 bits
// are treated as larger than any object.
//
// x-amz-copy-source-range must be exactly bytes=first-last with
// first <= last (else InvalidArgument naming the header); first past the
// source is InvalidRequest, last past it InvalidArgument — S3's answers.
//
// Threads: any (pure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "s3/errors.h"

namespace sluice::s3 {

// A satisfiable range: first <= last < object size.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t length() const { return last - first + 1; }
};

// The part of an object of `object_size` bytes a Range header asks for;
// nullopt when the whole object is to be sent (no header, or one that is
// ignored). InvalidRange (416) carries <RangeRequested>, <ActualObjectSize>
// and the Content-Range: bytes */SIZE header.
S3Result<std::optional<ByteRange>> ResolveRange(std::optional<std::string_view> range_header,
                                                uint64_t object_size);

// "bytes 0-8/10", the Content-Range of a 206.
std::string ContentRange(const ByteRange& range, uint64_t object_size);

// The source bytes UploadPartCopy copies.
S3Result<ByteRange> ResolveCopySourceRange(std::string_view header, uint64_t source_size);

}  // namespace sluice::s3
