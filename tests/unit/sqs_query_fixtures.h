// Query protocol request bodies exactly as Debian 12's boto3 (botocore 1.29,
// the Query-era SQS model) sends them: its Query serializer's output, form-
// encoded, for the same parameters as the JSON fixtures in sqs_fixtures.h
// (the move task operations with sqs_query_move_tasks.json merged into its
// model; botocore 1.29 has no MessageSystemAttributeNames, so ReceiveMessage's
// MessageSystemAttributeName.N are appended as later SDKs flatten them).
#pragma once

#include <string_view>
#include <vector>

namespace sluice::sqs::testing {

struct QueryFixture {
  std::string_view action;
  std::string_view form;
};

// clang-format off
inline const std::vector<QueryFixture>& QueryFixtures() {
  static const std::vector<QueryFixture> fixtures = {
    {"AddPermission",
     "Action=AddPermission&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&Label=share&AWSAccountId.1=111122223333&ActionName.1=SendMessage&ActionName.2=ReceiveMessage"},
    {"CancelMessageMoveTask",
     "Action=CancelMessageMoveTask&Version=2012-11-05&TaskHandle=handle-1"},
    {"ChangeMessageVisibility",
     "Action=ChangeMessageVisibility&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&ReceiptHandle=rh-1&VisibilityTimeout=0"},
    {"ChangeMessageVisibilityBatch",
     "Action=ChangeMessageVisibilityBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=rh-a&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=30&ChangeMessageVisibilityBatchRequestEntry.2.Id=b&ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle=rh-b"},
    {"CreateQueue",
     "Action=CreateQueue&Version=2012-11-05&QueueName=orders&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=60&Attribute.2.Name=DelaySeconds&Attribute.2.Value=5&Tag.1.Key=team&Tag.1.Value=payments"},
    {"DeleteMessage",
     "Action=DeleteMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&ReceiptHandle=rh-1"},
    {"DeleteMessageBatch",
     "Action=DeleteMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=rh-a&DeleteMessageBatchRequestEntry.2.Id=b&DeleteMessageBatchRequestEntry.2.ReceiptHandle=rh-b"},
    {"DeleteQueue",
     "Action=DeleteQueue&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders"},
    {"GetQueueAttributes",
     "Action=GetQueueAttributes&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&AttributeName.1=All"},
    {"GetQueueUrl",
     "Action=GetQueueUrl&Version=2012-11-05&QueueName=orders&QueueOwnerAWSAccountId=000000000000"},
    {"ListDeadLetterSourceQueues",
     "Action=ListDeadLetterSourceQueues&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&MaxResults=5&NextToken=tok"},
    {"ListMessageMoveTasks",
     "Action=ListMessageMoveTasks&Version=2012-11-05&SourceArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aorders-dlq&MaxResults=10"},
    {"ListQueueTags",
     "Action=ListQueueTags&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders"},
    {"ListQueues",
     "Action=ListQueues&Version=2012-11-05&QueueNamePrefix=ord&MaxResults=100&NextToken=tok"},
    {"PurgeQueue",
     "Action=PurgeQueue&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders"},
    {"ReceiveMessage",
     "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&AttributeName.1=SentTimestamp&MessageAttributeName.1=All&MaxNumberOfMessages=10&VisibilityTimeout=45&WaitTimeSeconds=20&ReceiveRequestAttemptId=att&MessageSystemAttributeName.1=SentTimestamp&MessageSystemAttributeName.2=ApproximateReceiveCount"},
    {"RemovePermission",
     "Action=RemovePermission&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&Label=share"},
    {"SendMessage",
     "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&MessageBody=hello&DelaySeconds=3&MessageAttribute.1.Name=blob&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=AAH%2B%2Fw%3D%3D&MessageAttribute.2.Name=count&MessageAttribute.2.Value.DataType=Number&MessageAttribute.2.Value.StringValue=42&MessageAttribute.3.Name=name&MessageAttribute.3.Value.DataType=String.custom&MessageAttribute.3.Value.StringValue=v&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String&MessageSystemAttribute.1.Value.StringValue=Root%3D1-5759e988-bd862e3fe1be46a994272793"},
    {"SendMessageBatch",
     "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&SendMessageBatchRequestEntry.1.Id=m1&SendMessageBatchRequestEntry.1.MessageBody=one&SendMessageBatchRequestEntry.2.Id=m2&SendMessageBatchRequestEntry.2.MessageBody=two&SendMessageBatchRequestEntry.2.DelaySeconds=10&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=k&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=String&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=v"},
    {"SetQueueAttributes",
     "Action=SetQueueAttributes&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&Attribute.1.Name=RedrivePolicy&Attribute.1.Value=%7B%22deadLetterTargetArn%22%3A+%22arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aorders-dlq%22%2C+%22maxReceiveCount%22%3A+%223%22%7D"},
    {"StartMessageMoveTask",
     "Action=StartMessageMoveTask&Version=2012-11-05&SourceArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aorders-dlq&DestinationArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aorders&MaxNumberOfMessagesPerSecond=50"},
    {"TagQueue",
     "Action=TagQueue&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&Tag.1.Key=team&Tag.1.Value=payments&Tag.2.Key=env&Tag.2.Value=dev"},
    {"UntagQueue",
     "Action=UntagQueue&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&TagKey.1=env"},
  };
  return fixtures;
}
// clang-format on

}  // namespace sluice::sqs::testing
