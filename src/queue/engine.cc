// Engine: forwards each operation to Engine::Impl (src/queue/engine_impl.h),
// whose operations live one group per file.
#include "sluice/queue/engine.h"

#include "queue/engine_impl.h"

namespace sluice::queue {

Engine::Impl::Impl(sqlite3* db, const Clock& clock, EngineOptions options)
    : db_(db),
      clock_(clock),
      options_(std::move(options)),
      arns_(options_.region, options_.account_id),
      limits_{options_.max_message_size_limit, options_.default_maximum_message_size},
      catalog_(db_),
      fifo_throughput_(options_.fifo_quotas) {}

Result<const QueueRow*> Engine::Impl::RequireQueue(const std::string& name) {
  Result<const QueueRow*> queue = catalog_.FindByName(name);
  if (queue.ok() && *queue == nullptr) {
    return Status(Code::kQueueDoesNotExist, "The specified queue does not exist.");
  }
  return queue;
}

Result<const QueueRow*> Engine::Impl::QueueByArn(const std::string& arn) {
  std::optional<std::string> name = arns_.NameOf(arn);
  if (!name) return static_cast<const QueueRow*>(nullptr);
  return catalog_.FindByName(*name);
}

Engine::Engine(sqlite3* db, const Clock& clock, EngineOptions options)
    : impl_(std::make_unique<Impl>(db, clock, std::move(options))) {}

Engine::~Engine() = default;

Result<CreateQueueResult> Engine::CreateQueue(const CreateQueueRequest& request) {
  return impl_->CreateQueue(request);
}
Result<GetQueueUrlResult> Engine::GetQueueUrl(const GetQueueUrlRequest& request) {
  return impl_->GetQueueUrl(request);
}
Result<ListQueuesResult> Engine::ListQueues(const ListQueuesRequest& request) {
  return impl_->ListQueues(request);
}
Result<EmptyResult> Engine::DeleteQueue(const DeleteQueueRequest& request) {
  return impl_->DeleteQueue(request);
}
Result<EmptyResult> Engine::PurgeQueue(const PurgeQueueRequest& request) {
  return impl_->PurgeQueue(request);
}
Result<GetQueueAttributesResult> Engine::GetQueueAttributes(
    const GetQueueAttributesRequest& request) {
  return impl_->GetQueueAttributes(request);
}
Result<EmptyResult> Engine::SetQueueAttributes(const SetQueueAttributesRequest& request) {
  return impl_->SetQueueAttributes(request);
}
Result<EmptyResult> Engine::TagQueue(const TagQueueRequest& request) {
  return impl_->TagQueue(request);
}
Result<EmptyResult> Engine::UntagQueue(const UntagQueueRequest& request) {
  return impl_->UntagQueue(request);
}
Result<ListQueueTagsResult> Engine::ListQueueTags(const ListQueueTagsRequest& request) {
  return impl_->ListQueueTags(request);
}
Result<EmptyResult> Engine::AddPermission(const AddPermissionRequest& request) {
  return impl_->AddPermission(request);
}
Result<EmptyResult> Engine::RemovePermission(const RemovePermissionRequest& request) {
  return impl_->RemovePermission(request);
}
Result<ListDeadLetterSourceQueuesResult> Engine::ListDeadLetterSourceQueues(
    const ListDeadLetterSourceQueuesRequest& request) {
  return impl_->ListDeadLetterSourceQueues(request);
}

Status Engine::AdmitFifoCall(FifoAction action, std::string_view api_action,
                             const std::string& queue_name, std::span<const std::string> groups) {
  return impl_->AdmitFifoCall(action, api_action, queue_name, groups);
}

Result<SendMessageResult> Engine::SendMessage(const SendMessageRequest& request) {
  return impl_->SendMessage(request);
}
Result<SendMessageBatchResult> Engine::SendMessageBatch(const SendMessageBatchRequest& request) {
  return impl_->SendMessageBatch(request);
}
Result<ReceiveMessageResult> Engine::ReceiveMessage(const ReceiveMessageRequest& request) {
  return impl_->ReceiveMessage(request);
}
Result<EmptyResult> Engine::DeleteMessage(const DeleteMessageRequest& request) {
  return impl_->DeleteMessage(request);
}
Result<BatchResult> Engine::DeleteMessageBatch(const DeleteMessageBatchRequest& request) {
  return impl_->DeleteMessageBatch(request);
}
Result<EmptyResult> Engine::ChangeMessageVisibility(
    const ChangeMessageVisibilityRequest& request) {
  return impl_->ChangeMessageVisibility(request);
}
Result<BatchResult> Engine::ChangeMessageVisibilityBatch(
    const ChangeMessageVisibilityBatchRequest& request) {
  return impl_->ChangeMessageVisibilityBatch(request);
}

Result<StartMessageMoveTaskResult> Engine::StartMessageMoveTask(
    const StartMessageMoveTaskRequest& request) {
  return impl_->StartMessageMoveTask(request);
}
Result<CancelMessageMoveTaskResult> Engine::CancelMessageMoveTask(
    const CancelMessageMoveTaskRequest& request) {
  return impl_->CancelMessageMoveTask(request);
}
Result<ListMessageMoveTasksResult> Engine::ListMessageMoveTasks(
    const ListMessageMoveTasksRequest& request) {
  return impl_->ListMessageMoveTasks(request);
}

Result<PeekMessagesResult> Engine::PeekMessages(const PeekMessagesRequest& request) {
  return impl_->PeekMessages(request);
}
Result<int> Engine::SweepExpired(int limit) { return impl_->SweepExpired(limit); }
Result<std::vector<std::string>> Engine::ActiveMoveTasks() { return impl_->ActiveMoveTasks(); }
Result<MoveTaskStep> Engine::RunMoveTaskStep(const std::string& task_handle, int max_messages) {
  return impl_->RunMoveTaskStep(task_handle, max_messages);
}
Result<std::optional<int>> Engine::MoveTaskRate(const std::string& task_handle) {
  return impl_->MoveTaskRate(task_handle);
}

std::string Engine::QueueArn(const std::string& queue_name) const {
  return impl_->arns().Of(queue_name);
}

}  // namespace sluice::queue
