#include "sqs_requests.h"

#include <cstdio>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace loadgen {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& writer, std::string_view key) {
  writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

void Str(Writer& writer, std::string_view value) {
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string Finish(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool Parse(std::string_view text, rapidjson::Document* document) {
  document->Parse(text.data(), text.size());
  return !document->HasParseError() && document->IsObject();
}

}  // namespace

std::string SendMessageBody(std::string_view queue_url, std::string_view message_body) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  Key(writer, "QueueUrl");
  Str(writer, queue_url);
  Key(writer, "MessageBody");
  Str(writer, message_body);
  writer.EndObject();
  return Finish(buffer);
}

std::string SendMessageBatchBody(std::string_view queue_url, int count, std::string_view message_body) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  Key(writer, "QueueUrl");
  Str(writer, queue_url);
  Key(writer, "Entries");
  writer.StartArray();
  for (int i = 0; i < count; ++i) {
    writer.StartObject();
    Key(writer, "Id");
    char id[16];
    std::snprintf(id, sizeof id, "m%d", i);
    Str(writer, id);
    Key(writer, "MessageBody");
    Str(writer, message_body);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return Finish(buffer);
}

std::string ReceiveMessageBody(std::string_view queue_url, int max_messages, int wait_seconds) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  Key(writer, "QueueUrl");
  Str(writer, queue_url);
  Key(writer, "MaxNumberOfMessages");
  writer.Int(max_messages);
  Key(writer, "WaitTimeSeconds");
  writer.Int(wait_seconds);
  writer.EndObject();
  return Finish(buffer);
}

std::string DeleteMessageBody(std::string_view queue_url, std::string_view receipt_handle) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  Key(writer, "QueueUrl");
  Str(writer, queue_url);
  Key(writer, "ReceiptHandle");
  Str(writer, receipt_handle);
  writer.EndObject();
  return Finish(buffer);
}

std::string DeleteMessageBatchBody(std::string_view queue_url, const std::vector<std::string>& receipt_handles) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  Key(writer, "QueueUrl");
  Str(writer, queue_url);
  Key(writer, "Entries");
  writer.StartArray();
  for (size_t i = 0; i < receipt_handles.size(); ++i) {
    writer.StartObject();
    Key(writer, "Id");
    char id[24];
    std::snprintf(id, sizeof id, "d%zu", i);
    Str(writer, id);
    Key(writer, "ReceiptHandle");
    Str(writer, receipt_handles[i]);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return Finish(buffer);
}

std::string FifoSendMessageBatchBody(std::string_view queue_url, const std::vector<FifoEntry>& entries) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  Key(writer, "QueueUrl");
  Str(writer, queue_url);
  Key(writer, "Entries");
  writer.StartArray();
  for (size_t i = 0; i < entries.size(); ++i) {
    writer.StartObject();
    Key(writer, "Id");
    char id[24];
    std::snprintf(id, sizeof id, "m%zu", i);
    Str(writer, id);
    Key(writer, "MessageBody");
    Str(writer, entries[i].body);
    Key(writer, "MessageGroupId");
    Str(writer, entries[i].group_id);
    Key(writer, "MessageDeduplicationId");
    Str(writer, entries[i].deduplication_id);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return Finish(buffer);
}

bool ReadBatchOutcome(std::string_view response_body, BatchOutcome* outcome) {
  rapidjson::Document document;
  if (!Parse(response_body, &document)) return false;
  *outcome = BatchOutcome{};
  auto successful = document.FindMember("Successful");
  if (successful != document.MemberEnd()) {
    if (!successful->value.IsArray()) return false;
    outcome->successful = static_cast<int>(successful->value.Size());
  }
  auto failed = document.FindMember("Failed");
  if (failed != document.MemberEnd()) {
    if (!failed->value.IsArray()) return false;
    outcome->failed = static_cast<int>(failed->value.Size());
    if (outcome->failed > 0) {
      const rapidjson::Value& first = failed->value[0];
      auto code = first.IsObject() ? first.FindMember("Code") : first.MemberEnd();
      outcome->first_failure = (first.IsObject() && code != first.MemberEnd() && code->value.IsString())
                                   ? code->value.GetString()
                                   : "?";
    }
  }
  return true;
}

bool ReadReceiptHandles(std::string_view response_body, std::vector<std::string>* receipt_handles) {
  receipt_handles->clear();
  rapidjson::Document document;
  if (!Parse(response_body, &document)) return false;
  auto messages = document.FindMember("Messages");
  if (messages == document.MemberEnd()) return true;
  if (!messages->value.IsArray()) return false;
  for (const rapidjson::Value& message : messages->value.GetArray()) {
    if (!message.IsObject()) return false;
    auto handle = message.FindMember("ReceiptHandle");
    if (handle == message.MemberEnd() || !handle->value.IsString()) return false;
    receipt_handles->emplace_back(handle->value.GetString(), handle->value.GetStringLength());
  }
  return true;
}

bool ReadMessages(std::string_view response_body, std::vector<std::string>* receipt_handles,
                  std::vector<std::string>* bodies) {
  receipt_handles->clear();
  bodies->clear();
  rapidjson::Document document;
  if (!Parse(response_body, &document)) return false;
  auto messages = document.FindMember("Messages");
  if (messages == document.MemberEnd()) return true;
  if (!messages->value.IsArray()) return false;
  for (const rapidjson::Value& message : messages->value.GetArray()) {
    if (!message.IsObject()) return false;
    auto handle = message.FindMember("ReceiptHandle");
    auto body = message.FindMember("Body");
    if (handle == message.MemberEnd() || !handle->value.IsString() || body == message.MemberEnd() ||
        !body->value.IsString()) {
      return false;
    }
    receipt_handles->emplace_back(handle->value.GetString(), handle->value.GetStringLength());
    bodies->emplace_back(body->value.GetString(), body->value.GetStringLength());
  }
  return true;
}

std::string MakeMessageBody(size_t bytes) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string body;
  body.reserve(bytes);
  for (size_t i = 0; i < bytes; ++i) body += kAlphabet[(i * 7 + i / 36) % kAlphabet.size()];
  return body;
}

}  // namespace loadgen
