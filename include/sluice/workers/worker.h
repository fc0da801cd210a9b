// A built-in worker: consumes one queue and writes each message to a sink
// bucket, SQS-consumer style: receive a batch (long poll), check each body,
// write the good ones as objects, delete a message only after its object is
// durable. A message that fails (not a JSON object, a required field
// missing, a sink error) is left alone: its visibility timeout returns it to
// the queue, and after the queue's maxReceiveCount it moves to the DLQ,
// exactly as with an SQS consumer that raised. Delivery to the sink is
// at-least-once: a crash between the object's write and the message's
// delete writes the object again on redelivery, never loses it.
//
// One worker is a state machine with named steps, one step in flight at a
// time:
//   kReceiving -> kWriting (the batch's puts, concurrently) -> kDeleting
//     -> kReceiving ...
//   a failed receive -> kBackingOff (receive_retry_ms, 1 s, then kReceiving)
//   an empty receive with wait_seconds 0 -> kPausing (200 ms, then kReceiving)
//   Stop(): finishes the step in flight, then kStopped.
//
// Ownership: the server owns its workers, the QueueSource and the
// ObjectSink, which outlive them. A worker owns one uv_timer_t (backoff),
// closed by Stop().
// Errors: a worker never stops on an error; the last one is in status().
// Threads: loop thread only, including every callback of QueueSource and
// ObjectSink.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <uv.h>

#include "sluice/clock.h"
#include "sluice/status.h"
#include "sluice/workers/worker_config.h"

namespace sluice::workers {

struct ReceivedEvent {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
};

// The queue side, implemented in process over the queue engine.
class QueueSource {
 public:
  virtual ~QueueSource() = default;
  using ReceiveDone = std::function<void(Result<std::vector<ReceivedEvent>>)>;
  // Up to `max_messages`, waiting up to `wait_seconds` for the first;
  // `visibility_timeout` < 0 means the queue's own. Must complete soon
  // (with no messages) once the server begins shutting down.
  virtual void Receive(const std::string& queue, int max_messages, int wait_seconds, int visibility_timeout,
                       ReceiveDone done) = 0;
  // Deletes by receipt handle; a non-OK Status names the first failure.
  virtual void Delete(const std::string& queue, std::vector<std::string> receipt_handles,
                      std::function<void(Status)> done) = 0;
};

// The sink side: `done` runs once the object is durable (or failed).
class ObjectSink {
 public:
  virtual ~ObjectSink() = default;
  virtual void Put(const std::string& bucket, const std::string& key, const std::string& content_type,
                   std::string body, std::function<void(Status)> done) = 0;
};

struct WorkerStatus {
  std::string name;
  std::string queue;
  std::string bucket;
  std::string state;  // "running", "backing off", "stopping", "stopped"
  uint64_t processed = 0;
  uint64_t failed = 0;
  std::string last_error;  // empty: none
  int64_t last_error_at_ms = 0;
  // Why the worker cannot do its job right now ("" when it can): its last
  // receive failed (the queue is gone, storage failed). Bad messages and
  // sink errors for one object do not count: they are per message.
  std::string receive_error;
};

// Checks an object key template: only ${date}, ${uuid} and ${message_id}
// placeholders, and at least one of ${uuid} / ${message_id} so two events
// never share a key. Error: kInvalidParameterValue naming the problem.
Status CheckKeyTemplate(const std::string& key_template);

// The key for one message: ${date} is the UTC date of `now_ms`.
std::string ExpandKeyTemplate(const std::string& key_template, int64_t now_ms, const std::string& uuid,
                              const std::string& message_id);

class Worker {
 public:
  Worker(uv_loop_t* loop, WorkerConfig config, QueueSource& queue, ObjectSink& sink, const Clock& clock);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void Start();
  // Lets the step in flight finish (a parked receive ends when the server
  // wakes long polls for shutdown), closes the timer, then calls `done`.
  void Stop(std::function<void()> done);

  WorkerStatus status() const;
  // Started and not asked to stop.
  bool running() const { return state_ != State::kIdle && state_ != State::kStopped && !stop_requested_; }
  const WorkerConfig& config() const { return config_; }

 private:
  // kIdle: not started. kPausing: after an empty receive without long poll.
  enum class State { kIdle, kReceiving, kWriting, kDeleting, kBackingOff, kPausing, kStopped };
  struct Batch;

  void Receive();
  void OnReceived(Result<std::vector<ReceivedEvent>> received);
  void Write(const ReceivedEvent& event);
  void OnWritten(size_t index, Status status);
  void Delete();
  void OnDeleted(Status status);
  void BackOff();
  static void OnBackoffTimer(uv_timer_t* timer);
  void NextStep();
  void RecordFailure(std::string error);
  void FinishStop();

  uv_loop_t* loop_;
  const WorkerConfig config_;
  QueueSource& queue_;
  ObjectSink& sink_;
  const Clock& clock_;
  uv_timer_t* backoff_timer_ = nullptr;  // heap-allocated; freed in its close callback
  State state_ = State::kIdle;
  bool stop_requested_ = false;
  std::function<void()> on_stopped_;
  std::unique_ptr<Batch> batch_;
  uint64_t processed_ = 0;
  uint64_t failed_ = 0;
  std::string last_error_;
  int64_t last_error_at_ms_ = 0;
  std::string receive_error_;  // set by a failed receive, cleared by a good one
};

}  // namespace sluice::workers
