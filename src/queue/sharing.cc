// What a queue shares with the world: tags, AddPermission/RemovePermission
// statements (kept in the queue's Policy, never enforced), and the queues
// that use it as their dead-letter queue.
#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "queue/engine_impl.h"
#include "queue/validate.h"

namespace sluice::queue {
namespace {

constexpr size_t kMaxTags = 50;
constexpr size_t kMaxActionsPerStatement = 7;

// The actions AddPermission may grant (SQS refuses the owner-only ones).
constexpr std::array<std::string_view, 9> kGrantableActions = {
    "*",           "ChangeMessageVisibility", "DeleteMessage",
    "GetQueueAttributes", "GetQueueUrl",      "ListDeadLetterSourceQueues",
    "PurgeQueue",  "ReceiveMessage",          "SendMessage",
};

// The queue's Policy document, or SQS's empty default policy.
rapidjson::Document PolicyOf(const QueueRow& queue, const std::string& queue_arn) {
  rapidjson::Document policy;
  auto existing = queue.attributes.find("Policy");
  if (existing != queue.attributes.end()) {
    policy.Parse(existing->second.data(), existing->second.size());
  }
  if (policy.HasParseError() || !policy.IsObject()) {
    policy.SetObject();
    auto& allocator = policy.GetAllocator();
    policy.AddMember("Version", "2012-10-17", allocator);
    policy.AddMember("Id", rapidjson::Value(queue_arn + "/SQSDefaultPolicy", allocator), allocator);
  }
  if (!policy.HasMember("Statement") || !policy["Statement"].IsArray()) {
    policy.RemoveMember("Statement");
    policy.AddMember("Statement", rapidjson::Value(rapidjson::kArrayType), policy.GetAllocator());
  }
  return policy;
}

bool HasSid(const rapidjson::Value& statement, const std::string& sid) {
  return statement.IsObject() && statement.HasMember("Sid") && statement["Sid"].IsString() &&
         sid == statement["Sid"].GetString();
}

std::string Serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// One string, or an array of them when there are several (as IAM writes it).
rapidjson::Value StringOrArray(const std::vector<std::string>& values,
                               rapidjson::Document::AllocatorType& allocator) {
  if (values.size() == 1) return rapidjson::Value(values[0], allocator);
  rapidjson::Value array(rapidjson::kArrayType);
  for (const std::string& value : values) array.PushBack(rapidjson::Value(value, allocator), allocator);
  return array;
}

}  // namespace

Result<TagMap> MergeTags(const TagMap& current, const TagMap& added, const std::string& queue_name) {
  TagMap merged = current;
  for (const auto& [key, value] : added) {
    if (key.empty() || key.size() > 128) {
      return Status(Code::kInvalidParameterValue,
                    "Tag keys must be between 1 and 128 characters in length.");
    }
    if (value.size() > 256) {
      return Status(Code::kInvalidParameterValue,
                    "Tag values must be between 0 and 256 characters in length.");
    }
    merged[key] = value;
  }
  if (merged.size() > kMaxTags) {
    return Status(Code::kInvalidParameterValue,
                  fmt::format("Too many tags added for queue {}.", queue_name));
  }
  return merged;
}

Result<EmptyResult> Engine::Impl::TagQueue(const TagQueueRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  if (request.tags.empty()) {
    return Status(Code::kMissingParameter, "The request must contain the parameter Tags.");
  }
  Result<TagMap> tags = MergeTags((*queue)->tags, request.tags, (*queue)->name);
  if (!tags.ok()) return tags.status();
  SLUICE_RETURN_IF_ERROR(catalog_.UpdateTags(**queue, *tags));
  return EmptyResult{};
}

Result<EmptyResult> Engine::Impl::UntagQueue(const UntagQueueRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  if (request.tag_keys.empty()) {
    return Status(Code::kInvalidParameterValue,
                  "Tag keys must be between 1 and 128 characters in length.");
  }
  TagMap tags = (*queue)->tags;
  for (const std::string& key : request.tag_keys) tags.erase(key);
  SLUICE_RETURN_IF_ERROR(catalog_.UpdateTags(**queue, tags));
  return EmptyResult{};
}

Result<ListQueueTagsResult> Engine::Impl::ListQueueTags(const ListQueueTagsRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  return ListQueueTagsResult{(*queue)->tags};
}

Result<EmptyResult> Engine::Impl::AddPermission(const AddPermissionRequest& request) {
  Result<const QueueRow*> found = RequireQueue(request.queue_name);
  if (!found.ok()) return found.status();
  const QueueRow& queue = **found;
  if (!IsValidIdentifier(request.label)) {
    return InvalidParameter("Label", request.label,
                            "Can only include alphanumeric characters, hyphens, or underscores. 1 "
                            "to 80 in length");
  }
  if (request.actions.empty()) {
    return Status(Code::kMissingParameter, "The request must contain the parameter Actions.");
  }
  if (request.aws_account_ids.empty()) {
    return InvalidParameter("PrincipalId", "[]", "Unable to verify.");
  }
  if (request.actions.size() > kMaxActionsPerStatement) {
    return Status(Code::kOverLimit, fmt::format("{} Actions were found, maximum allowed is {}.",
                                                request.actions.size(), kMaxActionsPerStatement));
  }
  std::vector<std::string> actions;
  for (const std::string& action : request.actions) {
    if (std::find(kGrantableActions.begin(), kGrantableActions.end(), action) ==
        kGrantableActions.end()) {
      return InvalidParameter("ActionName", "SQS:" + action,
                              "Only the queue owner is allowed to invoke this action.");
    }
    actions.push_back("SQS:" + action);
  }
  std::vector<std::string> principals;
  for (const std::string& account : request.aws_account_ids) {
    principals.push_back("arn:aws:iam::" + account + ":root");
  }

  std::string queue_arn = arns_.Of(queue.name);
  rapidjson::Document policy = PolicyOf(queue, queue_arn);
  auto& allocator = policy.GetAllocator();
  rapidjson::Value& statements = policy["Statement"];
  for (const auto& statement : statements.GetArray()) {
    if (HasSid(statement, request.label)) {
      return InvalidParameter("Label", request.label, "Already exists.");
    }
  }
  rapidjson::Value statement(rapidjson::kObjectType);
  statement.AddMember("Sid", rapidjson::Value(request.label, allocator), allocator);
  statement.AddMember("Effect", "Allow", allocator);
  rapidjson::Value principal(rapidjson::kObjectType);
  principal.AddMember("AWS", StringOrArray(principals, allocator), allocator);
  statement.AddMember("Principal", principal, allocator);
  statement.AddMember("Action", StringOrArray(actions, allocator), allocator);
  statement.AddMember("Resource", rapidjson::Value(queue_arn, allocator), allocator);
  statements.PushBack(statement, allocator);

  AttributeMap attributes = queue.attributes;
  attributes["Policy"] = Serialize(policy);
  SLUICE_RETURN_IF_ERROR(
      catalog_.UpdateAttributes(queue, attributes, queue.redrive_target, clock_.NowMillis()));
  return EmptyResult{};
}

Result<EmptyResult> Engine::Impl::RemovePermission(const RemovePermissionRequest& request) {
  Result<const QueueRow*> found = RequireQueue(request.queue_name);
  if (!found.ok()) return found.status();
  const QueueRow& queue = **found;
  rapidjson::Document policy = PolicyOf(queue, arns_.Of(queue.name));
  rapidjson::Value& statements = policy["Statement"];
  bool removed = false;
  for (auto it = statements.Begin(); it != statements.End();) {
    if (HasSid(*it, request.label)) {
      it = statements.Erase(it);
      removed = true;
    } else {
      ++it;
    }
  }
  if (!removed) {
    return InvalidParameter("Label", request.label, "can't find label on existing policy.");
  }
  AttributeMap attributes = queue.attributes;
  if (statements.Empty()) {
    attributes.erase("Policy");
  } else {
    attributes["Policy"] = Serialize(policy);
  }
  SLUICE_RETURN_IF_ERROR(
      catalog_.UpdateAttributes(queue, attributes, queue.redrive_target, clock_.NowMillis()));
  return EmptyResult{};
}

Result<ListDeadLetterSourceQueuesResult> Engine::Impl::ListDeadLetterSourceQueues(
    const ListDeadLetterSourceQueuesRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  Result<NamePage> page = OpenNamePage(request.max_results, request.next_token);
  if (!page.ok()) return page.status();
  Result<std::vector<std::string>> names = catalog_.ListSourcesOf((*queue)->name, page->after, page->limit);
  if (!names.ok()) return names.status();
  ListDeadLetterSourceQueuesResult result;
  result.queue_names = std::move(names).value();
  CloseNamePage(request.max_results, &result.queue_names, &result.next_token);
  return result;
}

}  // namespace sluice::queue
