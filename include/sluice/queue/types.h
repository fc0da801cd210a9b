// Typed requests and results of the queue engine, one pair per SQS operation.
// Protocol codecs (src/sqs/) decode wire requests into these and encode the
// results; built-in workers and the admin API build them directly. Queues are
// named by their bare name ("payments-queue"): codecs strip the queue URL.
//
// Optional members are std::optional; an absent optional means "the member was
// not in the request", which the engine resolves to the queue's default.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace sluice::queue {

// A FIFO queue's name ends in ".fifo" and a standard queue's cannot
// (CreateQueue enforces both), so the name tells the type.
inline bool IsFifoQueueName(std::string_view name) { return name.ends_with(".fifo"); }

// Queue attributes as SQS spells them: name -> string value.
using AttributeMap = std::map<std::string, std::string>;
using TagMap = std::map<std::string, std::string>;

struct MessageAttributeValue {
  std::string data_type;     // "String", "Number", "Binary", or with a ".custom" suffix
  std::string string_value;  // for String and Number types
  std::string binary_value;  // raw bytes (already base64-decoded) for Binary types
};
// Sorted by name: the MD5 of message attributes is computed in name order.
using MessageAttributeMap = std::map<std::string, MessageAttributeValue>;

// ---- Queues ----------------------------------------------------------------

struct CreateQueueRequest {
  std::string queue_name;
  AttributeMap attributes;
  TagMap tags;
};
struct CreateQueueResult {
  std::string queue_name;
  bool created = false;  // false: it existed with the same attributes
};

struct GetQueueUrlRequest {
  std::string queue_name;
};
struct GetQueueUrlResult {
  std::string queue_name;
};

struct ListQueuesRequest {
  std::string queue_name_prefix;
  std::optional<int> max_results;  // 1..1000
  std::string next_token;
};
struct ListQueuesResult {
  std::vector<std::string> queue_names;
  std::string next_token;  // empty: no more
};

struct DeleteQueueRequest {
  std::string queue_name;
};
struct PurgeQueueRequest {
  std::string queue_name;
};
struct EmptyResult {};

struct GetQueueAttributesRequest {
  std::string queue_name;
  std::vector<std::string> attribute_names;  // may contain "All"; empty: none
};
struct GetQueueAttributesResult {
  AttributeMap attributes;
};

struct SetQueueAttributesRequest {
  std::string queue_name;
  AttributeMap attributes;
};

struct TagQueueRequest {
  std::string queue_name;
  TagMap tags;
};
struct UntagQueueRequest {
  std::string queue_name;
  std::vector<std::string> tag_keys;
};
struct ListQueueTagsRequest {
  std::string queue_name;
};
struct ListQueueTagsResult {
  TagMap tags;
};

struct AddPermissionRequest {
  std::string queue_name;
  std::string label;
  std::vector<std::string> aws_account_ids;
  std::vector<std::string> actions;
};
struct RemovePermissionRequest {
  std::string queue_name;
  std::string label;
};

struct ListDeadLetterSourceQueuesRequest {
  std::string queue_name;
  std::optional<int> max_results;
  std::string next_token;
};
struct ListDeadLetterSourceQueuesResult {
  std::vector<std::string> queue_names;
  std::string next_token;
};

// ---- Messages --------------------------------------------------------------

struct SendMessageEntry {
  std::string id;  // batch entry id; empty for SendMessage
  std::string body;
  std::optional<int> delay_seconds;
  MessageAttributeMap message_attributes;
  MessageAttributeMap message_system_attributes;  // only AWSTraceHeader is allowed
  // Required on FIFO queues; on standard queues kept as an attribute (fair queues).
  std::optional<std::string> message_group_id;
  // FIFO queues only (optional under ContentBasedDeduplication).
  std::optional<std::string> message_deduplication_id;
};

struct SendMessageRequest {
  std::string queue_name;
  SendMessageEntry entry;
};
struct SendMessageResult {
  std::string message_id;
  std::string md5_of_message_body;
  std::string md5_of_message_attributes;         // empty when there are none
  std::string md5_of_message_system_attributes;  // empty when there are none
  std::string sequence_number;                   // FIFO only (a duplicate: the first send's)
};

// One failed entry of a batch call.
struct BatchResultError {
  std::string id;
  Code code = Code::kInternal;  // mapped to the SQS error code at the edge
  std::string message;
  bool sender_fault = true;
};

struct SendMessageBatchRequest {
  std::string queue_name;
  std::vector<SendMessageEntry> entries;
};
struct SendMessageBatchResult {
  std::vector<SendMessageResult> successful;  // with .message_id etc; id in successful_ids
  std::vector<std::string> successful_ids;    // parallel to `successful`
  std::vector<BatchResultError> failed;
};

struct ReceiveMessageRequest {
  std::string queue_name;
  std::optional<int> max_number_of_messages;  // 1..10, default 1
  std::optional<int> visibility_timeout;      // 0..43200, default: the queue's
  std::optional<int> wait_time_seconds;       // 0..20, default: the queue's ReceiveMessageWaitTimeSeconds
  // Union of AttributeNames and MessageSystemAttributeNames ("All" allowed).
  std::vector<std::string> system_attribute_names;
  // "All", ".*", exact names, or "prefix.*".
  std::vector<std::string> message_attribute_names;
  std::string receive_request_attempt_id;  // FIFO only; ignored on standard queues
};
struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;
  std::string md5_of_message_attributes;  // of the attributes returned; empty if none
  AttributeMap attributes;                // requested system attributes (FIFO: also
                                          // MessageGroupId, MessageDeduplicationId, SequenceNumber)
  MessageAttributeMap message_attributes; // requested message attributes
};
struct ReceiveMessageResult {
  std::vector<ReceivedMessage> messages;
  // Resolved wait time in seconds (request's, else the queue's): what the long
  // poller should wait when `messages` is empty.
  int wait_time_seconds = 0;
  // Earliest visible_at (epoch ms) among the queue's not-yet-visible messages
  // (FIFO: the earliest time a blocked or delayed group may deliver again),
  // 0 if none: when a parked receiver should look again. Computed only when
  // fewer messages than asked for were returned (0 otherwise).
  int64_t next_visible_at = 0;
  // The dead-letter queue this receive moved messages to ("" if none): its
  // parked receivers must look again.
  std::string moved_to_dead_letter_queue;
};

struct DeleteMessageRequest {
  std::string queue_name;
  std::string receipt_handle;
};

struct DeleteMessageBatchEntry {
  std::string id;
  std::string receipt_handle;
};
struct DeleteMessageBatchRequest {
  std::string queue_name;
  std::vector<DeleteMessageBatchEntry> entries;
};

// Result of DeleteMessageBatch and ChangeMessageVisibilityBatch.
struct BatchResult {
  std::vector<std::string> successful_ids;
  std::vector<BatchResultError> failed;
};

struct ChangeMessageVisibilityRequest {
  std::string queue_name;
  std::string receipt_handle;
  int visibility_timeout = 0;  // 0..43200
};

struct ChangeMessageVisibilityBatchEntry {
  std::string id;
  std::string receipt_handle;
  int visibility_timeout = 0;
};
struct ChangeMessageVisibilityBatchRequest {
  std::string queue_name;
  std::vector<ChangeMessageVisibilityBatchEntry> entries;
};

// ---- Message move tasks (DLQ redrive) --------------------------------------

struct StartMessageMoveTaskRequest {
  std::string source_arn;       // a DLQ's ARN
  std::string destination_arn;  // empty: each message back to its source queue
  std::optional<int> max_number_of_messages_per_second;  // 1..500
};
struct StartMessageMoveTaskResult {
  std::string task_handle;
};

struct CancelMessageMoveTaskRequest {
  std::string task_handle;
};
struct CancelMessageMoveTaskResult {
  int64_t approximate_number_of_messages_moved = 0;
};

struct ListMessageMoveTasksRequest {
  std::string source_arn;
  std::optional<int> max_results;  // 1..10, default 1
};
struct MessageMoveTask {
  std::string task_handle;  // only set while RUNNING
  std::string status;       // RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED
  std::string source_arn;
  std::string destination_arn;
  std::optional<int> max_number_of_messages_per_second;
  int64_t approximate_number_of_messages_moved = 0;
  int64_t approximate_number_of_messages_to_move = 0;
  std::string failure_reason;
  int64_t started_timestamp = 0;  // epoch ms
};
struct ListMessageMoveTasksResult {
  std::vector<MessageMoveTask> results;
};

// ---- Admin (not part of SQS) -----------------------------------------------

// Messages of a queue as they are, without receiving them (sluice dlq peek).
struct PeekMessagesRequest {
  std::string queue_name;
  int max_messages = 10;  // 1..100
};
struct PeekedMessage {
  std::string message_id;
  std::string body;
  int64_t sent_timestamp = 0;
  int64_t visible_at = 0;
  int receive_count = 0;
  std::string dead_letter_source_queue;  // name, or empty
  MessageAttributeMap message_attributes;
};
struct PeekMessagesResult {
  std::vector<PeekedMessage> messages;
};

}  // namespace sluice::queue
