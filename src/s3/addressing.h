// Which bucket and key an S3 request names.
//
// Path style: /BUCKET/KEY, the first path segment is the bucket and the rest,
// percent-decoded, the key ("/b/a%20b/c/" -> key "a b/c/"). Virtual-host
// style: the Host header names the bucket (BUCKET.s3.amazonaws.com) and the
// whole path is the key. A Host that names no bucket (an IP address,
// "localhost:4566", "s3.amazonaws.com", any unknown name) means path style.
//
// Recognised virtual hosts, each with an optional :port and case-insensitive:
//   BUCKET.localhost
//   BUCKET.s3.localhost.localstack.cloud
//   BUCKET.s3.amazonaws.com, BUCKET.s3.REGION.amazonaws.com,
//   BUCKET.s3-REGION.amazonaws.com, BUCKET.s3.dualstack.REGION.amazonaws.com
//   BUCKET.<each extra base domain given at construction>
// Bucket names may contain dots ("logs.example.s3.amazonaws.com" names
// "logs.example"). When base domains nest, the longest match wins.
//
// Empty key vs no key: S3 treats "/bucket" and "/bucket/" alike, as requests
// on the bucket (PUT /bucket/ creates it), so an empty key means "no key" in
// both styles. A key may itself begin or end with '/' ("/bucket//a" names
// key "/a").
//
// Errors: InvalidURI for a path that does not start with '/', a bad
// percent-escape, or a key without a bucket ("//key").
// Threads: any; an Addressing is immutable after construction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/errors.h"
#include "sluice/http/server.h"

namespace sluice::s3 {

struct Address {
  std::string bucket;  // "" for the service itself (ListBuckets)
  std::string key;     // "" for requests on the bucket, or the service
  bool virtual_host = false;  // the bucket came from the Host header

  bool has_bucket() const { return !bucket.empty(); }
  bool has_key() const { return !key.empty(); }
};

class Addressing {
 public:
  // `extra_base_domains`: further domains whose subdomains name buckets
  // ("s3.example.test"), without a leading dot; matched case-insensitively.
  explicit Addressing(std::vector<std::string> extra_base_domains = {});

  // From the request's Host header and path.
  S3Result<Address> Resolve(const http::Request& request) const;
  S3Result<Address> Resolve(std::string_view host, std::string_view path) const;

  // The bucket a Host header value names ("b.localhost:4566" -> "b"), or
  // nullopt when it means path style.
  std::optional<std::string> BucketFromHost(std::string_view host) const;

 private:
  std::vector<std::string> base_domains_;  // lower-case, longest first
};

}  // namespace sluice::s3
