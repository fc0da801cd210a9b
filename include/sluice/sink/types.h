// The sink's request and result types. Plain data.
//
// Threads: any (plain data).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace sluice::sink {

struct ObjectInfo {
  std::string bucket;
  std::string key;
  std::string etag;           // MD5 of the plaintext, 32 lower-case hex digits (no quotes)
  std::string content_type;
  uint64_t size = 0;          // plaintext bytes
  int64_t created_ms = 0;     // when this version was put
  int key_version = 0;        // the KEK version that wraps its data key
  std::string generation;     // 16 hex digits, new on every put of the key
  std::string user_metadata;  // a JSON object as text (S3 x-amz-meta-*), "" for none
  // S3 headers kept with the object, a JSON object as text ("" = none): e.g.
  // {"content-encoding":.., "cache-control":.., "content-disposition":..,
  // "content-language":.., "expires":.., "x-amz-server-side-encryption":..,
  // "x-amz-server-side-encryption-aws-kms-key-id":.., "x-amz-checksum-crc32":..,
  // "x-amz-checksum-type":.., "x-amz-website-redirect-location":..}.
  // Stored and returned as given; the sink does not interpret it.
  std::string attributes;
  uint32_t parts_count = 0;  // 0 for a single put; N for an object completed from N parts
};

struct PutRequest {
  std::string bucket;
  std::string key;
  std::string content_type = "application/octet-stream";
  std::string body;
  std::string user_metadata;  // "" or a JSON object as text; stored as given
  std::string attributes;     // see ObjectInfo::attributes
};

// A streamed write: Sink::BeginPut (S3 PutObject), Sink::Copy's destination
// (CopyObject), Sink::CreateUpload's object (content type, metadata and
// attributes only) and Sink::BeginPart's part (digest, size, observe and
// attributes only).
struct WriteRequest {
  std::string bucket;
  std::string key;
  std::string content_type = "application/octet-stream";
  std::string user_metadata;  // "" or a JSON object as text
  std::string attributes;     // see ObjectInfo::attributes
  // Content-MD5 (32 hex digits): a body with another MD5 fails the Commit
  // with kBadDigest and nothing is stored.
  std::optional<std::string> expected_md5_hex;
  // Content-Length / x-amz-decoded-content-length: a body of another size
  // fails the Commit with kInvalidParameterValue ("IncompleteBody: ...") and
  // nothing is stored.
  std::optional<uint64_t> expected_size;
  // Runs on an I/O thread over every appended piece of plaintext, in order,
  // never concurrently with itself; the caller keeps what it captures alive
  // until the Commit (or the upload's destruction) completed.
  std::function<void(std::string_view)> observe;
  // Conditional write, checked in the commit's transaction: with
  // if_match_etag the Commit fails kPreconditionFailed (nothing stored)
  // unless an object exists under the key and its ETag equals it ("*": any
  // object exists; surrounding quotes are ignored). With if_none_match_any
  // (If-None-Match: *) it fails kPreconditionFailed when an object exists.
  std::optional<std::string> if_match_etag;
  bool if_none_match_any = false;
};

// Bytes first..last of an object, both inclusive; last < the object's size.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
};

struct GetResult {
  ObjectInfo info;
  std::string body;  // the whole plaintext, verified
};

struct ListRequest {
  // Without a bucket every bucket is listed, ordered by (bucket, key), and
  // `after`/`next_after` are "bucket/key".
  std::optional<std::string> bucket;
  std::string prefix;  // keys starting with this
  std::string after;   // keys strictly after this ("" = from the start)
  int limit = 1000;    // 1..1000
};

struct ListResult {
  std::vector<ObjectInfo> objects;
  std::optional<std::string> next_after;  // set when more objects remain
};

struct BucketInfo {
  std::string name;
  int64_t created_ms = 0;
  uint64_t objects = 0;
  uint64_t bytes = 0;  // plaintext bytes (Buckets() only; BucketInfoOf leaves objects and bytes 0)
  std::string region;  // "" = us-east-1 (no location constraint)
};

// A multipart upload in progress (Sink::CreateUpload).
struct UploadInfo {
  std::string bucket;
  std::string key;
  std::string upload_id;  // 32 lower-case hex digits
  std::string content_type;
  std::string user_metadata;
  std::string attributes;
  int64_t initiated_ms = 0;
};

struct PartInfo {
  int number = 0;    // 1..10000
  std::string etag;  // MD5 hex of the part's plaintext (no quotes)
  uint64_t size = 0;
  int64_t modified_ms = 0;
  std::string attributes;
};

// A part named in a completion. etag: 32 hex digits; quotes are ignored.
struct CompletedPart {
  int number = 0;
  std::string etag;
};

// S3 ListMultipartUploads: uploads of `bucket` whose key starts with
// `prefix`, in (key, upload_id) order, after (key_marker, upload_id_marker):
// without an upload_id_marker, keys strictly after key_marker; with one, also
// the uploads of key_marker whose id is greater.
struct ListUploadsRequest {
  std::string bucket;
  std::string prefix;
  std::string key_marker;
  std::string upload_id_marker;
  int limit = 1000;  // clamped to 1..1000
};

struct ListUploadsResult {
  std::vector<UploadInfo> uploads;
  bool truncated = false;  // more after the last one returned
};

// The attributes of an object a completion creates, from its upload and the
// parts it is made of (S3: the object's composite checksum). Runs on the
// loop thread, before anything is written; an error (S3: a part checksum
// that does not match, kInvalidPart) fails the completion and leaves the
// upload as it was. Null keeps the upload's attributes.
using CompletionAttributes =
    std::function<Result<std::string>(const UploadInfo& upload, const std::vector<PartInfo>& parts)>;

struct ListPartsResult {
  UploadInfo upload;
  std::vector<PartInfo> parts;  // ascending part numbers
  bool truncated = false;
};

struct DamagedObject {
  std::string bucket;
  std::string key;
  std::string error;
};

struct VerifyReport {
  uint64_t checked = 0;
  std::vector<DamagedObject> damaged;
};

enum class KeyState { kActive, kEnabled, kRetired };
const char* KeyStateName(KeyState state);  // "active", "enabled", "retired"

struct KeyVersionInfo {
  int version = 0;
  int64_t created_ms = 0;
  KeyState state = KeyState::kEnabled;
  uint64_t objects = 0;  // objects (and upload parts) whose data key this version wraps
};

struct KeyringInfo {
  std::string path;
  int active = 0;
  std::vector<KeyVersionInfo> versions;  // by version, ascending
};

struct RewrapReport {
  uint64_t rewrapped = 0;
  int version = 0;  // the active version every object now uses
  // Objects left as they were because their header could not be read or
  // authenticated (verify tells more).
  std::vector<DamagedObject> failed;
};

// What Start()'s consistency check found and did.
struct CheckReport {
  uint64_t objects = 0;                     // object rows
  uint64_t parts = 0;                       // upload part rows (multipart uploads in progress)
  // "bucket/relative path" of files no row knew; upload parts are
  // ".uploads/<upload id>/<part>.<generation>.sealed".
  std::vector<std::string> removed_orphans;
  uint64_t removed_temp_files = 0;
  // "bucket/key" of rows without their file (".uploads/<upload id>/<part>" for parts).
  std::vector<std::string> missing_files;
  std::vector<std::string> unexpected;      // paths left alone that are not ours
  uint64_t finished_rewraps = 0;
};

}  // namespace sluice::sink
