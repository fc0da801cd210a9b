// FIFO throughput quotas: the token buckets behind SQS's ThrottlingException
// on FIFO queues.
//
// SQS limits a FIFO queue to 300 transactions per second per API action
// (SendMessage, ReceiveMessage, DeleteMessage; a batch call is one
// transaction, hence "3,000 messages per second with batching"). With high
// throughput (FifoThroughputLimit=perMessageGroupId) the 300 apply to each
// message group instead, and the queue as a whole gets a regional quota
// (70,000 in us-east-1). Each bucket holds one second's worth of
// transactions, so a burst of that size passes and a sustained rate above
// the quota is refused until tokens refill.
//
// A bucket untouched for a second is full again, which is the same as not
// having one: such buckets are dropped once the map grows, so a queue that
// uses millions of message group ids keeps only the recently busy ones.
//
// Ownership: owned by Engine::Impl; holds only counters.
// Errors: none; Admit answers yes or no.
// Threads: the storage thread only.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sluice/queue/engine.h"

namespace sluice::queue {

class FifoThroughput {
 public:
  explicit FifoThroughput(FifoQuotas quotas) : quotas_(quotas) {}

  // Takes one transaction of `action` from queue `queue`'s bucket and,
  // when `per_group`, from the bucket of each group in `groups` (the queue
  // then gets the high-throughput quota). All or nothing: when any bucket is
  // empty, returns false and takes nothing. `now_ms` may go backwards (a
  // wall clock); time then stands still for refills.
  // Queues are told apart by name: ids are reused after a DeleteQueue, and
  // a new queue must not inherit a spent bucket.
  bool Admit(std::string_view queue, FifoAction action, bool per_group,
             std::span<const std::string> groups, int64_t now_ms);

  // The quota a bucket refills at, in transactions per second.
  int QueueQuota(bool per_group) const {
    return per_group ? quotas_.high_throughput_transactions_per_second
                     : quotas_.transactions_per_second;
  }
  int GroupQuota() const { return quotas_.transactions_per_second; }

  // Buckets currently held (tests check that idle ones are dropped).
  size_t bucket_count() const { return buckets_.size(); }

 private:
  // Tokens are counted in thousandths, so a bucket refills `rate` of them
  // per millisecond and integer arithmetic stays exact.
  struct Bucket {
    int64_t milli_tokens = 0;
    int64_t refilled_at = 0;  // epoch ms
  };
  static constexpr int64_t kMilliTokensPerCall = 1000;
  // The map is swept of full buckets when it holds more than this...
  static constexpr size_t kSweepAbove = 4096;
  // ...at most once per this many milliseconds (a bucket refills within a second).
  static constexpr int64_t kIdleMs = 1000;

  static std::string KeyOf(std::string_view queue, FifoAction action, std::string_view group);
  // The bucket under `key`, refilled to `now_ms` (full when new).
  Bucket& Refilled(const std::string& key, int rate, int64_t now_ms);
  void DropIdle(int64_t now_ms);

  const FifoQuotas quotas_;
  std::unordered_map<std::string, Bucket> buckets_;
  int64_t last_sweep_ms_ = 0;
};

}  // namespace sluice::queue
