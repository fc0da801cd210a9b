// Streamed response bodies (BodySource) driven without a socket: pieces in
// order, each Read() only after the previous piece was written, length
// mismatches and source errors, the source's lifetime, HEAD.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "http_connection_harness.h"
#include "http_stream_test_util.h"

namespace sluice::http {
namespace {

using testing::FakeSource;
using testing::Harness;
using testing::SourceLog;
using testing::Text;

// A 200 whose body of `length` bytes comes from a FakeSource; *source is
// left pointing at it (owned by the response, then the connection).
Response Streamed(uint64_t length, SourceLog* log, FakeSource** source) {
  auto owned = std::make_unique<FakeSource>(log);
  *source = owned.get();
  Response response;
  response.headers.push_back({"Content-Type", "application/octet-stream"});
  response.content_length = length;
  response.body_source = std::move(owned);
  return response;
}

// The output after the first response's head.
std::string AfterHead(const std::string& output) {
  size_t end = output.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : output.substr(end + 4);
}

TEST(HttpStreamResponseTest, PiecesGoOutInOrderEachReadAfterThePreviousWrite) {
  Harness h(ServerOptions(), /*park=*/true);
  h.transport.hold_writes = true;
  h.Feed("GET /big HTTP/1.1\r\n\r\nGET /small HTTP/1.1\r\n\r\n");
  ASSERT_EQ(h.parked.size(), 2u);
  SourceLog log;
  FakeSource* source = nullptr;
  h.parked[0]->Respond(Streamed(9, &log, &source));
  h.parked[1]->Respond(Text("small"));  // waits behind the streamed body
  EXPECT_TRUE(h.transport.write_pending);
  EXPECT_EQ(log.reads, 0) << "Read() before the head was written";

  for (std::string piece : {"abc", "def", "ghi"}) {
    h.transport.CompleteWrite(*h.connection);
    ASSERT_FALSE(log.destroyed);
    EXPECT_TRUE(source->read_pending());
    int reads = log.reads;
    source->Deliver(Status::Ok(), piece);
    EXPECT_TRUE(h.transport.write_pending);
    EXPECT_EQ(h.transport.pending_bytes, piece);
    EXPECT_EQ(log.reads, reads) << "Read() again before the piece was written";
    EXPECT_EQ(h.transport.output.find("small"), std::string::npos) << "a later response overtook the body";
  }
  EXPECT_FALSE(log.destroyed);
  h.transport.CompleteWrite(*h.connection);  // the last piece: done, then /small
  EXPECT_TRUE(log.destroyed);
  EXPECT_EQ(log.reads, 3);
  h.transport.CompleteWrite(*h.connection);
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].Get("content-length"), "9");
  EXPECT_EQ(responses[0].Get("content-type"), "application/octet-stream");
  EXPECT_EQ(responses[0].body, "abcdefghi");
  EXPECT_EQ(responses[1].body, "small");
  EXPECT_FALSE(h.transport.closed);
}

TEST(HttpStreamResponseTest, SourceAnsweringInsideReadIsServedWithoutRecursion) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /big HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n");
  SourceLog log;
  FakeSource* source = nullptr;
  const int kPieces = 20'000;  // deep enough to overflow a stack if nested
  Response response = Streamed(uint64_t{kPieces} * 10, &log, &source);
  source->synchronous = true;
  int made = 0;
  source->next_piece = [&made] { return std::to_string(1'000'000'000 + made++); };  // 10 bytes
  h.parked[0]->Respond(std::move(response));
  EXPECT_TRUE(log.destroyed);
  EXPECT_EQ(log.reads, kPieces);
  h.parked[1]->Respond(Text("next"));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u);
  ASSERT_EQ(responses[0].body.size(), uint64_t{kPieces} * 10);
  EXPECT_EQ(responses[0].body.substr(0, 20), "10000000001000000001");
  EXPECT_EQ(responses[1].body, "next");
}

TEST(HttpStreamResponseTest, LastPieceWrittenAtOnceRetiresTheSourceOnTheNextTurn) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /o HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
  SourceLog log;
  FakeSource* source = nullptr;
  h.parked[0]->Respond(Streamed(4, &log, &source));
  h.parked[1]->Respond(Text("after"));
  ASSERT_TRUE(source->read_pending());
  source->Deliver(Status::Ok(), "ab");  // written at once: the next Read() waits for a turn
  EXPECT_FALSE(source->read_pending());
  ASSERT_EQ(h.transport.timer, 0u);
  h.FireTimer();
  ASSERT_TRUE(source->read_pending());
  source->Deliver(Status::Ok(), "cd");  // the FakeSource checks it is not destroyed in here
  EXPECT_FALSE(log.destroyed) << "destroyed from inside its own on_data";
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 2u) << "the next response need not wait for the source's end";
  EXPECT_EQ(responses[0].body, "abcd");
  EXPECT_EQ(responses[1].body, "after");
  ASSERT_EQ(h.transport.timer, 0u);
  h.FireTimer();
  EXPECT_TRUE(log.destroyed);
}

TEST(HttpStreamResponseTest, MoreBytesThanTheLengthClose) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /o HTTP/1.1\r\n\r\n");
  SourceLog log;
  FakeSource* source = nullptr;
  h.parked[0]->Respond(Streamed(5, &log, &source));
  source->Deliver(Status::Ok(), "abc");
  h.FireTimer();
  source->Deliver(Status::Ok(), "def");  // 6 > 5
  EXPECT_TRUE(h.transport.closed);
  EXPECT_EQ(h.transport.close_mode, Transport::CloseMode::kNow);
  EXPECT_EQ(AfterHead(h.transport.output), "abc") << "the peer must see a truncated body";
  h.connection.reset();  // the close callback
  EXPECT_TRUE(log.destroyed);
}

TEST(HttpStreamResponseTest, SourceRunningDryEarlyCloses) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /o HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  bool b_aborted = false;
  h.parked[1]->SetAbortHandler([&] { b_aborted = true; });
  SourceLog log;
  FakeSource* source = nullptr;
  h.parked[0]->Respond(Streamed(5, &log, &source));
  source->Deliver(Status::Ok(), "");  // an empty piece: the source has nothing more
  EXPECT_TRUE(h.transport.closed);
  EXPECT_EQ(h.transport.close_mode, Transport::CloseMode::kNow);
  EXPECT_EQ(AfterHead(h.transport.output), "");
  EXPECT_TRUE(b_aborted);
  h.parked[1]->Respond(Text("b"));
}

TEST(HttpStreamResponseTest, ErrorMidStreamCloses) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /o HTTP/1.1\r\n\r\n");
  SourceLog log;
  FakeSource* source = nullptr;
  h.parked[0]->Respond(Streamed(10, &log, &source));
  source->Deliver(Status::Ok(), "abcd");
  h.FireTimer();
  source->Deliver(Status(Code::kInternal, "disk read failed"), "");
  EXPECT_TRUE(h.transport.closed);
  EXPECT_EQ(h.transport.close_mode, Transport::CloseMode::kNow);
  EXPECT_EQ(AfterHead(h.transport.output), "abcd");
  h.connection.reset();
  EXPECT_TRUE(log.destroyed);
}

TEST(HttpStreamResponseTest, ClosingWithAReadPendingDestroysTheSource) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /o HTTP/1.1\r\n\r\n");
  SourceLog log;
  FakeSource* source = nullptr;
  bool alive = true;
  Response response = Streamed(100, &log, &source);
  source->alive_ = &alive;
  h.parked[0]->Respond(std::move(response));
  ASSERT_TRUE(source->read_pending());
  h.connection->OnPeerClosed();
  EXPECT_TRUE(log.destroyed) << "a source waiting on its own I/O is destroyed at once";
  EXPECT_FALSE(alive);
  EXPECT_EQ(log.reads, 1);
  // A source that calls on_data after its destruction breaks the contract;
  // the connection still ignores it.
  std::string before = h.transport.output;
  log.last_on_data(Status::Ok(), "late");
  EXPECT_EQ(h.transport.output, before);
  EXPECT_EQ(log.reads, 1);
}

TEST(HttpStreamResponseTest, DestroyingTheConnectionDestroysTheSource) {
  SourceLog log;
  {
    Harness h(ServerOptions(), /*park=*/true);
    h.transport.hold_writes = true;
    h.Feed("GET /o HTTP/1.1\r\n\r\n");
    FakeSource* source = nullptr;
    h.parked[0]->Respond(Streamed(100, &log, &source));
    EXPECT_FALSE(log.destroyed);
  }
  EXPECT_TRUE(log.destroyed);
  EXPECT_EQ(log.reads, 0);
}

TEST(HttpStreamResponseTest, HeadSendsTheLengthAndNoBody) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("HEAD /o HTTP/1.1\r\n\r\nHEAD /p HTTP/1.1\r\n\r\nGET /q HTTP/1.1\r\n\r\n");
  ASSERT_EQ(h.parked.size(), 3u);
  Response head;
  head.content_length = 1ull << 32;  // 4 GiB, never sent
  h.parked[0]->Respond(std::move(head));
  SourceLog log;
  FakeSource* source = nullptr;
  h.parked[1]->Respond(Streamed(12345, &log, &source));
  EXPECT_TRUE(log.destroyed) << "the source of a HEAD response is never read";
  EXPECT_EQ(log.reads, 0);
  h.parked[2]->Respond(Text("q"));
  const std::string& out = h.transport.output;
  size_t first_end = out.find("\r\n\r\n");
  ASSERT_NE(first_end, std::string::npos);
  EXPECT_NE(out.substr(0, first_end).find("Content-Length: 4294967296\r\n"), std::string::npos);
  size_t second_start = first_end + 4;
  ASSERT_EQ(out.compare(second_start, 9, "HTTP/1.1 "), 0) << "a body followed the HEAD response";
  size_t second_end = out.find("\r\n\r\n", second_start);
  EXPECT_NE(out.substr(second_start, second_end - second_start).find("Content-Length: 12345\r\n"),
            std::string::npos);
  EXPECT_EQ(out.compare(second_end + 4, 9, "HTTP/1.1 "), 0);
  EXPECT_NE(out.find("\r\n\r\nq"), std::string::npos);
}

TEST(HttpStreamResponseTest, ContentLengthWithoutSourceCountsOnlyForHead) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /o HTTP/1.1\r\n\r\n");
  Response response = Text("four");
  response.content_length = 1000;  // meaningless for GET: the body decides
  h.parked[0]->Respond(std::move(response));
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].Get("content-length"), "4");
  EXPECT_EQ(responses[0].body, "four");
}

TEST(HttpStreamResponseTest, NoContentStatusNeverReadsTheSource) {
  Harness h(ServerOptions(), /*park=*/true);
  h.Feed("GET /o HTTP/1.1\r\n\r\n");
  SourceLog log;
  FakeSource* source = nullptr;
  Response response = Streamed(10, &log, &source);
  response.status = 304;
  h.parked[0]->Respond(std::move(response));
  EXPECT_TRUE(log.destroyed);
  EXPECT_EQ(log.reads, 0);
  auto responses = h.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 304);
  EXPECT_FALSE(h.transport.closed);
}

TEST(HttpStreamResponseTest, WriteTimeoutAppliesPerPieceNotToTheSource) {
  ServerOptions options;
  options.write_timeout_ms = 500;
  options.idle_timeout_ms = 10'000;
  Harness h(options, /*park=*/true);
  h.transport.hold_writes = true;
  h.Feed("GET /o HTTP/1.1\r\n\r\n");
  SourceLog log;
  FakeSource* source = nullptr;
  h.parked[0]->Respond(Streamed(6, &log, &source));
  ASSERT_EQ(h.transport.timer, 500u);  // the head's write
  h.transport.now += 400;
  h.transport.CompleteWrite(*h.connection);
  ASSERT_TRUE(source->read_pending());
  // A slow source is not the client's fault: nothing times out meanwhile.
  while (h.transport.timer.has_value()) h.FireTimer();
  h.transport.now += 60'000;
  EXPECT_FALSE(h.transport.closed);
  source->Deliver(Status::Ok(), "abc");
  ASSERT_EQ(h.transport.timer, 500u) << "each piece's write gets the whole write timeout";
  h.transport.CompleteWrite(*h.connection);
  source->Deliver(Status::Ok(), "def");
  ASSERT_TRUE(h.transport.timer.has_value());
  h.FireTimer();
  EXPECT_TRUE(h.transport.closed) << "a client that stops reading a streamed body";
  EXPECT_EQ(h.transport.close_mode, Transport::CloseMode::kNow);
  h.transport.write_pending = false;
  h.connection->OnWriteDone(UV_ECANCELED);
  h.connection.reset();
  EXPECT_TRUE(log.destroyed);
}

}  // namespace
}  // namespace sluice::http
