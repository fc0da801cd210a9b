// x-request-id: echoed when the client sends a usable one, made up
// otherwise, on handler responses and on the server's own errors alike.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "http/request_id.h"
#include "http_connection_harness.h"

namespace sluice::http {
namespace {

using testing::Harness;

TEST(HttpRequestIdTest, EchoesTheClientsId) {
  Harness h;
  h.Feed("GET /a HTTP/1.1\r\nX-Request-Id: trace-42/abc\r\n\r\n");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].Get("x-request-id"), "trace-42/abc");
}

TEST(HttpRequestIdTest, MakesUpDistinctIdsWhenAbsentOrUnusable) {
  Harness h;
  h.Feed("GET /a HTTP/1.1\r\n\r\n");
  h.Feed("GET /b HTTP/1.1\r\nX-Request-Id: has space\r\n\r\n");
  h.Feed("GET /c HTTP/1.1\r\nX-Request-Id: \r\n\r\n");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 3u);
  std::set<std::string> ids;
  for (const auto& response : responses) {
    std::string id = response.Get("x-request-id");
    EXPECT_EQ(id.size(), 36u) << id;
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[14], '4');
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 3u);
}

TEST(HttpRequestIdTest, ServerErrorsCarryAnIdToo) {
  Harness h;
  h.Feed("BROKEN\r\n\r\n");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 400);
  EXPECT_EQ(responses[0].Get("x-request-id").size(), 36u);
}

TEST(HttpRequestIdTest, UsableIds) {
  EXPECT_TRUE(IsUsableRequestId("a"));
  EXPECT_TRUE(IsUsableRequestId(std::string(128, 'x')));
  EXPECT_FALSE(IsUsableRequestId(std::string(129, 'x')));
  EXPECT_FALSE(IsUsableRequestId(""));
  EXPECT_FALSE(IsUsableRequestId("a\tb"));
  EXPECT_FALSE(IsUsableRequestId("caf\xc3\xa9"));
}

}  // namespace
}  // namespace sluice::http
