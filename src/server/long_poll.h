// Parked long polls. A ReceiveMessage that found nothing and may wait is
// parked here, costs nothing while it waits, and is woken (1) when a commit
// may have made messages visible on its queue (WakeQueue, called after a
// send's completion), (2) at its wake time: the earlier of its deadline and
// the next time a message of its queue becomes visible, or (3) at shutdown.
// Modelled on Redis's blocked.c: waiters are listed per queue, oldest first,
// and one timer serves them all (ordered by wake time).
//
// Ownership: the registry does not own waiters; a waiter must Unpark itself
// before it dies (SqsService does so when its exchange is answered, aborted or
// woken). It owns one uv_timer_t, closed by Close().
// Threads: loop thread only.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <unordered_map>

#include <uv.h>

#include "sluice/clock.h"

namespace sluice::server {

class LongPollRegistry;

class Waiter {
 public:
  virtual ~Waiter() = default;
  // Called after the waiter has been unparked. `timed_out` is true when its
  // wake time passed (deadline or next visibility), false for queue wakeups
  // and shutdown.
  virtual void Wake(bool timed_out) = 0;

 private:
  friend class LongPollRegistry;
  bool parked_ = false;
  std::string queue_;
  std::list<Waiter*>::iterator queue_position_;
  std::multimap<int64_t, Waiter*>::iterator time_position_;
};

class LongPollRegistry {
 public:
  LongPollRegistry(uv_loop_t* loop, const Clock& clock);
  ~LongPollRegistry();

  // Parks `waiter` on `queue` until `wake_at` (epoch ms) at the latest.
  void Park(Waiter* waiter, const std::string& queue, int64_t wake_at);
  // Removes `waiter` if parked; no callback.
  void Unpark(Waiter* waiter);
  // Wakes up to `max_waiters` waiters of `queue`, oldest first.
  void WakeQueue(const std::string& queue, size_t max_waiters);
  // Wakes every waiter (shutdown).
  void WakeAll();

  size_t parked_count() const { return by_time_.size(); }
  bool HasWaiters(const std::string& queue) const;

  // Closes the timer; the registry may be destroyed after the loop ran the close.
  void Close();

 private:
  static void OnTimer(uv_timer_t* timer);
  void ArmTimer();

  uv_loop_t* loop_;
  const Clock& clock_;
  uv_timer_t* timer_;  // heap-allocated; freed in its close callback
  std::unordered_map<std::string, std::list<Waiter*>> by_queue_;
  std::multimap<int64_t, Waiter*> by_time_;
};

}  // namespace sluice::server
