// The worker's steps against a fake queue and a fake sink on a real loop:
// archive then delete, failures left to their visibility timeout, deletes
// only after durable writes, backoff, and a clean stop.
#include "sluice/workers/worker.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <deque>
#include <map>

namespace sluice::workers {
namespace {

class FakeQueue : public QueueSource {
 public:
  void Receive(const std::string& queue, int max_messages, int wait_seconds, int visibility_timeout,
               ReceiveDone done) override {
    ++receives;
    last_max = max_messages;
    last_wait = wait_seconds;
    last_visibility = visibility_timeout;
    pending_receive = std::move(done);
  }
  void Delete(const std::string& queue, std::vector<std::string> receipt_handles,
              std::function<void(Status)> done) override {
    deleted.insert(deleted.end(), receipt_handles.begin(), receipt_handles.end());
    pending_delete = std::move(done);
  }
  // Answers the outstanding receive.
  void Deliver(std::vector<ReceivedEvent> events) {
    auto done = std::move(pending_receive);
    pending_receive = nullptr;
    done(std::move(events));
  }
  void Fail(Status status) {
    auto done = std::move(pending_receive);
    pending_receive = nullptr;
    done(std::move(status));
  }
  void FinishDelete(Status status = Status::Ok()) {
    auto done = std::move(pending_delete);
    pending_delete = nullptr;
    done(std::move(status));
  }

  int receives = 0;
  int last_max = 0, last_wait = 0, last_visibility = 0;
  ReceiveDone pending_receive;
  std::function<void(Status)> pending_delete;
  std::vector<std::string> deleted;
};

class FakeSink : public ObjectSink {
 public:
  void Put(const std::string& bucket, const std::string& key, const std::string& content_type, std::string body,
           std::function<void(Status)> done) override {
    puts.push_back({bucket, key, content_type, body});
    pending.push_back(std::move(done));
  }
  void Complete(size_t index, Status status = Status::Ok()) {
    auto done = std::move(pending[index]);
    done(std::move(status));
  }
  struct Put_ {
    std::string bucket, key, content_type, body;
  };
  std::vector<Put_> puts;
  std::vector<std::function<void(Status)>> pending;
};

class WorkerTest : public ::testing::Test {
 protected:
  WorkerTest() {
    uv_loop_init(&loop_);
    config_.name = "archiver";
    config_.queue = "payment-events";
    config_.bucket = "payments";
    config_.batch_size = 5;
    config_.wait_seconds = 20;
    config_.required_fields = {"payment_id"};
  }
  ~WorkerTest() override {
    uv_run(&loop_, UV_RUN_NOWAIT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  std::unique_ptr<Worker> MakeWorker() {
    return std::make_unique<Worker>(&loop_, config_, queue_, sink_, clock_);
  }
  void StopAndDrain(Worker& worker) {
    bool stopped = false;
    worker.Stop([&] { stopped = true; });
    if (!stopped && queue_.pending_receive) queue_.Deliver({});  // the server's shutdown wake
    EXPECT_TRUE(stopped);
    uv_run(&loop_, UV_RUN_NOWAIT);
  }

  uv_loop_t loop_;
  WorkerConfig config_;
  FakeQueue queue_;
  FakeSink sink_;
  FakeClock clock_{1'768'471'200'000};  // 2026-01-15T10:00:00Z
};

TEST_F(WorkerTest, ArchivesThenDeletesOnlyDurableObjects) {
  auto worker = MakeWorker();
  worker->Start();
  ASSERT_EQ(queue_.receives, 1);
  EXPECT_EQ(queue_.last_max, 5);
  EXPECT_EQ(queue_.last_wait, 20);
  EXPECT_EQ(queue_.last_visibility, -1);
  queue_.Deliver({{"m1", "r1", R"({"payment_id":"p1","amount":5})"},
                  {"m2", "r2", R"({"payment_id":"p2","amount":6})"}});
  ASSERT_EQ(sink_.puts.size(), 2u);
  EXPECT_EQ(sink_.puts[0].bucket, "payments");
  EXPECT_EQ(sink_.puts[0].body, R"({"payment_id":"p1","amount":5})");
  EXPECT_EQ(sink_.puts[0].content_type, "application/json");
  EXPECT_EQ(sink_.puts[0].key.rfind("raw/dt=2026-01-15/", 0), 0u) << sink_.puts[0].key;
  EXPECT_NE(sink_.puts[0].key, sink_.puts[1].key);
  // Nothing is deleted while an object is not durable yet.
  sink_.Complete(1);
  EXPECT_TRUE(queue_.deleted.empty());
  sink_.Complete(0);
  EXPECT_EQ(queue_.deleted, (std::vector<std::string>{"r2", "r1"}));
  EXPECT_EQ(queue_.receives, 1);  // the next receive waits for the delete
  queue_.FinishDelete();
  EXPECT_EQ(queue_.receives, 2);
  WorkerStatus status = worker->status();
  EXPECT_EQ(status.processed, 2u);
  EXPECT_EQ(status.failed, 0u);
  EXPECT_EQ(status.state, "running");
  StopAndDrain(*worker);
  EXPECT_EQ(worker->status().state, "stopped");
}

TEST_F(WorkerTest, BadMessagesAreLeftForTheirVisibilityTimeout) {
  auto worker = MakeWorker();
  worker->Start();
  queue_.Deliver({{"m1", "r1", "not json"},
                  {"m2", "r2", R"(["an","array"])"},
                  {"m3", "r3", R"({"amount":1})"},
                  {"m4", "r4", R"({"payment_id":null})"},
                  {"m5", "r5", R"({"payment_id":"ok"})"}});
  ASSERT_EQ(sink_.puts.size(), 1u);
  sink_.Complete(0);
  EXPECT_EQ(queue_.deleted, (std::vector<std::string>{"r5"}));
  queue_.FinishDelete();
  WorkerStatus status = worker->status();
  EXPECT_EQ(status.processed, 1u);
  EXPECT_EQ(status.failed, 4u);
  EXPECT_EQ(status.last_error, "message m4: body has no payment_id");
  EXPECT_EQ(status.last_error_at_ms, clock_.NowMillis());
  StopAndDrain(*worker);
}

TEST_F(WorkerTest, SinkFailureKeepsTheMessage) {
  auto worker = MakeWorker();
  worker->Start();
  queue_.Deliver({{"m1", "r1", R"({"payment_id":"p"})"}});
  sink_.Complete(0, Status(Code::kStorageFailed, "disk full"));
  EXPECT_TRUE(queue_.deleted.empty());
  EXPECT_EQ(queue_.receives, 2);
  EXPECT_EQ(worker->status().failed, 1u);
  EXPECT_NE(worker->status().last_error.find("disk full"), std::string::npos);
  StopAndDrain(*worker);
}

TEST_F(WorkerTest, ReceiveErrorBacksOffAndStopEndsTheBackoff) {
  auto worker = MakeWorker();
  worker->Start();
  queue_.Fail(Status(Code::kQueueDoesNotExist, "The specified queue does not exist."));
  EXPECT_EQ(worker->status().state, "backing off");
  EXPECT_EQ(worker->status().receive_error,
            "cannot receive from payment-events: The specified queue does not exist.");
  EXPECT_EQ(queue_.receives, 1);
  bool stopped = false;
  worker->Stop([&] { stopped = true; });
  EXPECT_TRUE(stopped);
  EXPECT_EQ(worker->status().state, "stopped");
  uv_run(&loop_, UV_RUN_DEFAULT);  // the closed timer never fires
  EXPECT_EQ(queue_.receives, 1);
}

TEST_F(WorkerTest, StopWaitsForTheWritesInFlight) {
  auto worker = MakeWorker();
  worker->Start();
  queue_.Deliver({{"m1", "r1", R"({"payment_id":"p"})"}});
  bool stopped = false;
  worker->Stop([&] { stopped = true; });
  EXPECT_FALSE(stopped);
  EXPECT_EQ(worker->status().state, "stopping");
  sink_.Complete(0);
  EXPECT_FALSE(stopped);  // the delete is still to come: never drop a durable object's delete
  queue_.FinishDelete();
  EXPECT_TRUE(stopped);
  EXPECT_EQ(queue_.receives, 1);
  uv_run(&loop_, UV_RUN_NOWAIT);
}

TEST_F(WorkerTest, KeyTemplates) {
  EXPECT_TRUE(CheckKeyTemplate("raw/dt=${date}/${uuid}.json").ok());
  EXPECT_TRUE(CheckKeyTemplate("${message_id}").ok());
  EXPECT_EQ(CheckKeyTemplate("raw/${date}.json").message(),
            "'raw/${date}.json' needs ${uuid} or ${message_id}, or every event would overwrite one object");
  EXPECT_EQ(CheckKeyTemplate("raw/${day}/${uuid}").message(),
            "'raw/${day}/${uuid}' uses ${day}; known: ${date}, ${uuid}, ${message_id}");
  EXPECT_EQ(CheckKeyTemplate("raw/${uuid").message(), "'raw/${uuid' has an unclosed '${'");
  EXPECT_EQ(ExpandKeyTemplate("raw/dt=${date}/${uuid}.json", 1'768'521'599'999, "U", "M"),
            "raw/dt=2026-01-15/U.json");
  EXPECT_EQ(ExpandKeyTemplate("raw/dt=${date}/${message_id}", 1'768'521'600'000, "U", "M"), "raw/dt=2026-01-16/M");
}

}  // namespace
}  // namespace sluice::workers

namespace sluice::workers {
namespace {

TEST_F(WorkerTest, AGoodReceiveClearsTheReceiveError) {
  config_.receive_retry_ms = 1;
  auto worker = MakeWorker();
  worker->Start();
  queue_.Fail(Status(Code::kStorageFailed, "disk gone"));
  EXPECT_FALSE(worker->status().receive_error.empty());
  uv_run(&loop_, UV_RUN_DEFAULT);  // the backoff timer fires once: a new receive is pending
  ASSERT_EQ(queue_.receives, 2);
  queue_.Deliver({{"m1", "r1", "not json"}});  // a bad message is not a receive error
  EXPECT_EQ(worker->status().receive_error, "");
  EXPECT_EQ(worker->status().failed, 2u);
  StopAndDrain(*worker);
}

}  // namespace
}  // namespace sluice::workers
