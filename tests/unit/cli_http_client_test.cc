// HttpClient against a real socket: a tiny server thread on a loopback
// ephemeral port that reads one request and answers with canned bytes.

#include "sluice/cli/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace sluice::cli {
namespace {

// Listens on 127.0.0.1:<ephemeral>, accepts one connection, reads one
// request, writes `pieces` one send() each, then closes (or, with
// `hold_open`, waits for the client to hang up first).
class OneShotServer {
 public:
  explicit OneShotServer(std::vector<std::string> pieces, bool hold_open = false)
      : pieces_(std::move(pieces)), hold_open_(hold_open) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::listen(listen_fd_, 1), 0);
    socklen_t length = sizeof(address);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
    ::close(listen_fd_);
  }

  uint16_t port() const { return port_; }
  Endpoint endpoint() const {
    return Endpoint{"http://127.0.0.1:" + std::to_string(port_), "127.0.0.1", port_,
                    "127.0.0.1:" + std::to_string(port_)};
  }
  // The request as received; call after the client is done.
  const std::string& request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  void Serve() {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    ReadRequest(fd);
    for (const std::string& piece : pieces_) {
      if (::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) < 0) break;
    }
    if (hold_open_) {
      char byte;
      while (::recv(fd, &byte, 1, 0) > 0) {
      }
    }
    ::close(fd);
  }

  // Head up to the blank line, then Content-Length bytes of body.
  void ReadRequest(int fd) {
    char buffer[4096];
    size_t body_length = std::string::npos;
    size_t head_end = std::string::npos;
    for (;;) {
      if (head_end != std::string::npos && request_.size() >= head_end + body_length) return;
      ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) return;
      request_.append(buffer, static_cast<size_t>(n));
      if (head_end == std::string::npos) {
        size_t blank = request_.find("\r\n\r\n");
        if (blank == std::string::npos) continue;
        head_end = blank + 4;
        size_t at = request_.find("Content-Length: ");
        body_length = (at == std::string::npos || at > head_end) ? 0 : std::stoul(request_.substr(at + 16));
      }
    }
  }

  std::vector<std::string> pieces_;
  bool hold_open_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::string request_;
};

HttpRequest PostRequest(std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"X-Amz-Target", "AmazonSQS.ListQueues"}};
  request.body = std::move(body);
  return request;
}

TEST(CliHttpClient, ContentLengthResponseAndTheRequestOnTheWire) {
  OneShotServer server({"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
                        "Content-Length: 15\r\n\r\n{\"QueueUrls\":[]}"});
  HttpClient client(server.endpoint());
  Result<HttpResponse> response = client.RoundTrip(PostRequest("{}"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "{\"QueueUrls\":[]");  // exactly Content-Length bytes
  ASSERT_NE(response->FindHeader("content-type"), nullptr);
  EXPECT_EQ(*response->FindHeader("content-type"), "application/x-amz-json-1.0");

  const std::string& request = server.request();
  EXPECT_EQ(request.rfind("POST / HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(request.find("\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nContent-Length: 2\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_EQ(request.substr(request.size() - 6), "\r\n\r\n{}");
}

TEST(CliHttpClient, ChunkedResponseSplitAcrossWrites) {
  OneShotServer server({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                        "lo\r\n6\r\n world\r\n", "0\r\n\r\n"});
  HttpClient client(server.endpoint());
  Result<HttpResponse> response = client.RoundTrip(PostRequest("{}"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello world");
}

TEST(CliHttpClient, BodyDelimitedByTheServerClosing) {
  OneShotServer server({"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", "hello ", "there"});
  HttpClient client(server.endpoint());
  Result<HttpResponse> response = client.RoundTrip(PostRequest(""));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "hello there");
}

TEST(CliHttpClient, LargeBodyOverManyReads) {
  std::string body(3 << 20, 'x');
  OneShotServer server({"HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\n\r\n" + body});
  HttpClient client(server.endpoint());
  Result<HttpResponse> response = client.RoundTrip(PostRequest("{}"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body.size(), body.size());
}

TEST(CliHttpClient, ErrorStatusIsAResponseNotAnError) {
  std::string error = R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"no"})";
  OneShotServer server({"HTTP/1.1 400 Bad Request\r\nContent-Length: " +
                        std::to_string(error.size()) + "\r\n\r\n" + error});
  HttpClient client(server.endpoint());
  Result<HttpResponse> response = client.RoundTrip(PostRequest("{}"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->body, error);
}

TEST(CliHttpClient, InterimContinueIsSkipped) {
  OneShotServer server({"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"});
  HttpClient client(server.endpoint());
  Result<HttpResponse> response = client.RoundTrip(PostRequest("{}"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 204);
}

TEST(CliHttpClient, ConnectionRefusedIsUnavailableWithAClearMessage) {
  // A socket bound but not listening: connecting to its port is refused, and
  // holding it keeps anyone else from taking the port meanwhile.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  uint16_t port = ntohs(address.sin_port);

  Result<Endpoint> endpoint = ParseEndpoint("http://127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(endpoint.ok());
  HttpClient client(*endpoint);
  Result<HttpResponse> response = client.RoundTrip(PostRequest("{}"));
  ::close(fd);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
  EXPECT_EQ(response.status().message(),
            "cannot reach sluice at http://127.0.0.1:" + std::to_string(port) + ": connection refused");
}

TEST(CliHttpClient, UnresolvableHostIsUnavailable) {
  Result<Endpoint> endpoint = ParseEndpoint("http://no-such-host.invalid:4566");
  ASSERT_TRUE(endpoint.ok());
  HttpClient client(*endpoint);
  Result<HttpResponse> response = client.RoundTrip(PostRequest("{}"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
  EXPECT_EQ(response.status().message().rfind("cannot reach sluice at http://no-such-host.invalid:4566: ", 0), 0u)
      << response.status().message();
}

TEST(CliHttpClient, SilentServerTimesOutAfterTheRequestDeadline) {
  OneShotServer server({}, /*hold_open=*/true);
  HttpClient client(server.endpoint());
  HttpRequest request = PostRequest("{}");
  request.timeout = std::chrono::milliseconds(100);
  Result<HttpResponse> response = client.RoundTrip(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kInternal);  // reached, but no answer
  EXPECT_NE(response.status().message().find("timed out after 100 ms"), std::string::npos)
      << response.status().message();
}

TEST(CliHttpClient, TruncatedBodyIsAnError) {
  OneShotServer server({"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"});
  HttpClient client(server.endpoint());
  Result<HttpResponse> response = client.RoundTrip(PostRequest("{}"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kInternal);
  EXPECT_NE(response.status().message().find("before the response was complete"), std::string::npos)
      << response.status().message();
}

TEST(CliHttpClient, GarbageIsAMalformedResponse) {
  OneShotServer server({"SSH-2.0-OpenSSH_9.2\r\n"});
  HttpClient client(server.endpoint());
  Result<HttpResponse> response = client.RoundTrip(PostRequest("{}"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kInternal);
  EXPECT_NE(response.status().message().find("malformed HTTP response"), std::string::npos)
      << response.status().message();
}

TEST(CliHttpClient, OversizedResponseIsRefused) {
  OneShotServer server({"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'y')});
  HttpClient::Options options;
  options.max_response_bytes = 1000;
  HttpClient client(server.endpoint(), options);
  Result<HttpResponse> response = client.RoundTrip(PostRequest("{}"));
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("larger than 1000 bytes"), std::string::npos)
      << response.status().message();
}

}  // namespace
}  // namespace sluice::cli
