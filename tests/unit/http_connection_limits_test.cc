// The per-connection protocol driven by raw bytes, without a socket:
// limits (400/413/431/503), timeouts on the fake clock, aborts and the
// lifetimes of exchanges, shutdown.
#include <gtest/gtest.h>

#include <string>

#include "http_connection_harness.h"

namespace sluice::http {
namespace {

using testing::FakeTransport;
using testing::Harness;
using testing::ParseAll;
using testing::Text;

TEST(HttpConnectionLimitsTest, WriteTimeoutDropsAClientThatDoesNotRead) {
  ServerOptions options;
  options.write_timeout_ms = 500;
  Harness h(options, /*park=*/true);
  h.transport.hold_writes = true;
  h.Feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  bool b_aborted = false;
  h.parked[1]->SetAbortHandler([&] { b_aborted = true; });
  h.parked[0]->Respond(Text("a"));
  ASSERT_EQ(h.transport.timer, 500u);
  h.FireTimer();
  EXPECT_TRUE(h.transport.closed);
  EXPECT_EQ(h.transport.close_mode, Transport::CloseMode::kNow);
  EXPECT_TRUE(b_aborted);
  h.parked[1]->Respond(Text("b"));
  h.transport.write_pending = false;
  h.connection->OnWriteDone(UV_ECANCELED);  // as libuv reports it after the close
}

TEST(HttpConnectionLimitsTest, ExpectContinueOverLimitIs413AndCloses) {
  ServerOptions options;
  options.max_body_bytes = 100;
  Harness h(options);
  h.Feed("PUT /o HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 101\r\n\r\n");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 413);
  EXPECT_EQ(responses[0].Get("content-type"), "application/json");
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_NE(responses[0].body.find("{\"error\":\""), std::string::npos);
  EXPECT_EQ(h.handled, 0);
  EXPECT_TRUE(h.transport.closed);
  EXPECT_EQ(h.transport.close_mode, Transport::CloseMode::kGraceful);
}

TEST(HttpConnectionLimitsTest, HugeHeadIs431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  Harness h(options);
  h.Feed("GET / HTTP/1.1\r\nX-Big: " + std::string(2048, 'x') + "\r\n\r\n");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 431);
  EXPECT_EQ(h.handled, 0);
  EXPECT_TRUE(h.transport.closed);
}

TEST(HttpConnectionLimitsTest, HugeChunkedBodyIs413) {
  ServerOptions options;
  options.max_body_bytes = 100;
  Harness h(options);
  h.Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  for (int i = 0; i < 5 && !h.transport.closed; ++i) h.Feed("20\r\n" + std::string(32, 'x') + "\r\n");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 413);
  EXPECT_EQ(h.handled, 0);
  EXPECT_TRUE(h.transport.closed);
}

TEST(HttpConnectionLimitsTest, MalformedIs400AfterEarlierResponses) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /a HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nNo Colon Here\r\n\r\n");
  ASSERT_EQ(h.parked.size(), 1u);
  EXPECT_EQ(h.transport.output, "");
  EXPECT_FALSE(h.transport.closed);
  h.parked[0]->Respond(Text("a"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].body, "a");
  EXPECT_EQ(responses[0].Find("connection"), nullptr);
  EXPECT_EQ(responses[1].status, 400);
  EXPECT_EQ(responses[1].Get("connection"), "close");
  EXPECT_TRUE(h.transport.closed);
}

TEST(HttpConnectionLimitsTest, HeaderTimeoutRunsFromTheFirstByte) {
  ServerOptions options;
  options.header_timeout_ms = 100;
  options.idle_timeout_ms = 5000;
  Harness h(options);
  EXPECT_EQ(h.transport.timer, 5000u);  // idle before the first request
  h.Feed("G");
  EXPECT_EQ(h.transport.timer, 100u);
  int starts = h.transport.timer_starts;
  h.Feed("ET / HTTP/1.1\r\nHost");
  h.Feed(": x\r\n");
  EXPECT_EQ(h.transport.timer_starts, starts) << "more bytes must not extend the deadline";
  h.FireTimer();
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 408);
  EXPECT_TRUE(h.transport.closed);
  EXPECT_EQ(h.handled, 0);
}

TEST(HttpConnectionLimitsTest, BodyTimeout) {
  ServerOptions options;
  options.body_timeout_ms = 200;
  Harness h(options);
  h.Feed("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_EQ(h.transport.timer, 200u);
  h.FireTimer();
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 408);
  EXPECT_TRUE(h.transport.closed);
}

TEST(HttpConnectionLimitsTest, IdleTimeoutClosesQuietly) {
  ServerOptions options;
  options.idle_timeout_ms = 300;
  Harness h(options, /*park=*/true);
  h.Feed("GET / HTTP/1.1\r\n\r\n");
  h.FireTimer();  // the idle timer from the start: nothing is due now
  EXPECT_FALSE(h.transport.closed) << "no idle timeout while a response is owed";
  EXPECT_FALSE(h.transport.timer.has_value());
  h.parked[0]->Respond(Text("ok"));
  EXPECT_EQ(h.transport.timer, 300u);
  h.FireTimer();
  EXPECT_TRUE(h.transport.closed);
  EXPECT_EQ(h.transport.close_mode, Transport::CloseMode::kNow);
  EXPECT_EQ(h.Responses().size(), 1u);
}

TEST(HttpConnectionLimitsTest, LaterDeadlinesDoNotTouchTheTimer) {
  ServerOptions options;
  options.idle_timeout_ms = 300;
  Harness h(options);
  ASSERT_EQ(h.transport.timer, 300u);
  int starts = h.transport.timer_starts;
  h.transport.now = 200;
  h.Feed("GET / HTTP/1.1\r\n\r\n");  // answered at once: idle again, until 500
  EXPECT_EQ(h.transport.timer_starts, starts) << "a later deadline must not restart the timer";
  h.FireTimer();  // at 300: early, re-armed for the rest
  EXPECT_FALSE(h.transport.closed);
  EXPECT_EQ(h.transport.timer, 200u);
  h.FireTimer();  // at 500
  EXPECT_TRUE(h.transport.closed);
}

TEST(HttpConnectionLimitsTest, AbortHandlerFiresOnDisconnectAndRespondAfterIsSafe) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(h.parked.size(), 2u);
  int aborts = 0;
  Exchange* a = h.parked[0];
  Exchange* b = h.parked[1];
  a->SetAbortHandler([&] { ++aborts; });
  b->SetAbortHandler([&] {
    ++aborts;
    b->Respond(Text("too late"));  // answering from inside the abort handler
  });
  h.connection->OnPeerClosed();
  EXPECT_EQ(aborts, 2);
  EXPECT_TRUE(h.transport.closed);
  EXPECT_TRUE(a->aborted());
  // The connection may be destroyed now (its close callback); `a` lives on.
  h.connection.reset();
  EXPECT_EQ(a->request().path, "/a");
  a->Respond(Text("dropped"));  // frees `a`; under ASan any misuse shows
  EXPECT_EQ(h.transport.output, "");
}

TEST(HttpConnectionLimitsTest, FailedWriteAbortsTheRest) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  bool b_aborted = false;
  Exchange* b = h.parked[1];
  b->SetAbortHandler([&] { b_aborted = true; });
  h.transport.fail_writes = true;
  h.parked[0]->Respond(Text("a"));
  EXPECT_TRUE(h.transport.closed);
  EXPECT_TRUE(b_aborted);
  b->Respond(Text("b"));
}

TEST(HttpConnectionLimitsTest, ShutdownDrainsOwedResponsesThenCloses) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /partial HTTP/1.1\r\nHo");
  ASSERT_EQ(h.parked.size(), 2u);
  h.connection->BeginShutdown();
  EXPECT_FALSE(h.transport.closed);
  h.Feed("st: x\r\n\r\nGET /more HTTP/1.1\r\n\r\n");
  EXPECT_EQ(h.handled, 2) << "no new requests during the drain";
  h.parked[1]->Respond(Text("b"));
  h.parked[0]->Respond(Text("a"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].Find("connection"), nullptr);
  EXPECT_EQ(responses[1].Get("connection"), "close");
  EXPECT_TRUE(h.transport.closed);
}

TEST(HttpConnectionLimitsTest, ShutdownClosesAnIdleConnectionAtOnce) {
  Harness h;
  h.Feed("GET / HTTP/1.1\r\n\r\n");
  h.connection->BeginShutdown();
  EXPECT_TRUE(h.transport.closed);
  EXPECT_EQ(h.transport.close_mode, Transport::CloseMode::kNow);
}

TEST(HttpConnectionLimitsTest, OverloadedConnectionGets503) {
  ServerOptions options;
  FakeTransport transport;
  FakeClock clock;
  DateCache dates(clock);
  int handled = 0;
  Handler handler = [&](Exchange&) { ++handled; };
  Connection connection(options, handler, dates, &transport);
  connection.RejectOverloaded();
  auto responses = ParseAll(transport.output);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 503);
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_TRUE(transport.closed);
  EXPECT_EQ(handled, 0);
}

}  // namespace
}  // namespace sluice::http
