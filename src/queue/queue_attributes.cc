#include "queue/queue_attributes.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "queue/arn.h"
#include "queue/validate.h"

namespace sluice::queue {
namespace {

constexpr std::array<std::string_view, 22> kKnownNames = {
    "All",
    "Policy",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
    "ApproximateNumberOfMessagesDelayed",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "RedriveAllowPolicy",
    "SqsManagedSseEnabled",
};

struct IntegerAttribute {
  std::string_view name;
  int64_t min;
  int64_t max;
};

// MaximumMessageSize's upper bound comes from the limits; see Normalize.
constexpr std::array<IntegerAttribute, 6> kIntegerAttributes = {{
    {"DelaySeconds", 0, 900},
    {"MaximumMessageSize", 1024, 1024 * 1024},
    {"MessageRetentionPeriod", 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", 0, 20},
    {"VisibilityTimeout", 0, 43200},
    {"KmsDataKeyReusePeriodSeconds", 60, 86400},
}};

// Attributes that may be absent; an empty value removes them.
bool IsOptional(std::string_view name) {
  return name == "Policy" || name == "RedrivePolicy" || name == "RedriveAllowPolicy" ||
         name == "KmsMasterKeyId";
}

Status InvalidValue(std::string_view name) {
  return Status(Code::kInvalidAttributeValue,
                fmt::format("Invalid value for the parameter {}.", name));
}

std::string Compact(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<int64_t> IntegerMember(const rapidjson::Value& value) {
  if (value.IsInt64()) return value.GetInt64();
  if (value.IsString()) return ParseInteger(std::string_view(value.GetString(), value.GetStringLength()));
  return std::nullopt;
}

Result<std::string> NormalizeRedrivePolicy(std::string_view raw) {
  auto invalid = [&](std::string_view reason) { return InvalidParameter("RedrivePolicy", raw, reason); };
  rapidjson::Document document;
  document.Parse(raw.data(), raw.size());
  if (document.HasParseError() || !document.IsObject()) {
    return invalid("Redrive policy is not a valid JSON map.");
  }
  // Both members are mandatory in practice, whatever the API reference says
  // of a default maxReceiveCount; SQS reports maxReceiveCount first.
  auto count = document.FindMember("maxReceiveCount");
  if (count == document.MemberEnd()) {
    return invalid("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  }
  auto target = document.FindMember("deadLetterTargetArn");
  if (target == document.MemberEnd()) {
    return invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  }
  if (!target->value.IsString() || !QueueArns::LooksLikeArn(target->value.GetString())) {
    return invalid("Invalid value for deadLetterTargetArn.");
  }
  std::optional<int64_t> max_receive_count = IntegerMember(count->value);
  if (!max_receive_count || *max_receive_count < 1 || *max_receive_count > 1000) {
    std::string shown = count->value.IsString() ? count->value.GetString() : Compact(count->value);
    return invalid(fmt::format(
        "Invalid value for maxReceiveCount: {}, valid values are from 1 to 1000 both inclusive.",
        shown));
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("deadLetterTargetArn");
  writer.String(target->value.GetString(), target->value.GetStringLength());
  writer.Key("maxReceiveCount");
  writer.Int64(*max_receive_count);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<std::string> NormalizeRedriveAllowPolicy(std::string_view raw) {
  auto invalid = [&](std::string_view reason) {
    return InvalidParameter("RedriveAllowPolicy", raw, reason);
  };
  rapidjson::Document document;
  document.Parse(raw.data(), raw.size());
  if (document.HasParseError() || !document.IsObject()) {
    return invalid("Redrive allow policy is not a valid JSON map.");
  }
  auto permission = document.FindMember("redrivePermission");
  if (permission == document.MemberEnd() || !permission->value.IsString()) {
    return invalid("Redrive allow policy does not contain mandatory attribute: redrivePermission.");
  }
  std::string_view mode = permission->value.GetString();
  if (mode != "allowAll" && mode != "denyAll" && mode != "byQueue") {
    return invalid("Invalid value for redrivePermission: valid values are allowAll, denyAll, byQueue.");
  }
  auto sources = document.FindMember("sourceQueueArns");
  bool has_sources = sources != document.MemberEnd();
  std::vector<std::string> arns;
  if (has_sources) {
    if (!sources->value.IsArray()) return invalid("sourceQueueArns must be a list of ARNs.");
    for (const auto& arn : sources->value.GetArray()) {
      if (!arn.IsString() || !QueueArns::LooksLikeArn(arn.GetString())) {
        return invalid("sourceQueueArns must be a list of ARNs.");
      }
      arns.emplace_back(arn.GetString(), arn.GetStringLength());
    }
  }
  if (mode == "byQueue" && (arns.empty() || arns.size() > 10)) {
    return invalid("When redrivePermission is byQueue, sourceQueueArns must list 1 to 10 ARNs.");
  }
  if (mode != "byQueue" && has_sources) {
    return invalid("sourceQueueArns may only be given when redrivePermission is byQueue.");
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("redrivePermission");
  writer.String(mode.data(), static_cast<rapidjson::SizeType>(mode.size()));
  if (mode == "byQueue") {
    writer.Key("sourceQueueArns");
    writer.StartArray();
    for (const std::string& arn : arns) writer.String(arn.data(), static_cast<rapidjson::SizeType>(arn.size()));
    writer.EndArray();
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string Lower(std::string_view value) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// The attributes only a FIFO queue has, and what SQS answers when a standard
// queue is given one.
Result<std::string> NormalizeFifoOnly(const std::string& name, const std::string& value,
                                      bool fifo) {
  if (name == "ContentBasedDeduplication") {
    if (!fifo) return Status(Code::kInvalidAttributeName, "Unknown Attribute ContentBasedDeduplication.");
    std::string lower = Lower(value);
    if (lower != "true" && lower != "false") return InvalidValue(name);
    return lower;
  }
  if (!fifo) {
    return Status(Code::kInvalidAttributeName,
                  fmt::format("You can specify the {} only when FifoQueue is set to true.", name));
  }
  if (name == "DeduplicationScope" && (value == "messageGroup" || value == "queue")) return value;
  if (name == "FifoThroughputLimit" && (value == "perMessageGroupId" || value == "perQueue")) {
    return value;
  }
  return InvalidValue(name);
}

bool IsFifoOnly(std::string_view name) {
  return name == "ContentBasedDeduplication" || name == "DeduplicationScope" ||
         name == "FifoThroughputLimit";
}

Result<std::string> NormalizeOne(const std::string& name, const std::string& value,
                                 const QueueAttributeLimits& limits) {
  for (const IntegerAttribute& attribute : kIntegerAttributes) {
    if (name != attribute.name) continue;
    int64_t max = name == "MaximumMessageSize" ? limits.max_message_size_limit : attribute.max;
    std::optional<int64_t> number = ParseInteger(value);
    if (!number || *number < attribute.min || *number > max) return InvalidValue(name);
    return std::to_string(*number);
  }
  if (name == "SqsManagedSseEnabled") {
    std::string lower = Lower(value);
    if (lower != "true" && lower != "false") return InvalidValue(name);
    return lower;
  }
  if (value.empty() && IsOptional(name)) return std::string();
  if (name == "Policy") {
    rapidjson::Document document;
    document.Parse(value.data(), value.size());
    if (document.HasParseError() || !document.IsObject()) return InvalidValue(name);
    return Compact(document);
  }
  if (name == "RedrivePolicy") return NormalizeRedrivePolicy(value);
  if (name == "RedriveAllowPolicy") return NormalizeRedriveAllowPolicy(value);
  if (name == "KmsMasterKeyId") return value;
  return Status(Code::kInvalidAttributeName, fmt::format("Unknown Attribute {}.", name));
}

}  // namespace

bool IsKnownQueueAttributeName(std::string_view name) {
  return std::find(kKnownNames.begin(), kKnownNames.end(), name) != kKnownNames.end();
}

AttributeMap DefaultQueueAttributes(const QueueAttributeLimits& limits, bool fifo) {
  AttributeMap defaults = {
      {"DelaySeconds", "0"},
      {"KmsDataKeyReusePeriodSeconds", "300"},
      {"MaximumMessageSize", std::to_string(limits.default_maximum_message_size)},
      {"MessageRetentionPeriod", "345600"},
      {"ReceiveMessageWaitTimeSeconds", "0"},
      {"SqsManagedSseEnabled", "true"},
      {"VisibilityTimeout", "30"},
  };
  if (fifo) {
    defaults.insert({{"FifoQueue", "true"},
                     {"ContentBasedDeduplication", "false"},
                     {"DeduplicationScope", "queue"},
                     {"FifoThroughputLimit", "perQueue"}});
  }
  return defaults;
}

Result<bool> RequestsFifoQueue(const AttributeMap& requested) {
  auto it = requested.find("FifoQueue");
  if (it == requested.end()) return false;
  std::string lower = Lower(it->second);
  if (lower != "true" && lower != "false") return InvalidValue("FifoQueue");
  return lower == "true";
}

Result<AttributeMap> NormalizeQueueAttributes(const AttributeMap& requested, bool fifo,
                                              bool creating, const QueueAttributeLimits& limits) {
  AttributeMap normalized;
  for (const auto& [name, value] : requested) {
    if (name == "FifoQueue") {
      if (creating) continue;  // RequestsFifoQueue chose the type
      if (!fifo) return Status(Code::kInvalidAttributeName, "Unknown Attribute FifoQueue.");
      if (Lower(value) == "true") continue;
      return Status(Code::kInvalidAttributeValue,
                    "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is "
                    "not supported.");
    }
    Result<std::string> canonical =
        IsFifoOnly(name) ? NormalizeFifoOnly(name, value, fifo) : NormalizeOne(name, value, limits);
    if (!canonical.ok()) return canonical.status();
    normalized.emplace(name, std::move(canonical).value());
  }
  return normalized;
}

Status CheckAttributeCombination(const AttributeMap& attributes) {
  auto limit = attributes.find("FifoThroughputLimit");
  auto scope = attributes.find("DeduplicationScope");
  if (limit != attributes.end() && limit->second == "perMessageGroupId" &&
      (scope == attributes.end() || scope->second != "messageGroup")) {
    return Status(Code::kInvalidAttributeValue,
                  "Invalid value for the parameter FifoThroughputLimit. Reason: "
                  "perMessageGroupId is allowed only when DeduplicationScope is messageGroup.");
  }
  return Status::Ok();
}

AttributeMap MergeQueueAttributes(AttributeMap current, const AttributeMap& changes) {
  for (const auto& [name, value] : changes) {
    if (value.empty() && IsOptional(name)) {
      current.erase(name);
    } else {
      current[name] = value;
    }
  }
  auto kms = changes.find("KmsMasterKeyId");
  bool kms_chosen = kms != changes.end() && !kms->second.empty();
  auto sse = changes.find("SqsManagedSseEnabled");
  if (kms_chosen && sse == changes.end()) current["SqsManagedSseEnabled"] = "false";
  if (sse != changes.end() && sse->second == "true" && kms == changes.end()) {
    current.erase("KmsMasterKeyId");
  }
  return current;
}

std::optional<std::string> FirstDifference(const AttributeMap& current, const AttributeMap& changes) {
  for (const auto& [name, value] : changes) {
    auto it = current.find(name);
    const std::string& existing = it == current.end() ? std::string() : it->second;
    if (existing != value) return name;
  }
  return std::nullopt;
}

std::optional<RedrivePolicy> ParseRedrivePolicy(std::string_view json) {
  if (json.empty()) return std::nullopt;
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) return std::nullopt;
  auto target = document.FindMember("deadLetterTargetArn");
  auto count = document.FindMember("maxReceiveCount");
  if (target == document.MemberEnd() || !target->value.IsString() ||
      count == document.MemberEnd()) {
    return std::nullopt;
  }
  std::optional<int64_t> max_receive_count = IntegerMember(count->value);
  if (!max_receive_count) return std::nullopt;
  return RedrivePolicy{target->value.GetString(), static_cast<int>(*max_receive_count)};
}

std::optional<RedriveAllowPolicy> ParseRedriveAllowPolicy(std::string_view json) {
  if (json.empty()) return std::nullopt;
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) return std::nullopt;
  auto permission = document.FindMember("redrivePermission");
  if (permission == document.MemberEnd() || !permission->value.IsString()) return std::nullopt;
  RedriveAllowPolicy policy;
  policy.redrive_permission = permission->value.GetString();
  auto sources = document.FindMember("sourceQueueArns");
  if (sources != document.MemberEnd() && sources->value.IsArray()) {
    for (const auto& arn : sources->value.GetArray()) {
      if (arn.IsString()) policy.source_queue_arns.emplace_back(arn.GetString());
    }
  }
  return policy;
}

QueueSettings SettingsOf(const AttributeMap& attributes) {
  QueueSettings settings;
  auto integer = [&](std::string_view name, int* out) {
    auto it = attributes.find(std::string(name));
    if (it == attributes.end()) return;
    if (std::optional<int64_t> value = ParseInteger(it->second)) *out = static_cast<int>(*value);
  };
  integer("DelaySeconds", &settings.delay_seconds);
  integer("MaximumMessageSize", &settings.maximum_message_size);
  integer("MessageRetentionPeriod", &settings.message_retention_period);
  integer("ReceiveMessageWaitTimeSeconds", &settings.receive_message_wait_time_seconds);
  integer("VisibilityTimeout", &settings.visibility_timeout);
  auto redrive = attributes.find("RedrivePolicy");
  if (redrive != attributes.end()) settings.redrive_policy = ParseRedrivePolicy(redrive->second);
  auto is = [&](std::string_view name, std::string_view value) {
    auto it = attributes.find(std::string(name));
    return it != attributes.end() && it->second == value;
  };
  settings.fifo = is("FifoQueue", "true");
  settings.content_based_deduplication = is("ContentBasedDeduplication", "true");
  settings.deduplication_per_group = is("DeduplicationScope", "messageGroup");
  settings.throughput_per_group = is("FifoThroughputLimit", "perMessageGroupId");
  return settings;
}

}  // namespace sluice::queue
