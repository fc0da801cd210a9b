// Request bodies and response readers for the few SQS actions the load
// generator uses, in the AWS JSON 1.0 protocol. Bodies are built with
// rapidjson's Writer, so queue URLs and message bodies are escaped properly.
//
// Errors: the readers return false when a body is not the JSON shape the
// action's response must have; the caller counts that as a failed request.
// Threads: pure functions, any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

std::string SendMessageBody(std::string_view queue_url, std::string_view message_body);

// Entries get the ids "m0".."m<count-1>"; every entry carries `message_body`.
std::string SendMessageBatchBody(std::string_view queue_url, int count, std::string_view message_body);

// WaitTimeSeconds is explicit (0 by default): an empty queue answers at once.
std::string ReceiveMessageBody(std::string_view queue_url, int max_messages, int wait_seconds = 0);

// One entry of a FIFO SendMessageBatch; entries get the ids "m0", "m1", ...
struct FifoEntry {
  std::string group_id;
  std::string deduplication_id;
  std::string body;
};
std::string FifoSendMessageBatchBody(std::string_view queue_url, const std::vector<FifoEntry>& entries);

std::string DeleteMessageBody(std::string_view queue_url, std::string_view receipt_handle);

std::string DeleteMessageBatchBody(std::string_view queue_url, const std::vector<std::string>& receipt_handles);

// A batch response ({"Successful":[...],"Failed":[...]}): entry counts, and
// the first failure's code when there is one.
struct BatchOutcome {
  int successful = 0;
  int failed = 0;
  std::string first_failure;
};
bool ReadBatchOutcome(std::string_view response_body, BatchOutcome* outcome);

// A ReceiveMessage response: the receipt handles of the messages it returned
// (none when "Messages" is absent or empty).
bool ReadReceiptHandles(std::string_view response_body, std::vector<std::string>* receipt_handles);

// A ReceiveMessage response's messages: receipt handles and bodies, in order.
bool ReadMessages(std::string_view response_body, std::vector<std::string>* receipt_handles,
                  std::vector<std::string>* bodies);

// A message body of `bytes` printable ASCII characters.
std::string MakeMessageBody(size_t bytes);

}  // namespace loadgen
