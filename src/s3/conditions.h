// Conditional requests: HTTP dates, ETag lists, and the preconditions of
// reads (GetObject, HeadObject), copy sources (CopyObject, UploadPartCopy)
// and writes (PutObject, CopyObject's destination, CompleteMultipartUpload).
//
// Reads, in RFC 9110 section 13.2.2's order, which is also the order in
// which AWS reports failures (LocalStack snapshot test
// test_s3_get_object_preconditions):
//   1. If-Match present and false                -> 412 (Condition If-Match)
//   2. else If-Unmodified-Since present and false -> 412 (If-Unmodified-Since)
//      (so If-Match true + If-Unmodified-Since false proceeds: 200, the S3
//      documentation's special case)
//   3. If-None-Match present and false (an ETag matches) -> 304
//   4. else If-Modified-Since present and false (not modified) -> 304
// Copy sources evaluate the x-amz-copy-source-if-* headers in the same
// order, but every failure is 412 (Condition x-amz-copy-source-If-...).
//
// Dates: an invalid date is ignored (RFC 9110), and so is an
// If-Modified-Since later than now (AWS ignores it). HTTP dates carry
// seconds, so Last-Modified is compared truncated to its second: an object
// modified at 10:00:00.700 is "not modified since 10:00:00".
//
// ETags: compared without quotes ("abc", abc and W/"abc" all name abc);
// a header may list several, and "*" matches any existing object.
// If-Match uses strong comparison (a W/ tag never matches), If-None-Match
// weak comparison.
//
// Writes (conditional writes, as AWS answers them; test_s3_api.py's
// TestS3ObjectWritePrecondition): If-None-Match must be "*" and If-Match
// must not be "*" (else 501 NotImplemented naming the header); both at once
// is 501 too. If-None-Match: * fails (412) when the key exists; If-Match on
// a missing key is 404 NoSuchKey, with another ETag 412.
//
// Threads: any (pure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "s3/errors.h"
#include "sluice/http/server.h"

namespace sluice::s3 {

// Seconds since the Unix epoch of an HTTP-date in any of RFC 9110's three
// forms: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850
// ("Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years 70-99 are 19xx,
// 00-69 20xx) and asctime ("Sun Nov  6 08:49:37 1994"). The weekday is not
// checked against the date. nullopt when malformed.
std::optional<int64_t> ParseHttpDate(std::string_view text);

// IMF-fixdate of a time in milliseconds (truncated to its second), for
// Last-Modified: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string FormatHttpDate(int64_t epoch_millis);

// True when `header` (an If-Match / If-None-Match value: "*", or a comma
// separated list of ETags, quoted or not, possibly W/) names `etag` (the
// object's ETag, unquoted).
bool EtagListMatches(std::string_view header, std::string_view etag, bool weak_comparison);

// The version of an object a condition is evaluated against.
struct ObjectState {
  std::string etag;  // unquoted: 32 hex digits, or hex-N for multipart
  int64_t last_modified_ms = 0;
};

// The four read preconditions, raw header values (nullopt: absent).
struct ReadConditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
  std::optional<std::string> if_modified_since;
  std::optional<std::string> if_unmodified_since;
};

// If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since.
ReadConditions ReadConditionsFrom(const http::Request& request);
// x-amz-copy-source-if-match, -if-none-match, -if-modified-since, -if-unmodified-since.
ReadConditions CopySourceConditionsFrom(const http::Request& request);

// nullopt: proceed. Otherwise NotModified (304, no body; the caller adds
// ETag and Last-Modified as RFC 9110 asks) or PreconditionFailed (412 with
// <Condition>). `now_ms` is the server's clock.
std::optional<S3Error> EvaluateReadConditions(const ReadConditions& conditions, const ObjectState& object,
                                              int64_t now_ms);
// nullopt: proceed; else PreconditionFailed naming the x-amz-copy-source header.
std::optional<S3Error> EvaluateCopySourceConditions(const ReadConditions& conditions, const ObjectState& object,
                                                    int64_t now_ms);

struct WriteConditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
};

WriteConditions WriteConditionsFrom(const http::Request& request);

// The headers' shape, checked before the body is read: NotImplemented for
// values S3 does not accept. nullopt when acceptable (or absent).
std::optional<S3Error> ValidateWriteConditions(const WriteConditions& conditions);

// Against the key's current object (nullptr: none). nullopt: proceed.
// Assumes ValidateWriteConditions passed. The caller must evaluate this
// atomically with the write (the sink's kPreconditionFailed), or answer
// ConditionalRequestConflict when the object changed in between.
std::optional<S3Error> EvaluateWriteConditions(const WriteConditions& conditions, const ObjectState* existing,
                                               std::string_view key);

}  // namespace sluice::s3
