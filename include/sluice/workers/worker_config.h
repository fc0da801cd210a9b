// One built-in worker as the configuration declares it ("workers" in
// config/schema.json). Plain data.
//
// Threads: any (plain data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::workers {

struct WorkerConfig {
  std::string name;
  std::string queue;          // consumed with the queue engine, in process
  int batch_size = 5;         // ReceiveMessage MaxNumberOfMessages (1..10)
  int wait_seconds = 20;      // long poll (0..20)
  int visibility_timeout = -1;  // -1: the queue's own
  std::vector<std::string> required_fields;  // the body must be a JSON object holding these
  std::string bucket;         // sink bucket the events go to
  // Object key template: ${date} = UTC date the worker processed the message
  // (YYYY-MM-DD), ${uuid} = a new UUID, ${message_id} = the SQS message id.
  std::string key_template = "raw/dt=${date}/${uuid}.json";
  std::string content_type = "application/json";
  bool enabled = true;
  // Pause after a failed receive. Not in the config file; tests shorten it.
  uint64_t receive_retry_ms = 1000;
  size_t declared_index = 0;
};

}  // namespace sluice::workers
