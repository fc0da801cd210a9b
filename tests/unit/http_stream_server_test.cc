// Streamed bodies over real loopback sockets: 64 MiB up through ReadBody()
// and 64 MiB down through a BodySource, checked byte for byte (by hash).
// The loop runs on a background thread; the test thread is the client.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "http_test_util.h"
#include "sluice/http/server.h"

namespace sluice::http {
namespace {

using testing::Client;
using testing::LoopThread;
using std::chrono::milliseconds;

constexpr uint64_t kObjectBytes = 64ull * 1024 * 1024;
constexpr size_t kPieceBytes = 256 * 1024;

char PatternByte(uint64_t offset) { return static_cast<char>((offset * 131 + (offset >> 12)) & 0xff); }

std::string PatternBytes(uint64_t offset, size_t length) {
  std::string bytes(length, '\0');
  for (size_t i = 0; i < length; ++i) bytes[i] = PatternByte(offset + i);
  return bytes;
}

// FNV-1a, 64 bits: enough to tell a reordered or altered byte.
class Fnv {
 public:
  void Add(std::string_view bytes) {
    for (char c : bytes) {
      hash_ ^= static_cast<unsigned char>(c);
      hash_ *= 0x100000001b3ull;
    }
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ull;
};

// One streamed upload being taken in: reads a piece, "stores" it (hashes
// it), and asks for the next one on a later loop turn, now and then after
// a pause, like a handler writing to a slow disk.
class Upload {
 public:
  Upload(uv_loop_t* loop, Exchange* exchange) : exchange_(exchange) {
    timer_ = new uv_timer_t;
    uv_timer_init(loop, timer_);
    timer_->data = this;
  }
  ~Upload() {
    uv_close(reinterpret_cast<uv_handle_t*>(timer_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
  }
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;

  void Start() { ReadNext(); }
  bool done() const { return done_; }
  uint64_t largest_piece() const { return largest_piece_; }

 private:
  void ReadNext() {
    exchange_->ReadBody([this](Status status, std::string_view data, bool end) { OnChunk(status, data, end); });
  }

  void OnChunk(const Status& status, std::string_view data, bool end) {
    if (!status.ok()) {
      Finish(500, status.ToString());
      return;
    }
    if (end) {
      Finish(200, std::to_string(bytes_) + " " + std::to_string(hash_.value()));
      return;
    }
    hash_.Add(data);
    bytes_ += data.size();
    largest_piece_ = std::max<uint64_t>(largest_piece_, data.size());
    // The "disk" answers on a later turn; every 32nd piece takes 2 ms.
    uint64_t delay = ++pieces_ % 32 == 0 ? 2 : 0;
    uv_timer_start(timer_, [](uv_timer_t* timer) { static_cast<Upload*>(timer->data)->ReadNext(); }, delay, 0);
  }

  void Finish(int status, std::string body) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    done_ = true;
    exchange_->Respond(std::move(response));
  }

  Exchange* exchange_;
  uv_timer_t* timer_;  // heap: freed in its close callback
  Fnv hash_;
  uint64_t bytes_ = 0;
  uint64_t pieces_ = 0;
  uint64_t largest_piece_ = 0;
  bool done_ = false;
};

// The pattern, served in pieces answered on the next loop turn. Its timer
// dies with it, so no on_data can follow its destruction.
class PatternSource final : public BodySource {
 public:
  PatternSource(uv_loop_t* loop, uint64_t length, std::atomic<int>* destroyed)
      : length_(length), destroyed_(destroyed) {
    timer_ = new uv_timer_t;
    uv_timer_init(loop, timer_);
    timer_->data = this;
  }
  ~PatternSource() override {
    uv_close(reinterpret_cast<uv_handle_t*>(timer_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
    ++*destroyed_;
  }

  void Read(std::function<void(Status, std::string)> on_data) override {
    on_data_ = std::move(on_data);
    uv_timer_start(timer_, [](uv_timer_t* timer) { static_cast<PatternSource*>(timer->data)->Deliver(); }, 0, 0);
  }

 private:
  void Deliver() {
    size_t length = static_cast<size_t>(std::min<uint64_t>(kPieceBytes, length_ - offset_));
    std::string piece = PatternBytes(offset_, length);
    offset_ += length;
    std::function<void(Status, std::string)> on_data = std::move(on_data_);
    on_data(Status::Ok(), std::move(piece));  // last statement: may destroy this
  }

  uv_timer_t* timer_;
  uint64_t length_;
  uint64_t offset_ = 0;
  std::atomic<int>* destroyed_;
  std::function<void(Status, std::string)> on_data_;
};

class HttpStreamServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // As `sluice serve` does: a peer leaving mid-write is an error, not a signal.
    std::signal(SIGPIPE, SIG_IGN);
    ServerOptions options;
    options.port = 0;
    options.stream_body = [](const Request& head) { return head.method == "PUT"; };
    Handler handler = [this](Exchange& exchange) {
      const Request& request = exchange.request();
      if (request.method == "PUT") {
        uploads_.push_back(std::make_unique<Upload>(loop_.loop(), &exchange));
        uploads_.back()->Start();
      } else if (request.path == "/down") {
        Response response;
        response.content_length = kObjectBytes;
        response.body_source = std::make_unique<PatternSource>(loop_.loop(), kObjectBytes, &sources_destroyed_);
        exchange.Respond(std::move(response));
      } else {
        Response response;
        response.body = "plain";
        exchange.Respond(std::move(response));
      }
    };
    Status status = loop_.Run([&] {
      server_ = std::make_unique<Server>(loop_.loop(), options, handler);
      return server_->Listen();
    });
    ASSERT_TRUE(status.ok()) << status.ToString();
    port_ = loop_.Run([&] { return server_->port(); });
  }

  void TearDown() override {
    std::atomic<bool> done{false};
    loop_.Run([&] { server_->Shutdown([&] { done = true; }); });
    EXPECT_TRUE(loop_.WaitFor([&] { return done.load(); })) << "shutdown did not finish";
    loop_.Run([&] {
      server_.reset();
      uploads_.clear();
    });
  }

  LoopThread loop_;  // first: outlives the server
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::vector<std::unique_ptr<Upload>> uploads_;  // loop thread only
  std::atomic<int> sources_destroyed_{0};
};

TEST_F(HttpStreamServerTest, UploadAndDownload64MiB) {
  Client client(port_);
  ASSERT_TRUE(client.connected());
  Fnv sent;
  std::string body = PatternBytes(0, kObjectBytes);
  sent.Add(body);
  ASSERT_TRUE(client.Send("PUT /up HTTP/1.1\r\nContent-Length: " + std::to_string(kObjectBytes) + "\r\n\r\n"));
  ASSERT_TRUE(client.Send(body));
  auto responses = client.ReadResponses(1, milliseconds(60'000));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, std::to_string(kObjectBytes) + " " + std::to_string(sent.value()));
  EXPECT_LE(loop_.Run([&] { return uploads_[0]->largest_piece(); }), 256u * 1024)
      << "a piece larger than stream_buffer_bytes";
  EXPECT_EQ(responses[0].Find("connection"), nullptr);

  // The same connection, kept alive, downloads it back.
  client.received().clear();
  ASSERT_TRUE(client.Send("GET /down HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n"));
  responses = client.ReadResponses(2, milliseconds(60'000));
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].Get("content-length"), std::to_string(kObjectBytes));
  ASSERT_EQ(responses[0].body.size(), kObjectBytes);
  Fnv got;
  got.Add(responses[0].body);
  EXPECT_EQ(got.value(), sent.value()) << "the downloaded bytes differ";
  EXPECT_EQ(responses[1].body, "plain");
  EXPECT_TRUE(loop_.WaitFor([&] { return sources_destroyed_.load() == 1; }));
}

TEST_F(HttpStreamServerTest, ChunkedUploadAfterContinue) {
  Client client(port_);
  ASSERT_TRUE(client.Send("PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.ReadResponses(1);
  ASSERT_EQ(interim.size(), 1u);
  EXPECT_EQ(interim[0].status, 100);
  Fnv sent;
  uint64_t offset = 0;
  std::string wire;
  for (size_t length : {1u, 4096u, 70'000u, 333u, 1u << 20}) {
    std::string chunk = PatternBytes(offset, length);
    offset += length;
    sent.Add(chunk);
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", length);
    wire += size + chunk + "\r\n";
  }
  wire += "0\r\n\r\n";
  ASSERT_TRUE(client.Send(wire));
  auto responses = client.ReadResponses(1, milliseconds(20'000));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, std::to_string(offset) + " " + std::to_string(sent.value()));
}

TEST_F(HttpStreamServerTest, ClientLeavingMidDownloadDestroysTheSource) {
  {
    Client client(port_);
    ASSERT_TRUE(client.Send("GET /down HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(client.ReadSome(milliseconds(5000)));  // the download has begun
  }
  EXPECT_TRUE(loop_.WaitFor([&] { return sources_destroyed_.load() == 1; }));
  EXPECT_TRUE(loop_.WaitFor([&] { return server_->connection_count() == 0; }));
}

}  // namespace
}  // namespace sluice::http
