// The per-connection protocol driven by raw bytes, without a socket:
// requests, keep-alive, pipelining and its order, backpressure, Expect,
// HEAD, HTTP/1.0 and Connection: close.
#include <gtest/gtest.h>

#include <string>

#include "http_connection_harness.h"

namespace sluice::http {
namespace {

using testing::FakeTransport;
using testing::Harness;
using testing::ParseAll;
using testing::Text;

TEST(HttpConnectionTest, SimpleGet) {
  Harness h;
  EXPECT_TRUE(h.transport.reading);
  h.Feed("GET /path?a=b HTTP/1.1\r\nHost: x\r\n\r\n");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, "GET /path?a=b ");
  EXPECT_EQ(responses[0].Get("content-length"), "14");
  EXPECT_EQ(responses[0].Get("date"), "Thu, 01 Jan 2026 00:00:00 GMT");
  EXPECT_EQ(responses[0].Get("content-type"), "text/plain");
  EXPECT_EQ(responses[0].Find("connection"), nullptr);
  EXPECT_FALSE(h.transport.closed);
  EXPECT_EQ(h.transport.writes, 1);  // head and body in one write
}

TEST(HttpConnectionTest, PostBodyAcrossReads) {
  Harness h;
  h.Feed("POST /q HTTP/1.1\r\nContent-Le");
  h.Feed("ngth: 10\r\n\r\n01234");
  EXPECT_EQ(h.handled, 0);
  h.Feed("56789");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "POST /q 0123456789");
}

TEST(HttpConnectionTest, KeepAliveServesSeveralRequests) {
  Harness h;
  for (int i = 0; i < 5; ++i) {
    h.Feed("GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n");
    EXPECT_FALSE(h.transport.closed);
  }
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(responses[i].body, "GET /" + std::to_string(i) + " ");
}

TEST(HttpConnectionTest, ByteAtATimeRequest) {
  Harness h;
  h.FeedBytewise("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "POST /x abcde");
}

TEST(HttpConnectionTest, PipelinedAnsweredOutOfOrderGoOutInOrder) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nPOST /c HTTP/1.1\r\nContent-Length: 1\r\n\r\nz");
  ASSERT_EQ(h.parked.size(), 3u);
  Exchange* a = h.parked[0];
  Exchange* b = h.parked[1];
  Exchange* c = h.parked[2];
  EXPECT_EQ(c->request().body, "z");
  c->Respond(Text("c"));
  b->Respond(Text("b"));
  EXPECT_EQ(h.transport.output, "") << "nothing may go out before /a is answered";
  a->Respond(Text("a"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].body, "a");
  EXPECT_EQ(responses[1].body, "b");
  EXPECT_EQ(responses[2].body, "c");
  EXPECT_EQ(h.transport.writes, 3);  // one write per response
}

TEST(HttpConnectionTest, PipelineDepthPausesParsingAndReading) {
  ServerOptions options;
  options.max_pipelined_requests = 1;
  Harness h(options, /*park=*/true);
  h.Feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
  ASSERT_EQ(h.parked.size(), 1u) << "parsing must pause while a response is owed";
  EXPECT_FALSE(h.transport.reading);
  // No timeout while the client waits on us: a timer still running from
  // before finds nothing due and is not re-armed.
  if (h.transport.timer) h.FireTimer();
  EXPECT_FALSE(h.transport.closed);
  EXPECT_FALSE(h.transport.timer.has_value());

  h.parked[0]->Respond(Text("a"));
  EXPECT_EQ(h.parked.size(), 1u) << "the next request is not parsed inside Respond()";
  EXPECT_TRUE(h.transport.reading);
  ASSERT_EQ(h.transport.timer, 0u) << "buffered requests resume on the next loop turn";
  h.FireTimer();
  ASSERT_EQ(h.parked.size(), 2u);
  EXPECT_EQ(h.parked[1]->request().path, "/b");
  h.parked[1]->Respond(Text("b"));
  h.FireTimer();
  ASSERT_EQ(h.parked.size(), 3u);
  EXPECT_EQ(h.parked[2]->request().path, "/c");
  h.parked[2]->Respond(Text("c"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[2].body, "c");
}

TEST(HttpConnectionTest, PendingWriteHoldsLaterResponses) {
  Harness h(ServerOptions(), /*park=*/true);
  h.transport.hold_writes = true;
  h.Feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(h.parked.size(), 2u);
  h.parked[0]->Respond(Text(std::string(1000, 'a')));
  h.parked[1]->Respond(Text("b"));
  EXPECT_TRUE(h.transport.write_pending);
  EXPECT_EQ(h.transport.writes, 1);
  h.transport.CompleteWrite(*h.connection);  // starts /b's write
  h.transport.CompleteWrite(*h.connection);
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].body.size(), 1000u);
  EXPECT_EQ(responses[1].body, "b");
}

TEST(HttpConnectionTest, ParsingResumesOnlyAfterTheResponseIsWritten) {
  ServerOptions options;
  options.max_pipelined_requests = 1;
  Harness h(options, /*park=*/true);
  h.transport.hold_writes = true;
  h.Feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  h.parked[0]->Respond(Text("a"));
  EXPECT_TRUE(h.transport.write_pending);
  EXPECT_FALSE(h.transport.reading) << "a response being written is still owed";
  if (h.transport.timer && *h.transport.timer == 0) h.FireTimer();
  EXPECT_EQ(h.parked.size(), 1u);
  h.transport.CompleteWrite(*h.connection);
  EXPECT_TRUE(h.transport.reading);
  h.FireTimer();  // the resume turn
  ASSERT_EQ(h.parked.size(), 2u);
  EXPECT_EQ(h.parked[1]->request().path, "/b");
  h.parked[1]->Respond(Text("b"));
}

TEST(HttpConnectionTest, ExpectContinueAccepted) {
  Harness h;
  h.Feed("PUT /o HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  EXPECT_EQ(h.transport.output, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_EQ(h.handled, 0);
  h.Feed("body");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 100);
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_EQ(responses[1].body, "PUT /o body");
}

TEST(HttpConnectionTest, ExpectContinueSkippedWhenTheBodyComesAnyway) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /a HTTP/1.1\r\n\r\nPUT /o HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbo");
  h.Feed("dy");
  ASSERT_EQ(h.parked.size(), 2u);
  h.parked[0]->Respond(Text("a"));
  h.parked[1]->Respond(Text("o"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].body, "a");
  EXPECT_EQ(responses[1].status, 200) << "no 100 Continue once the body has arrived";
}

TEST(HttpConnectionTest, ExpectContinueWaitsForEarlierResponses) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /a HTTP/1.1\r\n\r\nPUT /o HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n");
  ASSERT_EQ(h.parked.size(), 1u);
  EXPECT_EQ(h.transport.output, "") << "100 Continue may not overtake /a's response";
  h.parked[0]->Respond(Text("a"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].body, "a");
  EXPECT_EQ(responses[1].status, 100);
}

TEST(HttpConnectionTest, HeadResponseHasLengthButNoBody) {
  Harness h;
  h.Feed("HEAD /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\n\r\n");
  const std::string& out = h.transport.output;
  size_t first_end = out.find("\r\n\r\n");
  ASSERT_NE(first_end, std::string::npos);
  EXPECT_NE(out.substr(0, first_end).find("Content-Length: 8"), std::string::npos);  // "HEAD /x "
  EXPECT_EQ(out.compare(first_end + 4, 9, "HTTP/1.1 "), 0) << "the body of a HEAD response was sent";
}

TEST(HttpConnectionTest, ConnectionCloseRequestEndsTheConnection) {
  Harness h;
  h.Feed("GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_EQ(h.handled, 1) << "nothing after Connection: close is served";
  EXPECT_TRUE(h.transport.closed);
  EXPECT_EQ(h.transport.close_mode, Transport::CloseMode::kGraceful);
}

TEST(HttpConnectionTest, Http10ClosesUnlessKeepAlive) {
  {
    Harness h;
    h.Feed("GET / HTTP/1.0\r\n\r\n");
    auto responses = h.Responses();
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].Get("connection"), "close");
    EXPECT_TRUE(h.transport.closed);
  }
  {
    Harness h;
    h.Feed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    auto responses = h.Responses();
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].Get("connection"), "keep-alive");
    EXPECT_FALSE(h.transport.closed);
  }
}

TEST(HttpConnectionTest, ResponseCloseDropsPipelinedRequestsBehindIt) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  bool b_aborted = false;
  h.parked[1]->SetAbortHandler([&] { b_aborted = true; });
  Response closing = Text("bye");
  closing.close_connection = true;
  h.parked[0]->Respond(std::move(closing));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_TRUE(b_aborted);
  EXPECT_TRUE(h.transport.closed);
  h.parked[1]->Respond(Text("b"));
}

}  // namespace
}  // namespace sluice::http
