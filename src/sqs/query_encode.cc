#include "sqs/query_encode.h"

#include "sqs/json_encode.h"
#include "sqs/json_shape.h"
#include "sluice/xml_writer.h"
#include "sluice/sqs/errors.h"

namespace sluice::sqs {
namespace {

// Most responses are small; one allocation covers them.
constexpr size_t kInitialReserve = 384;

void OptionalElement(XmlWriter& xml, std::string_view name, std::string_view text) {
  if (!text.empty()) xml.Element(name, text);
}

// <{action}Response xmlns=...>[<{action}Result>body</{action}Result>]
// <ResponseMetadata>...</{action}Response>; no Result element when
// `has_result` is false.
template <typename Body>
std::string Envelope(std::string_view action, const EncodeContext& context, size_t reserve,
                     bool has_result, Body body) {
  std::string out;
  out.reserve(reserve);
  XmlWriter xml(&out);
  xml.Declaration();
  out.append("<").append(action).append("Response xmlns=\"").append(kSqsXmlNamespace);
  out.append("\">");
  if (has_result) {
    out.append("<").append(action).append("Result>");
    body(xml);
    out.append("</").append(action).append("Result>");
  }
  xml.Start("ResponseMetadata");
  xml.Element("RequestId", context.request_id);
  xml.End();
  out.append("</").append(action).append("Response>");
  return out;
}

// A flattened map of strings: <{entry}><{key}>k</{key}><Value>v</Value></{entry}>...
void StringMap(XmlWriter& xml, std::string_view entry, std::string_view key,
               const std::map<std::string, std::string>& map) {
  for (const auto& [name, value] : map) {
    xml.Start(entry);
    xml.Element(key, name);
    xml.Element("Value", value);
    xml.End();
  }
}

void QueueUrls(XmlWriter& xml, const std::vector<std::string>& queue_names,
               const EncodeContext& context) {
  for (const std::string& name : queue_names) xml.Element("QueueUrl", QueueUrl(context, name));
}

bool IsBinaryType(std::string_view data_type) {
  return data_type == "Binary" || data_type.starts_with("Binary.");
}

void MessageAttributes(XmlWriter& xml, const queue::MessageAttributeMap& attributes) {
  for (const auto& [name, value] : attributes) {
    xml.Start("MessageAttribute");
    xml.Element("Name", name);
    xml.Start("Value");
    if (IsBinaryType(value.data_type)) {
      xml.Element("BinaryValue", EncodeBase64(value.binary_value));
    } else {
      xml.Element("StringValue", value.string_value);
    }
    xml.Element("DataType", value.data_type);
    xml.End();
    xml.End();
  }
}

void BatchErrors(XmlWriter& xml, const std::vector<queue::BatchResultError>& failed) {
  for (const queue::BatchResultError& error : failed) {
    xml.Start("BatchResultErrorEntry");
    xml.Element("Id", error.id);
    xml.Element("SenderFault", error.sender_fault ? "true" : "false");
    xml.Element("Code", BatchEntryErrorCode(error.code));
    OptionalElement(xml, "Message", error.message);
    xml.End();
  }
}

// The members of a SendMessageResult, shared with batch result entries.
void SendMembers(XmlWriter& xml, const queue::SendMessageResult& result) {
  xml.Element("MessageId", result.message_id);
  xml.Element("MD5OfMessageBody", result.md5_of_message_body);
  OptionalElement(xml, "MD5OfMessageAttributes", result.md5_of_message_attributes);
  OptionalElement(xml, "MD5OfMessageSystemAttributes", result.md5_of_message_system_attributes);
  OptionalElement(xml, "SequenceNumber", result.sequence_number);
}

}  // namespace

std::string EncodeXmlResult(std::string_view action, const queue::EmptyResult&,
                            const EncodeContext& context) {
  return Envelope(action, context, kInitialReserve, /*has_result=*/false, [](XmlWriter&) {});
}

std::string EncodeXmlResult(std::string_view action, const queue::CreateQueueResult& result,
                            const EncodeContext& context) {
  return Envelope(action, context, kInitialReserve, true, [&](XmlWriter& xml) {
    xml.Element("QueueUrl", QueueUrl(context, result.queue_name));
  });
}

std::string EncodeXmlResult(std::string_view action, const queue::GetQueueUrlResult& result,
                            const EncodeContext& context) {
  return Envelope(action, context, kInitialReserve, true, [&](XmlWriter& xml) {
    xml.Element("QueueUrl", QueueUrl(context, result.queue_name));
  });
}

std::string EncodeXmlResult(std::string_view action, const queue::ListQueuesResult& result,
                            const EncodeContext& context) {
  size_t reserve = kInitialReserve + 100 * result.queue_names.size();
  return Envelope(action, context, reserve, true, [&](XmlWriter& xml) {
    QueueUrls(xml, result.queue_names, context);
    OptionalElement(xml, "NextToken", result.next_token);
  });
}

std::string EncodeXmlResult(std::string_view action,
                            const queue::GetQueueAttributesResult& result,
                            const EncodeContext& context) {
  size_t reserve = kInitialReserve + 80 * result.attributes.size();
  return Envelope(action, context, reserve, true, [&](XmlWriter& xml) {
    StringMap(xml, "Attribute", "Name", result.attributes);
  });
}

std::string EncodeXmlResult(std::string_view action, const queue::ListQueueTagsResult& result,
                            const EncodeContext& context) {
  size_t reserve = kInitialReserve + 60 * result.tags.size();
  return Envelope(action, context, reserve, true,
                  [&](XmlWriter& xml) { StringMap(xml, "Tag", "Key", result.tags); });
}

std::string EncodeXmlResult(std::string_view action,
                            const queue::ListDeadLetterSourceQueuesResult& result,
                            const EncodeContext& context) {
  size_t reserve = kInitialReserve + 100 * result.queue_names.size();
  return Envelope(action, context, reserve, true, [&](XmlWriter& xml) {
    QueueUrls(xml, result.queue_names, context);
    OptionalElement(xml, "NextToken", result.next_token);
  });
}

std::string EncodeXmlResult(std::string_view action, const queue::SendMessageResult& result,
                            const EncodeContext& context) {
  return Envelope(action, context, kInitialReserve, true,
                  [&](XmlWriter& xml) { SendMembers(xml, result); });
}

std::string EncodeXmlResult(std::string_view action, const queue::SendMessageBatchResult& result,
                            const EncodeContext& context) {
  size_t reserve = kInitialReserve + 250 * (result.successful.size() + result.failed.size());
  return Envelope(action, context, reserve, true, [&](XmlWriter& xml) {
    for (size_t i = 0; i < result.successful.size(); ++i) {
      xml.Start("SendMessageBatchResultEntry");
      xml.Element("Id", i < result.successful_ids.size() ? result.successful_ids[i] : "");
      SendMembers(xml, result.successful[i]);
      xml.End();
    }
    BatchErrors(xml, result.failed);
  });
}

std::string EncodeXmlResult(std::string_view action, const queue::ReceiveMessageResult& result,
                            const EncodeContext& context) {
  size_t reserve = kInitialReserve;
  for (const queue::ReceivedMessage& message : result.messages) {
    reserve += message.body.size() + message.receipt_handle.size() + 300;
  }
  return Envelope(action, context, reserve, true, [&](XmlWriter& xml) {
    for (const queue::ReceivedMessage& message : result.messages) {
      xml.Start("Message");
      xml.Element("MessageId", message.message_id);
      xml.Element("ReceiptHandle", message.receipt_handle);
      xml.Element("MD5OfBody", message.md5_of_body);
      xml.Element("Body", message.body);
      StringMap(xml, "Attribute", "Name", message.attributes);
      OptionalElement(xml, "MD5OfMessageAttributes", message.md5_of_message_attributes);
      MessageAttributes(xml, message.message_attributes);
      xml.End();
    }
  });
}

std::string EncodeXmlResult(std::string_view action, const queue::BatchResult& result,
                            const EncodeContext& context) {
  std::string entry = std::string(action) + "ResultEntry";
  size_t reserve = kInitialReserve + 120 * (result.successful_ids.size() + result.failed.size());
  return Envelope(action, context, reserve, true, [&](XmlWriter& xml) {
    for (const std::string& id : result.successful_ids) {
      xml.Start(entry);
      xml.Element("Id", id);
      xml.End();
    }
    BatchErrors(xml, result.failed);
  });
}

std::string EncodeXmlResult(std::string_view action,
                            const queue::StartMessageMoveTaskResult& result,
                            const EncodeContext& context) {
  return Envelope(action, context, kInitialReserve, true, [&](XmlWriter& xml) {
    xml.Element("TaskHandle", result.task_handle);
  });
}

std::string EncodeXmlResult(std::string_view action,
                            const queue::CancelMessageMoveTaskResult& result,
                            const EncodeContext& context) {
  return Envelope(action, context, kInitialReserve, true, [&](XmlWriter& xml) {
    xml.Element("ApproximateNumberOfMessagesMoved",
                std::to_string(result.approximate_number_of_messages_moved));
  });
}

std::string EncodeXmlResult(std::string_view action,
                            const queue::ListMessageMoveTasksResult& result,
                            const EncodeContext& context) {
  size_t reserve = kInitialReserve + 500 * result.results.size();
  return Envelope(action, context, reserve, true, [&](XmlWriter& xml) {
    for (const queue::MessageMoveTask& task : result.results) {
      xml.Start("ListMessageMoveTasksResultEntry");
      OptionalElement(xml, "TaskHandle", task.task_handle);
      xml.Element("Status", task.status);
      xml.Element("SourceArn", task.source_arn);
      OptionalElement(xml, "DestinationArn", task.destination_arn);
      if (task.max_number_of_messages_per_second) {
        xml.Element("MaxNumberOfMessagesPerSecond",
                    std::to_string(*task.max_number_of_messages_per_second));
      }
      xml.Element("ApproximateNumberOfMessagesMoved",
                  std::to_string(task.approximate_number_of_messages_moved));
      xml.Element("ApproximateNumberOfMessagesToMove",
                  std::to_string(task.approximate_number_of_messages_to_move));
      OptionalElement(xml, "FailureReason", task.failure_reason);
      xml.Element("StartedTimestamp", std::to_string(task.started_timestamp));
      xml.End();
    }
  });
}

}  // namespace sluice::sqs
