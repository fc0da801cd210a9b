// The JSON protocol's response bodies: one EncodeResult overload per engine
// result type, writing the member names of botocore's SQS output shapes
// (note ListDeadLetterSourceQueues' lower-case "queueUrls"). Responses are
// streamed with a rapidjson::Writer straight into a std::string, without
// building a Document: SendMessage's response is on the benchmarked path.
//
// What is omitted mirrors SQS: optional members that are empty (MD5 of
// absent attributes, SequenceNumber outside FIFO, NextToken on the last page)
// and, as SQS does, "Messages" when a receive found nothing and the list and
// map outputs (QueueUrls, Tags, Attributes) when they are empty. Members the
// model marks required (Successful/Failed, queueUrls) are always written.
//
// Threads: pure functions.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include <rapidjson/writer.h>

#include "sluice/queue/types.h"
#include "sluice/sqs/actions.h"

namespace sluice::sqs {

// A rapidjson output stream appending to a caller-owned std::string. The
// Writer reserves room before each token (PutReserve) and then writes
// unchecked (PutUnsafe), as it does with its own StringBuffer; the string is
// cut to the written length by Flush(), which the Writer calls when the root
// value ends.
class StringSink {
 public:
  using Ch = char;
  explicit StringSink(std::string* out) : out_(out), size_(out->size()) {}

  void Reserve(size_t count) {
    if (size_ + count > out_->size()) out_->resize(std::max(size_ + count, 2 * out_->size()));
  }
  void PutUnsafe(char c) { (*out_)[size_++] = c; }
  void Put(char c) {
    Reserve(1);
    PutUnsafe(c);
  }
  void Flush() { out_->resize(size_); }

 private:
  std::string* out_;
  size_t size_;  // bytes written; out_->size() is the room reserved so far
};

// Found by argument-dependent lookup from rapidjson::Writer, in preference to
// rapidjson's generic versions (which would Put() byte by byte).
inline void PutReserve(StringSink& sink, size_t count) { sink.Reserve(count); }
inline void PutUnsafe(StringSink& sink, char c) { sink.PutUnsafe(c); }

using JsonWriter = rapidjson::Writer<StringSink>;

inline void WriteKey(JsonWriter& writer, std::string_view key) {
  writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
inline void WriteString(JsonWriter& writer, std::string_view value) {
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// base_url + "/" + account_id + "/" + queue_name.
std::string QueueUrl(const EncodeContext& context, std::string_view queue_name);

std::string EncodeResult(const queue::EmptyResult& result, const EncodeContext& context);
std::string EncodeResult(const queue::CreateQueueResult& result, const EncodeContext& context);
std::string EncodeResult(const queue::GetQueueUrlResult& result, const EncodeContext& context);
std::string EncodeResult(const queue::ListQueuesResult& result, const EncodeContext& context);
std::string EncodeResult(const queue::GetQueueAttributesResult& result,
                         const EncodeContext& context);
std::string EncodeResult(const queue::ListQueueTagsResult& result, const EncodeContext& context);
std::string EncodeResult(const queue::ListDeadLetterSourceQueuesResult& result,
                         const EncodeContext& context);
std::string EncodeResult(const queue::SendMessageResult& result, const EncodeContext& context);
std::string EncodeResult(const queue::SendMessageBatchResult& result,
                         const EncodeContext& context);
std::string EncodeResult(const queue::ReceiveMessageResult& result, const EncodeContext& context);
// DeleteMessageBatch and ChangeMessageVisibilityBatch.
std::string EncodeResult(const queue::BatchResult& result, const EncodeContext& context);
std::string EncodeResult(const queue::StartMessageMoveTaskResult& result,
                         const EncodeContext& context);
std::string EncodeResult(const queue::CancelMessageMoveTaskResult& result,
                         const EncodeContext& context);
// Sluice's admin endpoint (GET /_sluice/v1/queues/NAME/messages), not SQS:
// {"messages":[{"MessageId","Body","SentTimestamp","VisibleAt","ReceiveCount",
// "DeadLetterSourceQueue","MessageAttributes"}]}.
std::string EncodeResult(const queue::PeekMessagesResult& result, const EncodeContext& context);
std::string EncodeResult(const queue::ListMessageMoveTasksResult& result,
                         const EncodeContext& context);

}  // namespace sluice::sqs
