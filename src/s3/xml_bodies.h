// The XML request bodies S3 takes, parsed with expat into typed requests:
// CompleteMultipartUpload, Delete (DeleteObjects) and
// CreateBucketConfiguration (CreateBucket).
//
// Elements may be in S3's namespace (xmlns="http://s3.amazonaws.com/doc/
// 2006-03-01/", as botocore sends them) or in none; the root must be the
// expected one. Elements S3 documents but Sluice does not use (a Delete
// Object's ETag, a bucket configuration's Location or Tags) and elements of
// other namespaces are skipped. Text is taken as XML delivers it (entities
// and character references decoded); object keys keep their whitespace,
// numbers, booleans and ETags are trimmed.
//
// Safety: a document with a DOCTYPE is refused, so no entity is ever
// declared or expanded (no "billion laughs", no external entities); nesting
// deeper than 16 elements and element text over 64 KiB are refused. The
// caller bounds the body's size.
//
// Errors: kMalformedRequest, whose S3 code is MalformedXML ("The XML you
// provided was not well-formed or did not validate against our published
// schema"), with the detail after a colon. Semantic checks that S3 answers
// with other codes (part order, part numbers outside 1..10000, checksum
// values) are the caller's.
// Threads: any thread; nothing is shared.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/checksums.h"
#include "s3/xml_reader.h"  // the reading rules above, and kS3XmlNamespace
#include "sluice/status.h"

namespace sluice::s3 {

// The most objects one DeleteObjects request may name.
inline constexpr size_t kMaxDeleteObjects = 1000;
// The most parts a CompleteMultipartUpload may list (S3's part limit).
inline constexpr size_t kMaxCompletedParts = 10000;

struct CompletedPart {
  int64_t part_number = 0;  // as sent (at most 10 digits); range checks are the caller's
  std::string etag;         // without the surrounding quotes
  // ChecksumCRC32, ChecksumCRC32C, ... as sent (base64, not validated here).
  std::map<ChecksumAlgorithm, std::string> checksums;
};

struct CompleteMultipartUploadRequest {
  std::vector<CompletedPart> parts;  // in document order, at least one
};

// <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"..."</ETag>
// [<ChecksumCRC32>...</ChecksumCRC32>]</Part>...</CompleteMultipartUpload>.
// MalformedXML also for: no Part, a Part without PartNumber or ETag, a
// PartNumber that is not a decimal integer, a repeated element in a Part,
// more than kMaxCompletedParts parts.
Result<CompleteMultipartUploadRequest> ParseCompleteMultipartUpload(std::string_view body);

struct ObjectToDelete {
  std::string key;                        // exactly as sent
  std::optional<std::string> version_id;
};

struct DeleteRequest {
  std::vector<ObjectToDelete> objects;  // in document order, 1 to 1000
  bool quiet = false;
};

// <Delete><Object><Key>k</Key>[<VersionId>v</VersionId>]</Object>...
// [<Quiet>true</Quiet>]</Delete>. MalformedXML also for: no Object, more
// than kMaxDeleteObjects, an Object without Key, a Quiet other than
// true/false/1/0.
Result<DeleteRequest> ParseDelete(std::string_view body);

struct CreateBucketConfiguration {
  // The LocationConstraint, trimmed; nullopt when the body or the element is
  // absent. An empty element gives "".
  std::optional<std::string> location_constraint;
};

// <CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint>
// </CreateBucketConfiguration>; an empty (or all-whitespace) body is valid.
Result<CreateBucketConfiguration> ParseCreateBucketConfiguration(std::string_view body);

}  // namespace sluice::s3
