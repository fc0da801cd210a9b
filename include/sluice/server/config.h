// The server's configuration: the embedded config/default.json, with an
// optional user file merged over it, validated against config/schema.json
// and then checked for meaning (every dead-letter queue declared, the listen
// address parseable).
//
// Errors: LoadConfig returns kInvalidParameterValue with one message naming
// the file, the key (a JSON path such as queues[2].dead_letter.queue) and the
// problem, e.g. "config /etc/sluice.json: queues[0].attributes.Visibility:
// unknown key". Nothing is started on a bad configuration.
//
// Threads: any (pure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sluice/gateway/route.h"
#include "sluice/queue/engine.h"
#include "sluice/queue/types.h"
#include "sluice/sink/sink_config.h"
#include "sluice/status.h"
#include "sluice/storage/storage_thread.h"
#include "sluice/workers/worker_config.h"

namespace sluice::server {

struct QueueConfig {
  std::string name;
  queue::AttributeMap attributes;  // SQS attribute names, values as strings
  std::string dead_letter_queue;   // empty: none
  int max_receive_count = 0;
  queue::TagMap tags;
  size_t declared_index = 0;  // position in the file's "queues", for error messages
};

struct Config {
  std::string source = "(embedded default)";  // the file the queues came from, for error messages
  std::string listen_host = "127.0.0.1";
  int listen_port = 4566;
  std::string data_dir = "./sluice-data";
  storage::Durability durability = storage::Durability::kFull;
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
  std::string log_level = "info";

  size_t max_connections = 10'000;
  size_t max_header_bytes = 64 * 1024;
  size_t max_body_bytes = 8 * 1024 * 1024;
  uint64_t header_timeout_ms = 10'000;
  uint64_t body_timeout_ms = 60'000;
  uint64_t idle_timeout_ms = 75'000;

  uint64_t retention_sweep_interval_ms = 1'000;
  uint64_t move_task_tick_ms = 200;
  uint64_t dedup_sweep_interval_ms = 60'000;

  // sqs.fifo_throughput: SQS's FIFO throughput quotas (ThrottlingException).
  queue::FifoQuotas fifo_quotas;

  // In an order that creates every dead-letter queue before its sources.
  std::vector<QueueConfig> queues;

  // Ingest routes; every target queue is a declared queue, the dedup key
  // and target field are required fields of the route's schema.
  std::vector<gateway::RouteConfig> routes;
  // Paths relative to the process's directory as given; "" = under data_dir.
  // Every worker's bucket is in sink.buckets.
  sink::SinkConfig sink;
  // Every worker's queue is a declared queue.
  std::vector<workers::WorkerConfig> workers;
};

// Loads the embedded default, merges `user_file` over it when given.
Result<Config> LoadConfig(const std::optional<std::string>& user_file);

// Parses and validates a configuration document (for tests). `source` names
// it in error messages.
Result<Config> ParseConfig(const std::string& user_json, const std::string& source);

// "HOST:PORT" or "[V6]:PORT" -> host, port.
Status ParseListenAddress(const std::string& address, std::string* host, int* port);

}  // namespace sluice::server
