// The admin commands' client for the plain-JSON Sluice admin API
// (docs/ADMIN_API.md): the encrypted-object sink, the keyring, ingest dedup
// records and the built-in workers. Every call is one HTTP request to
// /_sluice/v1/...; query values and path segments are percent-encoded here,
// so callers pass names and keys exactly as they are.
//
// Ownership: borrows a Transport, which must outlive the client.
//
// Errors: whatever the Transport reports (kUnavailable when the server cannot
// be reached) is passed through. An error answer {"error": "..."} becomes a
// Status whose message() is the server's sentence, ready to print, and whose
// code() follows the HTTP status:
//   400, 409  kInvalidParameterValue (a bad value, or one refused in the
//             current state, e.g. retiring the active key version)
//   404       kResourceNotFound
//   other     kInternal (never kUnavailable, which stays reserved for "could
//             not reach the server")
// An answer that is not the JSON the document promises (another server on
// the port, an older sluice without these endpoints) is kInternal with the
// HTTP status and an excerpt of the body. The one error that is data rather
// than failure is an object that fails its integrity check: GetObject reports
// it in ObjectContent::integrity_error.
//
// Threads: one thread at a time (as the Transport).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "sluice/cli/http_client.h"
#include "sluice/status.h"

namespace sluice::cli {

// Times are the server's ISO 8601 text ("2026-01-15T10:00:00.000Z"), shown
// as sent. raw_json is each item exactly as the server sent it, for --json.

struct BucketInfo {
  std::string name;
  int64_t objects = 0;
  int64_t bytes = 0;
  std::string created;
  std::string raw_json;
};

struct ObjectInfo {
  std::string bucket;
  std::string key;
  int64_t size = 0;
  std::string etag;
  std::string content_type;
  std::string created;
  int64_t key_version = 0;
  std::string raw_json;
};

struct ObjectContent {
  // Non-empty when the server refused the object because it failed its
  // integrity check (HTTP 500, "code":"IntegrityError"): the server's
  // sentence. `data` is then empty: altered plaintext is never returned.
  std::string integrity_error;
  std::string data;  // the decrypted bytes, binary
  std::string content_type;
  std::string etag;
};

struct DamagedObject {
  std::string bucket;
  std::string key;
  std::string error;
};

struct VerifyReport {
  int64_t checked = 0;
  std::vector<DamagedObject> damaged;
  std::string raw_json;
};

struct KeyVersion {
  int64_t version = 0;
  std::string state;  // active, enabled, retired
  std::string created;
  int64_t objects = 0;
};

struct Keyring {
  std::string path;
  int64_t active = 0;
  std::vector<KeyVersion> versions;
  std::string raw_json;
};

struct RewrapResult {
  int64_t rewrapped = 0;
  int64_t version = 0;
};

struct DedupRecord {
  std::string route;
  std::string key;
  std::string queue;
  std::string message_id;
  std::string created;
  std::string expires;
  std::string raw_json;
};

struct WorkerInfo {
  std::string name;
  std::string queue;
  std::string bucket;
  std::string state;
  int64_t processed = 0;
  int64_t failed = 0;
  std::string last_error;     // empty when there was none
  std::string last_error_at;  // empty when there was none
  std::string raw_json;
};

class AdminClient {
 public:
  // Verify and rewrap decrypt or re-wrap every object on the server before
  // answering: they get this budget instead of the usual 30 seconds.
  static constexpr std::chrono::milliseconds kBulkTimeout = std::chrono::hours(1);

  explicit AdminClient(Transport* transport) : transport_(transport) {}

  Result<std::vector<BucketInfo>> ListBuckets();
  // Every object of `bucket` whose key starts with `prefix` (empty: all),
  // following next_after page by page until the server says none remain.
  // A server that repeats a next_after is an error, not an endless loop.
  Result<std::vector<ObjectInfo>> ListObjects(const std::string& bucket, const std::string& prefix);
  Result<ObjectContent> GetObject(const std::string& bucket, const std::string& key);
  // `bucket` empty: every bucket.
  Result<VerifyReport> Verify(const std::string& bucket);

  Result<Keyring> ListKeys();
  Result<int64_t> RotateKey();  // the new active version
  Result<RewrapResult> RewrapKeys();
  Status RetireKey(int64_t version);

  Result<DedupRecord> GetDedupRecord(const std::string& route, const std::string& key);
  Status ForgetDedupRecord(const std::string& route, const std::string& key);

  Result<std::vector<WorkerInfo>> ListWorkers();

 private:
  Result<HttpResponse> Send(const char* method, const std::string& target,
                            std::chrono::milliseconds timeout);
  // Send, then decode a 2xx JSON object answer or the error.
  Result<rapidjson::Document> Call(const char* method, const std::string& target,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30));

  Transport* const transport_;  // not owned
};

}  // namespace sluice::cli
