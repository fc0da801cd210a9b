#include "sluice/cli/endpoint.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

TEST(CliEndpoint, ParsesHostAndPort) {
  Result<Endpoint> endpoint = ParseEndpoint("http://127.0.0.1:4566");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 4566);
  EXPECT_EQ(endpoint->host_header, "127.0.0.1:4566");
  EXPECT_EQ(endpoint->url, "http://127.0.0.1:4566");
}

TEST(CliEndpoint, DefaultsToPort80AndAcceptsATrailingSlashAndNoScheme) {
  Result<Endpoint> endpoint = ParseEndpoint("HTTP://localhost/");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "localhost");
  EXPECT_EQ(endpoint->port, 80);
  EXPECT_EQ(endpoint->url, "http://localhost");

  Result<Endpoint> bare = ParseEndpoint("localhost:9000");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, 9000);
}

TEST(CliEndpoint, BracketedIpv6) {
  Result<Endpoint> endpoint = ParseEndpoint("http://[::1]:4566");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->port, 4566);
  EXPECT_EQ(endpoint->host_header, "[::1]:4566");
}

TEST(CliEndpoint, RejectsWhatWouldSilentlyGoElsewhere) {
  for (const char* text : {"https://127.0.0.1:4566", "http://127.0.0.1:4566/queues", "http://:4566",
                           "http://host:", "http://host:0", "http://host:65536", "http://host:12x",
                           "http://::1:4566", "http://[::1", ""}) {
    Result<Endpoint> endpoint = ParseEndpoint(text);
    EXPECT_FALSE(endpoint.ok()) << text;
    if (!endpoint.ok()) EXPECT_EQ(endpoint.status().code(), Code::kInvalidParameterValue) << text;
  }
}

}  // namespace
}  // namespace sluice::cli
