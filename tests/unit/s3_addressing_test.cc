// Bucket and key from Host and path: path style, virtual hosts, decoding.
#include <gtest/gtest.h>

#include "s3/addressing.h"

namespace sluice::s3 {
namespace {

struct Case {
  const char* host;
  const char* path;
  const char* bucket;
  const char* key;
  bool virtual_host;
};

void ExpectResolves(const Addressing& addressing, const Case& c) {
  S3Result<Address> address = addressing.Resolve(c.host, c.path);
  ASSERT_TRUE(address.ok()) << c.host << " " << c.path << ": " << address.error().message;
  EXPECT_EQ(address->bucket, c.bucket) << c.host << " " << c.path;
  EXPECT_EQ(address->key, c.key) << c.host << " " << c.path;
  EXPECT_EQ(address->virtual_host, c.virtual_host) << c.host << " " << c.path;
}

TEST(S3Addressing, PathStyle) {
  const Addressing addressing;
  const Case cases[] = {
      {"127.0.0.1:4566", "/", "", "", false},
      {"127.0.0.1:4566", "/photos", "photos", "", false},
      {"127.0.0.1:4566", "/photos/", "photos", "", false},  // bucket-level, like /photos
      {"localhost:4566", "/photos/cat.jpg", "photos", "cat.jpg", false},
      {"localhost", "/photos/a/b/c.jpg", "photos", "a/b/c.jpg", false},
      {"s3.amazonaws.com", "/photos/dir/", "photos", "dir/", false},
      {"s3.us-west-2.amazonaws.com", "/photos/x", "photos", "x", false},
      {"s3-us-west-2.amazonaws.com", "/photos/x", "photos", "x", false},
      {"s3.localhost.localstack.cloud:4566", "/photos/x", "photos", "x", false},
      {"[::1]:4566", "/photos/x", "photos", "x", false},
      {"", "/photos/x", "photos", "x", false},  // no Host header
      {"example.com", "/photos/x", "photos", "x", false},
      // Decoding: %20 and %2F decode, '+' stays a plus in a path.
      {"localhost:4566", "/photos/a%20b%2Fc+d", "photos", "a b/c+d", false},
      {"localhost:4566", "/photos/%E2%82%AC", "photos", "\xE2\x82\xAC", false},
      // A key may start or end with '/' and contain empty segments.
      {"localhost:4566", "/photos//a", "photos", "/a", false},
      {"localhost:4566", "/photos/a//", "photos", "a//", false},
  };
  for (const Case& c : cases) ExpectResolves(addressing, c);
}

TEST(S3Addressing, VirtualHostStyle) {
  const Addressing addressing;
  const Case cases[] = {
      {"photos.localhost:4566", "/", "photos", "", true},
      {"photos.localhost:4566", "/cat.jpg", "photos", "cat.jpg", true},
      {"photos.localhost", "/a/b/", "photos", "a/b/", true},
      {"photos.s3.localhost.localstack.cloud:4566", "/x", "photos", "x", true},
      {"photos.s3.amazonaws.com", "/x", "photos", "x", true},
      {"photos.s3.eu-central-1.amazonaws.com", "/x%20y", "photos", "x y", true},
      {"photos.s3-eu-west-1.amazonaws.com", "/x", "photos", "x", true},
      {"photos.s3.dualstack.us-east-1.amazonaws.com", "/x", "photos", "x", true},
      {"PHOTOS.LOCALHOST:4566", "/x", "photos", "x", true},  // host names are case-insensitive
      // Dotted bucket names; the path is all key, even when it looks like a bucket.
      {"logs.example.s3.amazonaws.com", "/photos/x", "logs.example", "photos/x", true},
      {"my.s3.bucket.s3.us-east-1.amazonaws.com", "/k", "my.s3.bucket", "k", true},
      {"photos.localhost:4566", "//a", "photos", "/a", true},
  };
  for (const Case& c : cases) ExpectResolves(addressing, c);
}

TEST(S3Addressing, NotVirtualHosts) {
  const Addressing addressing;
  for (const char* host : {"localhost", "localhost:4566", "127.0.0.1", "s3.amazonaws.com",
                           "s3.us-east-1.amazonaws.com", "s3-us-east-1.amazonaws.com",
                           "s3.dualstack.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com",
                           "s3.localhost.localstack.cloud", "localhost.localstack.cloud", ".localhost", "[::1]",
                           "ec2.amazonaws.com", "amazonaws.com", "example.localhost.test"}) {
    EXPECT_EQ(addressing.BucketFromHost(host), std::nullopt) << host;
  }
}

TEST(S3Addressing, ExtraBaseDomains) {
  const Addressing addressing({"S3.Example.Test", ".objects.internal"});
  ExpectResolves(addressing, {"photos.s3.example.test:9000", "/k", "photos", "k", true});
  ExpectResolves(addressing, {"a.b.objects.internal", "/k", "a.b", "k", true});
  ExpectResolves(addressing, {"s3.example.test", "/photos/k", "photos", "k", false});
  // Longest base wins: "x.s3.localhost.localstack.cloud" is bucket x, not
  // "x.s3.localhost.localstack" under some shorter base.
  const Addressing nested({"cloud"});
  ExpectResolves(nested, {"x.s3.localhost.localstack.cloud", "/k", "x", "k", true});
  ExpectResolves(nested, {"y.cloud", "/k", "y", "k", true});
}

TEST(S3Addressing, FromRequest) {
  const Addressing addressing;
  http::Request request;
  request.path = "/k%2B1";
  request.headers.push_back({"host", "photos.localhost:4566"});
  S3Result<Address> address = addressing.Resolve(request);
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->bucket, "photos");
  EXPECT_EQ(address->key, "k+1");
  EXPECT_TRUE(address->has_bucket());
  EXPECT_TRUE(address->has_key());
}

TEST(S3Addressing, InvalidUri) {
  const Addressing addressing;
  for (const char* path : {"/photos/%", "/photos/%G1", "/photos/a%2", "/ph%zzotos/x", "photos/x", "", "//key"}) {
    S3Result<Address> address = addressing.Resolve("localhost:4566", path);
    ASSERT_FALSE(address.ok()) << path;
    EXPECT_EQ(address.error().code, "InvalidURI") << path;
    EXPECT_EQ(address.error().http_status, 400);
  }
  S3Result<Address> address = addressing.Resolve("photos.localhost", "/bad%");
  ASSERT_FALSE(address.ok());
  EXPECT_EQ(address.error().code, "InvalidURI");
}

}  // namespace
}  // namespace sluice::s3
