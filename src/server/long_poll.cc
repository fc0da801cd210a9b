#include "long_poll.h"

#include <algorithm>
#include <vector>

namespace sluice::server {

LongPollRegistry::LongPollRegistry(uv_loop_t* loop, const Clock& clock)
    : loop_(loop), clock_(clock), timer_(new uv_timer_t) {
  uv_timer_init(loop_, timer_);
}

LongPollRegistry::~LongPollRegistry() = default;

void LongPollRegistry::Close() {
  if (timer_ == nullptr) return;
  uv_timer_stop(timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(timer_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
  timer_ = nullptr;
}

void LongPollRegistry::Park(Waiter* waiter, const std::string& queue, int64_t wake_at) {
  Unpark(waiter);
  auto& list = by_queue_[queue];
  waiter->parked_ = true;
  waiter->queue_ = queue;
  waiter->queue_position_ = list.insert(list.end(), waiter);
  waiter->time_position_ = by_time_.emplace(wake_at, waiter);
  if (waiter->time_position_ == by_time_.begin()) ArmTimer();
}

void LongPollRegistry::Unpark(Waiter* waiter) {
  if (!waiter->parked_) return;
  waiter->parked_ = false;
  auto list = by_queue_.find(waiter->queue_);
  list->second.erase(waiter->queue_position_);
  if (list->second.empty()) by_queue_.erase(list);
  by_time_.erase(waiter->time_position_);
}

bool LongPollRegistry::HasWaiters(const std::string& queue) const { return by_queue_.count(queue) != 0; }

void LongPollRegistry::WakeQueue(const std::string& queue, size_t max_waiters) {
  auto found = by_queue_.find(queue);
  if (found == by_queue_.end()) return;
  // Unpark first, then call: a woken waiter may park again or free itself.
  std::vector<Waiter*> woken;
  // Unpark erases the queue's list when it empties, so look it up each time
  // rather than holding a reference into the map.
  for (auto list = found; list != by_queue_.end() && woken.size() < max_waiters;
       list = by_queue_.find(queue)) {
    Waiter* oldest = list->second.front();
    woken.push_back(oldest);
    Unpark(oldest);
  }
  for (Waiter* waiter : woken) waiter->Wake(false);
  ArmTimer();
}

void LongPollRegistry::WakeAll() {
  std::vector<Waiter*> woken;
  for (auto& [wake_at, waiter] : by_time_) woken.push_back(waiter);
  for (Waiter* waiter : woken) Unpark(waiter);
  for (Waiter* waiter : woken) waiter->Wake(false);
  ArmTimer();
}

void LongPollRegistry::ArmTimer() {
  if (timer_ == nullptr) return;
  if (by_time_.empty()) {
    uv_timer_stop(timer_);
    return;
  }
  int64_t delay = by_time_.begin()->first - clock_.NowMillis();
  timer_->data = this;
  uv_timer_start(timer_, &LongPollRegistry::OnTimer, static_cast<uint64_t>(std::max<int64_t>(delay, 0)), 0);
}

void LongPollRegistry::OnTimer(uv_timer_t* timer) {
  auto* self = static_cast<LongPollRegistry*>(timer->data);
  int64_t now = self->clock_.NowMillis();
  std::vector<Waiter*> due;
  for (auto it = self->by_time_.begin(); it != self->by_time_.end() && it->first <= now; ++it) {
    due.push_back(it->second);
  }
  for (Waiter* waiter : due) self->Unpark(waiter);
  for (Waiter* waiter : due) waiter->Wake(true);
  self->ArmTimer();
}

}  // namespace sluice::server
