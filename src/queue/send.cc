// SendMessage and SendMessageBatch: validate, then one INSERT per message.
//
// On a FIFO queue an entry also needs a MessageGroupId and a deduplication
// id (explicit, or the SHA-256 of the body under ContentBasedDeduplication),
// and may not set its own DelaySeconds. A deduplication id seen within the
// last 5 minutes (per queue, or per group under DeduplicationScope=
// messageGroup) makes the send a duplicate: accepted, answered with the
// first message's MessageId and SequenceNumber, and not enqueued. The check,
// the insert and the record are one savepoint (fifo_dedup.cc).
#include <fmt/format.h>

#include "queue/engine_impl.h"
#include "queue/fifo.h"
#include "queue/message_attributes.h"
#include "queue/random_ids.h"
#include "queue/validate.h"
#include "sluice/md5.h"

namespace sluice::queue {
namespace {

constexpr const char kInsertMessage[] =
    "INSERT INTO messages(queue_id, message_id, body, attributes, system_attributes, md5_body, "
    "md5_attributes, md5_system_attributes, sent_at, visible_at, sender_id, message_group_id, "
    "deduplication_id, sequence_number) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

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

Result<std::string> Engine::Impl::CheckFifoEntry(const QueueRow& queue,
                                                 const SendMessageEntry& entry) {
  // Only the queue's DelaySeconds applies; an explicit 0 is harmless.
  if (entry.delay_seconds && *entry.delay_seconds != 0) {
    return InvalidParameter("DelaySeconds", std::to_string(*entry.delay_seconds),
                            "The request include parameter that is not valid for this queue "
                            "type.");
  }
  const std::string group = entry.message_group_id.value_or("");
  if (group.empty()) {
    return Status(Code::kMissingParameter, "The request must contain the parameter MessageGroupId.");
  }
  if (!IsValidFifoToken(group)) {
    return InvalidParameter("MessageGroupId", group,
                            "MessageGroupId can only include alphanumeric and punctuation "
                            "characters. 1 to 128 in length.");
  }
  const std::string deduplication_id = entry.message_deduplication_id.value_or("");
  if (deduplication_id.empty()) {
    if (!queue.settings.content_based_deduplication) {
      return Status(Code::kInvalidParameterValue,
                    "The queue should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly");
    }
    return ContentDeduplicationId(entry.body);
  }
  if (!IsValidFifoToken(deduplication_id)) {
    return InvalidParameter("MessageDeduplicationId", deduplication_id,
                            "MessageDeduplicationId can only include alphanumeric and punctuation "
                            "characters. 1 to 128 in length.");
  }
  return deduplication_id;
}

Result<SendMessageResult> Engine::Impl::SendOne(const QueueRow& queue, const SendMessageEntry& entry,
                                                int64_t now) {
  const bool fifo = queue.settings.fifo;
  if (entry.body.empty()) {
    return Status(Code::kMissingParameter, "The request must contain the parameter MessageBody.");
  }
  std::string deduplication_id;
  if (fifo) {
    Result<std::string> checked = CheckFifoEntry(queue, entry);
    if (!checked.ok()) return checked.status();
    deduplication_id = std::move(checked).value();
  } else {
    if (entry.message_deduplication_id) {
      return InvalidParameter("MessageDeduplicationId", *entry.message_deduplication_id,
                              "The request includes a parameter that is not valid for this queue "
                              "type.");
    }
    // MessageGroupId is accepted on standard queues (SQS fair queues): kept
    // and returned as an attribute, with no effect on delivery here.
    if (entry.message_group_id && !IsValidFifoToken(*entry.message_group_id)) {
      return InvalidParameter("MessageGroupId", *entry.message_group_id,
                              "MessageGroupId can only include alphanumeric and punctuation "
                              "characters. 1 to 128 in length.");
    }
  }
  int delay_seconds = fifo ? queue.settings.delay_seconds
                           : entry.delay_seconds.value_or(queue.settings.delay_seconds);
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
  result.md5_of_message_body = Md5Hex(entry.body);
  if (!attributes.empty()) result.md5_of_message_attributes = Md5Hex(attributes);
  if (!system_attributes.empty()) result.md5_of_message_system_attributes = Md5Hex(system_attributes);

  const std::string group = entry.message_group_id.value_or("");
  const std::string_view scope =
      queue.settings.deduplication_per_group ? std::string_view(group) : std::string_view();
  int64_t sequence_number = 0;
  if (fifo) {
    Result<std::optional<DeduplicationRecord>> duplicate =
        FindDuplicate(queue.id, scope, deduplication_id, now);
    if (!duplicate.ok()) return duplicate.status();
    if (*duplicate) {
      // The MD5s stay those of this request: clients check them against
      // what they sent.
      result.message_id = (*duplicate)->message_id;
      result.sequence_number = FormatSequenceNumber((*duplicate)->sequence_number);
      return result;
    }
    Result<int64_t> next = NextSequenceNumber(queue.id);
    if (!next.ok()) return next.status();
    sequence_number = *next;
    result.sequence_number = FormatSequenceNumber(sequence_number);
  }
  result.message_id = NewUuid();

  const int64_t visible_at = now + int64_t{delay_seconds} * 1000;
  storage::Statement insert = db_.Prepare(kInsertMessage);
  insert.BindInt(queue.id).BindText(result.message_id).BindBlob(entry.body);
  insert.BindBlobOrNull(attributes).BindBlobOrNull(system_attributes);
  insert.BindText(result.md5_of_message_body);
  insert.BindTextOrNull(result.md5_of_message_attributes);
  insert.BindTextOrNull(result.md5_of_message_system_attributes);
  insert.BindInt(now).BindInt(visible_at).BindText(options_.account_id);
  insert.BindTextOrNull(group).BindTextOrNull(deduplication_id);
  if (fifo) {
    insert.BindInt(sequence_number);
  } else {
    insert.BindNull();
  }
  SLUICE_RETURN_IF_ERROR(insert.Run());
  if (fifo) {
    SLUICE_RETURN_IF_ERROR(AddToGroup(queue.id, group, visible_at));
    SLUICE_RETURN_IF_ERROR(RecordDeduplication(queue.id, scope, deduplication_id,
                                               {result.message_id, sequence_number}, now));
  }
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
