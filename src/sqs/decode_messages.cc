// Decoders of the message operations: sends (with message attributes),
// receives, deletes and visibility changes, single and batched.
#include <algorithm>

#include "sqs/json_decode.h"
#include "sqs/json_shape.h"
#include "sluice/sqs/actions.h"

namespace sluice::sqs {
namespace {

using enum WireType;

// MessageAttributeValue and MessageSystemAttributeValue share this shape.
constexpr MemberSpec kAttributeValue[] = {
    {"DataType", kString, true},
    {"StringValue", kString},
    {"BinaryValue", kBlob},
    // Both lists are "reserved for future use" by SQS; binary ones hold base64.
    {"StringListValues", kStringList, false, nullptr, "StringListValue"},
    {"BinaryListValues", kStringList, false, nullptr, "BinaryListValue"},
};
constexpr Shape kAttributeValueShape{kAttributeValue};

constexpr MemberSpec kSendMessage[] = {
    {"QueueUrl", kString, true},
    {"MessageBody", kString, true},
    {"DelaySeconds", kInteger},
    {"MessageAttributes", kStructMap, false, &kAttributeValueShape, "MessageAttribute"},
    {"MessageSystemAttributes", kStructMap, false, &kAttributeValueShape, "MessageSystemAttribute"},
    {"MessageDeduplicationId", kString},
    {"MessageGroupId", kString},
};
// A batch entry is a SendMessage without QueueUrl, plus an Id.
constexpr MemberSpec kSendMessageBatchEntry[] = {
    {"Id", kString, true},
    {"MessageBody", kString, true},
    {"DelaySeconds", kInteger},
    {"MessageAttributes", kStructMap, false, &kAttributeValueShape, "MessageAttribute"},
    {"MessageSystemAttributes", kStructMap, false, &kAttributeValueShape, "MessageSystemAttribute"},
    {"MessageDeduplicationId", kString},
    {"MessageGroupId", kString},
};
constexpr Shape kSendMessageBatchEntryShape{kSendMessageBatchEntry};
constexpr MemberSpec kSendMessageBatch[] = {
    {"QueueUrl", kString, true},
    {"Entries", kStructList, true, &kSendMessageBatchEntryShape, "SendMessageBatchRequestEntry"},
};

constexpr MemberSpec kReceiveMessage[] = {
    {"QueueUrl", kString, true},
    {"AttributeNames", kStringList, false, nullptr, "AttributeName"},  // deprecated: the next one
    {"MessageSystemAttributeNames", kStringList, false, nullptr, "MessageSystemAttributeName"},
    {"MessageAttributeNames", kStringList, false, nullptr, "MessageAttributeName"},
    {"MaxNumberOfMessages", kInteger},
    {"VisibilityTimeout", kInteger},
    {"WaitTimeSeconds", kInteger},
    {"ReceiveRequestAttemptId", kString},
};

constexpr MemberSpec kDeleteMessage[] = {
    {"QueueUrl", kString, true},
    {"ReceiptHandle", kString, true},
};
constexpr MemberSpec kDeleteMessageBatchEntry[] = {
    {"Id", kString, true},
    {"ReceiptHandle", kString, true},
};
constexpr Shape kDeleteMessageBatchEntryShape{kDeleteMessageBatchEntry};
constexpr MemberSpec kDeleteMessageBatch[] = {
    {"QueueUrl", kString, true},
    {"Entries", kStructList, true, &kDeleteMessageBatchEntryShape,
     "DeleteMessageBatchRequestEntry"},
};

constexpr MemberSpec kChangeMessageVisibility[] = {
    {"QueueUrl", kString, true},
    {"ReceiptHandle", kString, true},
    {"VisibilityTimeout", kInteger, true},
};
constexpr MemberSpec kChangeMessageVisibilityBatchEntry[] = {
    {"Id", kString, true},
    {"ReceiptHandle", kString, true},
    {"VisibilityTimeout", kInteger},
};
constexpr Shape kChangeMessageVisibilityBatchEntryShape{kChangeMessageVisibilityBatchEntry};
constexpr MemberSpec kChangeMessageVisibilityBatch[] = {
    {"QueueUrl", kString, true},
    {"Entries", kStructList, true, &kChangeMessageVisibilityBatchEntryShape,
     "ChangeMessageVisibilityBatchRequestEntry"},
};

// {"Name": {"DataType": ..., "StringValue" | "BinaryValue": ...}} -> typed map.
// Only the wire form is decoded here (base64 included); names, data types and
// values are validated by the engine, which serves non-SQS callers too.
// `kind` names the map in messages: "MessageAttributes" or
// "MessageSystemAttributes".
Status DecodeAttributes(const rapidjson::Value* map, std::string_view kind,
                        queue::MessageAttributeMap* out) {
  if (map == nullptr) return Status::Ok();
  for (const auto& member : map->GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    Members value(member.value);
    // SQS documents both list members as "not implemented, reserved for
    // future use"; accepting them silently would lose data.
    const rapidjson::Value* string_list = value.Find("StringListValues");
    const rapidjson::Value* binary_list = value.Find("BinaryListValues");
    if ((string_list != nullptr && !string_list->Empty()) ||
        (binary_list != nullptr && !binary_list->Empty())) {
      return Status(Code::kUnsupportedOperation,
                    std::string(kind) + "." + name +
                        ": StringListValues and BinaryListValues are not supported.");
    }
    queue::MessageAttributeValue attribute;
    attribute.data_type = value.String("DataType");
    attribute.string_value = value.String("StringValue");
    if (const rapidjson::Value* blob = value.Find("BinaryValue")) {
      Result<std::string> bytes =
          DecodeBase64(std::string_view(blob->GetString(), blob->GetStringLength()),
                       std::string(kind) + "." + name + ".BinaryValue");
      if (!bytes.ok()) return bytes.status();
      attribute.binary_value = std::move(bytes).value();
    }
    out->insert_or_assign(std::move(name), std::move(attribute));
  }
  return Status::Ok();
}

// The members a SendMessage and a batch entry share.
Status DecodeSendEntry(const Members& in, queue::SendMessageEntry* entry) {
  entry->body = in.String("MessageBody");
  entry->delay_seconds = in.Int("DelaySeconds");
  SLUICE_RETURN_IF_ERROR(DecodeAttributes(in.Find("MessageAttributes"), "MessageAttributes",
                                          &entry->message_attributes));
  SLUICE_RETURN_IF_ERROR(DecodeAttributes(in.Find("MessageSystemAttributes"),
                                          "MessageSystemAttributes",
                                          &entry->message_system_attributes));
  entry->message_group_id = in.OptionalString("MessageGroupId");
  entry->message_deduplication_id = in.OptionalString("MessageDeduplicationId");
  return Status::Ok();
}

// Decodes each entry object with `decode_entry`. Entry-count and id rules
// (EmptyBatchRequest, InvalidBatchEntryId, ...) are the engine's.
template <typename Entry, typename DecodeEntry>
Status DecodeEntries(const Members& in, std::vector<Entry>* entries, DecodeEntry decode_entry) {
  const rapidjson::Value& list = *in.Find("Entries");
  entries->reserve(list.Size());
  for (const auto& element : list.GetArray()) {
    Members entry_in(element);
    Entry entry;
    entry.id = entry_in.String("Id");
    SLUICE_RETURN_IF_ERROR(decode_entry(entry_in, &entry));
    entries->push_back(std::move(entry));
  }
  return Status::Ok();
}

}  // namespace

const Shape kSendMessageInput{kSendMessage};
const Shape kSendMessageBatchInput{kSendMessageBatch};
const Shape kReceiveMessageInput{kReceiveMessage};
const Shape kDeleteMessageInput{kDeleteMessage};
const Shape kDeleteMessageBatchInput{kDeleteMessageBatch};
const Shape kChangeMessageVisibilityInput{kChangeMessageVisibility};
const Shape kChangeMessageVisibilityBatchInput{kChangeMessageVisibilityBatch};

Status ReadQueueName(const Members& in, std::string* queue_name) {
  std::string url = in.String("QueueUrl");
  if (url.empty()) return MissingParameter("QueueUrl");
  Result<std::string> name = QueueNameFromUrl(url);
  if (!name.ok()) return name.status();
  *queue_name = std::move(name).value();
  return Status::Ok();
}

Result<queue::SendMessageRequest> DecodeSendMessage(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kSendMessageInput));
  Members in(input);
  queue::SendMessageRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  SLUICE_RETURN_IF_ERROR(DecodeSendEntry(in, &request.entry));
  return request;
}

Result<queue::SendMessageBatchRequest> DecodeSendMessageBatch(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kSendMessageBatchInput));
  Members in(input);
  queue::SendMessageBatchRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  SLUICE_RETURN_IF_ERROR(DecodeEntries(in, &request.entries, DecodeSendEntry));
  return request;
}

Result<queue::ReceiveMessageRequest> DecodeReceiveMessage(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kReceiveMessageInput));
  Members in(input);
  queue::ReceiveMessageRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  request.max_number_of_messages = in.Int("MaxNumberOfMessages");
  request.visibility_timeout = in.Int("VisibilityTimeout");
  request.wait_time_seconds = in.Int("WaitTimeSeconds");
  // AttributeNames (deprecated) and MessageSystemAttributeNames ask for the
  // same thing; the engine sees their union, in request order.
  for (const char* member : {"AttributeNames", "MessageSystemAttributeNames"}) {
    for (std::string& name : in.StringList(member)) {
      auto& names = request.system_attribute_names;
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(std::move(name));
      }
    }
  }
  request.message_attribute_names = in.StringList("MessageAttributeNames");
  request.receive_request_attempt_id = in.String("ReceiveRequestAttemptId");
  return request;
}

Result<queue::DeleteMessageRequest> DecodeDeleteMessage(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kDeleteMessageInput));
  Members in(input);
  queue::DeleteMessageRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  request.receipt_handle = in.String("ReceiptHandle");
  return request;
}

Result<queue::DeleteMessageBatchRequest> DecodeDeleteMessageBatch(const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kDeleteMessageBatchInput));
  Members in(input);
  queue::DeleteMessageBatchRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  SLUICE_RETURN_IF_ERROR(DecodeEntries(
      in, &request.entries,
      [](const Members& entry_in, queue::DeleteMessageBatchEntry* entry) {
        entry->receipt_handle = entry_in.String("ReceiptHandle");
        return Status::Ok();
      }));
  return request;
}

Result<queue::ChangeMessageVisibilityRequest> DecodeChangeMessageVisibility(
    const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kChangeMessageVisibilityInput));
  Members in(input);
  queue::ChangeMessageVisibilityRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  request.receipt_handle = in.String("ReceiptHandle");
  request.visibility_timeout = *in.Int("VisibilityTimeout");
  return request;
}

Result<queue::ChangeMessageVisibilityBatchRequest> DecodeChangeMessageVisibilityBatch(
    const rapidjson::Value& input) {
  SLUICE_RETURN_IF_ERROR(CheckShape(input, kChangeMessageVisibilityBatchInput));
  Members in(input);
  queue::ChangeMessageVisibilityBatchRequest request;
  SLUICE_RETURN_IF_ERROR(ReadQueueName(in, &request.queue_name));
  SLUICE_RETURN_IF_ERROR(DecodeEntries(
      in, &request.entries,
      [](const Members& entry_in, queue::ChangeMessageVisibilityBatchEntry* entry) {
        entry->receipt_handle = entry_in.String("ReceiptHandle");
        // The model makes the entry's timeout optional and the engine's entry
        // has no "absent": a missing timeout is taken as 0.
        entry->visibility_timeout = entry_in.Int("VisibilityTimeout").value_or(0);
        return Status::Ok();
      }));
  return request;
}

}  // namespace sluice::sqs
