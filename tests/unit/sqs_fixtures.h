// Request bodies exactly as boto3 sends them: produced by botocore's JSON
// serializer (botocore.serialize.create_serializer('json')) for the SQS
// model, one per operation, with the required members of each input shape.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "sqs/json_decode.h"
#include "sluice/status.h"

namespace sluice::sqs::testing {

struct RequestFixture {
  std::string_view action;
  std::function<Status(const rapidjson::Value&)> decode;  // the typed decoder, status only
  std::string_view body;
  std::vector<std::string_view> required;  // top-level, from the model
};

template <auto kDecode>
Status StatusOf(const rapidjson::Value& input) {
  return kDecode(input).status();
}

// clang-format off
inline const std::vector<RequestFixture>& RequestFixtures() {
  static const std::vector<RequestFixture> fixtures = {
    {"AddPermission", StatusOf<&DecodeAddPermission>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "Label": "share", "AWSAccountIds": ["111122223333"], "Actions": ["SendMessage", "ReceiveMessage"]})",
     {"QueueUrl", "Label", "AWSAccountIds", "Actions"}},
    {"CancelMessageMoveTask", StatusOf<&DecodeCancelMessageMoveTask>,
     R"({"TaskHandle": "handle-1"})",
     {"TaskHandle"}},
    {"ChangeMessageVisibility", StatusOf<&DecodeChangeMessageVisibility>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "ReceiptHandle": "rh-1", "VisibilityTimeout": 0})",
     {"QueueUrl", "ReceiptHandle", "VisibilityTimeout"}},
    {"ChangeMessageVisibilityBatch", StatusOf<&DecodeChangeMessageVisibilityBatch>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "Entries": [{"Id": "a", "ReceiptHandle": "rh-a", "VisibilityTimeout": 30}, {"Id": "b", "ReceiptHandle": "rh-b"}]})",
     {"QueueUrl", "Entries"}},
    {"CreateQueue", StatusOf<&DecodeCreateQueue>,
     R"({"QueueName": "orders", "Attributes": {"VisibilityTimeout": "60", "DelaySeconds": "5"}, "tags": {"team": "payments"}})",
     {"QueueName"}},
    {"DeleteMessage", StatusOf<&DecodeDeleteMessage>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "ReceiptHandle": "rh-1"})",
     {"QueueUrl", "ReceiptHandle"}},
    {"DeleteMessageBatch", StatusOf<&DecodeDeleteMessageBatch>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "Entries": [{"Id": "a", "ReceiptHandle": "rh-a"}, {"Id": "b", "ReceiptHandle": "rh-b"}]})",
     {"QueueUrl", "Entries"}},
    {"DeleteQueue", StatusOf<&DecodeDeleteQueue>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders"})",
     {"QueueUrl"}},
    {"GetQueueAttributes", StatusOf<&DecodeGetQueueAttributes>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "AttributeNames": ["All"]})",
     {"QueueUrl"}},
    {"GetQueueUrl", StatusOf<&DecodeGetQueueUrl>,
     R"({"QueueName": "orders", "QueueOwnerAWSAccountId": "000000000000"})",
     {"QueueName"}},
    {"ListDeadLetterSourceQueues", StatusOf<&DecodeListDeadLetterSourceQueues>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "MaxResults": 5, "NextToken": "tok"})",
     {"QueueUrl"}},
    {"ListMessageMoveTasks", StatusOf<&DecodeListMessageMoveTasks>,
     R"({"SourceArn": "arn:aws:sqs:us-east-1:000000000000:orders-dlq", "MaxResults": 10})",
     {"SourceArn"}},
    {"ListQueueTags", StatusOf<&DecodeListQueueTags>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders"})",
     {"QueueUrl"}},
    {"ListQueues", StatusOf<&DecodeListQueues>,
     R"({"QueueNamePrefix": "ord", "MaxResults": 100, "NextToken": "tok"})",
     {}},
    {"PurgeQueue", StatusOf<&DecodePurgeQueue>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders"})",
     {"QueueUrl"}},
    {"ReceiveMessage", StatusOf<&DecodeReceiveMessage>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "AttributeNames": ["SentTimestamp"], "MessageSystemAttributeNames": ["SentTimestamp", "ApproximateReceiveCount"], "MessageAttributeNames": ["All"], "MaxNumberOfMessages": 10, "VisibilityTimeout": 45, "WaitTimeSeconds": 20, "ReceiveRequestAttemptId": "att"})",
     {"QueueUrl"}},
    {"RemovePermission", StatusOf<&DecodeRemovePermission>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "Label": "share"})",
     {"QueueUrl", "Label"}},
    {"SendMessage", StatusOf<&DecodeSendMessage>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "MessageBody": "hello", "DelaySeconds": 3, "MessageAttributes": {"blob": {"DataType": "Binary", "BinaryValue": "AAH+/w=="}, "count": {"DataType": "Number", "StringValue": "42"}, "name": {"DataType": "String.custom", "StringValue": "v"}}, "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}}})",
     {"QueueUrl", "MessageBody"}},
    {"SendMessageBatch", StatusOf<&DecodeSendMessageBatch>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "Entries": [{"Id": "m1", "MessageBody": "one"}, {"Id": "m2", "MessageBody": "two", "DelaySeconds": 10, "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}]})",
     {"QueueUrl", "Entries"}},
    {"SetQueueAttributes", StatusOf<&DecodeSetQueueAttributes>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "Attributes": {"RedrivePolicy": "{\"deadLetterTargetArn\": \"arn:aws:sqs:us-east-1:000000000000:orders-dlq\", \"maxReceiveCount\": \"3\"}"}})",
     {"QueueUrl", "Attributes"}},
    {"StartMessageMoveTask", StatusOf<&DecodeStartMessageMoveTask>,
     R"({"SourceArn": "arn:aws:sqs:us-east-1:000000000000:orders-dlq", "DestinationArn": "arn:aws:sqs:us-east-1:000000000000:orders", "MaxNumberOfMessagesPerSecond": 50})",
     {"SourceArn"}},
    {"TagQueue", StatusOf<&DecodeTagQueue>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "Tags": {"team": "payments", "env": "dev"}})",
     {"QueueUrl", "Tags"}},
    {"UntagQueue", StatusOf<&DecodeUntagQueue>,
     R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "TagKeys": ["env"]})",
     {"QueueUrl", "TagKeys"}},
  };
  return fixtures;
}
// clang-format on

}  // namespace sluice::sqs::testing
