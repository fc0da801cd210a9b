#include "sluice/workers/worker.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <spdlog/spdlog.h>

#include "queue/random_ids.h"

namespace sluice::workers {
namespace {

// A worker configured not to long poll (wait_seconds 0) pauses this long
// after an empty receive instead of spinning on the storage thread.
constexpr uint64_t kEmptyPollPauseMs = 200;

// Why `body` cannot be archived, or "" when it can.
std::string CheckBody(const std::string& body, const std::vector<std::string>& required_fields) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError()) return "body is not JSON";
  if (!document.IsObject()) return "body is not a JSON object";
  for (const std::string& field : required_fields) {
    auto member = document.FindMember(field.c_str());
    if (member == document.MemberEnd() || member->value.IsNull()) return fmt::format("body has no {}", field);
  }
  return "";
}

}  // namespace

struct Worker::Batch {
  std::vector<ReceivedEvent> events;
  std::vector<std::string> durable_receipts;  // objects written: these messages may go
  size_t pending_writes = 0;
};

Worker::Worker(uv_loop_t* loop, WorkerConfig config, QueueSource& queue, ObjectSink& sink, const Clock& clock)
    : loop_(loop), config_(std::move(config)), queue_(queue), sink_(sink), clock_(clock) {}

Worker::~Worker() {
  // Stop() normally closed it; a never-started or never-stopped worker
  // still must not leak an open handle.
  if (backoff_timer_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(backoff_timer_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
  }
}

void Worker::Start() {
  if (backoff_timer_ == nullptr) {
    backoff_timer_ = new uv_timer_t;
    uv_timer_init(loop_, backoff_timer_);
    backoff_timer_->data = this;
  }
  spdlog::info("worker {}: consuming {} into bucket {}", config_.name, config_.queue, config_.bucket);
  Receive();
}

void Worker::Receive() {
  state_ = State::kReceiving;
  queue_.Receive(config_.queue, config_.batch_size, config_.wait_seconds, config_.visibility_timeout,
                 [this](Result<std::vector<ReceivedEvent>> received) { OnReceived(std::move(received)); });
}

void Worker::OnReceived(Result<std::vector<ReceivedEvent>> received) {
  if (!received.ok()) {
    RecordFailure(fmt::format("cannot receive from {}: {}", config_.queue, received.status().message()));
    receive_error_ = last_error_;
    BackOff();
    return;
  }
  receive_error_.clear();
  if (received->empty()) {
    if (config_.wait_seconds == 0 && !stop_requested_) {
      state_ = State::kPausing;
      uv_timer_start(backoff_timer_, &Worker::OnBackoffTimer, kEmptyPollPauseMs, 0);
      return;
    }
    NextStep();
    return;
  }
  batch_ = std::make_unique<Batch>();
  batch_->events = std::move(received.value());
  state_ = State::kWriting;
  // One extra count held while the puts are issued, so a put that completes
  // at once cannot end the step before every put is out.
  batch_->pending_writes = 1;
  for (size_t i = 0; i < batch_->events.size(); ++i) {
    const ReceivedEvent& event = batch_->events[i];
    std::string problem = CheckBody(event.body, config_.required_fields);
    if (!problem.empty()) {
      RecordFailure(fmt::format("message {}: {}", event.message_id, problem));
      continue;
    }
    ++batch_->pending_writes;
    std::string key = ExpandKeyTemplate(config_.key_template, clock_.NowMillis(), queue::NewUuid(), event.message_id);
    sink_.Put(config_.bucket, key, config_.content_type, event.body,
              [this, i, key](Status status) {
                if (!status.ok()) {
                  RecordFailure(fmt::format("message {}: cannot write {}/{}: {}", batch_->events[i].message_id,
                                            config_.bucket, key, status.message()));
                }
                OnWritten(i, std::move(status));
              });
  }
  if (--batch_->pending_writes == 0) Delete();  // the guard's count
}

void Worker::OnWritten(size_t index, Status status) {
  // The message may be deleted only now: its object is durable.
  if (status.ok()) batch_->durable_receipts.push_back(batch_->events[index].receipt_handle);
  if (--batch_->pending_writes == 0) Delete();
}

void Worker::Delete() {
  if (batch_->durable_receipts.empty()) {
    batch_.reset();
    NextStep();
    return;
  }
  state_ = State::kDeleting;
  queue_.Delete(config_.queue, batch_->durable_receipts, [this](Status status) { OnDeleted(std::move(status)); });
}

void Worker::OnDeleted(Status status) {
  if (status.ok()) {
    processed_ += batch_->durable_receipts.size();
  } else {
    // The objects are durable; the messages come back after their visibility
    // timeout and are archived again (at-least-once).
    RecordFailure(fmt::format("cannot delete archived messages from {}: {}", config_.queue, status.message()));
  }
  batch_.reset();
  NextStep();
}

void Worker::BackOff() {
  if (stop_requested_) {
    FinishStop();
    return;
  }
  state_ = State::kBackingOff;
  uv_timer_start(backoff_timer_, &Worker::OnBackoffTimer, config_.receive_retry_ms, 0);
}

void Worker::OnBackoffTimer(uv_timer_t* timer) { static_cast<Worker*>(timer->data)->NextStep(); }

void Worker::NextStep() {
  if (stop_requested_) {
    FinishStop();
    return;
  }
  Receive();
}

void Worker::RecordFailure(std::string error) {
  ++failed_;
  spdlog::warn("worker {}: {}", config_.name, error);
  last_error_ = std::move(error);
  last_error_at_ms_ = clock_.NowMillis();
}

void Worker::Stop(std::function<void()> done) {
  on_stopped_ = std::move(done);
  stop_requested_ = true;
  // Otherwise the step in flight ends in NextStep(), which stops.
  if (state_ == State::kIdle || state_ == State::kBackingOff || state_ == State::kPausing) FinishStop();
}

void Worker::FinishStop() {
  state_ = State::kStopped;
  if (backoff_timer_ != nullptr) {
    uv_timer_stop(backoff_timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(backoff_timer_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
    backoff_timer_ = nullptr;
  }
  if (on_stopped_) {
    auto done = std::move(on_stopped_);
    on_stopped_ = nullptr;
    done();
  }
}

WorkerStatus Worker::status() const {
  WorkerStatus status;
  status.name = config_.name;
  status.queue = config_.queue;
  status.bucket = config_.bucket;
  if (state_ == State::kStopped) {
    status.state = "stopped";
  } else if (stop_requested_) {
    status.state = "stopping";
  } else if (state_ == State::kIdle) {
    status.state = "idle";
  } else if (state_ == State::kBackingOff) {
    status.state = "backing off";
  } else {
    status.state = "running";
  }
  status.processed = processed_;
  status.failed = failed_;
  status.last_error = last_error_;
  status.last_error_at_ms = last_error_at_ms_;
  status.receive_error = receive_error_;
  return status;
}

}  // namespace sluice::workers
