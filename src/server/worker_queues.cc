#include "worker_queues.h"

#include <memory>

#include <fmt/format.h>

namespace sluice::server {

class EngineQueueSource::PendingReceive final : public Waiter {
 public:
  PendingReceive(EngineQueueSource* source, queue::ReceiveMessageRequest request, int64_t deadline, ReceiveDone done)
      : source_(source), request_(std::move(request)), deadline_(deadline), done_(std::move(done)) {}

  void Wake(bool timed_out) override { source_->Submit(this); }

  EngineQueueSource* source_;
  queue::ReceiveMessageRequest request_;
  int64_t deadline_;
  ReceiveDone done_;
  queue::ReceiveMessageResult result_;
};

EngineQueueSource::EngineQueueSource(storage::StorageThread& storage, queue::EngineHost& engine,
                                     LongPollRegistry& long_polls, const Clock& clock,
                                     std::function<void(const std::string& queue)> wake_queue)
    : storage_(storage), engine_(engine), long_polls_(long_polls), clock_(clock), wake_queue_(std::move(wake_queue)) {}

void EngineQueueSource::Receive(const std::string& queue, int max_messages, int wait_seconds, int visibility_timeout,
                                ReceiveDone done) {
  queue::ReceiveMessageRequest request;
  request.queue_name = queue;
  request.max_number_of_messages = max_messages;
  request.wait_time_seconds = 0;  // the wait happens here, parked, not in the engine
  if (visibility_timeout >= 0) request.visibility_timeout = visibility_timeout;
  int64_t deadline = clock_.NowMillis() + int64_t{wait_seconds} * 1000;
  Submit(new PendingReceive(this, std::move(request), deadline, std::move(done)));
}

void EngineQueueSource::Submit(PendingReceive* pending) {
  queue::EngineHost* engine = &engine_;
  storage_.Submit(
      [engine, pending](sqlite3* db) {
        Result<queue::ReceiveMessageResult> received = engine->Get(db).ReceiveMessage(pending->request_);
        if (!received.ok()) return received.status();
        pending->result_ = std::move(received.value());
        return Status::Ok();
      },
      [this, pending](Status status) {
        std::unique_ptr<PendingReceive> owned(pending);
        if (!status.ok()) {
          owned->done_(std::move(status));
          return;
        }
        queue::ReceiveMessageResult& result = owned->result_;
        if (!result.moved_to_dead_letter_queue.empty()) wake_queue_(result.moved_to_dead_letter_queue);
        int64_t now = clock_.NowMillis();
        if (result.messages.empty() && !shutting_down_ && now < owned->deadline_) {
          int64_t wake_at = owned->deadline_;
          if (result.next_visible_at > 0 && result.next_visible_at < wake_at) wake_at = result.next_visible_at;
          long_polls_.Park(owned.release(), pending->request_.queue_name, wake_at);
          return;
        }
        std::vector<workers::ReceivedEvent> events;
        events.reserve(result.messages.size());
        for (queue::ReceivedMessage& message : result.messages) {
          events.push_back({std::move(message.message_id), std::move(message.receipt_handle), std::move(message.body)});
        }
        // More may be waiting behind a full batch: pass the baton.
        if (!events.empty()) wake_queue_(owned->request_.queue_name);
        owned->done_(std::move(events));
      });
}

void EngineQueueSource::Delete(const std::string& queue, std::vector<std::string> receipt_handles,
                               std::function<void(Status)> done) {
  auto request = std::make_shared<queue::DeleteMessageBatchRequest>();
  request->queue_name = queue;
  // A worker's batch is at most 10 messages: one DeleteMessageBatch.
  for (size_t i = 0; i < receipt_handles.size(); ++i) {
    request->entries.push_back({std::to_string(i), std::move(receipt_handles[i])});
  }
  auto failure = std::make_shared<std::string>();
  queue::EngineHost* engine = &engine_;
  storage_.Submit(
      [engine, request, failure](sqlite3* db) {
        Result<queue::BatchResult> deleted = engine->Get(db).DeleteMessageBatch(*request);
        if (!deleted.ok()) return deleted.status();
        if (!deleted->failed.empty()) {
          *failure = fmt::format("{} of {} deletes failed, first: {}", deleted->failed.size(),
                                 request->entries.size(), deleted->failed.front().message);
        }
        return Status::Ok();
      },
      [done = std::move(done), failure, wake = wake_queue_, queue](Status status) {
        // On a FIFO queue a delete may unblock the message's group: parked
        // receivers (an SQS client's or another worker's) look again, as
        // after an SQS DeleteMessage.
        if (status.ok() && queue::IsFifoQueueName(queue)) wake(queue);
        if (status.ok() && !failure->empty()) status = Status(Code::kInvalidParameterValue, *failure);
        done(std::move(status));
      });
}

}  // namespace sluice::server
