// Bucket names, object keys and the file names objects are stored under.
//
// An object lives at <root>/<bucket>/<key>.<generation>.sealed: the key's
// '/'-separated segments become directories, so the tree mirrors the key
// space (raw/dt=2026-01-15/x.json). The validation here is what keeps that
// mapping safe: no key can name a path outside its bucket, collide with a
// directory of another key, or exceed the file system's name limit.
//
// A multipart upload's part is sealed like an object of the pseudo-bucket
// ".uploads" (kUploadsArea) under the key "<upload id>/<part, 5 digits>",
// so it lives at <root>/.uploads/<upload id>/00007.<generation>.sealed and
// its header binds it to that upload and part. No bucket name starts with
// '.', so a part can never pass for an object or the other way round.
//
// Errors: kInvalidParameterValue with a sentence naming the problem.
// Threads: any (pure functions).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::sink {

inline constexpr size_t kMaxKeyBytes = 1024;
// A generation is 8 random bytes, as 16 lower-case hex digits.
inline constexpr size_t kGenerationHexDigits = 16;
inline constexpr std::string_view kSealedSuffix = ".sealed";
// What ObjectFileName appends to the last key segment: ".<generation>.sealed".
inline constexpr size_t kFileNameSuffixBytes = 1 + kGenerationHexDigits + kSealedSuffix.size();
// NAME_MAX on every file system we support.
inline constexpr size_t kMaxFileNameBytes = 255;

// S3's rules: 3 to 63 characters of a-z, 0-9, '.' and '-', starting and
// ending with a letter or digit, no "..", not shaped like an IPv4 address.
Status ValidateBucketName(std::string_view name);

// Refuses: empty keys, keys over kMaxKeyBytes, invalid UTF-8, NUL, a leading
// '/', empty, "." and ".." segments, a last segment too long to be a file
// name once the suffix is added, and directory segments shaped like sealed
// object file names (which would collide with another key's file).
Status ValidateObjectKey(std::string_view key);

// A fresh random generation id (16 hex digits).
std::string NewGeneration();
bool IsGeneration(std::string_view text);

// "<key>.<generation>.sealed", relative to the bucket directory.
std::string ObjectFileName(std::string_view key, std::string_view generation);

// The inverse of ObjectFileName: false when `relative_path` does not end in
// ".<16 hex digits>.sealed" after a non-empty key.
bool ParseObjectFileName(std::string_view relative_path, std::string* key, std::string* generation);

// Multipart uploads.
inline constexpr std::string_view kUploadsArea = ".uploads";
inline constexpr size_t kUploadIdHexDigits = 32;
inline constexpr int kMaxPartNumber = 10000;
// A fresh random upload id (32 hex digits) and its check.
std::string NewUploadId();
bool IsUploadId(std::string_view text);
// "<upload id>/<part number as 5 digits>": parts sort by number.
std::string PartKey(std::string_view upload_id, int part_number);
// The inverse of PartKey; false for anything else.
bool ParsePartKey(std::string_view key, std::string* upload_id, int* part_number);

// "bucket/key" for messages, with overly long keys shortened.
std::string DisplayName(std::string_view bucket, std::string_view key);

}  // namespace sluice::sink
