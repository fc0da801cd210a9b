// FifoThroughput: one token bucket per (queue, API action) and, in high
// throughput mode, per (queue, API action, message group).
#include "queue/fifo_throughput.h"

#include <algorithm>
#include <vector>

namespace sluice::queue {

std::string FifoThroughput::KeyOf(std::string_view queue, FifoAction action, std::string_view group) {
  // Queue names and group ids are printable ASCII, so the separator cannot
  // occur in either; the queue's own bucket is the key with no group.
  std::string key(queue);
  key += '\x1f';
  key += static_cast<char>('0' + static_cast<int>(action));
  key += '\x1f';
  key += group;
  return key;
}

FifoThroughput::Bucket& FifoThroughput::Refilled(const std::string& key, int rate, int64_t now_ms) {
  const int64_t capacity = static_cast<int64_t>(rate) * kMilliTokensPerCall;
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{capacity, now_ms});
  Bucket& bucket = it->second;
  if (!inserted && now_ms > bucket.refilled_at) {
    // `rate` tokens per second are `rate` thousandths per millisecond. A
    // queue whose quota changed (SetQueueAttributes) is capped at the new one.
    const int64_t earned = (now_ms - bucket.refilled_at) * rate;
    bucket.milli_tokens = std::min(capacity, bucket.milli_tokens + earned);
    bucket.refilled_at = now_ms;
  }
  bucket.milli_tokens = std::min(capacity, bucket.milli_tokens);
  return bucket;
}

void FifoThroughput::DropIdle(int64_t now_ms) {
  if (buckets_.size() <= kSweepAbove || now_ms - last_sweep_ms_ < kIdleMs) return;
  last_sweep_ms_ = now_ms;
  std::erase_if(buckets_, [now_ms](const auto& entry) {
    return now_ms - entry.second.refilled_at >= kIdleMs;  // full again: same as absent
  });
}

bool FifoThroughput::Admit(std::string_view queue, FifoAction action, bool per_group,
                           std::span<const std::string> groups, int64_t now_ms) {
  DropIdle(now_ms);  // before taking references into the map
  // unordered_map keeps references valid across inserts, so the buckets of
  // one call can be gathered first and charged only if all have a token.
  std::vector<Bucket*> charged;
  charged.reserve(1 + groups.size());
  charged.push_back(&Refilled(KeyOf(queue, action, {}), QueueQuota(per_group), now_ms));
  if (per_group) {
    for (const std::string& group : groups) {
      if (group.empty()) continue;  // invalid; the send itself refuses it
      Bucket* bucket = &Refilled(KeyOf(queue, action, group), GroupQuota(), now_ms);
      // A batch that names a group twice is still one transaction for it.
      if (std::find(charged.begin(), charged.end(), bucket) == charged.end()) {
        charged.push_back(bucket);
      }
    }
  }
  for (const Bucket* bucket : charged) {
    if (bucket->milli_tokens < kMilliTokensPerCall) return false;
  }
  for (Bucket* bucket : charged) bucket->milli_tokens -= kMilliTokensPerCall;
  return true;
}

}  // namespace sluice::queue
