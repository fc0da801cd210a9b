// SendMessage and SendMessageBatch: validate, then one INSERT per message.
#include <fmt/format.h>

#include "queue/engine_impl.h"
#include "queue/message_attributes.h"
#include "queue/random_ids.h"
#include "queue/validate.h"
#include "sluice/md5.h"

namespace sluice::queue {
namespace {

constexpr const char kInsertMessage[] =
    "INSERT INTO messages(queue_id, message_id, body, attributes, system_attributes, md5_body, "
    "md5_attributes, md5_system_attributes, sent_at, visible_at, sender_id) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

constexpr int kMaxDelaySeconds = 900;

// What an entry counts towards BatchRequestTooLong, valid or not.
size_t PayloadSize(const SendMessageEntry& entry) {
  size_t size = entry.body.size();
  for (const auto& [name, value] : entry.message_attributes) {
    size += name.size() + value.data_type.size() + value.string_value.size() +
            value.binary_value.size();
  }
  return size;
}

// Errors that are the request's fault become a batch entry's failure; any
// other (storage) error fails the whole call.
bool IsEntryError(Code code) { return code != Code::kStorageFailed && code != Code::kInternal; }

}  // namespace

Result<SendMessageResult> Engine::Impl::SendOne(const QueueRow& queue, const SendMessageEntry& entry,
                                                int64_t now) {
  if (entry.message_deduplication_id) {
    return InvalidParameter("MessageDeduplicationId", *entry.message_deduplication_id,
                            "The request includes a parameter that is not valid for this queue "
                            "type.");
  }
  // MessageGroupId is accepted on standard queues (SQS fair queues) and has
  // no effect on delivery here.
  if (entry.body.empty()) {
    return Status(Code::kMissingParameter, "The request must contain the parameter MessageBody.");
  }
  int delay_seconds = entry.delay_seconds.value_or(queue.settings.delay_seconds);
  if (delay_seconds < 0 || delay_seconds > kMaxDelaySeconds) {
    return InvalidParameter("DelaySeconds", std::to_string(delay_seconds),
                            "DelaySeconds must be >= 0 and <= 900.");
  }
  size_t size = entry.body.size();
  SLUICE_RETURN_IF_ERROR(ValidateMessageAttributes(entry.message_attributes, &size));
  SLUICE_RETURN_IF_ERROR(ValidateSystemAttributes(entry.message_system_attributes));
  if (size > static_cast<size_t>(queue.settings.maximum_message_size)) {
    return Status(Code::kInvalidParameterValue,
                  fmt::format("One or more parameters are invalid. Reason: Message must be shorter "
                              "than {} bytes.",
                              queue.settings.maximum_message_size));
  }
  if (!IsValidMessageText(entry.body)) {
    return Status(Code::kInvalidMessageContents,
                  "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 "
                  "to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
  }

  std::string attributes = EncodeMessageAttributes(entry.message_attributes);
  std::string system_attributes = EncodeMessageAttributes(entry.message_system_attributes);
  SendMessageResult result;
  result.message_id = NewUuid();
  result.md5_of_message_body = Md5Hex(entry.body);
  if (!attributes.empty()) result.md5_of_message_attributes = Md5Hex(attributes);
  if (!system_attributes.empty()) result.md5_of_message_system_attributes = Md5Hex(system_attributes);

  storage::Statement insert = db_.Prepare(kInsertMessage);
  insert.BindInt(queue.id).BindText(result.message_id).BindBlob(entry.body);
  insert.BindBlobOrNull(attributes).BindBlobOrNull(system_attributes);
  insert.BindText(result.md5_of_message_body);
  insert.BindTextOrNull(result.md5_of_message_attributes);
  insert.BindTextOrNull(result.md5_of_message_system_attributes);
  insert.BindInt(now).BindInt(now + int64_t{delay_seconds} * 1000).BindText(options_.account_id);
  SLUICE_RETURN_IF_ERROR(insert.Run());
  return result;
}

Result<SendMessageResult> Engine::Impl::SendMessage(const SendMessageRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  return SendOne(**queue, request.entry, clock_.NowMillis());
}

Result<SendMessageBatchResult> Engine::Impl::SendMessageBatch(
    const SendMessageBatchRequest& request) {
  Result<const QueueRow*> found = RequireQueue(request.queue_name);
  if (!found.ok()) return found.status();
  const QueueRow& queue = **found;
  std::vector<std::string> ids;
  size_t total = 0;
  for (const SendMessageEntry& entry : request.entries) {
    ids.push_back(entry.id);
    total += PayloadSize(entry);
  }
  SLUICE_RETURN_IF_ERROR(ValidateBatchIds(ids, "SendMessageBatchRequestEntry"));
  if (total > static_cast<size_t>(options_.max_message_size_limit)) {
    return Status(Code::kBatchRequestTooLong,
                  fmt::format("Batch requests cannot be longer than {} bytes. You have sent {} "
                              "bytes.",
                              options_.max_message_size_limit, total));
  }
  int64_t now = clock_.NowMillis();
  SendMessageBatchResult result;
  for (const SendMessageEntry& entry : request.entries) {
    Result<SendMessageResult> sent = SendOne(queue, entry, now);
    if (sent.ok()) {
      result.successful.push_back(std::move(sent).value());
      result.successful_ids.push_back(entry.id);
    } else if (IsEntryError(sent.status().code())) {
      result.failed.push_back({entry.id, sent.status().code(), sent.status().message(), true});
    } else {
      return sent.status();
    }
  }
  return result;
}

}  // namespace sluice::queue
