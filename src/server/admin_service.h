// Plain HTTP endpoints outside the AWS protocols:
//   GET /health, /healthcheck                 -> 200 {"status":"ok",...}; 503 once storage failed
//   GET /health/live                          -> 200 while the loop serves HTTP
//   GET /health/ready                         -> 200, or 503 with the reason (storage, shutdown, workers)
//   GET /_sluice/v1/queues/NAME/messages?max=N -> messages without receiving them (sluice dlq peek)
//   GET /_sluice/v1/workers                   -> each built-in worker's counters
// See docs/ADMIN_API.md. Peek errors use SQS's JSON error shape, so one
// client parses both.
//
// Ownership: borrows the storage thread and engine host.
// Threads: loop thread only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sluice/queue/engine_host.h"
#include "sluice/http/server.h"
#include "sluice/storage/storage_thread.h"
#include "sluice/workers/worker.h"

namespace sluice::server {

class AdminService {
 public:
  struct Probes {
    // Why the server is not ready ("" when it is): storage writable, not
    // shutting down, every worker running.
    std::function<std::string()> not_ready_reason;
    std::function<std::vector<workers::WorkerStatus>()> workers;
    // ReceiveMessage calls parked as long polls right now (GET /health).
    std::function<size_t()> parked_receives;
  };
  AdminService(storage::StorageThread& storage, queue::EngineHost& engine, std::string data_dir, Probes probes);

  // Handles the request if it is one of ours; false leaves it to others.
  bool Handle(http::Exchange& exchange);

 private:
  void Health(http::Exchange& exchange);
  void Ready(http::Exchange& exchange);
  void Workers(http::Exchange& exchange);
  void PeekMessages(http::Exchange& exchange, std::string queue_name);

  storage::StorageThread& storage_;
  queue::EngineHost& engine_;
  const std::string data_dir_;
  const Probes probes_;
};

}  // namespace sluice::server
