// Streamed request bodies driven by raw bytes, without a socket: pieces and
// backpressure, 100-continue, early answers (close or discard), pipelining
// and keep-alive behind a streamed body, chunked bodies, the peer leaving,
// the body timeout and the streamed size limit.
#include <gtest/gtest.h>

#include <string>

#include "http_connection_harness.h"
#include "http_stream_test_util.h"

namespace sluice::http {
namespace {

using testing::BodyRecorder;
using testing::Harness;
using testing::Text;

// Streams every body; handlers are parked for the test.
ServerOptions Streaming() {
  ServerOptions options;
  options.stream_body = [](const Request&) { return true; };
  return options;
}

std::string Put(size_t length, std::string_view extra_headers = "") {
  return "PUT /o HTTP/1.1\r\nContent-Length: " + std::to_string(length) + "\r\n" + std::string(extra_headers) +
         "\r\n";
}

std::string Pattern(size_t length, size_t offset = 0) {
  std::string bytes(length, '\0');
  for (size_t i = 0; i < length; ++i) bytes[i] = static_cast<char>('a' + (offset + i) % 26);
  return bytes;
}

int CountOf(const std::string& haystack, std::string_view needle) {
  int count = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++count;
  return count;
}

TEST(HttpStreamRequestTest, UploadArrivesInPiecesUnderBackpressure) {
  ServerOptions options = Streaming();
  options.stream_buffer_bytes = 1000;
  Harness h(options, /*park=*/true);
  std::string body = Pattern(5000);
  h.Feed(Put(body.size()));
  ASSERT_EQ(h.parked.size(), 1u) << "the handler runs at the end of the head";
  Exchange* put = h.parked[0];
  EXPECT_TRUE(put->request().body_streamed);
  EXPECT_TRUE(put->request().body.empty());
  EXPECT_TRUE(h.transport.reading);

  h.Feed(body.substr(0, 1500));
  EXPECT_FALSE(h.transport.reading) << "1000 bytes wait for the handler: reading must stop";

  BodyRecorder reader;
  size_t fed = 1500;
  while (!reader.finished) {
    reader.Read(put);
    EXPECT_EQ(reader.calls, static_cast<int>(reader.pieces.size())) << "answered inside ReadBody()";
    if (reader.pending && h.transport.timer == 0u) h.FireTimer();  // the next loop turn
    if (reader.pending) {
      ASSERT_LT(fed, body.size()) << "the reader waits although every byte was sent";
      EXPECT_TRUE(h.transport.reading) << "room again: reading must resume";
      size_t piece = std::min<size_t>(1700, body.size() - fed);
      h.Feed(body.substr(fed, piece));
      fed += piece;
    }
    ASSERT_FALSE(reader.pending);
    if (!reader.pieces.empty()) EXPECT_LE(reader.pieces.back().size(), 1000u) << "more than the buffer held";
  }
  EXPECT_TRUE(reader.ended);
  EXPECT_EQ(reader.body, body);
  EXPECT_GE(reader.pieces.size(), 5u);
  put->Respond(Text("stored"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "stored");
  EXPECT_EQ(responses[0].Find("connection"), nullptr);
  EXPECT_FALSE(h.transport.closed);
  EXPECT_TRUE(h.transport.reading);
}

TEST(HttpStreamRequestTest, PieceArrivingWhileAReadWaitsIsHandedOverAtOnce) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed(Put(6));
  BodyRecorder reader;
  reader.Read(h.parked[0]);
  ASSERT_TRUE(reader.pending);
  h.Feed("abc");
  EXPECT_EQ(reader.body, "abc");
  reader.Read(h.parked[0]);
  h.Feed("def");
  EXPECT_EQ(reader.body, "abcdef");
  EXPECT_FALSE(reader.ended);
  reader.Read(h.parked[0]);
  EXPECT_TRUE(reader.pending) << "the end may not be reported inside ReadBody()";
  h.FireTimer();
  EXPECT_TRUE(reader.ended);
  h.parked[0]->Respond(Text("ok"));
}

TEST(HttpStreamRequestTest, ChooserDecidesPerRequest) {
  ServerOptions options;
  std::vector<std::string> asked;
  options.stream_body = [&asked](const Request& head) {
    asked.push_back(head.method + " " + head.path);
    return head.method == "PUT";
  };
  Harness h(options);  // echoes: buffered bodies are whole in request().body
  h.Feed("GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz");
  ASSERT_EQ(asked.size(), 1u) << "asked only when a body follows";
  EXPECT_EQ(asked[0], "POST /b");
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[1].body, "POST /b xyz");
}

TEST(HttpStreamRequestTest, ContinueIsSentOnTheFirstReadBodyOnly) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed(Put(8, "Expect: 100-continue\r\n"));
  ASSERT_EQ(h.parked.size(), 1u);
  EXPECT_EQ(h.transport.output, "") << "no invitation before the handler asks for the body";
  BodyRecorder reader;
  reader.Read(h.parked[0]);
  EXPECT_EQ(h.transport.output, "") << "nothing is written inside ReadBody()";
  h.FireTimer();
  EXPECT_EQ(h.transport.output, "HTTP/1.1 100 Continue\r\n\r\n");
  h.Feed("1234");
  EXPECT_EQ(reader.body, "1234");
  reader.Read(h.parked[0]);
  if (h.transport.timer == 0u) h.FireTimer();
  h.Feed("5678");
  reader.Read(h.parked[0]);
  h.FireTimer();
  EXPECT_TRUE(reader.ended);
  EXPECT_EQ(reader.body, "12345678");
  EXPECT_EQ(CountOf(h.transport.output, "100 Continue"), 1);
  h.parked[0]->Respond(Text("ok"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_EQ(responses[1].Find("connection"), nullptr);
  EXPECT_FALSE(h.transport.closed);
}

TEST(HttpStreamRequestTest, ContinueWaitsForEarlierResponses) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed("GET /a HTTP/1.1\r\n\r\n" + Put(4, "Expect: 100-continue\r\n"));
  ASSERT_EQ(h.parked.size(), 2u);
  BodyRecorder reader;
  reader.Read(h.parked[1]);
  if (h.transport.timer == 0u) h.FireTimer();
  EXPECT_EQ(h.transport.output, "") << "100 Continue may not overtake /a's response";
  h.parked[0]->Respond(Text("a"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].body, "a");
  EXPECT_EQ(responses[1].status, 100);
  h.parked[1]->Respond(Text("o"));
}

TEST(HttpStreamRequestTest, EarlyAnswerWithoutContinueClosesTheConnection) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed(Put(100, "Expect: 100-continue\r\n"));
  ASSERT_EQ(h.parked.size(), 1u);
  h.parked[0]->Respond(Text("NoSuchBucket", 404));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 404);
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_EQ(CountOf(h.transport.output, "100 Continue"), 0);
  EXPECT_TRUE(h.transport.closed);
  EXPECT_EQ(h.transport.close_mode, Transport::CloseMode::kGraceful);
  EXPECT_EQ(h.handled, 1);
}

TEST(HttpStreamRequestTest, EarlyAnswerAfterContinueDropsTheRestAndKeepsAlive) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed(Put(100, "Expect: 100-continue\r\n"));
  BodyRecorder reader;
  reader.Read(h.parked[0]);
  h.FireTimer();  // writes 100 Continue
  h.Feed(Pattern(30));
  EXPECT_EQ(reader.body.size(), 30u);
  h.parked[0]->Respond(Text("EntityTooSmall", 400));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[1].status, 400);
  EXPECT_EQ(responses[1].Find("connection"), nullptr) << "70 bytes left: dropped, not closed";
  EXPECT_TRUE(h.transport.reading);
  // The rest of the body is dropped; the next request is served.
  h.Feed(Pattern(70, 30) + "GET /next HTTP/1.1\r\n\r\n");
  if (h.transport.timer == 0u) h.FireTimer();
  ASSERT_EQ(h.parked.size(), 2u);
  EXPECT_EQ(h.parked[1]->request().path, "/next");
  h.parked[1]->Respond(Text("next"));
  responses = h.Responses();
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[2].body, "next");
  EXPECT_FALSE(h.transport.closed);
  EXPECT_EQ(reader.calls, 1) << "a reader is never called after its Respond()";
}

TEST(HttpStreamRequestTest, EarlyAnswerWithoutExpectDropsTheRest) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed(Put(10) + "01234");
  h.parked[0]->Respond(Text("no", 404));
  EXPECT_EQ(h.Responses().size(), 1u);
  h.Feed("56789GET /b HTTP/1.1\r\n\r\n");
  if (h.transport.timer == 0u) h.FireTimer();
  ASSERT_EQ(h.parked.size(), 2u);
  EXPECT_EQ(h.parked[1]->request().path, "/b");
  EXPECT_EQ(h.parked[1]->request().method, "GET") << "the dropped body leaked into the next request";
  h.parked[1]->Respond(Text("b"));
  EXPECT_EQ(h.Responses().size(), 2u);
  EXPECT_FALSE(h.transport.closed);
}

TEST(HttpStreamRequestTest, EarlyAnswerWithALargeRemainderCloses) {
  {
    Harness h(Streaming(), /*park=*/true);
    h.Feed(Put(3 * 1024 * 1024) + "abc");
    h.parked[0]->Respond(Text("no", 403));
    auto responses = h.Responses();
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].Get("connection"), "close");
    EXPECT_TRUE(h.transport.closed);
  }
  {
    Harness h(Streaming(), /*park=*/true);  // chunked: the remainder is unknown
    h.Feed("PUT /o HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
    h.parked[0]->Respond(Text("no", 403));
    auto responses = h.Responses();
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].Get("connection"), "close");
    EXPECT_TRUE(h.transport.closed);
  }
}

TEST(HttpStreamRequestTest, AnswerAfterTheWholeBodyArrivedKeepsAlive) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed(Put(4, "Expect: 100-continue\r\n") + "abcd");  // sent without waiting
  h.parked[0]->Respond(Text("done"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].Find("connection"), nullptr);
  EXPECT_FALSE(h.transport.closed);
  h.Feed("GET /b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(h.parked.size(), 2u);
  h.parked[1]->Respond(Text("b"));
}

TEST(HttpStreamRequestTest, PipelinedRequestWaitsUntilTheStreamedBodyIsConsumed) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed(Put(10) + "0123456789" + "GET /next HTTP/1.1\r\n\r\n");
  ASSERT_EQ(h.parked.size(), 1u);
  if (h.transport.timer == 0u) h.FireTimer();
  EXPECT_EQ(h.parked.size(), 1u) << "parsed before the body was consumed";
  BodyRecorder reader;
  reader.Read(h.parked[0]);
  h.FireTimer();
  EXPECT_EQ(reader.body, "0123456789");
  EXPECT_EQ(h.parked.size(), 1u) << "the end has not been taken yet";
  reader.Read(h.parked[0]);
  h.FireTimer();
  EXPECT_TRUE(reader.ended);
  ASSERT_EQ(h.parked.size(), 2u);
  EXPECT_EQ(h.parked[1]->request().path, "/next");
  h.parked[1]->Respond(Text("second"));
  EXPECT_EQ(h.transport.output, "") << "responses stay in request order";
  h.parked[0]->Respond(Text("first"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].body, "first");
  EXPECT_EQ(responses[1].body, "second");
  EXPECT_FALSE(h.transport.closed);
}

TEST(HttpStreamRequestTest, KeepAliveAfterAConsumedStreamedBody) {
  Harness h(Streaming(), /*park=*/true);
  for (int i = 0; i < 3; ++i) {
    h.Feed(Put(5) + "hello");
    ASSERT_EQ(h.parked.size(), static_cast<size_t>(i + 1));
    BodyRecorder reader;
    while (!reader.finished) {
      reader.Read(h.parked[i]);
      if (reader.pending) h.FireTimer();
    }
    EXPECT_EQ(reader.body, "hello");
    h.parked[i]->Respond(Text(std::to_string(i)));
  }
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[2].body, "2");
  EXPECT_FALSE(h.transport.closed);
}

TEST(HttpStreamRequestTest, ChunkedBodyStreamsDechunked) {
  ServerOptions options = Streaming();
  options.stream_buffer_bytes = 4;
  Harness h(options, /*park=*/true);
  h.FeedBytewise("PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_EQ(h.parked.size(), 1u);
  Exchange* put = h.parked[0];
  EXPECT_TRUE(put->request().body_streamed);
  size_t headers = put->request().headers.size();
  std::string rest = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nGET /n HTTP/1.1\r\n\r\n";
  h.Feed(rest);
  BodyRecorder reader;
  while (!reader.finished) {
    reader.Read(put);
    if (reader.pending) h.FireTimer();
  }
  EXPECT_TRUE(reader.ended);
  EXPECT_EQ(reader.body, "hello world");
  for (const std::string& piece : reader.pieces) EXPECT_LE(piece.size(), 4u);
  EXPECT_EQ(put->request().headers.size(), headers) << "trailers of a streamed body are dropped";
  ASSERT_EQ(h.parked.size(), 2u);
  EXPECT_EQ(h.parked[1]->request().path, "/n");
  h.parked[0]->Respond(Text("c"));
  h.parked[1]->Respond(Text("n"));
}

TEST(HttpStreamRequestTest, MalformedChunkIsAnErrorForTheReader) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed("PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n");
  BodyRecorder reader;
  while (!reader.finished) {
    reader.Read(h.parked[0]);
    h.FireTimer();
  }
  EXPECT_EQ(reader.body, "abc") << "the good chunk comes before the error";
  EXPECT_EQ(reader.error.code(), Code::kMalformedRequest) << reader.error.ToString();
  h.parked[0]->Respond(Text("bad", 400));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 400);
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_TRUE(h.transport.closed);
}

TEST(HttpStreamRequestTest, PeerLeavingMidBodyErrorsThePendingReadThenAborts) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed(Put(100) + "0123456789");
  Exchange* put = h.parked[0];
  std::vector<std::string> events;
  put->SetAbortHandler([&] { events.push_back("abort"); });
  BodyRecorder reader;
  reader.on_answer = [&] {
    events.push_back(reader.error.ok() ? "data" : "error");
    if (!reader.error.ok()) EXPECT_TRUE(put->aborted()) << "on_chunk must see the peer gone";
  };
  reader.Read(put);
  h.FireTimer();
  reader.Read(put);
  ASSERT_TRUE(reader.pending);
  h.connection->OnPeerClosed();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], "data");
  EXPECT_EQ(events[1], "error");
  EXPECT_EQ(events[2], "abort");
  EXPECT_EQ(reader.error.code(), Code::kUnavailable);
  EXPECT_TRUE(put->aborted());
  h.connection.reset();  // as the transport does later; the exchange lives on
  put->Respond(Text("nobody listens"));
}

TEST(HttpStreamRequestTest, ReadBodyAfterThePeerLeftFailsOnALaterTurn) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    Harness h(Streaming(), /*park=*/true);
    h.transport.orphan_loop = &loop;
    h.Feed(Put(100) + "0123456789");
    Exchange* put = h.parked[0];
    h.connection->OnPeerClosed();  // no ReadBody() pending: only aborted
    EXPECT_TRUE(put->aborted());
    BodyRecorder reader;
    reader.Read(put);
    EXPECT_TRUE(reader.pending);
    uv_run(&loop, UV_RUN_NOWAIT);
    ASSERT_TRUE(reader.finished);
    EXPECT_EQ(reader.error.code(), Code::kUnavailable);
    put->Respond(Text("dropped"));
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // the orphan's timer closes
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(HttpStreamRequestTest, BodyTimeoutCountsOnlyWhileAReadWaits) {
  ServerOptions options = Streaming();
  options.body_timeout_ms = 200;
  options.idle_timeout_ms = 50;
  Harness h(options, /*park=*/true);
  h.Feed(Put(100) + "0123456789");
  Exchange* put = h.parked[0];
  // The handler is busy (a slow disk) and does not read: no timeout.
  while (h.transport.timer.has_value()) h.FireTimer();
  h.transport.now += 10'000;
  EXPECT_FALSE(h.transport.closed);
  EXPECT_EQ(h.transport.output, "");

  BodyRecorder reader;
  reader.Read(put);
  h.FireTimer();
  EXPECT_EQ(reader.body, "0123456789");
  reader.Read(put);  // now waiting for bytes: the timeout runs
  ASSERT_EQ(h.transport.timer, 200u);
  h.transport.now += 150;
  h.Feed("abcde");  // progress moves the deadline
  EXPECT_EQ(reader.body.size(), 15u);
  reader.Read(put);
  h.FireTimer();  // at the first deadline: early, re-armed for the rest
  EXPECT_FALSE(reader.finished);
  EXPECT_FALSE(h.transport.closed);
  ASSERT_TRUE(h.transport.timer.has_value());
  h.FireTimer();
  ASSERT_TRUE(reader.finished);
  EXPECT_EQ(reader.error.code(), Code::kUnavailable);
  EXPECT_NE(reader.error.message().find("body"), std::string::npos);
  EXPECT_FALSE(put->aborted());
  put->Respond(Text("RequestTimeout", 400));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_TRUE(h.transport.closed);
}

TEST(HttpStreamRequestTest, DroppingTheRestTimesOutWithoutProgress) {
  ServerOptions options = Streaming();
  options.body_timeout_ms = 200;
  Harness h(options, /*park=*/true);
  h.Feed(Put(100) + "0123456789");
  h.parked[0]->Respond(Text("no", 404));  // answered early: the rest is dropped
  EXPECT_EQ(h.Responses().size(), 1u);
  ASSERT_TRUE(h.transport.timer.has_value());
  h.transport.now += 150;
  h.Feed(Pattern(40));  // progress moves the deadline
  h.FireTimer();        // the first deadline: early
  EXPECT_FALSE(h.transport.closed) << "bytes kept coming: no timeout yet";
  h.FireTimer();
  EXPECT_TRUE(h.transport.closed) << "a client that stops sending the dropped rest";
  EXPECT_EQ(h.Responses().size(), 1u);
}

TEST(HttpStreamRequestTest, DeclaredLengthOverTheStreamedLimitIs413BeforeTheHandler) {
  ServerOptions options = Streaming();
  options.max_streamed_body_bytes = 1000;
  options.max_body_bytes = 10;
  {
    Harness h(options, /*park=*/true);
    h.Feed(Put(1000) + "x");
    ASSERT_EQ(h.parked.size(), 1u) << "max_body_bytes does not apply to streamed bodies";
    h.parked[0]->Respond(Text("ok"));
  }
  {
    Harness h(options, /*park=*/true);
    h.Feed(Put(1001, "Expect: 100-continue\r\n"));
    EXPECT_EQ(h.handled, 0);
    auto responses = h.Responses();
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].status, 413);
    EXPECT_EQ(responses[0].Get("connection"), "close");
    EXPECT_TRUE(h.transport.closed);
  }
}

TEST(HttpStreamRequestTest, ChunkedBodyOverTheStreamedLimitFailsTheReader) {
  ServerOptions options = Streaming();
  options.max_streamed_body_bytes = 10;
  Harness h(options, /*park=*/true);
  h.Feed("PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n89abcdef\r\n");
  BodyRecorder reader;
  while (!reader.finished) {
    reader.Read(h.parked[0]);
    if (reader.pending) h.FireTimer();
  }
  EXPECT_EQ(reader.error.code(), Code::kRequestTooLarge) << reader.error.ToString();
  EXPECT_LE(reader.body.size(), 10u);
  h.parked[0]->Respond(Text("EntityTooLarge", 400));
  EXPECT_TRUE(h.transport.closed);
}

TEST(HttpStreamRequestTest, ShutdownLetsAStreamedBodyFinish) {
  Harness h(Streaming(), /*park=*/true);
  h.Feed(Put(6) + "abc");
  h.connection->BeginShutdown();
  EXPECT_FALSE(h.transport.closed);
  BodyRecorder reader;
  reader.Read(h.parked[0]);
  h.FireTimer();
  h.Feed("def");
  while (!reader.finished) {
    reader.Read(h.parked[0]);
    h.FireTimer();
  }
  EXPECT_TRUE(reader.ended);
  EXPECT_EQ(reader.body, "abcdef");
  h.parked[0]->Respond(Text("ok"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_TRUE(h.transport.closed);
}

}  // namespace
}  // namespace sluice::http
