// The queue side of the built-in workers, in process: ReceiveMessage and
// DeleteMessageBatch straight on the engine through the storage thread (no
// HTTP to ourselves), and long polls parked in the same LongPollRegistry as
// SQS clients' — a worker is woken by a send exactly like a remote consumer.
//
// Ownership: owned by ServerProcess; borrows the storage thread, the engine
// host and the registry, which outlive it. Each Receive owns a heap
// PendingReceive until it completes.
// Errors: engine errors are passed to the worker as they are.
// Threads: loop thread only.
#pragma once

#include <functional>
#include <string>

#include "long_poll.h"
#include "sluice/clock.h"
#include "sluice/queue/engine_host.h"
#include "sluice/storage/storage_thread.h"
#include "sluice/workers/worker.h"

namespace sluice::server {

class EngineQueueSource final : public workers::QueueSource {
 public:
  // `wake_queue` wakes a queue's parked receivers (a receive that moved
  // messages to a DLQ, or left more messages behind).
  EngineQueueSource(storage::StorageThread& storage, queue::EngineHost& engine, LongPollRegistry& long_polls,
                    const Clock& clock, std::function<void(const std::string& queue)> wake_queue);

  void Receive(const std::string& queue, int max_messages, int wait_seconds, int visibility_timeout,
               ReceiveDone done) override;
  void Delete(const std::string& queue, std::vector<std::string> receipt_handles,
              std::function<void(Status)> done) override;

  // From now on an empty receive completes at once instead of parking. Call
  // before the registry's WakeAll() at shutdown.
  void BeginShutdown() { shutting_down_ = true; }

 private:
  class PendingReceive;
  void Submit(PendingReceive* pending);

  storage::StorageThread& storage_;
  queue::EngineHost& engine_;
  LongPollRegistry& long_polls_;
  const Clock& clock_;
  std::function<void(const std::string& queue)> wake_queue_;
  bool shutting_down_ = false;
};

}  // namespace sluice::server
