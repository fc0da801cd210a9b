// Decoders of the queue-level operations and message move tasks. Member
// tables follow botocore's SQS model (data/sqs/2012-11-05/service-2.json),
// including its spelling: CreateQueue's tags member is lower-case "tags".
// Query names are the Query-era model's locationNames (botocore 1.29).
#include "sqs/json_decode.h"
#include "sqs/json_shape.h"

namespace sluice::sqs {
namespace {

using enum WireType;

constexpr MemberSpec kQueueUrlOnly[] = {
    {"QueueUrl", kString, true},
};
constexpr MemberSpec kCreateQueue[] = {
    {"QueueName", kString, true},
    {"Attributes", kStringMap, false, nullptr, "Attribute"},
    {"tags", kStringMap, false, nullptr, "Tag", "Key"},
};
constexpr MemberSpec kGetQueueUrl[] = {
    {"QueueName", kString, true},
    {"QueueOwnerAWSAccountId", kString},  // accepted, not checked: one account
};
constexpr MemberSpec kListQueues[] = {
    {"QueueNamePrefix", kString},
    {"NextToken", kString},
    {"MaxResults", kInteger},
};
constexpr MemberSpec kGetQueueAttributes[] = {
    {"QueueUrl", kString, true},
    {"AttributeNames", kStringList, false, nullptr, "AttributeName"},
};
constexpr MemberSpec kSetQueueAttributes[] = {
    {"QueueUrl", kString, true},
    {"Attributes", kStringMap, true, nullptr, "Attribute"},
};
constexpr MemberSpec kTagQueue[] = {
    {"QueueUrl", kString, true},
    {"Tags", kStringMap, true, nullptr, "Tag", "Key"},
};
constexpr MemberSpec kUntagQueue[] = {
    {"QueueUrl", kString, true},
    {"TagKeys", kStringList, true, nullptr, "TagKey"},
};
constexpr MemberSpec kAddPermission[] = {
    {"QueueUrl", kString, true},
    {"Label", kString, true},
    {"AWSAccountIds", kStringList, true, nullptr, "AWSAccountId"},
    {"Actions", kStringList, true, nullptr, "ActionName"},
};
constexpr MemberSpec kRemovePermission[] = {
    {"QueueUrl", kString, true},
    {"Label", kString, true},
};
constexpr MemberSpec kListDeadLetterSourceQueues[] = {
    {"QueueUrl", kString, true},
    {"NextToken", kString},
    {"MaxResults", kInteger},
};
constexpr MemberSpec kStartMessageMoveTask[] = {
    {"SourceArn", kString, true},
    {"DestinationArn", kString},
    {"MaxNumberOfMessagesPerSecond", kInteger},
};
constexpr MemberSpec kCancelMessageMoveTask[] = {
    {"TaskHandle", kString, true},
};
constexpr MemberSpec kListMessageMoveTasks[] = {
    {"SourceArn", kString, true},
    {"MaxResults", kInteger},
};

// The three operations that carry nothing but a QueueUrl.
template <typename Request>
Result<Request> DecodeQueueUrlOnly(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, Shape{kQueueUrlOnly}));
  Request request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(Members(input), &request.queue_name));
  return request;
}

}  // namespace

const Shape kCreateQueueInput{kCreateQueue};
const Shape kGetQueueUrlInput{kGetQueueUrl};
const Shape kListQueuesInput{kListQueues};
const Shape kGetQueueAttributesInput{kGetQueueAttributes};
const Shape kSetQueueAttributesInput{kSetQueueAttributes};
const Shape kTagQueueInput{kTagQueue};
const Shape kUntagQueueInput{kUntagQueue};
const Shape kAddPermissionInput{kAddPermission};
const Shape kRemovePermissionInput{kRemovePermission};
const Shape kListDeadLetterSourceQueuesInput{kListDeadLetterSourceQueues};
const Shape kStartMessageMoveTaskInput{kStartMessageMoveTask};
const Shape kCancelMessageMoveTaskInput{kCancelMessageMoveTask};
const Shape kListMessageMoveTasksInput{kListMessageMoveTasks};
const Shape kDeleteQueueInput{kQueueUrlOnly};
const Shape kPurgeQueueInput{kQueueUrlOnly};
const Shape kListQueueTagsInput{kQueueUrlOnly};

Result<queue::CreateQueueRequest> DecodeCreateQueue(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kCreateQueueInput));
  Members in(input);
  queue::CreateQueueRequest request;
  request.queue_name = in.String("QueueName");
  request.attributes = in.StringMap("Attributes");
  request.tags = in.StringMap("tags");
  return request;
}

Result<queue::GetQueueUrlRequest> DecodeGetQueueUrl(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kGetQueueUrlInput));
  queue::GetQueueUrlRequest request;
  request.queue_name = Members(input).String("QueueName");
  return request;
}

Result<queue::ListQueuesRequest> DecodeListQueues(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kListQueuesInput));
  Members in(input);
  queue::ListQueuesRequest request;
  request.queue_name_prefix = in.String("QueueNamePrefix");
  request.max_results = in.Int("MaxResults");
  request.next_token = in.String("NextToken");
  return request;
}

Result<queue::DeleteQueueRequest> DecodeDeleteQueue(const rapidjson::Value& input) {
  return DecodeQueueUrlOnly<queue::DeleteQueueRequest>(input);
}

Result<queue::PurgeQueueRequest> DecodePurgeQueue(const rapidjson::Value& input) {
  return DecodeQueueUrlOnly<queue::PurgeQueueRequest>(input);
}

Result<queue::ListQueueTagsRequest> DecodeListQueueTags(const rapidjson::Value& input) {
  return DecodeQueueUrlOnly<queue::ListQueueTagsRequest>(input);
}

Result<queue::GetQueueAttributesRequest> DecodeGetQueueAttributes(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kGetQueueAttributesInput));
  Members in(input);
  queue::GetQueueAttributesRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  request.attribute_names = in.StringList("AttributeNames");
  return request;
}

Result<queue::SetQueueAttributesRequest> DecodeSetQueueAttributes(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kSetQueueAttributesInput));
  Members in(input);
  queue::SetQueueAttributesRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  request.attributes = in.StringMap("Attributes");
  return request;
}

Result<queue::TagQueueRequest> DecodeTagQueue(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kTagQueueInput));
  Members in(input);
  queue::TagQueueRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  request.tags = in.StringMap("Tags");
  return request;
}

Result<queue::UntagQueueRequest> DecodeUntagQueue(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kUntagQueueInput));
  Members in(input);
  queue::UntagQueueRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  request.tag_keys = in.StringList("TagKeys");
  return request;
}

Result<queue::AddPermissionRequest> DecodeAddPermission(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kAddPermissionInput));
  Members in(input);
  queue::AddPermissionRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  request.label = in.String("Label");
  request.aws_account_ids = in.StringList("AWSAccountIds");
  request.actions = in.StringList("Actions");
  return request;
}

Result<queue::RemovePermissionRequest> DecodeRemovePermission(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kRemovePermissionInput));
  Members in(input);
  queue::RemovePermissionRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  request.label = in.String("Label");
  return request;
}

Result<queue::ListDeadLetterSourceQueuesRequest> DecodeListDeadLetterSourceQueues(
    const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kListDeadLetterSourceQueuesInput));
  Members in(input);
  queue::ListDeadLetterSourceQueuesRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  request.max_results = in.Int("MaxResults");
  request.next_token = in.String("NextToken");
  return request;
}

Result<queue::StartMessageMoveTaskRequest> DecodeStartMessageMoveTask(
    const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kStartMessageMoveTaskInput));
  Members in(input);
  queue::StartMessageMoveTaskRequest request;
  request.source_arn = in.String("SourceArn");
  request.destination_arn = in.String("DestinationArn");
  request.max_number_of_messages_per_second = in.Int("MaxNumberOfMessagesPerSecond");
  return request;
}

Result<queue::CancelMessageMoveTaskRequest> DecodeCancelMessageMoveTask(
    const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kCancelMessageMoveTaskInput));
  queue::CancelMessageMoveTaskRequest request;
  request.task_handle = Members(input).String("TaskHandle");
  return request;
}

Result<queue::ListMessageMoveTasksRequest> DecodeListMessageMoveTasks(
    const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kListMessageMoveTasksInput));
  Members in(input);
  queue::ListMessageMoveTasksRequest request;
  request.source_arn = in.String("SourceArn");
  request.max_results = in.Int("MaxResults");
  return request;
}

}  // namespace sluice::sqs
