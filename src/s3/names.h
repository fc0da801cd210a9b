// S3's rules for bucket names, object keys and user metadata (x-amz-meta-*).
//
// These are the S3 API's own rules, checked at the protocol edge so clients
// get S3's error codes. The sink applies its stricter file-system rules to
// keys afterwards (sink/names.h: no empty, "." or ".." segments, no leading
// '/'); those refusals arrive as kInvalidParameterValue -> InvalidArgument.
//
// User metadata is stored in the sink as a JSON object ({"color":"blue"}),
// names lower-cased and without the "x-amz-meta-" prefix, sorted by name.
//
// Threads: any (pure).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/errors.h"
#include "sluice/http/server.h"
#include "sluice/status.h"

namespace sluice::s3 {

inline constexpr size_t kMaxObjectKeyBytes = 1024;
inline constexpr size_t kMaxUserMetadataBytes = 2048;
inline constexpr std::string_view kUserMetadataPrefix = "x-amz-meta-";

// The general-purpose bucket naming rules, for CreateBucket: 3 to 63
// characters of a-z, 0-9, '.' and '-'; starting and ending with a letter or
// digit; no ".."; not shaped like an IPv4 address; none of the reserved
// prefixes (xn--, sthree-, amzn-s3-demo-) or suffixes (-s3alias, --ol-s3,
// .mrap, --x-s3, --table-s3). nullopt when valid, else InvalidBucketName with
// <BucketName>.
std::optional<S3Error> ValidateBucketName(std::string_view name);

// 1 to 1024 bytes of valid UTF-8. KeyTooLongError (with <Size> and
// <MaxSizeAllowed>) over 1024 bytes, InvalidArgument for an empty key or
// invalid UTF-8.
std::optional<S3Error> ValidateObjectKey(std::string_view key);

bool IsValidUtf8(std::string_view text);

struct MetadataEntry {
  std::string name;   // lower-case, without "x-amz-meta-"
  std::string value;
};
using UserMetadata = std::vector<MetadataEntry>;  // sorted by name, names unique

// The x-amz-meta-* headers of a request. A name sent twice gets the values
// joined with "," (as HTTP folds repeated fields). The size is the sum of the
// bytes of every name and value; over kMaxUserMetadataBytes it is
// MetadataTooLarge. Values must be valid UTF-8 (InvalidArgument otherwise);
// RFC 2047 encoded-words are stored as sent, not decoded. A header named
// just "x-amz-meta-" is ignored.
S3Result<UserMetadata> CollectUserMetadata(const std::vector<http::Header>& headers);

// {"name":"value",...} in order; "" for no metadata (the sink's "none").
std::string UserMetadataToJson(const UserMetadata& metadata);

// The inverse; "" is no metadata. kInternal for text that is not a JSON
// object of strings (stored metadata we did not write).
Result<UserMetadata> UserMetadataFromJson(std::string_view json);

// x-amz-meta-NAME: VALUE headers for GetObject and HeadObject.
std::vector<http::Header> UserMetadataHeaders(const UserMetadata& metadata);

}  // namespace sluice::s3
