// RequestParser, response serialization and the Date cache, without any
// connection around them.
#include <gtest/gtest.h>

#include <string>

#include "http/date_cache.h"
#include "http/request_parser.h"
#include "http/response_writer.h"

namespace sluice::http {
namespace {

using Event = RequestParser::Event;

// Feeds `bytes` in pieces of `piece` bytes until an event other than
// kNeedMore; returns it and how many bytes were used in total.
RequestParser::Step FeedUntilEvent(RequestParser& parser, std::string_view bytes, Request* request,
                                   size_t piece = SIZE_MAX) {
  size_t position = 0;
  while (position < bytes.size()) {
    size_t length = std::min(piece, bytes.size() - position);
    RequestParser::Step step = parser.Execute(bytes.data() + position, length, request);
    position += step.consumed;
    if (step.event != Event::kNeedMore) return {step.event, position};
  }
  return {Event::kNeedMore, position};
}

TEST(HttpParserTest, ParsesRequestLineHeadersAndQuery) {
  RequestParser parser(1024, 1024);
  Request request;
  std::string bytes = "GET /queue/a?Action=List&x=1 HTTP/1.1\r\nHost: h\r\nX-Mixed-Case:  v1  \r\n\r\n";
  auto step = FeedUntilEvent(parser, bytes, &request);
  ASSERT_EQ(step.event, Event::kMessageComplete);
  EXPECT_EQ(step.consumed, bytes.size());
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/queue/a?Action=List&x=1");
  EXPECT_EQ(request.path, "/queue/a");
  EXPECT_EQ(request.query, "Action=List&x=1");
  ASSERT_NE(request.FindHeader("x-mixed-case"), nullptr);
  EXPECT_EQ(*request.FindHeader("x-mixed-case"), "v1");
  EXPECT_EQ(request.FindHeader("X-Mixed-Case"), nullptr);  // names are lower-case
  EXPECT_TRUE(parser.keep_alive());
  EXPECT_FALSE(parser.http10());
}

TEST(HttpParserTest, SplitsAnywhereGiveTheSameRequest) {
  std::string bytes =
      "POST /p HTTP/1.1\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 11\r\n\r\nhello world";
  RequestParser parser(1024, 1024);
  Request request;
  RequestParser::Step step = FeedUntilEvent(parser, bytes, &request, 1);
  ASSERT_EQ(step.event, Event::kHeadComplete);  // a body follows
  step = FeedUntilEvent(parser, std::string_view(bytes).substr(step.consumed), &request, 1);
  ASSERT_EQ(step.event, Event::kMessageComplete);
  EXPECT_EQ(request.body, "hello world");
  EXPECT_EQ(*request.FindHeader("content-type"), "application/x-amz-json-1.0");
}

TEST(HttpParserTest, DechunksBodies) {
  std::string bytes =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n";
  for (size_t piece : {size_t{1}, size_t{7}, SIZE_MAX}) {
    RequestParser parser(1024, 1024);
    Request request;
    RequestParser::Step step = FeedUntilEvent(parser, bytes, &request, piece);
    ASSERT_EQ(step.event, Event::kHeadComplete);
    step = FeedUntilEvent(parser, std::string_view(bytes).substr(step.consumed), &request, piece);
    ASSERT_EQ(step.event, Event::kMessageComplete) << "piece " << piece;
    EXPECT_EQ(request.body, "hello world");
  }
}

TEST(HttpParserTest, StopsAfterEachPipelinedRequest) {
  std::string first = "GET /a HTTP/1.1\r\n\r\n";
  std::string second = "POST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nok";
  std::string bytes = first + second;
  RequestParser parser(1024, 1024);
  Request a;
  RequestParser::Step step = parser.Execute(bytes.data(), bytes.size(), &a);
  EXPECT_EQ(step.event, Event::kMessageComplete);
  EXPECT_EQ(step.consumed, first.size());
  EXPECT_EQ(a.path, "/a");
  EXPECT_EQ(parser.phase(), RequestParser::Phase::kIdle);
  Request b;
  auto rest = FeedUntilEvent(parser, std::string_view(bytes).substr(first.size()), &b);
  EXPECT_EQ(rest.event, Event::kHeadComplete);
  rest = FeedUntilEvent(parser, std::string_view(bytes).substr(first.size() + rest.consumed), &b);
  EXPECT_EQ(rest.event, Event::kMessageComplete);
  EXPECT_EQ(b.body, "ok");
  EXPECT_EQ(parser.requests_begun(), 2u);
}

TEST(HttpParserTest, HeadOverTheLimitIs431EvenWithoutEnd) {
  RequestParser parser(100, 1024);
  Request request;
  std::string bytes = "GET / HTTP/1.1\r\nX-Long: " + std::string(200, 'a');  // never ends
  RequestParser::Step step = FeedUntilEvent(parser, bytes, &request, 13);
  EXPECT_EQ(step.event, Event::kError);
  EXPECT_EQ(parser.error_status(), 431);
  EXPECT_LE(step.consumed, 101u);  // nothing past the limit was taken
  EXPECT_LE(request.headers.empty() ? 0 : request.headers.back().value.size(), 100u);
}

TEST(HttpParserTest, HeadExactlyAtTheLimitIsAccepted) {
  std::string head = "GET / HTTP/1.1\r\nX: ";
  std::string bytes = head + std::string(100 - head.size() - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(bytes.size(), 100u);
  {
    RequestParser parser(100, 1024);
    Request request;
    EXPECT_EQ(FeedUntilEvent(parser, bytes, &request).event, Event::kMessageComplete);
  }
  {
    RequestParser parser(99, 1024);
    Request request;
    EXPECT_EQ(FeedUntilEvent(parser, bytes, &request).event, Event::kError);
    EXPECT_EQ(parser.error_status(), 431);
  }
}

TEST(HttpParserTest, DeclaredBodyOverTheLimitIs413AtTheHead) {
  RequestParser parser(1024, 10);
  Request request;
  std::string bytes = "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n";
  EXPECT_EQ(FeedUntilEvent(parser, bytes, &request).event, Event::kError);
  EXPECT_EQ(parser.error_status(), 413);
}

TEST(HttpParserTest, ChunkedBodyOverTheLimitIs413WhileStreaming) {
  RequestParser parser(1024, 10);
  Request request;
  std::string bytes = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n";
  RequestParser::Step step = FeedUntilEvent(parser, bytes, &request);
  ASSERT_EQ(step.event, Event::kHeadComplete);
  step = FeedUntilEvent(parser, std::string_view(bytes).substr(step.consumed), &request, 3);
  EXPECT_EQ(step.event, Event::kError);
  EXPECT_EQ(parser.error_status(), 413);
  EXPECT_LE(request.body.size(), 10u);
}

TEST(HttpParserTest, MalformedIs400AndFinal) {
  RequestParser parser(1024, 1024);
  Request request;
  std::string bytes = "GET / HTTP/1.1\r\nBad Header\r\n\r\n";
  EXPECT_EQ(FeedUntilEvent(parser, bytes, &request).event, Event::kError);
  EXPECT_EQ(parser.error_status(), 400);
  EXPECT_NE(parser.error_message().find("malformed"), std::string::npos);
  std::string more = "GET / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(parser.Execute(more.data(), more.size(), &request).event, Event::kError);
}

TEST(HttpParserTest, ConnectIsRefused) {
  RequestParser parser(1024, 1024);
  Request request;
  std::string bytes = "CONNECT example.com:443 HTTP/1.1\r\n\r\n";
  EXPECT_EQ(FeedUntilEvent(parser, bytes, &request).event, Event::kError);
  EXPECT_EQ(parser.error_status(), 400);
}

TEST(HttpParserTest, KeepAliveFollowsVersionAndConnectionHeader) {
  struct Case {
    const char* bytes;
    bool keep_alive;
    bool http10;
  } cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", true, false},
      {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false, false},
      {"GET / HTTP/1.0\r\n\r\n", false, true},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true, true},
  };
  for (const Case& c : cases) {
    RequestParser parser(1024, 1024);
    Request request;
    ASSERT_EQ(FeedUntilEvent(parser, c.bytes, &request).event, Event::kMessageComplete) << c.bytes;
    EXPECT_EQ(parser.keep_alive(), c.keep_alive) << c.bytes;
    EXPECT_EQ(parser.http10(), c.http10) << c.bytes;
  }
}

TEST(HttpParserTest, ExpectContinueIsReported) {
  RequestParser parser(1024, 1024);
  Request request;
  std::string bytes = "PUT / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n";
  EXPECT_EQ(FeedUntilEvent(parser, bytes, &request).event, Event::kHeadComplete);
  EXPECT_TRUE(parser.expects_continue());
}

TEST(HttpParserTest, UpgradeOfferIsDeclinedAndParsingGoesOn) {
  RequestParser parser(1024, 1024);
  std::string bytes =
      "GET /a HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"
      "GET /b HTTP/1.1\r\n\r\n";
  Request a;
  RequestParser::Step step = FeedUntilEvent(parser, bytes, &a);
  ASSERT_EQ(step.event, Event::kMessageComplete);
  Request b;
  step = FeedUntilEvent(parser, std::string_view(bytes).substr(step.consumed), &b);
  ASSERT_EQ(step.event, Event::kMessageComplete);
  EXPECT_EQ(b.path, "/b");
}

TEST(HttpResponseWriterTest, HeadHasServerHeadersAndDropsHandlerCopies) {
  Response response;
  response.status = 200;
  response.headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"content-length", "999"}, {"Date", "x"}};
  response.body = "{}";
  HeadOptions options;
  options.date = "Thu, 01 Jan 2026 00:00:00 GMT";
  std::string head;
  AppendResponseHead(response, options, &head);
  EXPECT_EQ(head,
            "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Length: 2\r\n"
            "Content-Type: application/x-amz-json-1.0\r\n\r\n");
  options.close = true;
  head.clear();
  AppendResponseHead(response, options, &head);
  EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos);
}

TEST(HttpResponseWriterTest, NoContentHasNoContentLength) {
  Response response;
  response.status = 204;
  std::string head;
  AppendResponseHead(response, HeadOptions{}, &head);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

TEST(HttpResponseWriterTest, ErrorResponseIsEscapedJson) {
  Response response = ErrorResponse(400, "bad \"thing\"\n");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body, "{\"error\":\"bad \\\"thing\\\"\\u000a\"}");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].value, "application/json");
  EXPECT_TRUE(response.close_connection);
}

TEST(HttpDateCacheTest, FormatsImfFixdateAndRefreshesEachSecond) {
  char text[32];
  EXPECT_EQ(std::string(text, FormatHttpDate(784111777, text)), "Sun, 06 Nov 1994 08:49:37 GMT");
  FakeClock clock(1'767'225'600'000);  // 2026-01-01T00:00:00Z
  DateCache dates(clock);
  EXPECT_EQ(dates.Now(), "Thu, 01 Jan 2026 00:00:00 GMT");
  clock.Advance(999);
  EXPECT_EQ(dates.Now(), "Thu, 01 Jan 2026 00:00:00 GMT");
  clock.Advance(1);
  EXPECT_EQ(dates.Now(), "Thu, 01 Jan 2026 00:00:01 GMT");
}

}  // namespace
}  // namespace sluice::http
