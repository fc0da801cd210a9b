// Moves one streamed request body into a sink upload: reads it from the
// exchange (the HTTP layer's backpressure), takes the aws-chunked framing
// off when the request uses it, and hands pieces of up to kPieceBytes to the
// upload. At most one body read and one sink write are in flight, so a
// request holds about two pieces whatever the object's size; the HTTP
// layer stops reading the socket while neither wants more.
//
// Checksums are not computed here: the caller gives the sink an observer
// that runs on its I/O thread (WriteRequest::observe), so no digest of a
// large body runs on the loop thread.
//
// Ownership: owned by the request that starts it; borrows the exchange and
// the upload, which must outlive it (or until `done` ran).
// Errors: `done` gets the first failure: a body the client did not finish
// (peer gone, timeout: kUnavailable), bad aws-chunked framing (the
// decoder's status; failure() names the S3 code), or the upload's write
// error. After an error no more is read or written.
// Threads: loop thread only. `done` runs once, never inside Start().
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "s3/aws_chunked.h"
#include "sluice/http/server.h"
#include "sluice/sink/sink.h"
#include "sluice/status.h"

namespace sluice::s3 {

class UploadStream {
 public:
  static constexpr size_t kPieceBytes = 1024 * 1024;

  // `decoder` is null for a plain body.
  UploadStream(http::Exchange& exchange, std::unique_ptr<AwsChunkedDecoder> decoder,
               sink::ObjectUpload& upload, std::function<void(Status)> done);
  UploadStream(const UploadStream&) = delete;
  UploadStream& operator=(const UploadStream&) = delete;

  void Start();

  // The body's bytes after decoding, so far.
  uint64_t bytes() const { return bytes_; }
  // The decoder (null for a plain body): its trailers once `done` ran OK.
  const AwsChunkedDecoder* decoder() const { return decoder_.get(); }

 private:
  void Read();
  void OnChunk(Status status, std::string_view data, bool end);
  void OnWritten(Status status);
  // Writes, reads or finishes, whichever the state allows.
  void Pump();
  void Finish(Status status);

  http::Exchange& exchange_;
  std::unique_ptr<AwsChunkedDecoder> decoder_;
  sink::ObjectUpload& upload_;
  std::function<void(Status)> done_;
  std::string pending_;  // decoded, not yet handed to the upload
  uint64_t bytes_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool body_ended_ = false;
  bool finished_ = false;
  Status failure_;
};

}  // namespace sluice::s3
