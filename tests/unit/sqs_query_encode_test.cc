// The Query protocol's responses and errors in XML, as the Query-era SQS model
// names them. With SLUICE_SQS_QUERY_DUMP_DIR set, every sample is also
// written there (<Operation>[-variant].xml; error-<Code>.xml with the status
// on its first line) for tests/unit/sqs_query_codec_check.py to parse with
// Debian's botocore 1.29, whose QueryParser is what old boto3 users run.
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "sluice/sqs/errors.h"
#include "sqs/query_encode.h"
#include "sluice/xml_writer.h"

namespace sluice::sqs {
namespace {

const EncodeContext kContext{"http://127.0.0.1:4566", "000000000000", "req-1"};

constexpr std::string_view kHead =
    R"(<?xml version="1.0"?>)";
constexpr std::string_view kMetadata =
    "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>";

// The whole response of `action` with `result` as its Result element's content.
std::string Expected(std::string_view action, std::string_view result) {
  std::string out(kHead);
  out.append("<").append(action).append(
      R"(Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">)");
  out.append("<").append(action).append("Result>").append(result);
  out.append("</").append(action).append("Result>");
  out.append(kMetadata).append("</").append(action).append("Response>");
  return out;
}

// Returns `text`, saved as <dump dir>/<sample>.xml when asked to.
std::string Sample(const std::string& sample, std::string text) {
  if (const char* dir = std::getenv("SLUICE_SQS_QUERY_DUMP_DIR")) {
    std::ofstream(std::string(dir) + "/" + sample + ".xml") << text;
  }
  return text;
}

queue::SendMessageResult SendResult(std::string id) {
  queue::SendMessageResult result;
  result.message_id = std::move(id);
  result.md5_of_message_body = "5d41402abc4b2a76b9719d911017c592";
  return result;
}

TEST(SqsQueryEncode, OperationsWithoutOutputHaveNoResultElement) {
  for (const char* action : {"DeleteQueue", "PurgeQueue", "SetQueueAttributes", "TagQueue",
                             "UntagQueue", "AddPermission", "RemovePermission", "DeleteMessage",
                             "ChangeMessageVisibility"}) {
    std::string xml = Sample(action, EncodeXmlResult(action, queue::EmptyResult{}, kContext));
    EXPECT_EQ(xml, std::string(kHead) + "<" + action +
                       R"(Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">)" +
                       std::string(kMetadata) + "</" + action + "Response>");
  }
}

TEST(SqsQueryEncode, QueueUrls) {
  EXPECT_EQ(Sample("CreateQueue", EncodeXmlResult("CreateQueue",
                                                  queue::CreateQueueResult{"orders", true},
                                                  kContext)),
            Expected("CreateQueue",
                     "<QueueUrl>http://127.0.0.1:4566/000000000000/orders</QueueUrl>"));
  EXPECT_EQ(Sample("GetQueueUrl",
                   EncodeXmlResult("GetQueueUrl", queue::GetQueueUrlResult{"jobs"}, kContext)),
            Expected("GetQueueUrl",
                     "<QueueUrl>http://127.0.0.1:4566/000000000000/jobs</QueueUrl>"));
}

TEST(SqsQueryEncode, ListsAreFlattened) {
  EXPECT_EQ(Sample("ListQueues", EncodeXmlResult("ListQueues",
                                                 queue::ListQueuesResult{{"a", "b"}, "next"},
                                                 kContext)),
            Expected("ListQueues",
                     "<QueueUrl>http://127.0.0.1:4566/000000000000/a</QueueUrl>"
                     "<QueueUrl>http://127.0.0.1:4566/000000000000/b</QueueUrl>"
                     "<NextToken>next</NextToken>"));
  EXPECT_EQ(Sample("ListQueues-empty",
                   EncodeXmlResult("ListQueues", queue::ListQueuesResult{}, kContext)),
            Expected("ListQueues", ""));
  EXPECT_EQ(Sample("ListDeadLetterSourceQueues",
                   EncodeXmlResult("ListDeadLetterSourceQueues",
                                   queue::ListDeadLetterSourceQueuesResult{{"src"}, ""},
                                   kContext)),
            Expected("ListDeadLetterSourceQueues",
                     "<QueueUrl>http://127.0.0.1:4566/000000000000/src</QueueUrl>"));
}

TEST(SqsQueryEncode, MapsAreFlattenedWithTheirKeyNames) {
  queue::GetQueueAttributesResult attributes{{{"DelaySeconds", "5"}, {"Policy", R"({"a":"<&>"})"}}};
  EXPECT_EQ(Sample("GetQueueAttributes",
                   EncodeXmlResult("GetQueueAttributes", attributes, kContext)),
            Expected("GetQueueAttributes",
                     "<Attribute><Name>DelaySeconds</Name><Value>5</Value></Attribute>"
                     "<Attribute><Name>Policy</Name>"
                     "<Value>{&quot;a&quot;:&quot;&lt;&amp;&gt;&quot;}</Value></Attribute>"));
  EXPECT_EQ(Sample("ListQueueTags",
                   EncodeXmlResult("ListQueueTags", queue::ListQueueTagsResult{{{"team", "pay"}}},
                                   kContext)),
            Expected("ListQueueTags", "<Tag><Key>team</Key><Value>pay</Value></Tag>"));
  Sample("GetQueueAttributes-empty",
         EncodeXmlResult("GetQueueAttributes", queue::GetQueueAttributesResult{}, kContext));
}

TEST(SqsQueryEncode, SendMessage) {
  EXPECT_EQ(Sample("SendMessage", EncodeXmlResult("SendMessage", SendResult("id-1"), kContext)),
            Expected("SendMessage",
                     "<MessageId>id-1</MessageId>"
                     "<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody>"));
  queue::SendMessageResult full = SendResult("id-2");
  full.md5_of_message_attributes = "aaaa";
  full.md5_of_message_system_attributes = "bbbb";
  std::string xml = Sample("SendMessage-attributes", EncodeXmlResult("SendMessage", full, kContext));
  EXPECT_NE(xml.find("<MD5OfMessageAttributes>aaaa</MD5OfMessageAttributes>"
                     "<MD5OfMessageSystemAttributes>bbbb</MD5OfMessageSystemAttributes>"),
            std::string::npos);
}

TEST(SqsQueryEncode, BatchResults) {
  queue::SendMessageBatchResult send;
  send.successful = {SendResult("id-1")};
  send.successful_ids = {"m1"};
  send.failed = {{"m2", Code::kInvalidParameterValue, "Message must be shorter.", true},
                 {"m3", Code::kStorageFailed, "", false}};
  EXPECT_EQ(Sample("SendMessageBatch", EncodeXmlResult("SendMessageBatch", send, kContext)),
            Expected("SendMessageBatch",
                     "<SendMessageBatchResultEntry><Id>m1</Id><MessageId>id-1</MessageId>"
                     "<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody>"
                     "</SendMessageBatchResultEntry>"
                     "<BatchResultErrorEntry><Id>m2</Id><SenderFault>true</SenderFault>"
                     "<Code>InvalidParameterValue</Code><Message>Message must be shorter."
                     "</Message></BatchResultErrorEntry>"
                     "<BatchResultErrorEntry><Id>m3</Id><SenderFault>false</SenderFault>"
                     "<Code>AWS.SimpleQueueService.InternalError</Code>"
                     "</BatchResultErrorEntry>"));

  queue::BatchResult batch{{"a", "b"}, {{"c", Code::kReceiptHandleIsInvalid, "bad", true}}};
  std::string deleted =
      Sample("DeleteMessageBatch", EncodeXmlResult("DeleteMessageBatch", batch, kContext));
  EXPECT_EQ(deleted,
            Expected("DeleteMessageBatch",
                     "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>"
                     "<DeleteMessageBatchResultEntry><Id>b</Id></DeleteMessageBatchResultEntry>"
                     "<BatchResultErrorEntry><Id>c</Id><SenderFault>true</SenderFault>"
                     "<Code>ReceiptHandleIsInvalid</Code><Message>bad</Message>"
                     "</BatchResultErrorEntry>"));
  std::string changed = Sample("ChangeMessageVisibilityBatch",
                               EncodeXmlResult("ChangeMessageVisibilityBatch", batch, kContext));
  EXPECT_NE(changed.find("<ChangeMessageVisibilityBatchResultEntry><Id>a</Id>"
                         "</ChangeMessageVisibilityBatchResultEntry>"),
            std::string::npos);
  Sample("SendMessageBatch-empty",
         EncodeXmlResult("SendMessageBatch", queue::SendMessageBatchResult{}, kContext));
}

TEST(SqsQueryEncode, ReceiveMessage) {
  queue::ReceivedMessage message;
  message.message_id = "id-1";
  message.receipt_handle = "rh+/=";
  message.body = "a < b & \"c\"\r\nend";
  message.md5_of_body = "md5";
  message.md5_of_message_attributes = "md5a";
  message.attributes = {{"ApproximateReceiveCount", "2"}, {"SentTimestamp", "1700000000000"}};
  message.message_attributes = {{"blob", {"Binary", "", std::string("\x00\x01\xfe\xff", 4)}},
                                {"count", {"Number.int", "42", ""}}};
  queue::ReceiveMessageResult result;
  result.messages = {message};
  EXPECT_EQ(Sample("ReceiveMessage", EncodeXmlResult("ReceiveMessage", result, kContext)),
            Expected("ReceiveMessage",
                     "<Message><MessageId>id-1</MessageId><ReceiptHandle>rh+/=</ReceiptHandle>"
                     "<MD5OfBody>md5</MD5OfBody>"
                     "<Body>a &lt; b &amp; &quot;c&quot;&#xD;\nend</Body>"
                     "<Attribute><Name>ApproximateReceiveCount</Name><Value>2</Value></Attribute>"
                     "<Attribute><Name>SentTimestamp</Name><Value>1700000000000</Value>"
                     "</Attribute>"
                     "<MD5OfMessageAttributes>md5a</MD5OfMessageAttributes>"
                     "<MessageAttribute><Name>blob</Name><Value><BinaryValue>AAH+/w=="
                     "</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>"
                     "<MessageAttribute><Name>count</Name><Value><StringValue>42</StringValue>"
                     "<DataType>Number.int</DataType></Value></MessageAttribute>"
                     "</Message>"));
  // Like SQS: an empty receive is an empty result.
  EXPECT_EQ(Sample("ReceiveMessage-empty",
                   EncodeXmlResult("ReceiveMessage", queue::ReceiveMessageResult{}, kContext)),
            Expected("ReceiveMessage", ""));
}

TEST(SqsQueryEncode, MoveTasks) {
  EXPECT_EQ(Sample("StartMessageMoveTask",
                   EncodeXmlResult("StartMessageMoveTask",
                                   queue::StartMessageMoveTaskResult{"handle-1"}, kContext)),
            Expected("StartMessageMoveTask", "<TaskHandle>handle-1</TaskHandle>"));
  EXPECT_EQ(Sample("CancelMessageMoveTask",
                   EncodeXmlResult("CancelMessageMoveTask",
                                   queue::CancelMessageMoveTaskResult{5'000'000'000}, kContext)),
            Expected("CancelMessageMoveTask",
                     "<ApproximateNumberOfMessagesMoved>5000000000"
                     "</ApproximateNumberOfMessagesMoved>"));
  queue::MessageMoveTask running;
  running.task_handle = "h";
  running.status = "RUNNING";
  running.source_arn = "arn:aws:sqs:us-east-1:000000000000:dlq";
  running.max_number_of_messages_per_second = 10;
  running.approximate_number_of_messages_moved = 3;
  running.approximate_number_of_messages_to_move = 7;
  running.started_timestamp = 1700000000000;
  queue::MessageMoveTask failed;
  failed.status = "FAILED";
  failed.source_arn = running.source_arn;
  failed.destination_arn = "arn:aws:sqs:us-east-1:000000000000:gone";
  failed.failure_reason = "AWS.SimpleQueueService.NonExistentQueue";
  queue::ListMessageMoveTasksResult list{{running, failed}};
  EXPECT_EQ(Sample("ListMessageMoveTasks", EncodeXmlResult("ListMessageMoveTasks", list, kContext)),
            Expected("ListMessageMoveTasks",
                     "<ListMessageMoveTasksResultEntry><TaskHandle>h</TaskHandle>"
                     "<Status>RUNNING</Status>"
                     "<SourceArn>arn:aws:sqs:us-east-1:000000000000:dlq</SourceArn>"
                     "<MaxNumberOfMessagesPerSecond>10</MaxNumberOfMessagesPerSecond>"
                     "<ApproximateNumberOfMessagesMoved>3</ApproximateNumberOfMessagesMoved>"
                     "<ApproximateNumberOfMessagesToMove>7</ApproximateNumberOfMessagesToMove>"
                     "<StartedTimestamp>1700000000000</StartedTimestamp>"
                     "</ListMessageMoveTasksResultEntry>"
                     "<ListMessageMoveTasksResultEntry><Status>FAILED</Status>"
                     "<SourceArn>arn:aws:sqs:us-east-1:000000000000:dlq</SourceArn>"
                     "<DestinationArn>arn:aws:sqs:us-east-1:000000000000:gone</DestinationArn>"
                     "<ApproximateNumberOfMessagesMoved>0</ApproximateNumberOfMessagesMoved>"
                     "<ApproximateNumberOfMessagesToMove>0</ApproximateNumberOfMessagesToMove>"
                     "<FailureReason>AWS.SimpleQueueService.NonExistentQueue</FailureReason>"
                     "<StartedTimestamp>0</StartedTimestamp>"
                     "</ListMessageMoveTasksResultEntry>"));
}

// ---- Errors -----------------------------------------------------------------

struct ExpectedError {
  Code code;
  int http_status;
  const char* type;
  const char* code_text;
};

// clang-format off
const ExpectedError kErrors[] = {
  {Code::kInvalidParameterValue, 400, "Sender", "InvalidParameterValue"},
  {Code::kMissingParameter, 400, "Sender", "MissingParameter"},
  {Code::kMalformedRequest, 400, "Sender", "MalformedQueryString"},
  {Code::kUnknownOperation, 400, "Sender", "InvalidAction"},
  {Code::kInvalidAttributeName, 400, "Sender", "InvalidAttributeName"},
  {Code::kInvalidAttributeValue, 400, "Sender", "InvalidAttributeValue"},
  {Code::kUnsupportedOperation, 400, "Sender", "AWS.SimpleQueueService.UnsupportedOperation"},
  {Code::kRequestTooLarge, 400, "Sender", "InvalidParameterValue"},
  {Code::kQueueDoesNotExist, 400, "Sender", "AWS.SimpleQueueService.NonExistentQueue"},
  {Code::kQueueNameExists, 400, "Sender", "QueueAlreadyExists"},
  {Code::kReceiptHandleIsInvalid, 400, "Sender", "ReceiptHandleIsInvalid"},
  {Code::kMessageNotInflight, 400, "Sender", "AWS.SimpleQueueService.MessageNotInflight"},
  {Code::kInvalidMessageContents, 400, "Sender", "InvalidMessageContents"},
  {Code::kTooManyEntriesInBatchRequest, 400, "Sender", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"},
  {Code::kEmptyBatchRequest, 400, "Sender", "AWS.SimpleQueueService.EmptyBatchRequest"},
  {Code::kBatchEntryIdsNotDistinct, 400, "Sender", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
  {Code::kInvalidBatchEntryId, 400, "Sender", "AWS.SimpleQueueService.InvalidBatchEntryId"},
  {Code::kBatchRequestTooLong, 400, "Sender", "AWS.SimpleQueueService.BatchRequestTooLong"},
  {Code::kPurgeQueueInProgress, 403, "Sender", "AWS.SimpleQueueService.PurgeQueueInProgress"},
  {Code::kResourceNotFound, 404, "Sender", "ResourceNotFoundException"},
  {Code::kOverLimit, 403, "Sender", "OverLimit"},
  {Code::kStorageFailed, 500, "Receiver", "AWS.SimpleQueueService.InternalError"},
  {Code::kUnavailable, 503, "Receiver", "ServiceUnavailable"},
  {Code::kInternal, 500, "Receiver", "AWS.SimpleQueueService.InternalError"},
};
// clang-format on

TEST(SqsQueryErrors, EveryCodeInTheXmlShape) {
  for (const ExpectedError& row : kErrors) {
    WireError error = ToWireError(Status(row.code, "why <it> failed & more"));
    EXPECT_EQ(error.http_status, row.http_status) << CodeName(row.code);
    std::string xml = EncodeXmlError(error, "req-9");
    EXPECT_EQ(xml, std::string(kHead) +
                       R"(<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">)"
                       "<Error><Type>" + row.type + "</Type><Code>" + row.code_text +
                       "</Code><Message>why &lt;it&gt; failed &amp; more</Message><Detail/>"
                       "</Error><RequestId>req-9</RequestId></ErrorResponse>")
        << CodeName(row.code);
    if (const char* dir = std::getenv("SLUICE_SQS_QUERY_DUMP_DIR")) {
      std::ofstream(std::string(dir) + "/error-" + CodeName(row.code) + ".xml")
          << error.http_status << "\n" << xml;
    }
  }
}

TEST(SqsQueryErrors, DefaultMessageWhenTheStatusHasNone) {
  std::string xml = EncodeXmlError(ToWireError(Status(Code::kQueueDoesNotExist, "")), "r");
  EXPECT_NE(xml.find("<Message>The specified queue does not exist.</Message>"),
            std::string::npos);
}

// ---- The writer ---------------------------------------------------------------

std::string Escaped(std::string_view text) {
  std::string out;
  AppendXmlEscaped(&out, text);
  return out;
}

TEST(SqsXmlWriter, EscapesMarkupAndCarriageReturns) {
  EXPECT_EQ(Escaped("plain text, 'quoted'"), "plain text, 'quoted'");
  EXPECT_EQ(Escaped("<a href=\"x\">&amp;</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;");
  EXPECT_EQ(Escaped("line\r\nnext\ttab"), "line&#xD;\nnext\ttab");
  EXPECT_EQ(Escaped(""), "");
}

TEST(SqsXmlWriter, ReplacesWhatXmlCannotCarry) {
  const std::string kFffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Escaped(std::string("a\x01" "b\x1f" "c", 5)), "a" + kFffd + "b" + kFffd + "c");
  EXPECT_EQ(Escaped(std::string("\0", 1)), kFffd);
  EXPECT_EQ(Escaped("x\xEF\xBF\xBE" "y\xEF\xBF\xBF"), "x" + kFffd + "y" + kFffd);
  // Other characters with the same lead byte are ordinary.
  EXPECT_EQ(Escaped("\xEF\xBF\xBD\xEF\x80\x80\xEF\xBB\xBF"), "\xEF\xBF\xBD\xEF\x80\x80\xEF\xBB\xBF");
  EXPECT_EQ(Escaped("h\xC3\xA9llo \xF0\x9F\x98\x80"), "h\xC3\xA9llo \xF0\x9F\x98\x80");
  EXPECT_EQ(Escaped("tail\xEF"), "tail\xEF");  // truncated: left to the UTF-8 checks upstream
}

TEST(SqsXmlWriter, NestsElements) {
  std::string out;
  XmlWriter xml(&out);
  xml.Start("Root", "urn:x&y");
  xml.Start("Inner");
  xml.Element("Leaf", "1 < 2");
  xml.EmptyElement("Nothing");
  xml.End();
  xml.End();
  xml.End();  // unbalanced: ignored
  EXPECT_EQ(out, R"(<Root xmlns="urn:x&amp;y"><Inner><Leaf>1 &lt; 2</Leaf><Nothing/></Inner></Root>)");
}

}  // namespace
}  // namespace sluice::sqs
