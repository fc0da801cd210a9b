// The queue engine: Amazon SQS semantics for standard and FIFO queues over
// the SQLite schema in storage/. It does no I/O of its own beyond the SQL it is handed a
// connection for, and never decides when to commit: every call runs inside
// the transaction (and savepoint) the storage thread opened.
//
// Message lifecycle (function behind each transition):
//   SendMessage        -> delayed (visible_at > now, receive_count = 0)
//                         or visible (visible_at <= now)
//   time passes        -> delayed becomes visible when visible_at <= now
//   ReceiveMessage     -> in flight (visible_at = now + visibility timeout,
//                         receive_count += 1, new receipt_token)
//   time passes        -> in flight becomes visible again at visible_at
//   ChangeMessageVisibility -> in flight with a new visible_at (0: visible now)
//   DeleteMessage      -> deleted (with the receipt handle of the latest receive)
//   ReceiveMessage on a message whose receive_count >= maxReceiveCount
//                      -> moved to the dead-letter queue (same message id, body,
//                         attributes and sent_at; receive_count reset)
//   SweepExpired       -> deleted when sent_at + retention <= now, or when a
//                         PurgeQueue of a deep queue left it behind
//   PurgeQueue         -> deleted (the first 10,000 at once, the rest by SweepExpired)
//   RunMoveTaskStep    -> moved from a DLQ back to its source (or a destination)
// FIFO queues add: a duplicate send (same deduplication id within 5 minutes)
// enqueues nothing; a message group delivers only from its head and only
// while none of its messages is in flight; a receive with a
// ReceiveRequestAttemptId may return the same deliveries again.
//
// Errors: every method returns a Status whose code is one of sluice::Code;
// validation failures change nothing. SQLite errors become kStorageFailed.
//
// Ownership: borrows the connection and the clock; both must outlive it.
// Owns its prepared statements and a cache of queue rows.
// Threads: storage thread only (the thread that owns `db`).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "sluice/clock.h"
#include "sluice/queue/types.h"
#include "sluice/status.h"

namespace sluice::queue {

// SQS's throughput quotas for FIFO queues, in transactions (API calls, a
// batch counting once) per second per API action. See
// src/queue/fifo_throughput.h for how they are applied.
struct FifoQuotas {
  bool enforce = true;
  // A FifoThroughputLimit=perQueue queue's quota; with perMessageGroupId,
  // each message group's.
  int transactions_per_second = 300;
  // A perMessageGroupId queue's quota as a whole (AWS: 70,000 in us-east-1,
  // us-west-2 and eu-west-1, less in other regions).
  int high_throughput_transactions_per_second = 70'000;
};

// The API actions a FIFO quota counts separately; a batch call counts as
// one transaction of its action.
enum class FifoAction {
  kSend,     // SendMessage, SendMessageBatch
  kReceive,  // ReceiveMessage
  kDelete,   // DeleteMessage, DeleteMessageBatch
};

struct EngineOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // Largest MaximumMessageSize accepted (SQS: 1 MiB since 2025), and the
  // limit on a whole batch's payload (BatchRequestTooLong).
  int max_message_size_limit = 1024 * 1024;
  // MaximumMessageSize of a queue created without one. SQS's documented
  // default is 1 MiB since 2025 (it was 256 KiB before).
  int default_maximum_message_size = 1024 * 1024;
  FifoQuotas fifo_quotas;
};

// One step of a running message move task.
struct MoveTaskStep {
  int moved = 0;                          // messages moved in this step
  bool finished = false;                  // COMPLETED, CANCELLED or FAILED now
  std::vector<std::string> woken_queues;  // queues that received messages
};

class Engine {
 public:
  Engine(sqlite3* db, const Clock& clock, EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Result<CreateQueueResult> CreateQueue(const CreateQueueRequest& request);
  Result<GetQueueUrlResult> GetQueueUrl(const GetQueueUrlRequest& request);
  Result<ListQueuesResult> ListQueues(const ListQueuesRequest& request);
  Result<EmptyResult> DeleteQueue(const DeleteQueueRequest& request);
  Result<EmptyResult> PurgeQueue(const PurgeQueueRequest& request);
  Result<GetQueueAttributesResult> GetQueueAttributes(const GetQueueAttributesRequest& request);
  Result<EmptyResult> SetQueueAttributes(const SetQueueAttributesRequest& request);
  Result<EmptyResult> TagQueue(const TagQueueRequest& request);
  Result<EmptyResult> UntagQueue(const UntagQueueRequest& request);
  Result<ListQueueTagsResult> ListQueueTags(const ListQueueTagsRequest& request);
  Result<EmptyResult> AddPermission(const AddPermissionRequest& request);
  Result<EmptyResult> RemovePermission(const RemovePermissionRequest& request);
  Result<ListDeadLetterSourceQueuesResult> ListDeadLetterSourceQueues(
      const ListDeadLetterSourceQueuesRequest& request);

  Result<SendMessageResult> SendMessage(const SendMessageRequest& request);
  Result<SendMessageBatchResult> SendMessageBatch(const SendMessageBatchRequest& request);
  Result<ReceiveMessageResult> ReceiveMessage(const ReceiveMessageRequest& request);
  Result<EmptyResult> DeleteMessage(const DeleteMessageRequest& request);
  Result<BatchResult> DeleteMessageBatch(const DeleteMessageBatchRequest& request);
  Result<EmptyResult> ChangeMessageVisibility(const ChangeMessageVisibilityRequest& request);
  Result<BatchResult> ChangeMessageVisibilityBatch(
      const ChangeMessageVisibilityBatchRequest& request);

  Result<StartMessageMoveTaskResult> StartMessageMoveTask(
      const StartMessageMoveTaskRequest& request);
  Result<CancelMessageMoveTaskResult> CancelMessageMoveTask(
      const CancelMessageMoveTaskRequest& request);
  Result<ListMessageMoveTasksResult> ListMessageMoveTasks(
      const ListMessageMoveTasksRequest& request);

  // Charges one API call against a FIFO queue's throughput quota before the
  // call runs: kThrottled (and nothing charged) when the quota is spent.
  // `api_action` names the call in the message; `groups` are the message
  // groups a send names (charged only with FifoThroughputLimit=
  // perMessageGroupId). Standard queues, unknown queues (the call itself
  // reports those) and FifoQuotas::enforce = false are always admitted.
  // Only API calls are charged: workers and move tasks are not.
  Status AdmitFifoCall(FifoAction action, std::string_view api_action,
                       const std::string& queue_name, std::span<const std::string> groups);

  // Admin: read messages without receiving them.
  Result<PeekMessagesResult> PeekMessages(const PeekMessagesRequest& request);

  // Maintenance, driven by timers on the loop thread.
  // Deletes up to `limit` messages past their queue's retention, or left by
  // the PurgeQueue of a deep queue (purged in slices); returns how many.
  Result<int> SweepExpired(int limit);
  // Handles of tasks in RUNNING or CANCELLING state (to resume after a restart).
  Result<std::vector<std::string>> ActiveMoveTasks();
  // Moves up to `max_messages` for a task; completes CANCELLING tasks as
  // CANCELLED and finished ones as COMPLETED; a task whose source or
  // destination vanished ends FAILED with a reason.
  Result<MoveTaskStep> RunMoveTaskStep(const std::string& task_handle, int max_messages);
  // The task's MaxNumberOfMessagesPerSecond, if it set one.
  Result<std::optional<int>> MoveTaskRate(const std::string& task_handle);

  // The ARN of a queue: arn:aws:sqs:<region>:<account>:<name>.
  std::string QueueArn(const std::string& queue_name) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::queue
