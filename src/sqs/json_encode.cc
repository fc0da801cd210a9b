#include "sqs/json_encode.h"

#include "sqs/json_shape.h"
#include "sluice/sqs/errors.h"

namespace sluice::sqs {
namespace {

// Most responses are small; one allocation covers them.
constexpr size_t kInitialReserve = 256;

void WriteStringMember(JsonWriter& writer, std::string_view key, std::string_view value) {
  WriteKey(writer, key);
  WriteString(writer, value);
}

void WriteOptionalString(JsonWriter& writer, std::string_view key, std::string_view value) {
  if (!value.empty()) WriteStringMember(writer, key, value);
}

void WriteStringMap(JsonWriter& writer, const std::map<std::string, std::string>& map) {
  writer.StartObject();
  for (const auto& [key, value] : map) WriteStringMember(writer, key, value);
  writer.EndObject();
}

void WriteQueueUrls(JsonWriter& writer, std::string_view key,
                    const std::vector<std::string>& queue_names, const EncodeContext& context) {
  WriteKey(writer, key);
  writer.StartArray();
  for (const std::string& name : queue_names) WriteString(writer, QueueUrl(context, name));
  writer.EndArray();
}

bool IsBinaryType(std::string_view data_type) {
  return data_type == "Binary" || data_type.starts_with("Binary.");
}

void WriteMessageAttributes(JsonWriter& writer, const queue::MessageAttributeMap& attributes) {
  writer.StartObject();
  for (const auto& [name, value] : attributes) {
    WriteKey(writer, name);
    writer.StartObject();
    WriteStringMember(writer, "DataType", value.data_type);
    if (IsBinaryType(value.data_type)) {
      WriteStringMember(writer, "BinaryValue", EncodeBase64(value.binary_value));
    } else {
      WriteStringMember(writer, "StringValue", value.string_value);
    }
    writer.EndObject();
  }
  writer.EndObject();
}

void WriteBatchErrors(JsonWriter& writer, const std::vector<queue::BatchResultError>& failed) {
  WriteKey(writer, "Failed");
  writer.StartArray();
  for (const queue::BatchResultError& error : failed) {
    writer.StartObject();
    WriteStringMember(writer, "Id", error.id);
    WriteKey(writer, "SenderFault");
    writer.Bool(error.sender_fault);
    WriteStringMember(writer, "Code", BatchEntryErrorCode(error.code));
    WriteOptionalString(writer, "Message", error.message);
    writer.EndObject();
  }
  writer.EndArray();
}

// The members of a SendMessageResult, shared with batch result entries.
void WriteSendMembers(JsonWriter& writer, const queue::SendMessageResult& result) {
  WriteStringMember(writer, "MessageId", result.message_id);
  WriteStringMember(writer, "MD5OfMessageBody", result.md5_of_message_body);
  WriteOptionalString(writer, "MD5OfMessageAttributes", result.md5_of_message_attributes);
  WriteOptionalString(writer, "MD5OfMessageSystemAttributes",
                      result.md5_of_message_system_attributes);
  WriteOptionalString(writer, "SequenceNumber", result.sequence_number);
}

// Runs `body` between the braces of one JSON object and returns the text.
template <typename Body>
std::string WriteObject(size_t reserve, Body body) {
  std::string out;
  out.reserve(reserve);
  StringSink sink(&out);
  JsonWriter writer(sink);
  writer.StartObject();
  body(writer);
  writer.EndObject();
  return out;
}

}  // namespace

std::string QueueUrl(const EncodeContext& context, std::string_view queue_name) {
  std::string url;
  url.reserve(context.base_url.size() + context.account_id.size() + queue_name.size() + 2);
  url.append(context.base_url).append("/").append(context.account_id).append("/");
  url.append(queue_name);
  return url;
}

std::string EncodeResult(const queue::EmptyResult&, const EncodeContext&) { return "{}"; }

std::string EncodeResult(const queue::CreateQueueResult& result, const EncodeContext& context) {
  return WriteObject(kInitialReserve, [&](JsonWriter& writer) {
    WriteStringMember(writer, "QueueUrl", QueueUrl(context, result.queue_name));
  });
}

std::string EncodeResult(const queue::GetQueueUrlResult& result, const EncodeContext& context) {
  return WriteObject(kInitialReserve, [&](JsonWriter& writer) {
    WriteStringMember(writer, "QueueUrl", QueueUrl(context, result.queue_name));
  });
}

std::string EncodeResult(const queue::ListQueuesResult& result, const EncodeContext& context) {
  return WriteObject(kInitialReserve, [&](JsonWriter& writer) {
    if (!result.queue_names.empty()) {
      WriteQueueUrls(writer, "QueueUrls", result.queue_names, context);
    }
    WriteOptionalString(writer, "NextToken", result.next_token);
  });
}

std::string EncodeResult(const queue::GetQueueAttributesResult& result, const EncodeContext&) {
  return WriteObject(kInitialReserve, [&](JsonWriter& writer) {
    if (result.attributes.empty()) return;
    WriteKey(writer, "Attributes");
    WriteStringMap(writer, result.attributes);
  });
}

std::string EncodeResult(const queue::ListQueueTagsResult& result, const EncodeContext&) {
  return WriteObject(kInitialReserve, [&](JsonWriter& writer) {
    if (result.tags.empty()) return;
    WriteKey(writer, "Tags");
    WriteStringMap(writer, result.tags);
  });
}

std::string EncodeResult(const queue::ListDeadLetterSourceQueuesResult& result,
                         const EncodeContext& context) {
  return WriteObject(kInitialReserve, [&](JsonWriter& writer) {
    // Lower-case and required in the model.
    WriteQueueUrls(writer, "queueUrls", result.queue_names, context);
    WriteOptionalString(writer, "NextToken", result.next_token);
  });
}

std::string EncodeResult(const queue::SendMessageResult& result, const EncodeContext&) {
  return WriteObject(kInitialReserve,
                     [&](JsonWriter& writer) { WriteSendMembers(writer, result); });
}

std::string EncodeResult(const queue::SendMessageBatchResult& result, const EncodeContext&) {
  size_t reserve = kInitialReserve + 200 * (result.successful.size() + result.failed.size());
  return WriteObject(reserve, [&](JsonWriter& writer) {
    WriteKey(writer, "Successful");
    writer.StartArray();
    for (size_t i = 0; i < result.successful.size(); ++i) {
      writer.StartObject();
      WriteStringMember(writer, "Id",
                        i < result.successful_ids.size() ? result.successful_ids[i] : "");
      WriteSendMembers(writer, result.successful[i]);
      writer.EndObject();
    }
    writer.EndArray();
    WriteBatchErrors(writer, result.failed);
  });
}

std::string EncodeResult(const queue::ReceiveMessageResult& result, const EncodeContext&) {
  size_t reserve = kInitialReserve;
  for (const queue::ReceivedMessage& message : result.messages) {
    reserve += message.body.size() + message.receipt_handle.size() + 200;
  }
  return WriteObject(reserve, [&](JsonWriter& writer) {
    // SQS leaves "Messages" out of an empty receive; clients test for the key.
    if (result.messages.empty()) return;
    WriteKey(writer, "Messages");
    writer.StartArray();
    for (const queue::ReceivedMessage& message : result.messages) {
      writer.StartObject();
      WriteStringMember(writer, "MessageId", message.message_id);
      WriteStringMember(writer, "ReceiptHandle", message.receipt_handle);
      WriteStringMember(writer, "MD5OfBody", message.md5_of_body);
      WriteStringMember(writer, "Body", message.body);
      if (!message.attributes.empty()) {
        WriteKey(writer, "Attributes");
        WriteStringMap(writer, message.attributes);
      }
      WriteOptionalString(writer, "MD5OfMessageAttributes", message.md5_of_message_attributes);
      if (!message.message_attributes.empty()) {
        WriteKey(writer, "MessageAttributes");
        WriteMessageAttributes(writer, message.message_attributes);
      }
      writer.EndObject();
    }
    writer.EndArray();
  });
}

std::string EncodeResult(const queue::BatchResult& result, const EncodeContext&) {
  size_t reserve = kInitialReserve + 100 * (result.successful_ids.size() + result.failed.size());
  return WriteObject(reserve, [&](JsonWriter& writer) {
    WriteKey(writer, "Successful");
    writer.StartArray();
    for (const std::string& id : result.successful_ids) {
      writer.StartObject();
      WriteStringMember(writer, "Id", id);
      writer.EndObject();
    }
    writer.EndArray();
    WriteBatchErrors(writer, result.failed);
  });
}

std::string EncodeResult(const queue::StartMessageMoveTaskResult& result, const EncodeContext&) {
  return WriteObject(kInitialReserve, [&](JsonWriter& writer) {
    WriteStringMember(writer, "TaskHandle", result.task_handle);
  });
}

std::string EncodeResult(const queue::CancelMessageMoveTaskResult& result, const EncodeContext&) {
  return WriteObject(kInitialReserve, [&](JsonWriter& writer) {
    WriteKey(writer, "ApproximateNumberOfMessagesMoved");
    writer.Int64(result.approximate_number_of_messages_moved);
  });
}

std::string EncodeResult(const queue::PeekMessagesResult& result, const EncodeContext&) {
  return WriteObject(kInitialReserve + 300 * result.messages.size(), [&](JsonWriter& writer) {
    WriteKey(writer, "messages");
    writer.StartArray();
    for (const queue::PeekedMessage& message : result.messages) {
      writer.StartObject();
      WriteStringMember(writer, "MessageId", message.message_id);
      WriteStringMember(writer, "Body", message.body);
      WriteKey(writer, "SentTimestamp");
      writer.Int64(message.sent_timestamp);
      WriteKey(writer, "VisibleAt");
      writer.Int64(message.visible_at);
      WriteKey(writer, "ReceiveCount");
      writer.Int(message.receive_count);
      WriteStringMember(writer, "DeadLetterSourceQueue", message.dead_letter_source_queue);
      WriteKey(writer, "MessageAttributes");
      WriteMessageAttributes(writer, message.message_attributes);
      writer.EndObject();
    }
    writer.EndArray();
  });
}

std::string EncodeResult(const queue::ListMessageMoveTasksResult& result, const EncodeContext&) {
  return WriteObject(kInitialReserve + 400 * result.results.size(), [&](JsonWriter& writer) {
    WriteKey(writer, "Results");
    writer.StartArray();
    for (const queue::MessageMoveTask& task : result.results) {
      writer.StartObject();
      WriteOptionalString(writer, "TaskHandle", task.task_handle);
      WriteStringMember(writer, "Status", task.status);
      WriteStringMember(writer, "SourceArn", task.source_arn);
      WriteOptionalString(writer, "DestinationArn", task.destination_arn);
      if (task.max_number_of_messages_per_second) {
        WriteKey(writer, "MaxNumberOfMessagesPerSecond");
        writer.Int(*task.max_number_of_messages_per_second);
      }
      WriteKey(writer, "ApproximateNumberOfMessagesMoved");
      writer.Int64(task.approximate_number_of_messages_moved);
      WriteKey(writer, "ApproximateNumberOfMessagesToMove");
      writer.Int64(task.approximate_number_of_messages_to_move);
      WriteOptionalString(writer, "FailureReason", task.failure_reason);
      WriteKey(writer, "StartedTimestamp");
      writer.Int64(task.started_timestamp);
      writer.EndObject();
    }
    writer.EndArray();
  });
}

}  // namespace sluice::sqs
