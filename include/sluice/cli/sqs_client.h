// The admin commands' view of a running server: SQS actions over the AWS
// JSON 1.0 protocol (POST / with X-Amz-Target: AmazonSQS.<Action>), plus the
// Sluice admin API (GET /_sluice/v1/...) and GET /health.
//
// Ownership: borrows a Transport, which must outlive the client.
//
// Errors: whatever the Transport reports (kUnavailable when the server cannot
// be reached) is passed through. An error answer from the server
// ({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"..."}) becomes
// a Status whose message() is "<Type>: <server message>", ready to print as
// is, and whose code() is the sluice::Code of that name when there is one,
// else kInternal; never kUnavailable, which stays reserved for "could not
// reach the server". A success answer that is not the JSON we expect is
// kInternal.
//
// Threads: one thread at a time (as the Transport).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "sluice/cli/http_client.h"
#include "sluice/status.h"

namespace sluice::cli {

using AttributeMap = std::map<std::string, std::string>;  // sorted: stable output

// A message as a command shows it, from ReceiveMessage or the admin peek.
struct Message {
  std::string message_id;
  std::string receipt_handle;  // empty for peeked messages
  std::string body;
  int64_t receive_count = 0;
  int64_t sent_timestamp = 0;            // epoch ms; 0 if the server did not say
  std::string dead_letter_source_queue;  // peek only: the queue it came from
  std::string raw_json;  // the message object exactly as the server sent it
};

struct SendMessageArgs {
  std::string queue_url;
  std::string body;
  std::optional<int> delay_seconds;
  // Sent as DataType "String", in this order.
  std::vector<std::pair<std::string, std::string>> string_attributes;
  std::optional<std::string> message_group_id;          // FIFO queues
  std::optional<std::string> message_deduplication_id;  // FIFO queues
};

struct SendMessageResult {
  std::string message_id;
  std::string md5_of_body;
  std::string sequence_number;  // FIFO only
};

struct ReceiveMessageArgs {
  std::string queue_url;
  int max_messages = 1;
  std::optional<int> wait_seconds;
  std::optional<int> visibility_timeout;
};

struct MoveTask {
  std::string task_handle;  // servers report it only while RUNNING
  std::string status;       // RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED
  std::string source_arn;
  std::string destination_arn;
  int64_t moved = 0;    // ApproximateNumberOfMessagesMoved
  int64_t to_move = 0;  // ApproximateNumberOfMessagesToMove
  std::string failure_reason;
};

struct Health {
  std::string status;
  std::string version;
};

// "http://host/000000000000/orders" -> "orders".
std::string QueueNameFromUrl(std::string_view url);
// "arn:aws:sqs:us-east-1:000000000000:orders" -> "orders".
std::string QueueNameFromArn(std::string_view arn);

class SqsClient {
 public:
  explicit SqsClient(Transport* transport) : transport_(transport) {}

  // One SQS action: `request` is the JSON body; returns the parsed answer.
  Result<rapidjson::Document> Call(std::string_view action, const rapidjson::Value& request,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // GET on the server (admin API, health); returns the parsed answer.
  Result<rapidjson::Document> Get(const std::string& target);

  Result<std::vector<std::string>> ListQueues();  // queue URLs, every page
  Result<std::string> GetQueueUrl(const std::string& name);
  Result<AttributeMap> GetQueueAttributes(const std::string& queue_url,
                                          const std::vector<std::string>& names = {"All"});
  Result<std::string> CreateQueue(const std::string& name, const AttributeMap& attributes);
  Status DeleteQueue(const std::string& queue_url);
  Status PurgeQueue(const std::string& queue_url);
  Result<SendMessageResult> SendMessage(const SendMessageArgs& args);
  Result<std::vector<Message>> ReceiveMessage(const ReceiveMessageArgs& args);
  Status DeleteMessage(const std::string& queue_url, const std::string& receipt_handle);
  Result<std::vector<std::string>> ListDeadLetterSourceQueues(const std::string& queue_url);
  // `destination_arn` empty: each message goes back to the queue it came from.
  Result<std::string> StartMessageMoveTask(const std::string& source_arn,
                                           const std::string& destination_arn,
                                           std::optional<int> max_per_second);
  // The most recent tasks of a DLQ, newest first.
  Result<std::vector<MoveTask>> ListMessageMoveTasks(const std::string& source_arn, int max_results);

  // Admin API: up to `max` messages of a queue, without receiving them.
  Result<std::vector<Message>> PeekMessages(const std::string& queue_name, int max);
  Result<Health> GetHealth();

 private:
  Transport* const transport_;  // not owned
};

}  // namespace sluice::cli
