#include "sluice/cli/sqs_client.h"

#include "cli/wire.h"

namespace sluice::cli {
namespace {

using rapidjson::Document;
using rapidjson::Value;

// Sluice ignores request signatures. The credential scope still names the
// service, so that multi-service emulators (moto, LocalStack) that route on
// it send our calls to SQS.
constexpr char kAuthorization[] =
    "AWS4-HMAC-SHA256 Credential=sluice/20000101/us-east-1/sqs/aws4_request, "
    "SignedHeaders=host;x-amz-target, Signature=0";

// Builds a JSON object member by member.
class Body {
 public:
  Body() : doc_(rapidjson::kObjectType) {}
  Body& Set(const char* name, const std::string& value) {
    doc_.AddMember(Value(name, alloc()), Value(value, alloc()), alloc());
    return *this;
  }
  Body& Set(const char* name, int64_t value) {
    doc_.AddMember(Value(name, alloc()), Value(value), alloc());
    return *this;
  }
  Body& Set(const char* name, Value value) {
    doc_.AddMember(Value(name, alloc()), value, alloc());
    return *this;
  }
  Value Strings(const std::vector<std::string>& items) {
    Value array(rapidjson::kArrayType);
    for (const std::string& item : items) array.PushBack(Value(item, alloc()), alloc());
    return array;
  }
  Document::AllocatorType& alloc() { return doc_.GetAllocator(); }
  const Document& doc() const { return doc_; }

 private:
  Document doc_;
};

Code CodeFromTypeName(std::string_view type) {
  for (int i = static_cast<int>(Code::kOk) + 1; i <= static_cast<int>(Code::kInternal); ++i) {
    Code code = static_cast<Code>(i);
    if (type == CodeName(code)) return code == Code::kUnavailable ? Code::kInternal : code;
  }
  return Code::kInternal;
}

Status DecodeError(const HttpResponse& response) {
  Document doc;
  doc.Parse(response.body.data(), response.body.size());
  std::string type = doc.HasParseError() ? "" : StringMember(doc, "__type");
  if (type.empty()) {
    std::string why = "unexpected HTTP " + std::to_string(response.status) + " response";
    if (!response.body.empty()) why += ": " + Excerpt(response.body);
    return Status(Code::kInternal, std::move(why));
  }
  // "com.amazonaws.sqs#QueueDoesNotExist" -> "QueueDoesNotExist".
  size_t hash = type.rfind('#');
  if (hash != std::string::npos) type = type.substr(hash + 1);
  std::string message = StringMember(doc, "message");
  if (message.empty()) message = StringMember(doc, "Message");
  Code code = CodeFromTypeName(type);
  return Status(code, message.empty() ? type : type + ": " + message);
}

Result<Document> DecodeSuccess(const HttpResponse& response, std::string_view what) {
  Document doc;
  if (response.body.empty()) {
    doc.SetObject();  // some servers answer actions without a result with no body
    return doc;
  }
  doc.Parse(response.body.data(), response.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Status(Code::kInternal,
                  "invalid JSON in the answer to " + std::string(what) + ": " + Excerpt(response.body));
  }
  return doc;
}

Result<Document> Decode(const Result<HttpResponse>& response, std::string_view what) {
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status > 299) return DecodeError(*response);
  return DecodeSuccess(*response, what);
}

Message MessageFrom(const Value& object) {
  Message message;
  message.message_id = StringMember(object, "MessageId");
  message.receipt_handle = StringMember(object, "ReceiptHandle");
  message.body = StringMember(object, "Body");
  message.raw_json = SerializeJson(object);
  auto attributes = object.FindMember("Attributes");
  if (attributes != object.MemberEnd() && attributes->value.IsObject()) {
    // ReceiveMessage: system attributes, as strings.
    message.receive_count = IntegerMember(attributes->value, "ApproximateReceiveCount");
    message.sent_timestamp = IntegerMember(attributes->value, "SentTimestamp");
    message.dead_letter_source_queue =
        QueueNameFromArn(StringMember(attributes->value, "DeadLetterQueueSourceArn"));
  } else {
    // The admin peek: flat members.
    message.receive_count = IntegerMember(object, "ReceiveCount");
    message.sent_timestamp = IntegerMember(object, "SentTimestamp");
    message.dead_letter_source_queue = StringMember(object, "DeadLetterSourceQueue");
  }
  return message;
}

std::vector<Message> MessagesFrom(const Value& object, const char* member) {
  std::vector<Message> messages;
  if (const Value* array = ArrayMember(object, member)) {
    for (const Value& item : array->GetArray()) {
      if (item.IsObject()) messages.push_back(MessageFrom(item));
    }
  }
  return messages;
}

}  // namespace

std::string QueueNameFromUrl(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  size_t slash = url.rfind('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

std::string QueueNameFromArn(std::string_view arn) {
  size_t colon = arn.rfind(':');
  return std::string(colon == std::string_view::npos ? arn : arn.substr(colon + 1));
}

Result<Document> SqsClient::Call(std::string_view action, const Value& request,
                                 std::chrono::milliseconds timeout) {
  HttpRequest http;
  http.method = "POST";
  http.target = "/";
  http.headers = {
      {"X-Amz-Target", "AmazonSQS." + std::string(action)},
      {"Content-Type", "application/x-amz-json-1.0"},
      {"Authorization", kAuthorization},
  };
  http.body = SerializeJson(request);
  http.timeout = timeout;
  return Decode(transport_->RoundTrip(http), action);
}

Result<Document> SqsClient::Get(const std::string& target) {
  HttpRequest http;
  http.method = "GET";
  http.target = target;
  http.headers = {{"Accept", "application/json"}};
  return Decode(transport_->RoundTrip(http), "GET " + target);
}

Result<std::vector<std::string>> SqsClient::ListQueues() {
  std::vector<std::string> urls;
  std::string next_token;
  for (;;) {
    Body body;
    body.Set("MaxResults", int64_t{1000});
    if (!next_token.empty()) body.Set("NextToken", next_token);
    Result<Document> answer = Call("ListQueues", body.doc());
    if (!answer.ok()) return answer.status();
    if (const Value* array = ArrayMember(*answer, "QueueUrls")) {
      for (const Value& url : array->GetArray()) {
        if (url.IsString()) urls.emplace_back(url.GetString(), url.GetStringLength());
      }
    }
    std::string token = StringMember(*answer, "NextToken");
    if (token.empty() || token == next_token) return urls;  // a repeated token would loop forever
    next_token = std::move(token);
  }
}

Result<std::string> SqsClient::GetQueueUrl(const std::string& name) {
  Body body;
  body.Set("QueueName", name);
  Result<Document> answer = Call("GetQueueUrl", body.doc());
  if (!answer.ok()) return answer.status();
  std::string url = StringMember(*answer, "QueueUrl");
  if (url.empty()) return Status(Code::kInternal, "GetQueueUrl answered without a QueueUrl");
  return url;
}

Result<AttributeMap> SqsClient::GetQueueAttributes(const std::string& queue_url,
                                                   const std::vector<std::string>& names) {
  Body body;
  body.Set("QueueUrl", queue_url).Set("AttributeNames", body.Strings(names));
  Result<Document> answer = Call("GetQueueAttributes", body.doc());
  if (!answer.ok()) return answer.status();
  AttributeMap attributes;
  auto it = answer->FindMember("Attributes");
  if (it != answer->MemberEnd() && it->value.IsObject()) {
    for (const auto& member : it->value.GetObject()) {
      std::string name(member.name.GetString(), member.name.GetStringLength());
      attributes[name] = member.value.IsString()
                             ? std::string(member.value.GetString(), member.value.GetStringLength())
                             : SerializeJson(member.value);
    }
  }
  return attributes;
}

Result<std::string> SqsClient::CreateQueue(const std::string& name, const AttributeMap& attributes) {
  Body body;
  body.Set("QueueName", name);
  if (!attributes.empty()) {
    Value map(rapidjson::kObjectType);
    for (const auto& [key, value] : attributes) {
      map.AddMember(Value(key, body.alloc()), Value(value, body.alloc()), body.alloc());
    }
    body.Set("Attributes", std::move(map));
  }
  Result<Document> answer = Call("CreateQueue", body.doc());
  if (!answer.ok()) return answer.status();
  return StringMember(*answer, "QueueUrl");
}

Status SqsClient::DeleteQueue(const std::string& queue_url) {
  Body body;
  body.Set("QueueUrl", queue_url);
  return Call("DeleteQueue", body.doc()).status();
}

Status SqsClient::PurgeQueue(const std::string& queue_url) {
  Body body;
  body.Set("QueueUrl", queue_url);
  return Call("PurgeQueue", body.doc()).status();
}

Result<SendMessageResult> SqsClient::SendMessage(const SendMessageArgs& args) {
  Body body;
  body.Set("QueueUrl", args.queue_url).Set("MessageBody", args.body);
  if (args.delay_seconds) body.Set("DelaySeconds", int64_t{*args.delay_seconds});
  if (!args.string_attributes.empty()) {
    Value map(rapidjson::kObjectType);
    for (const auto& [name, value] : args.string_attributes) {
      Value attribute(rapidjson::kObjectType);
      attribute.AddMember("DataType", "String", body.alloc());
      attribute.AddMember("StringValue", Value(value, body.alloc()), body.alloc());
      map.AddMember(Value(name, body.alloc()), attribute, body.alloc());
    }
    body.Set("MessageAttributes", std::move(map));
  }
  if (args.message_group_id) body.Set("MessageGroupId", *args.message_group_id);
  if (args.message_deduplication_id) body.Set("MessageDeduplicationId", *args.message_deduplication_id);
  Result<Document> answer = Call("SendMessage", body.doc());
  if (!answer.ok()) return answer.status();
  SendMessageResult result;
  result.message_id = StringMember(*answer, "MessageId");
  result.md5_of_body = StringMember(*answer, "MD5OfMessageBody");
  result.sequence_number = StringMember(*answer, "SequenceNumber");
  return result;
}

Result<std::vector<Message>> SqsClient::ReceiveMessage(const ReceiveMessageArgs& args) {
  Body body;
  body.Set("QueueUrl", args.queue_url).Set("MaxNumberOfMessages", int64_t{args.max_messages});
  if (args.wait_seconds) body.Set("WaitTimeSeconds", int64_t{*args.wait_seconds});
  if (args.visibility_timeout) body.Set("VisibilityTimeout", int64_t{*args.visibility_timeout});
  // Both spellings: older servers know only AttributeNames.
  body.Set("AttributeNames", body.Strings({"All"}));
  body.Set("MessageSystemAttributeNames", body.Strings({"All"}));
  body.Set("MessageAttributeNames", body.Strings({"All"}));
  // A long poll legitimately holds the answer for up to the wait time.
  auto timeout = std::chrono::seconds(30 + args.wait_seconds.value_or(20));
  Result<Document> answer = Call("ReceiveMessage", body.doc(), timeout);
  if (!answer.ok()) return answer.status();
  return MessagesFrom(*answer, "Messages");
}

Status SqsClient::DeleteMessage(const std::string& queue_url, const std::string& receipt_handle) {
  Body body;
  body.Set("QueueUrl", queue_url).Set("ReceiptHandle", receipt_handle);
  return Call("DeleteMessage", body.doc()).status();
}

Result<std::vector<std::string>> SqsClient::ListDeadLetterSourceQueues(const std::string& queue_url) {
  std::vector<std::string> urls;
  std::string next_token;
  for (;;) {
    Body body;
    body.Set("QueueUrl", queue_url).Set("MaxResults", int64_t{1000});
    if (!next_token.empty()) body.Set("NextToken", next_token);
    Result<Document> answer = Call("ListDeadLetterSourceQueues", body.doc());
    if (!answer.ok()) return answer.status();
    // The JSON protocol spells this member in lower camel case.
    const Value* array = ArrayMember(*answer, "queueUrls");
    if (array == nullptr) array = ArrayMember(*answer, "QueueUrls");
    if (array != nullptr) {
      for (const Value& url : array->GetArray()) {
        if (url.IsString()) urls.emplace_back(url.GetString(), url.GetStringLength());
      }
    }
    std::string token = StringMember(*answer, "NextToken");
    if (token.empty() || token == next_token) return urls;
    next_token = std::move(token);
  }
}

Result<std::string> SqsClient::StartMessageMoveTask(const std::string& source_arn,
                                                    const std::string& destination_arn,
                                                    std::optional<int> max_per_second) {
  Body body;
  body.Set("SourceArn", source_arn);
  if (!destination_arn.empty()) body.Set("DestinationArn", destination_arn);
  if (max_per_second) body.Set("MaxNumberOfMessagesPerSecond", int64_t{*max_per_second});
  Result<Document> answer = Call("StartMessageMoveTask", body.doc());
  if (!answer.ok()) return answer.status();
  return StringMember(*answer, "TaskHandle");
}

Result<std::vector<MoveTask>> SqsClient::ListMessageMoveTasks(const std::string& source_arn,
                                                              int max_results) {
  Body body;
  body.Set("SourceArn", source_arn).Set("MaxResults", int64_t{max_results});
  Result<Document> answer = Call("ListMessageMoveTasks", body.doc());
  if (!answer.ok()) return answer.status();
  std::vector<MoveTask> tasks;
  if (const Value* array = ArrayMember(*answer, "Results")) {
    for (const Value& item : array->GetArray()) {
      MoveTask task;
      task.task_handle = StringMember(item, "TaskHandle");
      task.status = StringMember(item, "Status");
      task.source_arn = StringMember(item, "SourceArn");
      task.destination_arn = StringMember(item, "DestinationArn");
      task.moved = IntegerMember(item, "ApproximateNumberOfMessagesMoved");
      task.to_move = IntegerMember(item, "ApproximateNumberOfMessagesToMove");
      task.failure_reason = StringMember(item, "FailureReason");
      tasks.push_back(std::move(task));
    }
  }
  return tasks;
}

Result<std::vector<Message>> SqsClient::PeekMessages(const std::string& queue_name, int max) {
  Result<Document> answer =
      Get("/_sluice/v1/queues/" + PercentEncode(queue_name) + "/messages?max=" + std::to_string(max));
  if (!answer.ok()) return answer.status();
  return MessagesFrom(*answer, "messages");
}

Result<Health> SqsClient::GetHealth() {
  Result<Document> answer = Get("/health");
  if (!answer.ok()) return answer.status();
  return Health{StringMember(*answer, "status"), StringMember(*answer, "version")};
}

}  // namespace sluice::cli
