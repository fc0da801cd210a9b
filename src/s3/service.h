// Serves the S3 REST API from the sink, on the same port as SQS.
//
// A request's path: Addressing (bucket and key from Host and path) ->
// Classify (the operation, from method, target and subresource: a table) ->
// the operation's Call (call.h), whose steps run sink operations and answer
// in S3's XML. Bodies of PutObject and UploadPart stream from the socket to
// the sink's I/O threads (upload_stream.h), GetObject bodies stream back
// (download_source.h): a 1 GiB object never sits in memory.
//
// Which requests are S3's: ServerProcess asks Claims() first (a SigV4 or V2
// signature scoped to s3, a presigned URL, an x-amz-content-sha256 header, or
// a Host naming a bucket), so a bucket named like an ingest route ("payments")
// is still S3's; requests no other service takes fall through to S3 last.
//
// Ownership: borrows the sink and the clock; every in-flight Call owns
// itself until it answers. Errors: S3's XML error shape, always.
// Threads: loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "s3/addressing.h"
#include "s3/bucket_settings.h"
#include "sluice/clock.h"
#include "sluice/http/server.h"
#include "sluice/sink/sink.h"

namespace sluice::s3 {

struct ServiceOptions {
  std::string region = "us-east-1";
  // Further domains whose subdomains name buckets (virtual-host style).
  std::vector<std::string> extra_base_domains;
};

class S3Service {
 public:
  S3Service(sink::Sink& sink, const Clock& clock, ServiceOptions options);

  // True when the request is unmistakably S3's (see above).
  bool Claims(const http::Request& request) const;
  // True when a request with this head should stream its body (PutObject,
  // UploadPart): for ServerOptions::stream_body. Only asked of requests
  // that Claims() or that no other service takes.
  static bool StreamsBody(const http::Request& head);

  void Handle(http::Exchange& exchange);

  // Loads every bucket's default encryption (PutBucketEncryption) from the
  // sink; `done` runs once it is known. Call before serving requests.
  void Start(std::function<void(Status)> done);
  // A bucket's default encryption: what objects written without SSE headers
  // report; nullptr = S3's default (SSE-S3, AES256).
  const EncryptionRule* EncryptionDefault(const std::string& bucket) const;
  // Kept current by Put/DeleteBucketEncryption and DeleteBucket.
  void SetEncryptionDefault(const std::string& bucket, std::optional<EncryptionRule> rule);

  sink::Sink& sink() { return sink_; }
  const Clock& clock() const { return clock_; }
  const ServiceOptions& options() const { return options_; }
  uint64_t calls_in_flight() const { return in_flight_; }

 private:
  friend class Call;
  sink::Sink& sink_;
  const Clock& clock_;
  const ServiceOptions options_;
  const Addressing addressing_;
  uint64_t in_flight_ = 0;
  // Buckets with a default encryption set; the others have S3's default.
  std::map<std::string, EncryptionRule> encryption_defaults_;
  uint64_t next_request_ = 0;
};

}  // namespace sluice::s3
