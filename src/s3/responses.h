// XML bodies of S3's successful responses, in the S3 namespace
// (http://s3.amazonaws.com/doc/2006-03-01/), from plain input structs.
//
// Conventions, as S3 writes them: ETags are quoted ("\"9b2c...\"", which the
// XML escapes as &quot;); timestamps are ISO 8601 in UTC with milliseconds
// ("2026-01-15T10:00:00.123Z"); booleans are "true"/"false"; optional
// elements with no value are left out. Every writer is checked against
// botocore's own response parser by tests/unit/s3_responses_check.py.
//
// encoding-type=url (ListObjects, ListObjectsV2, ListMultipartUploads):
// keys and key-like elements (Key, Prefix, Delimiter, Marker, NextMarker,
// StartAfter, KeyMarker, NextKeyMarker, CommonPrefixes/Prefix) are
// percent-encoded: every byte but A-Z a-z 0-9 - . _ ~ and '/' as %XX, so
// "a b+c/é" becomes "a%20b%2Bc/%C3%A9". Continuation tokens are never
// encoded (they are URL-safe already).
//
// Threads: any (pure).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "s3/listing.h"

namespace sluice::s3 {

inline constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

struct Owner {
  std::string id;            // a canonical user id: 64 hex digits
  std::string display_name;
};

// The one owner of everything in Sluice (there are no accounts).
Owner DefaultOwner();

// Percent-encoding for encoding-type=url (see above).
std::string UrlEncodeKey(std::string_view text);

// Checksums of an object or part, base64 as on the wire; "" = none.
struct ObjectChecksums {
  std::string crc32;
  std::string crc32c;
  std::string crc64nvme;
  std::string sha1;
  std::string sha256;
  std::string type;  // "FULL_OBJECT" / "COMPOSITE", or ""
};

// ListBuckets: ListAllMyBucketsResult.
struct BucketEntry {
  std::string name;
  int64_t creation_ms = 0;
  std::string region;  // BucketRegion; "" leaves it out
};
std::string ListBucketsXml(const std::vector<BucketEntry>& buckets, const Owner& owner);

// ListObjects (v1) and ListObjectsV2: ListBucketResult. `params.version`
// picks the variant; Owner is written for v1 always, for v2 only with
// fetch-owner=true, as S3 does.
std::string ListObjectsXml(std::string_view bucket, const ListObjectsParams& params, const ListPage& page,
                           const Owner& owner);

// GetBucketLocation: <LocationConstraint>region</LocationConstraint>, empty
// for us-east-1 (S3's historical "no constraint").
std::string LocationConstraintXml(std::string_view region);

// CopyObject (CopyObjectResult) and UploadPartCopy (CopyPartResult).
struct CopyResult {
  std::string etag;  // unquoted
  int64_t last_modified_ms = 0;
  ObjectChecksums checksums;
};
std::string CopyObjectResultXml(const CopyResult& result);
std::string CopyPartResultXml(const CopyResult& result);

// CreateMultipartUpload.
std::string InitiateMultipartUploadXml(std::string_view bucket, std::string_view key, std::string_view upload_id);

// CompleteMultipartUpload.
struct CompleteResult {
  std::string location;  // the object's URL
  std::string bucket;
  std::string key;
  std::string etag;  // unquoted, "hex-N"
  ObjectChecksums checksums;
};
std::string CompleteMultipartUploadXml(const CompleteResult& result);

// ListParts.
struct PartEntry {
  int part_number = 0;
  int64_t last_modified_ms = 0;
  std::string etag;  // unquoted
  uint64_t size = 0;
  ObjectChecksums checksums;  // `type` unused here
};
struct ListPartsResult {
  std::string bucket;
  std::string key;
  std::string upload_id;
  int part_number_marker = 0;
  int next_part_number_marker = 0;
  int max_parts = kMaxListKeys;
  bool is_truncated = false;
  std::vector<PartEntry> parts;
  Owner owner;  // also written as Initiator
  std::string storage_class = "STANDARD";
  std::string checksum_algorithm;  // the upload's, "" for none
  std::string checksum_type;
};
std::string ListPartsXml(const ListPartsResult& result);

// ListMultipartUploads.
struct UploadEntry {
  std::string key;
  std::string upload_id;
  int64_t initiated_ms = 0;
  std::string storage_class = "STANDARD";
  std::string checksum_algorithm;
  std::string checksum_type;
};
struct ListUploadsResult {
  std::string bucket;
  std::string next_key_marker;
  std::string next_upload_id_marker;
  bool is_truncated = false;
  std::vector<UploadEntry> uploads;
  std::vector<std::string> common_prefixes;
};
std::string ListMultipartUploadsXml(const ListUploadsParams& params, const ListUploadsResult& result,
                                    const Owner& owner);

// DeleteObjects: DeleteResult. In quiet mode only the errors are listed.
struct DeletedEntry {
  std::string key;
};
struct DeleteErrorEntry {
  std::string key;
  std::string code;  // an S3 error code, e.g. "InternalError"
  std::string message;
};
std::string DeleteResultXml(const std::vector<DeletedEntry>& deleted, const std::vector<DeleteErrorEntry>& errors,
                            bool quiet);

// GetBucketVersioning for a bucket that never had versioning: an empty
// VersioningConfiguration (no Status element).
std::string VersioningConfigurationXml();

// GetObjectTagging for an object without tags: an empty TagSet.
std::string EmptyTaggingXml();

// GetBucketAcl / GetObjectAcl: the owner holds FULL_CONTROL and nobody else
// is granted anything (a private bucket or object, the only kind here).
std::string OwnerOnlyAclXml(const Owner& owner);

}  // namespace sluice::s3
