// The request decoders: one per SQS operation, each turning the operation's
// input tree into the engine's typed request. The tree has the JSON
// protocol's form (AWS JSON 1.0, as botocore serializes it): the JSON codec
// parses it from the body; the Query codec builds the same tree from form
// parameters (query_decode.h). Every decoder first runs CheckShape() with the
// operation's input shape (below; json_shape.h), then reads typed values,
// resolves QueueUrl to a queue name and decodes base64 blobs. SQS semantics
// (value ranges, batch entry counts and ids, attribute names and types, empty
// bodies) are the engine's: it enforces them for every caller, not only these
// codecs.
//
// Errors: a Status with kMalformedRequest, kMissingParameter,
// kInvalidParameterValue (wrong JSON type, bad base64), kQueueDoesNotExist
// (a QueueUrl naming no queue) or kUnsupportedOperation (list-valued message
// attributes).
// Threads: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "sluice/queue/types.h"
#include "sluice/status.h"

namespace sluice::sqs {

// Queues.
Result<queue::CreateQueueRequest> DecodeCreateQueue(const rapidjson::Value& input);
Result<queue::GetQueueUrlRequest> DecodeGetQueueUrl(const rapidjson::Value& input);
Result<queue::ListQueuesRequest> DecodeListQueues(const rapidjson::Value& input);
Result<queue::DeleteQueueRequest> DecodeDeleteQueue(const rapidjson::Value& input);
Result<queue::PurgeQueueRequest> DecodePurgeQueue(const rapidjson::Value& input);
Result<queue::GetQueueAttributesRequest> DecodeGetQueueAttributes(const rapidjson::Value& input);
Result<queue::SetQueueAttributesRequest> DecodeSetQueueAttributes(const rapidjson::Value& input);
Result<queue::TagQueueRequest> DecodeTagQueue(const rapidjson::Value& input);
Result<queue::UntagQueueRequest> DecodeUntagQueue(const rapidjson::Value& input);
Result<queue::ListQueueTagsRequest> DecodeListQueueTags(const rapidjson::Value& input);
Result<queue::AddPermissionRequest> DecodeAddPermission(const rapidjson::Value& input);
Result<queue::RemovePermissionRequest> DecodeRemovePermission(const rapidjson::Value& input);
Result<queue::ListDeadLetterSourceQueuesRequest> DecodeListDeadLetterSourceQueues(
    const rapidjson::Value& input);

// Messages.
Result<queue::SendMessageRequest> DecodeSendMessage(const rapidjson::Value& input);
Result<queue::SendMessageBatchRequest> DecodeSendMessageBatch(const rapidjson::Value& input);
Result<queue::ReceiveMessageRequest> DecodeReceiveMessage(const rapidjson::Value& input);
Result<queue::DeleteMessageRequest> DecodeDeleteMessage(const rapidjson::Value& input);
Result<queue::DeleteMessageBatchRequest> DecodeDeleteMessageBatch(const rapidjson::Value& input);
Result<queue::ChangeMessageVisibilityRequest> DecodeChangeMessageVisibility(
    const rapidjson::Value& input);
Result<queue::ChangeMessageVisibilityBatchRequest> DecodeChangeMessageVisibilityBatch(
    const rapidjson::Value& input);

// Message move tasks.
Result<queue::StartMessageMoveTaskRequest> DecodeStartMessageMoveTask(
    const rapidjson::Value& input);
Result<queue::CancelMessageMoveTaskRequest> DecodeCancelMessageMoveTask(
    const rapidjson::Value& input);
Result<queue::ListMessageMoveTasksRequest> DecodeListMessageMoveTasks(
    const rapidjson::Value& input);

// Each operation's input shape, as its decoder checks it. The action table
// names them too: the Query codec builds its input tree from them.
struct Shape;
extern const Shape kCreateQueueInput;
extern const Shape kGetQueueUrlInput;
extern const Shape kListQueuesInput;
extern const Shape kDeleteQueueInput;
extern const Shape kPurgeQueueInput;
extern const Shape kGetQueueAttributesInput;
extern const Shape kSetQueueAttributesInput;
extern const Shape kTagQueueInput;
extern const Shape kUntagQueueInput;
extern const Shape kListQueueTagsInput;
extern const Shape kAddPermissionInput;
extern const Shape kRemovePermissionInput;
extern const Shape kListDeadLetterSourceQueuesInput;
extern const Shape kSendMessageInput;
extern const Shape kSendMessageBatchInput;
extern const Shape kReceiveMessageInput;
extern const Shape kDeleteMessageInput;
extern const Shape kDeleteMessageBatchInput;
extern const Shape kChangeMessageVisibilityInput;
extern const Shape kChangeMessageVisibilityBatchInput;
extern const Shape kStartMessageMoveTaskInput;
extern const Shape kCancelMessageMoveTaskInput;
extern const Shape kListMessageMoveTasksInput;

// Shared by the decoders.
class Members;
// The queue name from the QueueUrl member (present and a string: checked).
// An empty QueueUrl counts as missing, as SQS treats empty required values.
Status ReadQueueName(const Members& in, std::string* queue_name);

}  // namespace sluice::sqs
