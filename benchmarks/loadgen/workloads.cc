#include "workloads.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <memory>
#include <utility>

#include <uv.h>

#include "http_client.h"
#include "sqs_requests.h"
#include "workload.h"

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

// Connections [0, producers) produce; the rest consume. Producer p owns the
// groups g with g % producers == p, so a group's messages leave one
// connection, one batch at a time, in order.
class FifoWorkload : public Workload {
 public:
  explicit FifoWorkload(const Target& target, const FifoOptions& options)
      : Workload(target, options.producers + options.consumers, options.max_errors,
                 options.max_seconds + 60),
        options_(options),
        run_id_(std::to_string(uv_hrtime())),
        padding_(MakeMessageBody(options.body_bytes)),
        receive_body_(ReceiveMessageBody(target.queue_url, 10, options.wait_seconds)),
        next_sequence_(options.groups, 0),
        last_seen_(options.groups, -1),
        group_cursor_(options.producers, 0),
        entries_in_flight_(options.producers + options.consumers, 0),
        handles_(options.producers + options.consumers) {}

  Report Result() {
    double seconds = Seconds((last_delete_ns_ > start_ns_ ? last_delete_ns_ : end_ns_) - start_ns_);
    report_.Add("mode", std::string("fifo"));
    report_.Add("groups", static_cast<int64_t>(options_.groups));
    report_.Add("throttled", throttled_);
    report_.Add("sent", accepted_);
    report_.Add("messages", deleted_);
    report_.Add("empty_receives", empty_receives_);
    report_.Add("order_violations", order_violations_);
    report_.Add("seconds", seconds);
    report_.Add("msgs_per_s", seconds > 0 ? static_cast<double>(deleted_) / seconds : 0.0);
    AddLatencies(std::move(send_latencies_ns_), "batch");
    AddLatencies(std::move(receive_latencies_ns_), "receive");
    return report_;
  }

  void OnReply(Connection& connection, int status, std::string_view body) override {
    if (IsProducer(connection)) {
      OnSent(connection, status, body);
    } else if (handles_[connection.id()].empty()) {
      OnReceived(connection, status, body);
    } else {
      OnDeleted(connection, status, body);
    }
  }

 private:
  bool IsProducer(const Connection& connection) const { return connection.id() < options_.producers; }

  // A FIFO queue's throughput quota refused the call (ThrottlingException):
  // counted, not an error. The call is simply made again, as an SDK would
  // after its backoff (without the backoff: this measures the quota).
  bool Throttled(int status, std::string_view body) {
    if (status != 400 || body.find("RequestThrottled") == std::string_view::npos) return false;
    ++throttled_;
    return true;
  }

  void OnSent(Connection& connection, int status, std::string_view body) {
    send_latencies_ns_.push_back(Elapsed(connection));
    produced_in_flight_ -= std::exchange(entries_in_flight_[connection.id()], 0);
    BatchOutcome outcome;
    if (Throttled(status, body)) {
      // Not sent: the next batch carries new sequence numbers (a gap, not
      // an order violation).
    } else if (CheckStatus(status, body)) {
      if (!ReadBatchOutcome(body, &outcome)) {
        CountError("malformed SendMessageBatch response: " + std::string(body.substr(0, 300)));
      } else {
        accepted_ += outcome.successful;
        if (outcome.failed > 0) CountError("SendMessageBatch entry failed: " + outcome.first_failure);
      }
    }
    Next(connection);
  }

  void OnReceived(Connection& connection, int status, std::string_view body) {
    receive_latencies_ns_.push_back(Elapsed(connection));
    std::vector<std::string>& handles = handles_[connection.id()];
    std::vector<std::string> bodies;
    if (Throttled(status, body)) {
      Next(connection);
      return;
    }
    if (CheckStatus(status, body) && !ReadMessages(body, &handles, &bodies)) {
      CountError("malformed ReceiveMessage response: " + std::string(body.substr(0, 300)));
      handles.clear();
    }
    if (handles.empty()) {
      if (status == 200) ++empty_receives_;
      Next(connection);
      return;
    }
    for (const std::string& text : bodies) CheckOrder(text);
    claimed_ += static_cast<int64_t>(handles.size());
    Send(connection, "DeleteMessageBatch", DeleteMessageBatchBody(target_.queue_url, handles));
  }

  void OnDeleted(Connection& connection, int status, std::string_view body) {
    std::vector<std::string>& handles = handles_[connection.id()];
    if (Throttled(status, body)) {  // the same handles again: the group stays blocked until then
      Send(connection, "DeleteMessageBatch", DeleteMessageBatchBody(target_.queue_url, handles));
      return;
    }
    claimed_ -= static_cast<int64_t>(handles.size());
    handles.clear();
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

  // Bodies are "<group>:<sequence>:<padding>".
  void CheckOrder(const std::string& text) {
    int group = 0;
    long long sequence = 0;
    if (std::sscanf(text.c_str(), "%d:%lld:", &group, &sequence) != 2 || group < 0 ||
        group >= options_.groups) {
      CountError("unexpected message body: " + text.substr(0, 80));
      return;
    }
    if (sequence <= last_seen_[group]) {
      ++order_violations_;
      CountError("group " + std::to_string(group) + ": message " + std::to_string(sequence) +
                 " after " + std::to_string(last_seen_[group]));
    }
    last_seen_[group] = std::max<int64_t>(last_seen_[group], sequence);
  }

  void Failed(Connection& connection) override {
    produced_in_flight_ -= std::exchange(entries_in_flight_[connection.id()], 0);
    claimed_ -= static_cast<int64_t>(handles_[connection.id()].size());
    handles_[connection.id()].clear();
    Next(connection);
  }

  void Next(Connection& connection) override {
    const bool time_up = Seconds(uv_hrtime() - start_ns_) >= options_.max_seconds;
    if (IsProducer(connection)) {
      int64_t remaining = options_.messages - accepted_ - produced_in_flight_;
      if (remaining <= 0 || time_up || GivingUp()) {
        Finish(connection);
        return;
      }
      SendBatch(connection, static_cast<int>(std::min<int64_t>(options_.batch_size, remaining)));
      return;
    }
    // Messages other consumers hold will be deleted by them; stop asking.
    if (deleted_ + claimed_ >= options_.messages || time_up || GivingUp()) {
      Finish(connection);
      return;
    }
    Send(connection, "ReceiveMessage", receive_body_);
  }

  void SendBatch(Connection& connection, int count) {
    const int producer = connection.id();
    std::vector<FifoEntry> entries;
    for (int i = 0; i < count; ++i) {
      // The producer's groups in turn: producer, producer + P, ...
      int owned = (options_.groups - producer + options_.producers - 1) / options_.producers;
      int group = producer + (group_cursor_[producer]++ % owned) * options_.producers;
      int64_t sequence = next_sequence_[group]++;
      FifoEntry& entry = entries.emplace_back();
      char text[64];
      std::snprintf(text, sizeof text, "g%d", group);
      entry.group_id = text;
      std::snprintf(text, sizeof text, "-%d-%lld", group, static_cast<long long>(sequence));
      entry.deduplication_id = run_id_;
      entry.deduplication_id += text;
      std::snprintf(text, sizeof text, "%d:%lld:", group, static_cast<long long>(sequence));
      entry.body = text;
      entry.body += padding_;
    }
    entries_in_flight_[producer] = count;
    produced_in_flight_ += count;
    Send(connection, "SendMessageBatch", FifoSendMessageBatchBody(target_.queue_url, entries));
  }

  FifoOptions options_;
  std::string run_id_;  // makes deduplication ids unique across runs on one queue
  std::string padding_;
  std::string receive_body_;
  std::vector<int64_t> next_sequence_;  // per group
  std::vector<int64_t> last_seen_;      // per group, -1: none yet
  std::vector<int> group_cursor_;       // per producer
  std::vector<int> entries_in_flight_;  // per producer connection
  std::vector<std::vector<std::string>> handles_;  // per consumer: being deleted
  int64_t produced_in_flight_ = 0;
  int64_t claimed_ = 0;
  int64_t accepted_ = 0;
  int64_t deleted_ = 0;
  int64_t empty_receives_ = 0;
  int64_t throttled_ = 0;
  int64_t order_violations_ = 0;
  uint64_t last_delete_ns_ = 0;
  std::vector<uint64_t> send_latencies_ns_;
  std::vector<uint64_t> receive_latencies_ns_;
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

Report RunFifo(const Target& target, const FifoOptions& options) {
  FifoWorkload workload(target, options);
  workload.Run();
  return workload.Result();
}

}  // namespace loadgen
