// Plain HTTP endpoints outside the AWS protocols:
//   GET /health                               -> 200 {"status":"ok",...}; 503 once storage failed
//   GET /_sluice/v1/queues/NAME/messages?max=N -> messages without receiving them (sluice dlq peek)
// Errors use SQS's JSON error shape, so one client parses both.
//
// Ownership: borrows the storage thread and engine host.
// Threads: loop thread only.
#pragma once

#include <string>

#include "sluice/queue/engine_host.h"
#include "sluice/http/server.h"
#include "sluice/storage/storage_thread.h"

namespace sluice::server {

class AdminService {
 public:
  AdminService(storage::StorageThread& storage, queue::EngineHost& engine, std::string data_dir);

  // Handles the request if it is one of ours; false leaves it to others.
  bool Handle(http::Exchange& exchange);

 private:
  void Health(http::Exchange& exchange);
  void PeekMessages(http::Exchange& exchange, std::string queue_name);

  storage::StorageThread& storage_;
  queue::EngineHost& engine_;
  const std::string data_dir_;
};

}  // namespace sluice::server
