// The action table: one row per SQS operation, binding its name to its input
// shape, its decoder and its engine method. EngineCall is the single Call
// implementation; what differs between operations is data (the row) and two
// small overload sets below: which queues an operation may wake, and when a
// receive parks as a long poll.
#include "sluice/sqs/actions.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>

#include <rapidjson/error/en.h>

#include "sqs/json_decode.h"
#include "sqs/json_encode.h"
#include "sqs/query_encode.h"
#include "sqs/utf8.h"

namespace sluice::sqs {
namespace {

// Request and result types of an engine method, from its pointer.
template <auto kMethod>
struct EngineMethod;
template <typename RequestT, typename ResultT,
          Result<ResultT> (queue::Engine::*kMethod)(const RequestT&)>
struct EngineMethod<kMethod> {
  using Request = RequestT;
  using Response = ResultT;
};

// An operation name usable as a template argument.
template <size_t N>
struct ActionName {
  constexpr ActionName(const char (&text)[N]) { std::copy_n(text, N, chars); }  // NOLINT
  constexpr std::string_view view() const { return {chars, N - 1}; }
  char chars[N];
};

// ---- Wake-ups ---------------------------------------------------------------
// A parked ReceiveMessage looks again when a call may have made messages
// visible on its queue (or, on a FIFO queue, unblocked a message group).
// Everything else wakes nobody.

template <typename Request, typename Response>
std::vector<std::string> WokenQueues(const Request&, const Response&) {
  return {};
}

std::vector<std::string> WokenQueues(const queue::SendMessageRequest& request,
                                     const queue::SendMessageResult&) {
  return {request.queue_name};
}

std::vector<std::string> WokenQueues(const queue::SendMessageBatchRequest& request,
                                     const queue::SendMessageBatchResult& result) {
  if (result.successful.empty()) return {};
  return {request.queue_name};
}

// Any new timeout, not only 0: a parked receiver's wake time was computed
// from the old one, so a shortened timeout must make it look again.
std::vector<std::string> WokenQueues(const queue::ChangeMessageVisibilityRequest& request,
                                     const queue::EmptyResult&) {
  return {request.queue_name};
}

std::vector<std::string> WokenQueues(const queue::ChangeMessageVisibilityBatchRequest& request,
                                     const queue::BatchResult& result) {
  if (result.successful_ids.empty()) return {};
  return {request.queue_name};
}

// On a FIFO queue a delete may unblock the message's group. The name tells
// the type (queue::IsFifoQueueName).
using queue::IsFifoQueueName;

std::vector<std::string> WokenQueues(const queue::DeleteMessageRequest& request,
                                     const queue::EmptyResult&) {
  if (!IsFifoQueueName(request.queue_name)) return {};
  return {request.queue_name};
}

std::vector<std::string> WokenQueues(const queue::DeleteMessageBatchRequest& request,
                                     const queue::BatchResult& result) {
  if (!IsFifoQueueName(request.queue_name) || result.successful_ids.empty()) return {};
  return {request.queue_name};
}

std::vector<std::string> WokenQueues(const queue::ReceiveMessageRequest&,
                                     const queue::ReceiveMessageResult& result) {
  if (result.moved_to_dead_letter_queue.empty()) return {};
  return {result.moved_to_dead_letter_queue};
}

// ---- Long polls ---------------------------------------------------------------

template <typename Request, typename Response>
std::optional<LongPoll> ParkedReceive(const Request&, const Response&) {
  return std::nullopt;
}

std::optional<LongPoll> ParkedReceive(const queue::ReceiveMessageRequest&,
                                      const queue::ReceiveMessageResult& result) {
  if (!result.messages.empty() || result.wait_time_seconds <= 0) return std::nullopt;
  return LongPoll{result.wait_time_seconds, result.next_visible_at};
}

// ---- FIFO throughput quotas ------------------------------------------------------
// Sends, receives and deletes on a FIFO queue are charged against its
// throughput quota (Engine::AdmitFifoCall) once per call, before they run.
// Everything else, and every standard queue, is free.

template <typename Request>
Status AdmitCall(queue::Engine&, std::string_view, const Request&) {
  return Status::Ok();
}

Status AdmitCall(queue::Engine& engine, std::string_view action,
                 const queue::SendMessageRequest& request) {
  if (!IsFifoQueueName(request.queue_name)) return Status::Ok();
  const std::optional<std::string>& group = request.entry.message_group_id;
  std::span<const std::string> groups;
  if (group) groups = std::span<const std::string>(&*group, 1);
  return engine.AdmitFifoCall(queue::FifoAction::kSend, action, request.queue_name, groups);
}

Status AdmitCall(queue::Engine& engine, std::string_view action,
                 const queue::SendMessageBatchRequest& request) {
  if (!IsFifoQueueName(request.queue_name)) return Status::Ok();
  std::vector<std::string> groups;
  for (const queue::SendMessageEntry& entry : request.entries) {
    if (entry.message_group_id) groups.push_back(*entry.message_group_id);
  }
  return engine.AdmitFifoCall(queue::FifoAction::kSend, action, request.queue_name, groups);
}

Status AdmitCall(queue::Engine& engine, std::string_view action,
                 const queue::ReceiveMessageRequest& request) {
  if (!IsFifoQueueName(request.queue_name)) return Status::Ok();
  return engine.AdmitFifoCall(queue::FifoAction::kReceive, action, request.queue_name, {});
}

Status AdmitCall(queue::Engine& engine, std::string_view action,
                 const queue::DeleteMessageRequest& request) {
  if (!IsFifoQueueName(request.queue_name)) return Status::Ok();
  return engine.AdmitFifoCall(queue::FifoAction::kDelete, action, request.queue_name, {});
}

Status AdmitCall(queue::Engine& engine, std::string_view action,
                 const queue::DeleteMessageBatchRequest& request) {
  if (!IsFifoQueueName(request.queue_name)) return Status::Ok();
  return engine.AdmitFifoCall(queue::FifoAction::kDelete, action, request.queue_name, {});
}

// ---- The one Call -------------------------------------------------------------

template <ActionName kName, auto kMethod>
class EngineCall final : public Call {
 public:
  using Request = typename EngineMethod<kMethod>::Request;
  using Response = typename EngineMethod<kMethod>::Response;

  explicit EngineCall(Request request) : request_(std::move(request)) {}

  std::string_view action() const override { return kName.view(); }

  const std::string& queue_name() const override {
    static const std::string kNone;
    if constexpr (requires { request_.queue_name; }) {
      return request_.queue_name;
    } else {
      return kNone;
    }
  }

  Status Run(queue::Engine& engine) override {
    // A parked receive runs again: forget the previous outcome first. It
    // is one API call, charged to a FIFO quota only the first time.
    result_.reset();
    long_poll_.reset();
    if (!admitted_) {
      Status admitted = AdmitCall(engine, kName.view(), request_);
      if (!admitted.ok()) return admitted;
      admitted_ = true;
    }
    Result<Response> result = (engine.*kMethod)(request_);
    if (!result.ok()) return result.status();
    result_ = std::move(result).value();
    long_poll_ = ParkedReceive(request_, *result_);
    return Status::Ok();
  }

  std::string EncodeJson(const EncodeContext& context) const override {
    if (!result_) return "{}";  // contract: only after a successful Run()
    return EncodeResult(*result_, context);
  }

  std::string EncodeXml(const EncodeContext& context) const override {
    // Contract: only after a successful Run(); without a result, no Result element.
    if (!result_) return EncodeXmlResult(kName.view(), queue::EmptyResult{}, context);
    return EncodeXmlResult(kName.view(), *result_, context);
  }

  const LongPoll* long_poll() const override { return long_poll_ ? &*long_poll_ : nullptr; }

  std::vector<std::string> woken_queues() const override {
    if (!result_) return {};
    return WokenQueues(request_, *result_);
  }

 private:
  Request request_;
  std::optional<Response> result_;
  std::optional<LongPoll> long_poll_;
  bool admitted_ = false;  // charged to the queue's FIFO quota
};

template <ActionName kName, auto kMethod, auto kDecode>
Result<std::unique_ptr<Call>> DecodeCall(const rapidjson::Value& input) {
  auto request = kDecode(input);
  if (!request.ok()) return request.status();
  return std::unique_ptr<Call>(
      std::make_unique<EngineCall<kName, kMethod>>(std::move(request).value()));
}

template <ActionName kName, auto kMethod, auto kDecode>
Action Row(const Shape& input) {
  return Action{kName.view(), &input, &DecodeCall<kName, kMethod, kDecode>};
}

using queue::Engine;

// Sorted by name: FindAction binary-searches. All 23 operations of the
// 2012-11-05 API.
const std::vector<Action>& Table() {
  static const std::vector<Action> actions = {
      Row<"AddPermission", &Engine::AddPermission, &DecodeAddPermission>(kAddPermissionInput),
      Row<"CancelMessageMoveTask", &Engine::CancelMessageMoveTask, &DecodeCancelMessageMoveTask>(
          kCancelMessageMoveTaskInput),
      Row<"ChangeMessageVisibility", &Engine::ChangeMessageVisibility,
          &DecodeChangeMessageVisibility>(kChangeMessageVisibilityInput),
      Row<"ChangeMessageVisibilityBatch", &Engine::ChangeMessageVisibilityBatch,
          &DecodeChangeMessageVisibilityBatch>(kChangeMessageVisibilityBatchInput),
      Row<"CreateQueue", &Engine::CreateQueue, &DecodeCreateQueue>(kCreateQueueInput),
      Row<"DeleteMessage", &Engine::DeleteMessage, &DecodeDeleteMessage>(kDeleteMessageInput),
      Row<"DeleteMessageBatch", &Engine::DeleteMessageBatch, &DecodeDeleteMessageBatch>(
          kDeleteMessageBatchInput),
      Row<"DeleteQueue", &Engine::DeleteQueue, &DecodeDeleteQueue>(kDeleteQueueInput),
      Row<"GetQueueAttributes", &Engine::GetQueueAttributes, &DecodeGetQueueAttributes>(
          kGetQueueAttributesInput),
      Row<"GetQueueUrl", &Engine::GetQueueUrl, &DecodeGetQueueUrl>(kGetQueueUrlInput),
      Row<"ListDeadLetterSourceQueues", &Engine::ListDeadLetterSourceQueues,
          &DecodeListDeadLetterSourceQueues>(kListDeadLetterSourceQueuesInput),
      Row<"ListMessageMoveTasks", &Engine::ListMessageMoveTasks, &DecodeListMessageMoveTasks>(
          kListMessageMoveTasksInput),
      Row<"ListQueueTags", &Engine::ListQueueTags, &DecodeListQueueTags>(kListQueueTagsInput),
      Row<"ListQueues", &Engine::ListQueues, &DecodeListQueues>(kListQueuesInput),
      Row<"PurgeQueue", &Engine::PurgeQueue, &DecodePurgeQueue>(kPurgeQueueInput),
      Row<"ReceiveMessage", &Engine::ReceiveMessage, &DecodeReceiveMessage>(kReceiveMessageInput),
      Row<"RemovePermission", &Engine::RemovePermission, &DecodeRemovePermission>(
          kRemovePermissionInput),
      Row<"SendMessage", &Engine::SendMessage, &DecodeSendMessage>(kSendMessageInput),
      Row<"SendMessageBatch", &Engine::SendMessageBatch, &DecodeSendMessageBatch>(
          kSendMessageBatchInput),
      Row<"SetQueueAttributes", &Engine::SetQueueAttributes, &DecodeSetQueueAttributes>(
          kSetQueueAttributesInput),
      Row<"StartMessageMoveTask", &Engine::StartMessageMoveTask, &DecodeStartMessageMoveTask>(
          kStartMessageMoveTaskInput),
      Row<"TagQueue", &Engine::TagQueue, &DecodeTagQueue>(kTagQueueInput),
      Row<"UntagQueue", &Engine::UntagQueue, &DecodeUntagQueue>(kUntagQueueInput),
  };
  return actions;
}

}  // namespace

const std::vector<Action>& AllActions() { return Table(); }

const Action* FindAction(std::string_view name) {
  const std::vector<Action>& actions = Table();
  auto it = std::lower_bound(actions.begin(), actions.end(), name,
                             [](const Action& action, std::string_view wanted) {
                               return action.name < wanted;
                             });
  if (it == actions.end() || it->name != name) return nullptr;
  return &*it;
}

Result<std::unique_ptr<Call>> DecodeJsonBody(const Action& action, std::string_view body) {
  // Typical requests parse within these stack buffers, without touching the
  // heap; larger ones (big batches) spill into malloc'd chunks.
  char value_buffer[8192];
  char parse_buffer[2048];
  rapidjson::MemoryPoolAllocator<> value_allocator(value_buffer, sizeof value_buffer);
  rapidjson::MemoryPoolAllocator<> parse_allocator(parse_buffer, sizeof parse_buffer);
  using Pool = rapidjson::MemoryPoolAllocator<>;
  using StackDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, Pool, Pool>;
  StackDocument document(&value_allocator, sizeof parse_buffer, &parse_allocator);
  // Lenient where it costs nothing: an empty body reads as {}.
  std::string_view text = body.empty() ? std::string_view("{}") : body;
  if (!IsUtf8(text)) {
    return Status(Code::kMalformedRequest, "The request body is not valid UTF-8.");
  }
  document.Parse(text.data(), text.size());
  if (document.HasParseError()) {
    std::string message = "The request body is not valid JSON: ";
    message.append(rapidjson::GetParseError_En(document.GetParseError()));
    return Status(Code::kMalformedRequest, std::move(message));
  }
  return action.decode(document);
}

}  // namespace sluice::sqs
