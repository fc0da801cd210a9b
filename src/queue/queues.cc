// Queue lifecycle and attributes: CreateQueue, GetQueueUrl, ListQueues,
// DeleteQueue, PurgeQueue, GetQueueAttributes, SetQueueAttributes.
#include <algorithm>

#include <fmt/format.h>

#include "queue/engine_impl.h"
#include "queue/random_ids.h"
#include "queue/validate.h"

namespace sluice::queue {
namespace {

// Covered by messages_by_visibility.
constexpr const char kCountVisible[] =
    "SELECT count(*) FROM messages WHERE queue_id = ?1 AND visible_at <= ?2";
// In flight (received before) and delayed (never received) among the rest.
constexpr const char kCountNotVisible[] =
    "SELECT count(*), sum(receive_count > 0) FROM messages WHERE queue_id = ?1 AND visible_at > ?2";

constexpr int64_t kPurgeIntervalMillis = 60 * 1000;
// A purge deletes this many messages at once; a deeper queue is finished by
// SweepExpired in slices, so one purge never holds the storage thread (and
// every other request) for seconds.
constexpr int kPurgeSlice = 10'000;
constexpr const char kMaxMessageId[] = "SELECT coalesce(max(id), 0) FROM messages";
constexpr const char kSetPurgeHighWater[] = "UPDATE queues SET purge_high_water_id = ?1 WHERE id = ?2";
constexpr std::string_view kPageTokenPrefix = "sluice-page:";

}  // namespace

std::string EncodePageToken(const std::string& last_name) {
  return Base64UrlEncode(std::string(kPageTokenPrefix) + last_name);
}

std::optional<std::string> DecodePageToken(const std::string& token) {
  std::optional<std::string> decoded = Base64UrlDecode(token);
  if (!decoded || decoded->compare(0, kPageTokenPrefix.size(), kPageTokenPrefix) != 0) {
    return std::nullopt;
  }
  return decoded->substr(kPageTokenPrefix.size());
}

Result<std::string> Engine::Impl::CheckRedriveTarget(const std::string& source_name,
                                                     bool source_fifo,
                                                     const std::string& redrive_policy) {
  std::optional<RedrivePolicy> policy = ParseRedrivePolicy(redrive_policy);
  const QueueRow* target = nullptr;
  if (policy) {
    Result<const QueueRow*> found = QueueByArn(policy->dead_letter_target_arn);
    if (!found.ok()) return found.status();
    target = *found;
  }
  if (target == nullptr) {
    return InvalidParameter("RedrivePolicy", redrive_policy, "Dead letter target does not exist.");
  }
  if (target->settings.fifo != source_fifo) {
    // SQS's reason ends in two dots.
    return InvalidParameter("RedrivePolicy", redrive_policy,
                            "Dead-letter queue must be same type of queue as the source..");
  }
  auto allow_json = target->attributes.find("RedriveAllowPolicy");
  if (allow_json != target->attributes.end()) {
    std::optional<RedriveAllowPolicy> allow = ParseRedriveAllowPolicy(allow_json->second);
    std::string source_arn = arns_.Of(source_name);
    bool allowed = !allow || allow->redrive_permission == "allowAll" ||
                   (allow->redrive_permission == "byQueue" &&
                    std::find(allow->source_queue_arns.begin(), allow->source_queue_arns.end(),
                              source_arn) != allow->source_queue_arns.end());
    if (!allowed) {
      return InvalidParameter(
          "RedrivePolicy", redrive_policy,
          fmt::format("Queue {} is not allowed to use {} as a dead-letter queue by its "
                      "RedriveAllowPolicy.",
                      source_arn, policy->dead_letter_target_arn));
    }
  }
  return target->name;
}

Result<CreateQueueResult> Engine::Impl::CreateQueue(const CreateQueueRequest& request) {
  const std::string& name = request.queue_name;
  Result<bool> fifo = RequestsFifoQueue(request.attributes);
  if (!fifo.ok()) return fifo.status();
  SLUICE_RETURN_IF_ERROR(ValidateQueueName(name, *fifo));
  Result<AttributeMap> requested =
      NormalizeQueueAttributes(request.attributes, *fifo, true, limits_);
  if (!requested.ok()) return requested.status();
  // Restating the type is part of what a re-create compares.
  if (*fifo) requested->emplace("FifoQueue", "true");

  Result<const QueueRow*> existing = catalog_.FindByName(name);
  if (!existing.ok()) return existing.status();
  if (*existing != nullptr) {
    // SQS compares only the attributes the request names: re-creating a
    // configured queue by name alone returns it.
    if (std::optional<std::string> differing = FirstDifference((*existing)->attributes, *requested)) {
      return Status(Code::kQueueNameExists,
                    fmt::format("A queue already exists with the same name and a different value "
                                "for attribute {}",
                                *differing));
    }
    return CreateQueueResult{name, false};
  }

  Result<TagMap> tags = MergeTags({}, request.tags, name);
  if (!tags.ok()) return tags.status();
  AttributeMap attributes =
      MergeQueueAttributes(DefaultQueueAttributes(limits_, *fifo), *requested);
  SLUICE_RETURN_IF_ERROR(CheckAttributeCombination(attributes));
  std::string redrive_target;
  if (auto policy = attributes.find("RedrivePolicy"); policy != attributes.end()) {
    Result<std::string> target = CheckRedriveTarget(name, *fifo, policy->second);
    if (!target.ok()) return target.status();
    redrive_target = std::move(target).value();
  }
  Result<int64_t> id = catalog_.Insert(name, attributes, *tags, redrive_target, clock_.NowMillis());
  if (!id.ok()) return id.status();
  return CreateQueueResult{name, true};
}

Result<GetQueueUrlResult> Engine::Impl::GetQueueUrl(const GetQueueUrlRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  return GetQueueUrlResult{(*queue)->name};
}

Result<NamePage> OpenNamePage(const std::optional<int>& max_results, const std::string& next_token) {
  if (max_results && (*max_results < 1 || *max_results > 1000)) {
    return InvalidParameter("MaxResults", std::to_string(*max_results),
                            "MaxResults must be an integer between 1 and 1000.");
  }
  NamePage page;
  if (!next_token.empty()) {
    std::optional<std::string> decoded = DecodePageToken(next_token);
    if (!decoded) return Status(Code::kInvalidParameterValue, "Invalid NextToken value.");
    page.after = std::move(*decoded);
  }
  page.limit = max_results ? *max_results + 1 : 1000;
  return page;
}

void CloseNamePage(const std::optional<int>& max_results, std::vector<std::string>* names,
                   std::string* next_token) {
  if (max_results && static_cast<int>(names->size()) > *max_results) {
    names->resize(*max_results);
    *next_token = EncodePageToken(names->back());
  }
}

Result<ListQueuesResult> Engine::Impl::ListQueues(const ListQueuesRequest& request) {
  Result<NamePage> page = OpenNamePage(request.max_results, request.next_token);
  if (!page.ok()) return page.status();
  Result<std::vector<std::string>> names =
      catalog_.ListNames(request.queue_name_prefix, page->after, page->limit);
  if (!names.ok()) return names.status();
  ListQueuesResult result;
  result.queue_names = std::move(names).value();
  CloseNamePage(request.max_results, &result.queue_names, &result.next_token);
  return result;
}

Result<EmptyResult> Engine::Impl::DeleteQueue(const DeleteQueueRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  const int64_t queue_id = (*queue)->id;
  Result<int64_t> high_water = MaxMessageId();
  if (!high_water.ok()) return high_water.status();
  Result<int> deleted = DeletePurgedSlice(queue_id, *high_water, kPurgeSlice);
  if (!deleted.ok()) return deleted.status();
  if (*deleted < kPurgeSlice) {
    SLUICE_RETURN_IF_ERROR(catalog_.Delete(**queue));
    return EmptyResult{};
  }
  // A deep queue: free the name now, let SweepExpired delete the rest in
  // slices and then the row.
  SLUICE_RETURN_IF_ERROR(catalog_.Tombstone(**queue));
  storage::Statement mark = db_.Prepare(kSetPurgeHighWater);
  mark.BindInt(*high_water).BindInt(queue_id);
  SLUICE_RETURN_IF_ERROR(mark.Run());
  return EmptyResult{};
}

Result<int64_t> Engine::Impl::MaxMessageId() {
  storage::Statement max_id = db_.Prepare(kMaxMessageId);
  if (!max_id.Step()) return max_id.ok() ? Status(Code::kInternal, "max(id) returned no row") : max_id.status();
  return max_id.Int(0);
}

Result<EmptyResult> Engine::Impl::PurgeQueue(const PurgeQueueRequest& request) {
  Result<const QueueRow*> queue = RequireQueue(request.queue_name);
  if (!queue.ok()) return queue.status();
  int64_t now = clock_.NowMillis();
  if ((*queue)->purged_at != 0 && now - (*queue)->purged_at < kPurgeIntervalMillis) {
    return Status(Code::kPurgeQueueInProgress,
                  fmt::format("Only one PurgeQueue operation on {} is allowed every 60 seconds.",
                              (*queue)->name));
  }
  Result<int64_t> max_id = MaxMessageId();
  if (!max_id.ok()) return max_id.status();
  const int64_t high_water = *max_id;
  Result<int> deleted = DeletePurgedSlice((*queue)->id, high_water, kPurgeSlice);
  if (!deleted.ok()) return deleted.status();
  storage::Statement mark = db_.Prepare(kSetPurgeHighWater);
  mark.BindInt(*deleted < kPurgeSlice ? 0 : high_water).BindInt((*queue)->id);
  SLUICE_RETURN_IF_ERROR(mark.Run());
  SLUICE_RETURN_IF_ERROR(catalog_.UpdatePurgedAt(**queue, now));
  return EmptyResult{};
}

Result<GetQueueAttributesResult> Engine::Impl::GetQueueAttributes(
    const GetQueueAttributesRequest& request) {
  Result<const QueueRow*> found = RequireQueue(request.queue_name);
  if (!found.ok()) return found.status();
  const QueueRow& queue = **found;
  bool all = false;
  for (const std::string& name : request.attribute_names) {
    if (!IsKnownQueueAttributeName(name)) {
      return Status(Code::kInvalidAttributeName, fmt::format("Unknown Attribute {}.", name));
    }
    all = all || name == "All";
  }
  auto wanted = [&](std::string_view name) {
    if (all) return true;
    for (const std::string& requested : request.attribute_names) {
      if (requested == name) return true;
    }
    return false;
  };

  GetQueueAttributesResult result;
  bool kms = queue.attributes.count("KmsMasterKeyId") > 0;
  for (const auto& [name, value] : queue.attributes) {
    if (name == "KmsDataKeyReusePeriodSeconds" && !kms) continue;  // SSE-KMS only
    if (wanted(name)) result.attributes[name] = value;
  }
  if (wanted("QueueArn")) result.attributes["QueueArn"] = arns_.Of(queue.name);
  if (wanted("CreatedTimestamp")) {
    result.attributes["CreatedTimestamp"] = std::to_string(queue.created_at / 1000);
  }
  if (wanted("LastModifiedTimestamp")) {
    result.attributes["LastModifiedTimestamp"] = std::to_string(queue.modified_at / 1000);
  }
  int64_t now = clock_.NowMillis();
  if (wanted("ApproximateNumberOfMessages")) {
    storage::Statement count = db_.Prepare(kCountVisible);
    count.BindInt(queue.id).BindInt(now);
    int64_t visible = count.Step() ? count.Int(0) : 0;
    if (!count.ok()) return count.status();
    result.attributes["ApproximateNumberOfMessages"] = std::to_string(visible);
  }
  if (wanted("ApproximateNumberOfMessagesNotVisible") ||
      wanted("ApproximateNumberOfMessagesDelayed")) {
    storage::Statement count = db_.Prepare(kCountNotVisible);
    count.BindInt(queue.id).BindInt(now);
    int64_t not_visible = 0;
    int64_t in_flight = 0;
    if (count.Step()) {
      not_visible = count.Int(0);
      in_flight = count.Int(1);
    }
    if (!count.ok()) return count.status();
    if (wanted("ApproximateNumberOfMessagesNotVisible")) {
      result.attributes["ApproximateNumberOfMessagesNotVisible"] = std::to_string(in_flight);
    }
    if (wanted("ApproximateNumberOfMessagesDelayed")) {
      result.attributes["ApproximateNumberOfMessagesDelayed"] =
          std::to_string(not_visible - in_flight);
    }
  }
  return result;
}

Result<EmptyResult> Engine::Impl::SetQueueAttributes(const SetQueueAttributesRequest& request) {
  Result<const QueueRow*> found = RequireQueue(request.queue_name);
  if (!found.ok()) return found.status();
  const QueueRow& queue = **found;
  Result<AttributeMap> changes =
      NormalizeQueueAttributes(request.attributes, queue.settings.fifo, false, limits_);
  if (!changes.ok()) return changes.status();
  AttributeMap attributes = MergeQueueAttributes(queue.attributes, *changes);
  SLUICE_RETURN_IF_ERROR(CheckAttributeCombination(attributes));
  std::string redrive_target;
  auto policy = attributes.find("RedrivePolicy");
  if (policy != attributes.end()) {
    if (changes->count("RedrivePolicy") > 0) {
      Result<std::string> target =
          CheckRedriveTarget(queue.name, queue.settings.fifo, policy->second);
      if (!target.ok()) return target.status();
      redrive_target = std::move(target).value();
    } else {
      redrive_target = queue.redrive_target;
    }
  }
  SLUICE_RETURN_IF_ERROR(
      catalog_.UpdateAttributes(queue, attributes, redrive_target, clock_.NowMillis()));
  return EmptyResult{};
}

}  // namespace sluice::queue
