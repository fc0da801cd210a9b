// Fixture of the FIFO engine tests: QueueEngineTest plus sends and receives
// with the FIFO members.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "queue_test_env.h"

namespace sluice::queue::testing {

class QueueFifoTest : public QueueEngineTest {
 protected:
  static constexpr int64_t kMinute = 60 * kSecond;

  void CreateFifo(const std::string& name, AttributeMap attributes = {}) {
    attributes["FifoQueue"] = "true";
    CreateQueue(name, std::move(attributes));
  }

  Result<SendMessageResult> SendFifo(const std::string& queue, const std::string& body,
                                     std::optional<std::string> group,
                                     std::optional<std::string> deduplication_id,
                                     std::optional<int> delay_seconds = std::nullopt) {
    SendMessageRequest request;
    request.queue_name = queue;
    request.entry.body = body;
    request.entry.message_group_id = std::move(group);
    request.entry.message_deduplication_id = std::move(deduplication_id);
    request.entry.delay_seconds = delay_seconds;
    return Tx([&](Engine& e) { return e.SendMessage(request); });
  }

  // Sends `body` in `group` with the body as its deduplication id.
  SendMessageResult SendOk(const std::string& queue, const std::string& group,
                           const std::string& body) {
    auto sent = SendFifo(queue, body, group, body);
    EXPECT_TRUE(sent.ok()) << sent.status().ToString();
    return sent.ok() ? *sent : SendMessageResult{};
  }

  Result<ReceiveMessageResult> ReceiveFifo(const std::string& queue, int max,
                                           std::optional<int> visibility_timeout = std::nullopt,
                                           std::string attempt_id = "") {
    ReceiveMessageRequest request;
    request.queue_name = queue;
    request.max_number_of_messages = max;
    request.visibility_timeout = visibility_timeout;
    request.system_attribute_names = {"All"};
    request.receive_request_attempt_id = std::move(attempt_id);
    return Tx([&](Engine& e) { return e.ReceiveMessage(request); });
  }

  std::vector<ReceivedMessage> ReceiveOk(const std::string& queue, int max,
                                         std::optional<int> visibility_timeout = std::nullopt) {
    auto received = ReceiveFifo(queue, max, visibility_timeout);
    EXPECT_TRUE(received.ok()) << received.status().ToString();
    return received.ok() ? received->messages : std::vector<ReceivedMessage>{};
  }

  static std::vector<std::string> Bodies(const std::vector<ReceivedMessage>& messages) {
    std::vector<std::string> bodies;
    for (const ReceivedMessage& message : messages) bodies.push_back(message.body);
    return bodies;
  }

  static std::string Attr(const ReceivedMessage& message, const std::string& name) {
    auto it = message.attributes.find(name);
    return it == message.attributes.end() ? "<absent>" : it->second;
  }

  std::string Policy(const std::string& target, int max_receive_count) {
    return "{\"deadLetterTargetArn\":\"" + Arn(target) +
           "\",\"maxReceiveCount\":" + std::to_string(max_receive_count) + "}";
  }
};

}  // namespace sluice::queue::testing
