// AdmitFifoCall: the FIFO throughput quota check that runs before an SQS
// API call on a FIFO queue (the buckets are in fifo_throughput.cc).
// Errors: kThrottled when a quota is spent, kStorageFailed from the queue
// lookup. Threads: the storage thread only, like the rest of Engine::Impl.
#include <fmt/format.h>

#include "queue/engine_impl.h"

namespace sluice::queue {

Status Engine::Impl::AdmitFifoCall(FifoAction action, std::string_view api_action,
                                   const std::string& queue_name,
                                   std::span<const std::string> groups) {
  if (!options_.fifo_quotas.enforce) return Status::Ok();
  Result<const QueueRow*> found = catalog_.FindByName(queue_name);
  if (!found.ok()) return found.status();
  const QueueRow* queue = *found;
  if (queue == nullptr || !queue->settings.fifo) return Status::Ok();

  const bool per_group = queue->settings.throughput_per_group;
  if (fifo_throughput_.Admit(queue->name, action, per_group, groups, clock_.NowMillis())) {
    return Status::Ok();
  }
  if (per_group) {
    return Status(Code::kThrottled,
                  fmt::format("Rate exceeded: {} on FIFO queue {} is over its throughput quota "
                              "({} transactions per second per message group, {} per queue; "
                              "FifoThroughputLimit=perMessageGroupId). Retry with backoff, "
                              "batch messages, or spread them over more message groups.",
                              api_action, queue_name, fifo_throughput_.GroupQuota(),
                              fifo_throughput_.QueueQuota(true)));
  }
  return Status(Code::kThrottled,
                fmt::format("Rate exceeded: {} on FIFO queue {} is over its throughput quota "
                            "({} transactions per second per API action; "
                            "FifoThroughputLimit=perQueue). Retry with backoff, use batch "
                            "actions, or enable high throughput (FifoThroughputLimit="
                            "perMessageGroupId with DeduplicationScope=messageGroup).",
                            api_action, queue_name, fifo_throughput_.QueueQuota(false)));
}

}  // namespace sluice::queue
