// The server over real loopback sockets: the loop runs on a background
// thread, the test thread is a blocking client. Waits are polls with
// deadlines; timeouts under test are short (100 ms).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "http_test_util.h"
#include "sluice/http/server.h"

namespace sluice::http {
namespace {

using testing::Client;
using testing::LoopThread;
using testing::ParsedResponse;
using std::chrono::milliseconds;

Response Echo(const Request& request) {
  Response response;
  response.headers.push_back({"Content-Type", "text/plain"});
  response.body = request.method + " " + request.target + " " + request.body;
  return response;
}

Response Text(std::string body) {
  Response response;
  response.body = std::move(body);
  return response;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void TearDown() override { StopServer(); }

  // Starts a server on 127.0.0.1 and a free port. By default the handler
  // echoes; requests to /park are parked for the test to answer.
  void StartServer(ServerOptions options, Handler handler = nullptr) {
    options.port = 0;
    if (!handler) {
      handler = [this](Exchange& exchange) {
        if (exchange.request().path == "/park") {
          parked_.push_back(&exchange);
          exchange.SetAbortHandler([this] { ++aborts_; });
          return;
        }
        exchange.Respond(Echo(exchange.request()));
      };
    }
    Status status = loop_.Run([&] {
      server_ = std::make_unique<Server>(loop_.loop(), options, handler);
      return server_->Listen();
    });
    ASSERT_TRUE(status.ok()) << status.ToString();
    port_ = loop_.Run([&] { return server_->port(); });
    ASSERT_GT(port_, 0);
  }

  void StopServer() {
    if (!server_) return;
    std::atomic<bool> done{false};
    loop_.Run([&] { server_->Shutdown([&] { done = true; }); });
    EXPECT_TRUE(loop_.WaitFor([&] { return done.load(); })) << "shutdown did not finish";
    loop_.Run([&] { server_.reset(); });
  }

  size_t ConnectionCount() { return loop_.Run([&] { return server_->connection_count(); }); }
  size_t ParkedCount() { return loop_.Run([&] { return parked_.size(); }); }

  LoopThread loop_;  // first: outlives the server
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::vector<Exchange*> parked_;  // loop thread only
  int aborts_ = 0;                 // loop thread only
};

TEST_F(HttpServerTest, SimpleGetAndPost) {
  StartServer(ServerOptions());
  Client client(port_);
  ASSERT_TRUE(client.connected());
  client.Send("GET /hello?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  auto responses = client.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, "GET /hello?x=1 ");
  EXPECT_NE(responses[0].Find("date"), nullptr);
  client.Send("POST /q HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  responses = client.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "POST /q hello");
  EXPECT_EQ(responses[0].Get("content-length"), "13");
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer(ServerOptions());
  Client client(port_);
  for (int i = 0; i < 20; ++i) {
    client.Send("GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n");
    auto responses = client.ReadResponses(1);
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].body, "GET /" + std::to_string(i) + " ");
  }
  EXPECT_EQ(ConnectionCount(), 1u);
  EXPECT_FALSE(client.eof());
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredOutOfOrderArriveInOrder) {
  // State the handler touches lives in the fixture: the handler may still be
  // running on the loop thread when this body returns.
  StartServer(ServerOptions(), [this](Exchange& exchange) {
    parked_.push_back(&exchange);
    if (parked_.size() < 3) return;
    // Answer the earlier ones later and in reverse, from this later call.
    for (auto it = parked_.rbegin(); it != parked_.rend(); ++it) (*it)->Respond(Text((*it)->request().path));
    parked_.clear();
  });
  Client client(port_);
  client.Send("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
  auto responses = client.ReadResponses(3);
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].body, "/a");
  EXPECT_EQ(responses[1].body, "/b");
  EXPECT_EQ(responses[2].body, "/c");
}

TEST_F(HttpServerTest, LargeResponsesArriveWholeAndInOrder) {
  // Bigger than a socket buffer: the write goes partly through uv_try_write
  // and the rest through uv_write, while later responses wait their turn.
  StartServer(ServerOptions(), [](Exchange& exchange) {
    const std::string& path = exchange.request().path;
    size_t size = path == "/big" ? 3 * 1024 * 1024 : 10;
    exchange.Respond(Text(std::string(size, path[1])));
  });
  Client client(port_);
  client.Send("GET /big HTTP/1.1\r\n\r\nGET /small HTTP/1.1\r\n\r\nGET /big HTTP/1.1\r\n\r\n");
  auto responses = client.ReadResponses(3, milliseconds(10000));
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].body, std::string(3 * 1024 * 1024, 'b'));
  EXPECT_EQ(responses[1].body, std::string(10, 's'));
  EXPECT_EQ(responses[2].body.size(), 3u * 1024 * 1024);
}

TEST_F(HttpServerTest, ChunkedRequestBody) {
  StartServer(ServerOptions());
  Client client(port_);
  client.Send("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n");
  client.Send("5\r\npedia\r\n0\r\n\r\n");
  auto responses = client.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "POST /c Wikipedia");
}

TEST_F(HttpServerTest, ExpectContinueAccepted) {
  StartServer(ServerOptions());
  Client client(port_);
  client.Send("PUT /o HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  auto interim = client.ReadResponses(1);
  ASSERT_EQ(interim.size(), 1u);
  EXPECT_EQ(interim[0].status, 100);
  client.Send("abc");
  auto responses = client.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, "PUT /o abc");
}

TEST_F(HttpServerTest, ExpectContinueOverLimitGets413AndClose) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  StartServer(options);
  Client client(port_);
  client.Send("PUT /o HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1001\r\n\r\n");
  auto responses = client.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 413);
  EXPECT_EQ(responses[0].Get("content-type"), "application/json");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, HugeHeadersGet431) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  StartServer(options);
  Client client(port_);
  client.Send("GET / HTTP/1.1\r\nX-Big: " + std::string(8192, 'h') + "\r\n\r\n");
  auto responses = client.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 431);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, HugeBodyGets413EvenWhenTheClientSendsIt) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  StartServer(options);
  Client client(port_);
  // The body is sent in full: the lingering close must keep the 413 from
  // being destroyed by a reset.
  client.Send("POST / HTTP/1.1\r\nContent-Length: 200000\r\n\r\n" + std::string(200000, 'b'));
  auto responses = client.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 413);
  EXPECT_NE(responses[0].body.find("error"), std::string::npos);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, MalformedRequestGets400AndOthersAreUnaffected) {
  StartServer(ServerOptions());
  Client good(port_);
  good.Send("GET /1 HTTP/1.1\r\n\r\n");
  ASSERT_EQ(good.ReadResponses(1).size(), 1u);

  Client bad(port_);
  bad.Send("GARBAGE\x01 / HTTP/1.1\r\n\r\n");
  auto responses = bad.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 400);
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_TRUE(bad.WaitForClose());

  good.Send("GET /2 HTTP/1.1\r\n\r\n");
  responses = good.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "GET /2 ");
}

TEST_F(HttpServerTest, HeaderTimeoutClosesASlowClient) {
  ServerOptions options;
  options.header_timeout_ms = 100;
  StartServer(options);
  Client client(port_);
  std::string head = "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: one-byte-at-a-time\r\n\r\n";
  auto start = testing::Clock::now();
  size_t sent = 0;
  // One byte per 20 ms; each pause is a wait for the server's answer.
  while (sent < head.size() && !client.eof() && client.received().empty()) {
    client.Send(head.substr(sent++, 1));
    client.ReadSome(milliseconds(20));
    ASSERT_LT(testing::Clock::now() - start, milliseconds(5000));
  }
  EXPECT_LT(sent, head.size()) << "the whole head went through: no timeout";
  auto responses = client.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 408);
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_GE(testing::Clock::now() - start, milliseconds(90));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options;
  options.idle_timeout_ms = 100;
  StartServer(options);
  Client client(port_);
  client.Send("GET / HTTP/1.1\r\n\r\n");
  ASSERT_EQ(client.ReadResponses(1).size(), 1u);
  auto idle_since = testing::Clock::now();
  EXPECT_TRUE(client.WaitForClose(milliseconds(3000)));
  EXPECT_GE(testing::Clock::now() - idle_since, milliseconds(90));
  EXPECT_TRUE(loop_.WaitFor([&] { return server_->connection_count() == 0; }));
}

TEST_F(HttpServerTest, ConnectionLimitAnswers503) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  auto first = std::make_unique<Client>(port_);
  Client second(port_);
  for (Client* c : {first.get(), &second}) {
    c->Send("GET / HTTP/1.1\r\n\r\n");
    ASSERT_EQ(c->ReadResponses(1).size(), 1u);
  }
  Client third(port_);
  auto responses = third.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 503);
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_TRUE(third.WaitForClose());
  third.Close();  // ends the server's lingering close

  first.reset();
  ASSERT_TRUE(loop_.WaitFor([&] { return server_->connection_count() == 1; }));
  Client fourth(port_);
  fourth.Send("GET /again HTTP/1.1\r\n\r\n");
  responses = fourth.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 200);
}

TEST_F(HttpServerTest, AbortHandlerFiresOnDisconnectAndRespondAfterwardsIsSafe) {
  StartServer(ServerOptions());
  auto client = std::make_unique<Client>(port_);
  client->Send("GET /park HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(loop_.WaitFor([&] { return parked_.size() == 1; }));
  client.reset();  // the peer goes away while the exchange is parked
  ASSERT_TRUE(loop_.WaitFor([&] { return aborts_ == 1; }));
  ASSERT_TRUE(loop_.WaitFor([&] { return server_->connection_count() == 0; }));
  // The connection is gone; the exchange is not.
  loop_.Run([&] {
    EXPECT_TRUE(parked_[0]->aborted());
    EXPECT_EQ(parked_[0]->request().path, "/park");
    parked_[0]->Respond(Text("nobody listens"));
    parked_.clear();
  });
}

TEST_F(HttpServerTest, ShutdownDrainsAnOutstandingExchange) {
  StartServer(ServerOptions());
  Client busy(port_);
  busy.Send("GET /park HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(loop_.WaitFor([&] { return parked_.size() == 1; }));
  Client idle(port_);
  idle.Send("GET /echo HTTP/1.1\r\n\r\n");
  ASSERT_EQ(idle.ReadResponses(1).size(), 1u);

  std::atomic<bool> done{false};
  loop_.Run([&] { server_->Shutdown([&] { done = true; }); });
  EXPECT_TRUE(idle.WaitForClose()) << "idle connections close at once";
  Client late(port_);
  EXPECT_FALSE(late.connected()) << "no accepting after Shutdown";
  EXPECT_FALSE(loop_.Run([&] { return done.load(); })) << "done before the exchange was answered";

  loop_.Run([&] {
    parked_[0]->Respond(Text("drained"));
    parked_.clear();
  });
  auto responses = busy.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "drained");
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_TRUE(busy.WaitForClose());
  busy.Close();  // as a client does after "Connection: close"
  EXPECT_TRUE(loop_.WaitFor([&] { return done.load(); }));
  loop_.Run([&] { server_.reset(); });
}

TEST_F(HttpServerTest, Http10GetsConnectionClose) {
  StartServer(ServerOptions());
  Client client(port_);
  client.Send("GET /old HTTP/1.0\r\n\r\n");
  auto responses = client.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].Get("connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, ListenOnIpv6Loopback) {
  ServerOptions options;
  options.host = "::1";
  options.port = 0;
  Status status = loop_.Run([&] {
    server_ = std::make_unique<Server>(loop_.loop(), options, [](Exchange& e) { e.Respond(Echo(e.request())); });
    return server_->Listen();
  });
  if (status.code() == Code::kUnavailable) GTEST_SKIP() << "no IPv6 here: " << status.ToString();
  ASSERT_TRUE(status.ok()) << status.ToString();
  Client client(loop_.Run([&] { return server_->port(); }), "::1");
  ASSERT_TRUE(client.connected());
  client.Send("GET /v6 HTTP/1.1\r\n\r\n");
  auto responses = client.ReadResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "GET /v6 ");
}

TEST_F(HttpServerTest, ListenErrors) {
  StartServer(ServerOptions());
  Handler handler = [](Exchange& e) { e.Respond(Response()); };
  loop_.Run([&] {
    ServerOptions bad_host;
    bad_host.host = "not-an-address";
    Server a(loop_.loop(), bad_host, handler);
    EXPECT_EQ(a.Listen().code(), Code::kInvalidParameterValue);

    ServerOptions taken;
    taken.port = port_;
    auto b = std::make_unique<Server>(loop_.loop(), taken, handler);
    EXPECT_EQ(b->Listen().code(), Code::kUnavailable);
    // Its listener closes asynchronously; Shutdown reports when it has.
    Server* raw = b.release();
    raw->Shutdown([raw] { delete raw; });
  });
}

}  // namespace
}  // namespace sluice::http
