// The settable attributes of a queue: which names exist, their SQS defaults
// and ranges, their canonical spelling, and the typed settings the engine's
// hot paths read (so no JSON is parsed per message).
//
// Errors, as SQS reports them:
//   a name that is not settable          -> kInvalidAttributeName "Unknown Attribute X."
//   a FIFO-only attribute on a standard queue -> kInvalidAttributeName
//   FifoQueue changed by SetQueueAttributes   -> kInvalidAttributeValue
//   a bad number or boolean, a bad Policy -> kInvalidAttributeValue naming it
//   FifoThroughputLimit=perMessageGroupId without
//     DeduplicationScope=messageGroup      -> kInvalidAttributeValue
//   a bad RedrivePolicy / RedriveAllowPolicy -> kInvalidParameterValue
//     "Value <v> for parameter <name> is invalid. Reason: ..."
// Whether a RedrivePolicy's target exists is the caller's check (it needs
// the catalog).
//
// Threads: any (pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/queue/types.h"
#include "sluice/status.h"

namespace sluice::queue {

struct QueueAttributeLimits {
  int max_message_size_limit = 1024 * 1024;       // largest MaximumMessageSize
  int default_maximum_message_size = 1024 * 1024;  // MaximumMessageSize of a new queue
};

// Every attribute name GetQueueAttributes knows (botocore's QueueAttributeName).
bool IsKnownQueueAttributeName(std::string_view name);

// The settable attributes of a new queue, with SQS's defaults; a FIFO queue
// (`fifo`) also gets FifoQueue=true and the defaults of its FIFO attributes.
AttributeMap DefaultQueueAttributes(const QueueAttributeLimits& limits, bool fifo);

// Whether a CreateQueue's attributes ask for a FIFO queue: FifoQueue "true"
// (any case). kInvalidAttributeValue when FifoQueue is neither true nor false.
Result<bool> RequestsFifoQueue(const AttributeMap& requested);

// Checks `requested` for a queue of the given type and returns it in
// canonical form ("030" -> "30", "TRUE" -> "true", JSON policies compacted).
// An empty value for Policy, RedrivePolicy, RedriveAllowPolicy or
// KmsMasterKeyId stays empty: "remove it". FifoQueue is dropped: it is
// given on CreateQueue only (`creating`; RequestsFifoQueue read it), and
// SetQueueAttributes may only restate a FIFO queue's "true".
Result<AttributeMap> NormalizeQueueAttributes(const AttributeMap& requested, bool fifo,
                                              bool creating, const QueueAttributeLimits& limits);

// The rules between attributes, checked on a queue's whole (merged) map:
// FifoThroughputLimit=perMessageGroupId needs DeduplicationScope=messageGroup.
Status CheckAttributeCombination(const AttributeMap& attributes);

// `current` with the normalized `changes` applied. Choosing SSE-KMS turns
// SSE-SQS off and the other way round: a queue has one encryption option.
AttributeMap MergeQueueAttributes(AttributeMap current, const AttributeMap& changes);

// The name of the first attribute in `changes` whose value differs from
// `current` (an empty value equals an absent one), or nullopt.
std::optional<std::string> FirstDifference(const AttributeMap& current, const AttributeMap& changes);

struct RedrivePolicy {
  std::string dead_letter_target_arn;
  int max_receive_count = 0;
};
// Parses a canonical RedrivePolicy value; nullopt for "" or garbage.
std::optional<RedrivePolicy> ParseRedrivePolicy(std::string_view json);

struct RedriveAllowPolicy {
  std::string redrive_permission;  // allowAll, denyAll or byQueue
  std::vector<std::string> source_queue_arns;
};
std::optional<RedriveAllowPolicy> ParseRedriveAllowPolicy(std::string_view json);

// What the hot paths need from the attributes, parsed once per cache fill.
struct QueueSettings {
  int delay_seconds = 0;
  int maximum_message_size = 1024 * 1024;
  int message_retention_period = 345600;
  int receive_message_wait_time_seconds = 0;
  int visibility_timeout = 30;
  std::optional<RedrivePolicy> redrive_policy;
  bool fifo = false;                         // FifoQueue
  bool content_based_deduplication = false;  // ContentBasedDeduplication
  bool deduplication_per_group = false;      // DeduplicationScope=messageGroup
  bool throughput_per_group = false;         // FifoThroughputLimit=perMessageGroupId
};
// Settings of a canonical attribute map (missing or unparsable members keep
// their defaults: the map was validated when it was written).
QueueSettings SettingsOf(const AttributeMap& attributes);

}  // namespace sluice::queue
