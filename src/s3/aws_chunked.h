// Incremental decoding of `Content-Encoding: aws-chunked` request bodies, the
// framing the AWS SDKs use for streaming uploads. The x-amz-content-sha256
// header says which variant a body uses:
//
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD            hex;chunk-signature=<64 hex>\r\n
//   STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD        <data>\r\n ... then a 0-size
//                                                  chunk and a final \r\n
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER            hex\r\n<data>\r\n ... 0\r\n, then
//                                                  trailer lines and a final \r\n
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER    signed chunks as above, then
//   STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER trailer lines ending with
//                                                  x-amz-trailer-signature:<hex>
//
// Trailer lines are `name:value\r\n` (botocore: "x-amz-checksum-crc32:<b64>").
// Chunk and trailer signatures are checked for shape only, never verified:
// Sluice does not verify SigV4. Everything else in the framing is enforced
// (hex sizes, CRLFs, the final chunk, the trailer section, nothing after it).
//
// Memory is bounded: a chunk-size or trailer line is held until its CRLF, up
// to `max_line_bytes`; chunk data is appended to the caller's output as it
// arrives and never held here.
//
// Ownership: owns its line buffer and the trailers it has read.
// Errors: the first failure is final: Feed and Finish return it again from
// then on, and failure() says which S3 error code answers it.
// Threads: one request's; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace sluice::s3 {

enum class AwsChunkedSigning { kUnsigned, kSigV4, kSigV4a };

struct AwsChunkedFormat {
  AwsChunkedSigning signing = AwsChunkedSigning::kUnsigned;
  bool trailer = false;  // a trailer section follows the final chunk
};

// The format an x-amz-content-sha256 value announces; nullopt for values that
// are not a streaming payload (a hex digest, UNSIGNED-PAYLOAD, ...).
std::optional<AwsChunkedFormat> AwsChunkedFormatFor(std::string_view content_sha256);

// The names in an x-amz-trailer header ("x-amz-checksum-crc32, x-foo"),
// trimmed and lower-cased; empty names dropped.
std::vector<std::string> ParseTrailerNames(std::string_view x_amz_trailer);

// Why a body was refused, one per S3 error code.
enum class AwsChunkedFailure {
  kNone,
  kIncompleteBody,    // ended early, or decoded bytes != x-amz-decoded-content-length
                      // (Status kInvalidParameterValue; S3 "IncompleteBody")
  kInvalidChunk,      // chunk framing (kMalformedRequest; S3 "InvalidRequest")
  kMalformedTrailer,  // trailer section (kMalformedRequest; S3 "MalformedTrailerError")
};

// "IncompleteBody", "InvalidRequest", "MalformedTrailerError"; "" for kNone.
std::string_view AwsChunkedS3ErrorCode(AwsChunkedFailure failure);

class AwsChunkedDecoder {
 public:
  struct Options {
    AwsChunkedFormat format;
    // x-amz-decoded-content-length, when the request has it.
    std::optional<uint64_t> decoded_content_length;
    // The x-amz-trailer names (ParseTrailerNames). When set, each must arrive
    // and no other trailer may (x-amz-trailer-signature aside).
    std::optional<std::vector<std::string>> announced_trailers;
    size_t max_line_bytes = 4096;  // a chunk-size or trailer line, CRLF included
    size_t max_trailers = 16;
  };

  explicit AwsChunkedDecoder(Options options);

  // Decodes the next bytes of the body, in any slicing, appending chunk data
  // to *decoded_out.
  Status Feed(std::string_view bytes, std::string* decoded_out);
  // Call when the request body has ended: an error unless the body was
  // complete (final chunk and trailer section read).
  Status Finish();

  // The final CRLF has been read; any further byte is an error.
  bool done() const { return state_ == State::kDone; }
  uint64_t decoded_bytes() const { return decoded_bytes_; }
  // Trailers by lower-case name, values trimmed; x-amz-trailer-signature is
  // checked for shape and not listed.
  const std::map<std::string, std::string>& trailers() const { return trailers_; }
  AwsChunkedFailure failure() const { return failure_; }

 private:
  enum class State { kSizeLine, kData, kDataEnd, kTrailerLine, kDone };

  Status OnSizeLine(std::string_view line);
  Status OnTrailerLine(std::string_view line);
  Status EndOfTrailers();
  Status Fail(AwsChunkedFailure failure, std::string message);

  Options options_;
  State state_ = State::kSizeLine;
  std::string line_;               // the line being read, up to max_line_bytes
  uint64_t chunk_remaining_ = 0;   // kData: data bytes of the chunk still to come
  int data_end_seen_ = 0;          // kDataEnd: bytes of the CRLF read so far
  uint64_t chunks_ = 0;            // chunks read, the final one included
  uint64_t decoded_bytes_ = 0;
  bool trailer_signature_seen_ = false;
  std::map<std::string, std::string> trailers_;
  AwsChunkedFailure failure_ = AwsChunkedFailure::kNone;
  Status status_;                  // the failure, once there is one
};

}  // namespace sluice::s3
