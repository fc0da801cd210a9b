// Listing: the request parameters of ListObjects (v1), ListObjectsV2,
// ListMultipartUploads and ListParts, and ListPager, which turns the store's
// sorted keys into one S3 page (Contents, CommonPrefixes, truncation).
//
// The pager and the store. The store answers one kind of query: "up to N
// entries whose keys start with P and sort strictly after A, ascending by
// bytes" (the sink's List). The pager is pure: the caller asks it for the
// next StoreQuery, runs it however it likes (the sink is asynchronous), and
// feeds the batch back, until the pager is done.
//
// Delimiter grouping, as S3 does it. With delimiter D, a key K under prefix P
// that contains D after P is not listed; its common prefix C (K up to and
// including the first D after P) is, once. Each common prefix counts toward
// max-keys like a key. A common prefix C is listed only if C sorts after the
// start position; this is what makes pages continue where the last one
// stopped (AWS: a marker of "folder/sub/" or "folder/sub/file1" skips the
// whole "folder/sub/" group). After listing C the next store query starts
// after C + "\xff": keys are valid UTF-8, which never contains the byte 0xFF,
// so every key that starts with C sorts before C + "\xff" and every key that
// sorts after C and does not start with C sorts after it. Keys compare as
// unsigned bytes (std::string, SQLite BINARY).
//
// Truncation: max-keys entries were listed and the store holds at least one
// more key that would add an entry. max-keys 0 lists nothing and is not
// truncated (AWS, ceph s3-tests test_bucket_list_maxkeys_zero).
//
// Continuation tokens are opaque to clients: base64url (no padding) of the
// last key or common prefix listed. Decoding yields the start position; a
// token that does not decode to valid UTF-8 is InvalidArgument.
//
// Threads: any; one ListPager per listing, not shared.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/errors.h"
#include "sluice/status.h"

namespace sluice::s3 {

inline constexpr int kMaxListKeys = 1000;

// One object as listings show it.
struct ObjectEntry {
  std::string key;
  int64_t last_modified_ms = 0;
  std::string etag;  // unquoted: 32 hex digits, or hex-N for multipart
  uint64_t size = 0;
  std::string storage_class = "STANDARD";
  std::string checksum_algorithm;  // "CRC32", ... or "" when the object has none
  std::string checksum_type;       // "FULL_OBJECT" / "COMPOSITE" or ""
};

enum class ListVersion { kV1, kV2 };

struct ListObjectsParams {
  ListVersion version = ListVersion::kV2;
  std::string prefix;
  std::string delimiter;  // "" = none (a "delimiter=" parameter is none too)
  int max_keys = kMaxListKeys;  // 0..1000; larger requests are capped at 1000
  bool url_encoding = false;    // encoding-type=url
  bool fetch_owner = false;     // v2: fetch-owner=true
  std::string marker;                             // v1, as sent ("" when absent)
  std::optional<std::string> continuation_token;  // v2, as sent
  std::optional<std::string> start_after;         // v2, as sent
  // Where the listing starts: keys after this. The v1 marker; for v2 the
  // decoded continuation token, else start-after.
  std::string start;
};

// Errors: InvalidArgument for max-keys that is not an integer in
// 0..2147483647, an encoding-type other than "url", or a bad continuation
// token; InvalidURI for a malformed percent-escape.
S3Result<ListObjectsParams> ParseListObjectsParams(std::string_view query, ListVersion version);

struct ListUploadsParams {
  std::string prefix;
  std::string delimiter;
  int max_uploads = kMaxListKeys;  // 0..1000, capped like max-keys
  bool url_encoding = false;
  std::string key_marker;
  std::string upload_id_marker;  // ignored by S3 unless key_marker is set
};

S3Result<ListUploadsParams> ParseListUploadsParams(std::string_view query);

struct ListPartsParams {
  int max_parts = kMaxListKeys;  // 0..1000, capped
  int part_number_marker = 0;    // parts after this number
};

S3Result<ListPartsParams> ParseListPartsParams(std::string_view query);

std::string EncodeContinuationToken(std::string_view position);
// nullopt for anything EncodeContinuationToken could not have produced.
std::optional<std::string> DecodeContinuationToken(std::string_view token);

// "keys with `prefix` after `after`, at most `limit` (1..1000), ascending".
struct StoreQuery {
  std::string prefix;
  std::string after;
  int limit = kMaxListKeys;
};

struct StoreBatch {
  std::vector<ObjectEntry> entries;  // ascending, each key > query.after
  bool exhausted = false;            // no keys beyond the last entry
};

struct ListPage {
  std::vector<ObjectEntry> contents;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string last_listed;  // the last key or common prefix listed; "" if none

  int key_count() const { return static_cast<int>(contents.size() + common_prefixes.size()); }
  // When truncated: the token of the next page; else "".
  std::string NextContinuationToken() const;
  // v1's NextMarker: S3 sends it only when truncated and a delimiter was
  // given (without one, clients continue from the last key); else "".
  std::string NextMarker(std::string_view delimiter) const;
};

class ListPager {
 public:
  // `start`: list keys after this (marker, start-after or decoded token).
  ListPager(std::string prefix, std::string delimiter, int max_keys, std::string start);
  explicit ListPager(const ListObjectsParams& params)
      : ListPager(params.prefix, params.delimiter, params.max_keys, params.start) {}

  // The next store query; nullopt once done().
  std::optional<StoreQuery> NextQuery() const;
  // The store's answer to the last NextQuery().
  void Feed(StoreBatch batch);
  bool done() const { return done_; }

  const ListPage& page() const { return page_; }
  ListPage TakePage() { return std::move(page_); }

 private:
  // The common prefix `key` belongs to under prefix_/delimiter_, or "".
  std::string_view CommonPrefixOf(std::string_view key) const;

  const std::string prefix_;
  const std::string delimiter_;
  const int max_keys_;
  std::string after_;  // store position: every key <= after_ is consumed
  bool done_ = false;
  ListPage page_;
};

// Drives `pager` to completion over a synchronous store (tests, in-memory
// stores); stops at the first store error and returns it.
using SyncListStore = std::function<Result<StoreBatch>(const StoreQuery&)>;
Status RunListPager(ListPager& pager, const SyncListStore& store);

}  // namespace sluice::s3
