// The sink's request and result types. Plain data.
//
// Threads: any (plain data).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
};

struct PutRequest {
  std::string bucket;
  std::string key;
  std::string content_type = "application/octet-stream";
  std::string body;
  std::string user_metadata;  // "" or a JSON object as text; stored as given
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
  uint64_t bytes = 0;  // plaintext bytes
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
  uint64_t objects = 0;  // objects whose data key this version wraps
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
  uint64_t objects = 0;                     // metadata rows
  std::vector<std::string> removed_orphans;  // "bucket/relative path" of files no row knew
  uint64_t removed_temp_files = 0;
  std::vector<std::string> missing_files;   // "bucket/key" of rows without their file
  std::vector<std::string> unexpected;      // paths left alone that are not ours
  uint64_t finished_rewraps = 0;
};

}  // namespace sluice::sink
