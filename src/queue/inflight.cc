// Operations on a received message, named by its receipt handle:
// DeleteMessage, ChangeMessageVisibility and their batch forms.
//
// A handle is good for the queue it was received from (same queue id: a
// queue deleted and re-created under the same name does not accept it).
// Semantics with an outdated handle follow SQS:
//   DeleteMessage: a handle from an earlier receive, or of a message already
//     deleted, succeeds without deleting anything.
//   ChangeMessageVisibility: the message must still exist and the handle be
//     from its latest receive (else InvalidParameterValue, "Message does not
//     exist or is not available for visibility timeout change"), and it must
//     be in flight (else MessageNotInflight).
// On a FIFO queue a handle is good only while its receive holds the message:
// DeleteMessage with a handle whose message was received again or became
// visible again fails ("The receipt handle has expired"), as SQS's FIFO
// queues do; a message already deleted still deletes as a no-op. Deletes and
// visibility changes refresh the message's group (fifo_groups.cc), which
// may unblock it.
#include <fmt/format.h>

#include "queue/engine_impl.h"
#include "queue/receipt_handle.h"
#include "queue/validate.h"

namespace sluice::queue {
namespace {

constexpr const char kDeleteReceived[] =
    "DELETE FROM messages WHERE id = ?1 AND queue_id = ?2 AND receipt_token = ?3";
constexpr const char kSelectInFlight[] =
    "SELECT visible_at, receipt_token, received_at, message_group_id FROM messages "
    "WHERE id = ?1 AND queue_id = ?2";
constexpr const char kDeleteFifoReceived[] =
    "DELETE FROM messages WHERE id = ?1 AND queue_id = ?2 AND receipt_token = ?3 "
    "AND visible_at > ?4 RETURNING message_group_id";
constexpr const char kSelectFifoHolder[] =
    "SELECT 1 FROM messages WHERE id = ?1 AND queue_id = ?2";
constexpr const char kSetVisibleAt[] = "UPDATE messages SET visible_at = ?1 WHERE id = ?2";

// SQS's limit on the visibility timeout, counted from the latest receive.
constexpr int64_t kMaxVisibilityMillis = 43200 * 1000;

Result<ReceiptHandle> DecodeFor(const QueueRow& queue, const std::string& text) {
  std::optional<ReceiptHandle> handle = DecodeReceiptHandle(text);
  if (!handle || handle->queue_id != queue.id) {
    return Status(Code::kReceiptHandleIsInvalid,
                  fmt::format("The input receipt handle \"{}\" is not a valid receipt handle.",
                              text));
  }
  return *handle;
}

bool IsEntryError(Code code) { return code != Code::kStorageFailed && code != Code::kInternal; }

}  // namespace

Status Engine::Impl::DeleteOne(const QueueRow& queue, const std::string& receipt_handle) {
  Result<ReceiptHandle> handle = DecodeFor(queue, receipt_handle);
  if (!handle.ok()) return handle.status();
  if (!queue.settings.fifo) {
    storage::Statement erase = db_.Prepare(kDeleteReceived);
    erase.BindInt(handle->message_row_id).BindInt(queue.id).BindInt(handle->receipt_token);
    return erase.Run();
  }
  const int64_t now = clock_.NowMillis();
  std::string group;
  bool deleted = false;
  {
    storage::Statement erase = db_.Prepare(kDeleteFifoReceived);
    erase.BindInt(handle->message_row_id).BindInt(queue.id).BindInt(handle->receipt_token);
    erase.BindInt(now);
    if (erase.Step()) {
      deleted = true;
      group = erase.Text(0);
    }
    if (!erase.ok()) return erase.status();
  }
  if (deleted) return RefreshGroup(queue.id, group, now);
  storage::Statement holder = db_.Prepare(kSelectFifoHolder);
  holder.BindInt(handle->message_row_id).BindInt(queue.id);
  const bool exists = holder.Step();
  if (!holder.ok()) return holder.status();
  if (!exists) return Status::Ok();  // already deleted (or moved): nothing to do
  return InvalidParameter("ReceiptHandle", receipt_handle, "The receipt handle has expired.");
}

Status Engine::Impl::ChangeVisibility(const QueueRow& queue, const std::string& receipt_handle,
                                      int visibility_timeout, int64_t now) {
  SLUICE_RETURN_IF_ERROR(CheckRange("VisibilityTimeout", visibility_timeout, 0, 43200));
  Result<ReceiptHandle> handle = DecodeFor(queue, receipt_handle);
  if (!handle.ok()) return handle.status();
  storage::Statement select = db_.Prepare(kSelectInFlight);
  select.BindInt(handle->message_row_id).BindInt(queue.id);
  bool exists = select.Step();
  if (!select.ok()) return select.status();
  if (!exists || select.Int(1) != handle->receipt_token) {
    return InvalidParameter("ReceiptHandle", receipt_handle,
                            "Message does not exist or is not available for visibility timeout "
                            "change.");
  }
  const int64_t visible_at = select.Int(0);
  const int64_t received_at = select.Int(2);
  const std::string group(select.Text(3));
  if (visible_at <= now) {
    return Status(Code::kMessageNotInflight, "The message referred to isn't in flight.");
  }
  const int64_t new_visible_at = now + int64_t{visibility_timeout} * 1000;
  if (new_visible_at - received_at > kMaxVisibilityMillis) {
    return InvalidParameter("VisibilityTimeout", std::to_string(visibility_timeout),
                            "Total VisibilityTimeout for the message is beyond the limit [43200 "
                            "seconds]");
  }
  storage::Statement update = db_.Prepare(kSetVisibleAt);
  update.BindInt(new_visible_at).BindInt(handle->message_row_id);
  SLUICE_RETURN_IF_ERROR(update.Run());
  if (queue.settings.fifo) return RefreshGroup(queue.id, group, now);
  return Status::Ok();
}

Result<EmptyResult> Engine::Impl::DeleteMessage(const DeleteMessageRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  SLUICE_RETURN_IF_ERROR(DeleteOne(**queue, request.receipt_handle));
  return EmptyResult{};
}

Result<BatchResult> Engine::Impl::DeleteMessageBatch(const DeleteMessageBatchRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  std::vector<std::string> ids;
  for (const DeleteMessageBatchEntry& entry : request.entries) ids.push_back(entry.id);
  SLUICE_RETURN_IF_ERROR(ValidateBatchIds(ids, "DeleteMessageBatchRequestEntry"));
  BatchResult result;
  for (const DeleteMessageBatchEntry& entry : request.entries) {
    Status status = DeleteOne(**queue, entry.receipt_handle);
    if (status.ok()) {
      result.successful_ids.push_back(entry.id);
    } else if (IsEntryError(status.code())) {
      result.failed.push_back({entry.id, status.code(), status.message(), true});
    } else {
      return status;
    }
  }
  return result;
}

Result<EmptyResult> Engine::Impl::ChangeMessageVisibility(
    const ChangeMessageVisibilityRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  SLUICE_RETURN_IF_ERROR(ChangeVisibility(**queue, request.receipt_handle,
                                          request.visibility_timeout, clock_.NowMillis()));
  return EmptyResult{};
}

Result<BatchResult> Engine::Impl::ChangeMessageVisibilityBatch(
    const ChangeMessageVisibilityBatchRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  std::vector<std::string> ids;
  for (const ChangeMessageVisibilityBatchEntry& entry : request.entries) ids.push_back(entry.id);
  SLUICE_RETURN_IF_ERROR(ValidateBatchIds(ids, "ChangeMessageVisibilityBatchRequestEntry"));
  const int64_t now = clock_.NowMillis();
  BatchResult result;
  for (const ChangeMessageVisibilityBatchEntry& entry : request.entries) {
    Status status = ChangeVisibility(**queue, entry.receipt_handle, entry.visibility_timeout, now);
    if (status.ok()) {
      result.successful_ids.push_back(entry.id);
    } else if (IsEntryError(status.code())) {
      result.failed.push_back({entry.id, status.code(), status.message(), true});
    } else {
      return status;
    }
  }
  return result;
}

}  // namespace sluice::queue
