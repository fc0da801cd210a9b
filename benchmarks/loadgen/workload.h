// The base every load generator workload shares (workloads.cc): one libuv
// loop, its connections, per-connection request start times, latency
// samples, the error count and a watchdog that ends the run if the server
// stops answering. A workload implements Next() (issue the connection's next
// request or Finish() it) and Listener::OnReply.
//
// Ownership: owns the loop and the connections; the destructor closes them
// and runs the loop until their close callbacks have freed them.
// Errors: counted in the Report, never fatal (see workloads.h).
// Threads: the thread that calls Run().
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include "http_client.h"
#include "workloads.h"

namespace loadgen {

inline double Seconds(uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1e9; }

// Nearest-rank percentile of sorted samples, in milliseconds.
inline double PercentileMs(const std::vector<uint64_t>& sorted_ns, double fraction) {
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

}  // namespace loadgen
