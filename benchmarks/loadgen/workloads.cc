#include "workloads.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <memory>

#include <uv.h>

#include "http_client.h"
#include "sqs_requests.h"

namespace loadgen {

void Report::Add(std::string key, double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3f", value);
  fields.emplace_back(std::move(key), text);
}

void Report::Add(std::string key, std::string value) { fields.emplace_back(std::move(key), std::move(value)); }

void Report::Add(std::string key, int64_t value) { fields.emplace_back(std::move(key), std::to_string(value)); }

std::string Report::Line() const {
  std::string line = "RESULT";
  for (const auto& [key, value] : fields) line += " " + key + "=" + value;
  line += " errors=" + std::to_string(errors);
  return line;
}

namespace {

double Seconds(uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1e9; }

// Nearest-rank percentile of sorted samples, in milliseconds.
double PercentileMs(const std::vector<uint64_t>& sorted_ns, double fraction) {
  if (sorted_ns.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted_ns.size())));
  size_t index = std::min(sorted_ns.size() - 1, rank == 0 ? 0 : rank - 1);
  return static_cast<double>(sorted_ns[index]) / 1e6;
}

// What every workload shares: the loop, the connections, per-connection
// request start times, the latency samples, the error count, and a watchdog
// that ends the run if the server stops answering.
class Workload : public Listener {
 public:
  Workload(const Target& target, int connections, int64_t max_errors, double watchdog_seconds)
      : target_(target), max_errors_(max_errors) {
    uv_loop_init(&loop_);
    for (int i = 0; i < connections; ++i) {
      connections_.push_back(std::make_unique<Connection>(&loop_, target.address, this, i));
    }
    started_at_ns_.assign(connections, 0);
    open_connections_ = connections;
    uv_timer_init(&loop_, &watchdog_);
    watchdog_.data = this;
    uv_timer_start(&watchdog_, OnWatchdog, static_cast<uint64_t>(watchdog_seconds * 1000), 0);
  }

  ~Workload() override {
    auto* watchdog = reinterpret_cast<uv_handle_t*>(&watchdog_);
    if (!uv_is_closing(watchdog)) uv_close(watchdog, nullptr);
    connections_.clear();
    uv_run(&loop_, UV_RUN_DEFAULT);  // lets the close callbacks free the sockets
    uv_loop_close(&loop_);
  }

  // Runs until every connection has finished.
  void Run() {
    start_ns_ = uv_hrtime();
    for (auto& connection : connections_) Next(*connection);
    uv_run(&loop_, UV_RUN_DEFAULT);
  }

  void OnError(Connection& connection, int uv_error) override {
    CountError(std::string("transport: ") + uv_strerror(uv_error));
    Failed(connection);
  }

 protected:
  // Issues the connection's next request, or calls Finish().
  virtual void Next(Connection& connection) = 0;
  // The request in flight on `connection` got no usable answer.
  virtual void Failed(Connection& connection) { Next(connection); }

  void Send(Connection& connection, std::string_view action, const std::string& body) {
    started_at_ns_[connection.id()] = uv_hrtime();
    connection.Send(JsonRequest(target_.host, action, body));
  }

  // Nanoseconds since the connection's last Send().
  uint64_t Elapsed(const Connection& connection) const { return uv_hrtime() - started_at_ns_[connection.id()]; }

  void Finish(Connection& connection) {
    connection.Close();
    if (--open_connections_ == 0 && !timed_out_) {
      end_ns_ = uv_hrtime();
      uv_close(reinterpret_cast<uv_handle_t*>(&watchdog_), nullptr);
    }
  }

  // Returns true when the answer is usable; otherwise counts it.
  bool CheckStatus(int status, std::string_view body) {
    if (status == 200) return true;
    CountError("HTTP " + std::to_string(status) + ": " + std::string(body.substr(0, 300)));
    return false;
  }

  void CountError(std::string what) {
    if (report_.errors++ == 0) {
      report_.first_error = std::move(what);
      std::fprintf(stderr, "loadgen: first error: %s\n", report_.first_error.c_str());
    }
  }

  bool GivingUp() const { return report_.errors >= max_errors_ || timed_out_; }

  void AddLatencies(std::vector<uint64_t> samples, const std::string& prefix) {
    std::sort(samples.begin(), samples.end());
    report_.Add(prefix + "_count", static_cast<int64_t>(samples.size()));
    report_.Add(prefix + "_p50_ms", PercentileMs(samples, 0.50));
    report_.Add(prefix + "_p90_ms", PercentileMs(samples, 0.90));
    report_.Add(prefix + "_p99_ms", PercentileMs(samples, 0.99));
    report_.Add(prefix + "_max_ms", PercentileMs(samples, 1.0));
  }

  static void OnWatchdog(uv_timer_t* timer) {
    auto* self = static_cast<Workload*>(timer->data);
    self->timed_out_ = true;
    self->end_ns_ = uv_hrtime();
    self->CountError("watchdog: the run took too long; connections closed");
    for (auto& connection : self->connections_) connection->Close();
    uv_close(reinterpret_cast<uv_handle_t*>(timer), nullptr);
  }

  const Target& target_;
  uv_loop_t loop_;
  uv_timer_t watchdog_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<uint64_t> started_at_ns_;
  int open_connections_ = 0;
  int64_t max_errors_;
  bool timed_out_ = false;
  uint64_t start_ns_ = 0;
  uint64_t end_ns_ = 0;
  Report report_;
};

class FillWorkload : public Workload {
 public:
  explicit FillWorkload(const Target& target, const FillOptions& options)
      : Workload(target, options.connections, options.max_errors, 3600),
        options_(options),
        message_body_(MakeMessageBody(options.body_bytes)),
        entries_in_flight_(options.connections, 0) {}

  Report Result() {
    double seconds = Seconds(end_ns_ - start_ns_);
    report_.Add("mode", std::string("fill"));
    report_.Add("messages", accepted_);
    report_.Add("requests", static_cast<int64_t>(latencies_ns_.size()));
    report_.Add("seconds", seconds);
    report_.Add("msgs_per_s", seconds > 0 ? static_cast<double>(accepted_) / seconds : 0.0);
    AddLatencies(std::move(latencies_ns_), "batch");
    return report_;
  }

  void OnReply(Connection& connection, int status, std::string_view body) override {
    latencies_ns_.push_back(Elapsed(connection));
    int sent = std::exchange(entries_in_flight_[connection.id()], 0);
    total_in_flight_ -= sent;
    BatchOutcome outcome;
    if (CheckStatus(status, body)) {
      if (!ReadBatchOutcome(body, &outcome)) {
        CountError("malformed SendMessageBatch response: " + std::string(body.substr(0, 300)));
      } else {
        accepted_ += outcome.successful;
        if (outcome.failed > 0) CountError("SendMessageBatch entry failed: " + outcome.first_failure);
      }
    }
    Next(connection);
  }

 private:
  void Failed(Connection& connection) override {
    total_in_flight_ -= std::exchange(entries_in_flight_[connection.id()], 0);
    Next(connection);
  }

  void Next(Connection& connection) override {
    int64_t remaining = options_.messages - accepted_ - total_in_flight_;
    if (remaining <= 0 || GivingUp()) {
      Finish(connection);
      return;
    }
    int count = static_cast<int>(std::min<int64_t>(options_.batch_size, remaining));
    entries_in_flight_[connection.id()] = count;
    total_in_flight_ += count;
    if (count != static_cast<int>(batch_body_count_)) {
      batch_body_ = SendMessageBatchBody(target_.queue_url, count, message_body_);
      batch_body_count_ = count;
    }
    Send(connection, "SendMessageBatch", batch_body_);
  }

  FillOptions options_;
  std::string message_body_;
  std::string batch_body_;  // every batch is the same bytes; built once per size
  size_t batch_body_count_ = 0;
  std::vector<int> entries_in_flight_;
  int64_t total_in_flight_ = 0;
  int64_t accepted_ = 0;
  std::vector<uint64_t> latencies_ns_;
};

class ConsumeWorkload : public Workload {
 public:
  explicit ConsumeWorkload(const Target& target, const ConsumeOptions& options)
      : Workload(target, options.connections, options.max_errors, options.max_seconds + 60),
        options_(options),
        receive_body_(ReceiveMessageBody(target.queue_url, options.max_messages)),
        steps_(options.connections),
        handles_(options.connections) {}

  Report Result() {
    // The rate is over the span in which deletions happened: a consumer's
    // last, empty receives do not count against it.
    double seconds = Seconds((last_delete_ns_ > start_ns_ ? last_delete_ns_ : end_ns_) - start_ns_);
    report_.Add("mode", std::string("consume"));
    report_.Add("messages", deleted_);
    report_.Add("received", received_);
    report_.Add("empty_receives", empty_receives_);
    report_.Add("seconds", seconds);
    report_.Add("msgs_per_s", seconds > 0 ? static_cast<double>(deleted_) / seconds : 0.0);
    AddLatencies(std::move(receive_latencies_ns_), "receive");
    return report_;
  }

  void OnReply(Connection& connection, int status, std::string_view body) override {
    int id = connection.id();
    if (steps_[id] == Step::kReceive) {
      receive_latencies_ns_.push_back(Elapsed(connection));
      if (CheckStatus(status, body) && !ReadReceiptHandles(body, &handles_[id])) {
        CountError("malformed ReceiveMessage response: " + std::string(body.substr(0, 300)));
      }
      if (status != 200 || handles_[id].empty()) {
        if (status == 200) ++empty_receives_;
        handles_[id].clear();
        Next(connection);
        return;
      }
      received_ += static_cast<int64_t>(handles_[id].size());
      handles_in_flight_ += static_cast<int64_t>(handles_[id].size());
      steps_[id] = Step::kDelete;
      Send(connection, "DeleteMessageBatch", DeleteMessageBatchBody(target_.queue_url, handles_[id]));
      return;
    }
    // Step::kDelete
    handles_in_flight_ -= static_cast<int64_t>(handles_[id].size());
    handles_[id].clear();
    BatchOutcome outcome;
    if (CheckStatus(status, body)) {
      if (!ReadBatchOutcome(body, &outcome)) {
        CountError("malformed DeleteMessageBatch response: " + std::string(body.substr(0, 300)));
      } else {
        deleted_ += outcome.successful;
        last_delete_ns_ = uv_hrtime();
        if (outcome.failed > 0) CountError("DeleteMessageBatch entry failed: " + outcome.first_failure);
      }
    }
    Next(connection);
  }

 private:
  enum class Step { kReceive, kDelete };

  void Failed(Connection& connection) override {
    handles_in_flight_ -= static_cast<int64_t>(handles_[connection.id()].size());
    handles_[connection.id()].clear();
    Next(connection);
  }

  void Next(Connection& connection) override {
    bool time_up = Seconds(uv_hrtime() - start_ns_) >= options_.max_seconds;
    // Messages other consumers hold will be deleted by them; stop asking.
    bool all_claimed = deleted_ + handles_in_flight_ >= options_.messages;
    if (time_up || all_claimed || GivingUp()) {
      Finish(connection);
      return;
    }
    steps_[connection.id()] = Step::kReceive;
    Send(connection, "ReceiveMessage", receive_body_);
  }

  ConsumeOptions options_;
  std::string receive_body_;
  std::vector<Step> steps_;
  std::vector<std::vector<std::string>> handles_;  // per connection: being deleted
  int64_t handles_in_flight_ = 0;
  int64_t received_ = 0;
  int64_t deleted_ = 0;
  int64_t empty_receives_ = 0;
  uint64_t last_delete_ns_ = 0;
  std::vector<uint64_t> receive_latencies_ns_;
};

class LatencyWorkload : public Workload {
 public:
  explicit LatencyWorkload(const Target& target, const LatencyOptions& options)
      : Workload(target, 1, options.max_errors, 600), options_(options) {
    std::vector<std::string> urls = {target.queue_url};
    urls.insert(urls.end(), options.compare_queue_urls.begin(), options.compare_queue_urls.end());
    std::string message_body = MakeMessageBody(options.body_bytes);
    for (const std::string& url : urls) {
      queues_.push_back(Queue{url, ReceiveMessageBody(url, 1), SendMessageBody(url, message_body), {}});
    }
  }

  Report Result() {
    report_.Add("mode", std::string("latency"));
    report_.Add("queues", static_cast<int64_t>(queues_.size()));
    report_.Add("empty_receives", empty_receives_);
    for (size_t i = 0; i < queues_.size(); ++i) {
      std::string prefix = "q";
      prefix += std::to_string(i);
      prefix += "_receive";
      AddLatencies(std::move(queues_[i].receive_latencies_ns), prefix);
    }
    return report_;
  }

  void OnReply(Connection& connection, int status, std::string_view body) override {
    Queue& queue = Current();
    switch (step_) {
      case Step::kReceive: {
        uint64_t latency = Elapsed(connection);
        std::vector<std::string> handles;
        if (!CheckStatus(status, body)) break;
        if (!ReadReceiptHandles(body, &handles)) {
          CountError("malformed ReceiveMessage response: " + std::string(body.substr(0, 300)));
          break;
        }
        if (handles.empty()) {
          ++empty_receives_;
          CountError("ReceiveMessage returned no message; the queue should never be empty here");
          break;
        }
        if (Round() >= options_.warmup) queue.receive_latencies_ns.push_back(latency);
        step_ = Step::kDelete;
        Send(connection, "DeleteMessage", DeleteMessageBody(queue.url, handles.front()));
        return;
      }
      case Step::kDelete:
        CheckStatus(status, body);
        step_ = Step::kReplenish;
        Send(connection, "SendMessage", queue.send_body);
        return;
      case Step::kReplenish:
        CheckStatus(status, body);
        break;
    }
    ++iteration_;
    Next(connection);
  }

 private:
  enum class Step { kReceive, kDelete, kReplenish };

  struct Queue {
    std::string url;
    std::string receive_body;
    std::string send_body;
    std::vector<uint64_t> receive_latencies_ns;
  };

  // Iteration i works on queue i mod n: every queue sees the same moments.
  Queue& Current() { return queues_[static_cast<size_t>(iteration_) % queues_.size()]; }
  int Round() const { return iteration_ / static_cast<int>(queues_.size()); }

  void Failed(Connection& connection) override {
    ++iteration_;
    Next(connection);
  }

  void Next(Connection& connection) override {
    if (Round() >= options_.warmup + options_.iterations || GivingUp()) {
      Finish(connection);
      return;
    }
    step_ = Step::kReceive;
    Send(connection, "ReceiveMessage", Current().receive_body);
  }

  LatencyOptions options_;
  std::vector<Queue> queues_;
  Step step_ = Step::kReceive;
  int iteration_ = 0;
  int64_t empty_receives_ = 0;
};

}  // namespace

Report RunFill(const Target& target, const FillOptions& options) {
  FillWorkload workload(target, options);
  workload.Run();
  return workload.Result();
}

Report RunConsume(const Target& target, const ConsumeOptions& options) {
  ConsumeWorkload workload(target, options);
  workload.Run();
  return workload.Result();
}

Report RunLatency(const Target& target, const LatencyOptions& options) {
  LatencyWorkload workload(target, options);
  workload.Run();
  return workload.Result();
}

}  // namespace loadgen
