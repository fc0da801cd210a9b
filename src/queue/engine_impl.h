// Engine::Impl: the state behind sluice::queue::Engine and the declarations
// of its operations. Each group of operations lives in its own file:
//   queues.cc      CreateQueue, GetQueueUrl, ListQueues, DeleteQueue,
//                  PurgeQueue, Get/SetQueueAttributes
//   sharing.cc     tags, AddPermission/RemovePermission,
//                  ListDeadLetterSourceQueues
//   send.cc        SendMessage, SendMessageBatch
//   receive.cc     ReceiveMessage (delivery, DLQ moves, expiry at receive)
//   inflight.cc    DeleteMessage, ChangeMessageVisibility and their batches
//   move_tasks.cc  Start/Cancel/ListMessageMoveTasks, RunMoveTaskStep
//   maintenance.cc SweepExpired, PeekMessages
//   fifo_groups.cc FIFO message groups and sequence numbers
//   fifo_dedup.cc  FIFO deduplication records and receive attempts
//   receive_fifo.cc ReceiveMessage on a FIFO queue (group by group)
//   fifo_quota.cc  FIFO throughput quotas (AdmitFifoCall)
//
// Every operation validates its request before its first write, so a
// failure normally changes nothing; a storage error part-way leaves writes
// that the caller's savepoint rollback undoes (see queue_catalog.h for why
// the cache survives that).
//
// Threads: the storage thread only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "queue/arn.h"
#include "queue/fifo_throughput.h"
#include "queue/queue_attributes.h"
#include "queue/queue_catalog.h"
#include "queue/receive_internal.h"
#include "sluice/clock.h"
#include "sluice/queue/engine.h"
#include "sluice/storage/statement_cache.h"

namespace sluice::queue {

// Opaque NextToken of ListQueues and ListDeadLetterSourceQueues: the last
// name of the previous page. Decode returns nullopt for a foreign token.
std::string EncodePageToken(const std::string& last_name);
std::optional<std::string> DecodePageToken(const std::string& token);

// Paging of name lists (ListQueues, ListDeadLetterSourceQueues): names after
// `after`, at most `limit` of them; one row more than a page tells whether
// another page exists.
struct NamePage {
  std::string after;
  int limit = 1000;
};
Result<NamePage> OpenNamePage(const std::optional<int>& max_results, const std::string& next_token);
// Cuts `names` to the page and sets `next_token` when more remain.
void CloseNamePage(const std::optional<int>& max_results, std::vector<std::string>* names,
                   std::string* next_token);

// `current` plus `added`, checked against SQS's tag limits (at most 50 per
// queue, keys 1..128 and values 0..256 characters): kInvalidParameterValue.
Result<TagMap> MergeTags(const TagMap& current, const TagMap& added, const std::string& queue_name);

class Engine::Impl {
 public:
  Impl(sqlite3* db, const Clock& clock, EngineOptions options);

  // queues.cc
  Result<CreateQueueResult> CreateQueue(const CreateQueueRequest& request);
  Result<GetQueueUrlResult> GetQueueUrl(const GetQueueUrlRequest& request);
  Result<ListQueuesResult> ListQueues(const ListQueuesRequest& request);
  Result<EmptyResult> DeleteQueue(const DeleteQueueRequest& request);
  Result<EmptyResult> PurgeQueue(const PurgeQueueRequest& request);
  Result<GetQueueAttributesResult> GetQueueAttributes(const GetQueueAttributesRequest& request);
  Result<EmptyResult> SetQueueAttributes(const SetQueueAttributesRequest& request);

  // sharing.cc
  Result<EmptyResult> TagQueue(const TagQueueRequest& request);
  Result<EmptyResult> UntagQueue(const UntagQueueRequest& request);
  Result<ListQueueTagsResult> ListQueueTags(const ListQueueTagsRequest& request);
  Result<EmptyResult> AddPermission(const AddPermissionRequest& request);
  Result<EmptyResult> RemovePermission(const RemovePermissionRequest& request);
  Result<ListDeadLetterSourceQueuesResult> ListDeadLetterSourceQueues(
      const ListDeadLetterSourceQueuesRequest& request);

  // send.cc
  Result<SendMessageResult> SendMessage(const SendMessageRequest& request);
  Result<SendMessageBatchResult> SendMessageBatch(const SendMessageBatchRequest& request);

  // receive.cc
  Result<ReceiveMessageResult> ReceiveMessage(const ReceiveMessageRequest& request);

  // inflight.cc
  Result<EmptyResult> DeleteMessage(const DeleteMessageRequest& request);
  Result<BatchResult> DeleteMessageBatch(const DeleteMessageBatchRequest& request);
  Result<EmptyResult> ChangeMessageVisibility(const ChangeMessageVisibilityRequest& request);
  Result<BatchResult> ChangeMessageVisibilityBatch(
      const ChangeMessageVisibilityBatchRequest& request);

  // move_tasks.cc
  Result<StartMessageMoveTaskResult> StartMessageMoveTask(
      const StartMessageMoveTaskRequest& request);
  Result<CancelMessageMoveTaskResult> CancelMessageMoveTask(
      const CancelMessageMoveTaskRequest& request);
  Result<ListMessageMoveTasksResult> ListMessageMoveTasks(
      const ListMessageMoveTasksRequest& request);
  Result<std::vector<std::string>> ActiveMoveTasks();
  Result<MoveTaskStep> RunMoveTaskStep(const std::string& task_handle, int max_messages);
  Result<std::optional<int>> MoveTaskRate(const std::string& task_handle);

  // fifo_quota.cc
  Status AdmitFifoCall(FifoAction action, std::string_view api_action,
                       const std::string& queue_name, std::span<const std::string> groups);

  // maintenance.cc
  Result<PeekMessagesResult> PeekMessages(const PeekMessagesRequest& request);
  Result<int> SweepExpired(int limit);
  Result<int64_t> MaxMessageId();
  // Deletes up to `limit` messages of a purged queue with id <= high_water.
  Result<int> DeletePurgedSlice(int64_t queue_id, int64_t high_water, int limit);

  const QueueArns& arns() const { return arns_; }

 private:
  // The queue called `name`; kQueueDoesNotExist if there is none.
  Result<const QueueRow*> RequireQueue(const std::string& name);
  // The queue an ARN of ours names, or nullptr (a foreign or malformed ARN,
  // or no such queue).
  Result<const QueueRow*> QueueByArn(const std::string& arn);
  // Checks a canonical RedrivePolicy of queue `source_name`: its target
  // must exist, let `source_name` use it, and be of the same type
  // (`source_fifo`). Returns the target's name.
  Result<std::string> CheckRedriveTarget(const std::string& source_name, bool source_fifo,
                                         const std::string& redrive_policy);
  // Validates one entry and inserts it (SendMessage and each batch entry).
  Result<SendMessageResult> SendOne(const QueueRow& queue, const SendMessageEntry& entry,
                                    int64_t now);
  // The FIFO checks of one entry (DelaySeconds, MessageGroupId,
  // MessageDeduplicationId); returns the deduplication id to use.
  Result<std::string> CheckFifoEntry(const QueueRow& queue, const SendMessageEntry& entry);

  // receive.cc: the steps every receive shares.
  Status DeliverCandidate(const ReceivePlan& plan, Candidate& candidate,
                          ReceiveMessageResult* result, std::vector<Delivery>* deliveries);
  Result<ReceivedMessage> BuildReceived(const ReceivePlan& plan, Candidate& candidate,
                                        std::string receipt_handle, int64_t receive_count);
  Status MoveToDeadLetterQueue(const ReceivePlan& plan, const Candidate& candidate);
  // receive_fifo.cc
  Status ReceiveFifo(const ReceivePlan& plan, ReceiveMessageResult* result,
                     std::vector<Delivery>* deliveries);
  // Delivers from one group, head first, up to `wanted` messages.
  Status ReceiveFromGroup(const ReceivePlan& plan, const std::string& group_id, int wanted,
                          int* skipped, ReceiveMessageResult* result,
                          std::vector<Delivery>* deliveries);
  // ReceiveRequestAttemptId: true (and `result` filled) when the attempt's
  // earlier deliveries are still unmodified and were returned again.
  Result<bool> ReplayReceiveAttempt(const ReceivePlan& plan, const std::string& attempt_id,
                                    ReceiveMessageResult* result);

  // fifo_groups.cc (FIFO queues only)
  // The next sequence number of queue `queue_id` (1, 2, ...; never reused).
  Result<int64_t> NextSequenceNumber(int64_t queue_id);
  // A message visible at `visible_at` joined the tail of group `group_id`.
  Status AddToGroup(int64_t queue_id, std::string_view group_id, int64_t visible_at);
  // Recomputes the group's available_at from its first messages, or drops
  // its row when it has none left. Call after any change to the group's
  // head or to the visibility of its received messages.
  Status RefreshGroup(int64_t queue_id, std::string_view group_id, int64_t now);

  // fifo_dedup.cc (FIFO queues only)
  // The live record of `deduplication_id` in `scope`, if any.
  Result<std::optional<DeduplicationRecord>> FindDuplicate(int64_t queue_id,
                                                           std::string_view scope,
                                                           std::string_view deduplication_id,
                                                           int64_t now);
  Status RecordDeduplication(int64_t queue_id, std::string_view scope,
                             std::string_view deduplication_id, const DeduplicationRecord& record,
                             int64_t now);
  Status RecordReceiveAttempt(int64_t queue_id, const std::string& attempt_id,
                              const std::vector<Delivery>& deliveries, int64_t expires_at);
  // Deletes up to `limit` expired deduplication records and receive
  // attempts; returns how many.
  Result<int> SweepFifoRecords(int64_t now, int limit);
  // Deletes up to `limit` expired messages of one queue; returns how many.
  Result<int> DeleteExpired(const QueueRow& queue, int64_t now, int limit);
  // One ChangeMessageVisibility (also each batch entry).
  Status ChangeVisibility(const QueueRow& queue, const std::string& receipt_handle,
                          int visibility_timeout, int64_t now);
  // One DeleteMessage (also each batch entry).
  Status DeleteOne(const QueueRow& queue, const std::string& receipt_handle);

  storage::StatementCache db_;
  const Clock& clock_;
  const EngineOptions options_;
  const QueueArns arns_;
  const QueueAttributeLimits limits_;
  QueueCatalog catalog_;
  FifoThroughput fifo_throughput_;
};

}  // namespace sluice::queue
