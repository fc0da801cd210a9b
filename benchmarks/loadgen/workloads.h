// The load generator's workloads. Each Run* call creates its own libuv loop,
// opens its connections, runs the workload to completion and returns a
// Report; nothing outlives the call.
//
//   fill     SendMessageBatch until `messages` entries were accepted
//            (closed loop: each connection sends its next batch when the
//            previous one is answered).
//   consume  ReceiveMessage (up to 10) then DeleteMessageBatch of what came
//            back, per connection, until `messages` were deleted or the
//            time limit passes.
//   latency  one connection: ReceiveMessage (1 message) timed, then
//            DeleteMessage, then SendMessage of a replacement so that the
//            queue's depth stays constant; repeated `iterations` times per
//            queue. With compare_queue_urls the queues take turns, one
//            iteration each, so that a noisy machine disturbs all alike;
//            samples are reported per queue (q0_ = --queue-url, q1_... =
//            the others in order).
//   fifo     on a FIFO queue, producers and consumers at once: `producers`
//            connections send SendMessageBatch entries spread over `groups`
//            message groups (each group owned by one producer, so its
//            messages are sent in order), `consumers` connections
//            ReceiveMessage (long polling `wait_seconds`) and
//            DeleteMessageBatch, until `messages` were deleted. Consumers
//            check that each group's messages arrive in order (a message
//            older than one already seen in its group is an error).
//            msgs_per_s = messages sent and deleted per second.
//
// Errors: never fatal. Non-200 answers, malformed bodies, failed batch
// entries and transport errors are counted in Report::errors (the first one
// is kept as text); after `max_errors` a workload stops issuing requests, so
// a broken server ends the run quickly instead of being "benchmarked".
// Threads: call from one thread; each call runs its own loop.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace loadgen {

struct Target {
  sockaddr_in address{};
  std::string host;       // for the Host header: "127.0.0.1:4566"
  std::string queue_url;  // as CreateQueue returned it
};

struct Report {
  std::vector<std::pair<std::string, std::string>> fields;  // printed in order
  int64_t errors = 0;
  std::string first_error;

  void Add(std::string key, std::string value);
  void Add(std::string key, double value);
  void Add(std::string key, int64_t value);
  // "RESULT key=value ..." on one line.
  std::string Line() const;
};

struct FillOptions {
  int64_t messages = 100'000;
  int connections = 64;
  int batch_size = 10;
  size_t body_bytes = 64;
  int64_t max_errors = 100;
};

struct ConsumeOptions {
  int64_t messages = 100'000;
  int connections = 16;
  double max_seconds = 30;
  int max_messages = 10;
  int64_t max_errors = 100;
};

struct LatencyOptions {
  std::vector<std::string> compare_queue_urls;
  int iterations = 1000;  // per queue
  int warmup = 50;  // iterations run first and not recorded
  size_t body_bytes = 64;
  int64_t max_errors = 100;
};

struct FifoOptions {
  int64_t messages = 100'000;
  int groups = 100;
  int producers = 8;
  int consumers = 16;
  int batch_size = 10;
  int wait_seconds = 1;
  size_t body_bytes = 64;
  double max_seconds = 120;
  int64_t max_errors = 100;
};

Report RunFill(const Target& target, const FillOptions& options);
Report RunConsume(const Target& target, const ConsumeOptions& options);
Report RunLatency(const Target& target, const LatencyOptions& options);
Report RunFifo(const Target& target, const FifoOptions& options);

}  // namespace loadgen
