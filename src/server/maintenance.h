// Background work driven by loop timers and done on the storage thread:
// the retention sweep (expired messages deleted in bounded slices) and the
// message move tasks (DLQ redrive), stepped every tick at each task's
// MaxNumberOfMessagesPerSecond. Tasks are read back from the database on
// every tick, so a task survives a restart and resumes where it stopped.
//
// Ownership: borrows storage, engine host and the wake callback's target; owns
// two uv timers (closed by Stop()) and the per-task rate credit.
// Threads: Start/Stop and timer callbacks on the loop thread; the submitted
// Work runs on the storage thread and touches only `credit_` (never read by
// the loop thread) and the engine.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <uv.h>

#include "sluice/queue/engine_host.h"
#include "sluice/clock.h"
#include "sluice/storage/storage_thread.h"

namespace sluice::server {

class Maintenance {
 public:
  using WakeQueue = std::function<void(const std::string& queue)>;

  Maintenance(uv_loop_t* loop, storage::StorageThread& storage, queue::EngineHost& engine, const Clock& clock,
              uint64_t sweep_interval_ms, uint64_t move_tick_ms, WakeQueue wake);

  void Start();
  // Stops the timers; work already submitted completes normally.
  void Stop();

 private:
  static void OnSweepTimer(uv_timer_t* timer);
  static void OnMoveTimer(uv_timer_t* timer);
  void SweepOnce();
  void MoveOnce();

  // Messages deleted per retention slice; a full slice schedules the next at once.
  static constexpr int kSweepSlice = 2000;
  // Messages per tick for a task without a rate limit.
  static constexpr int kUnlimitedPerTick = 1000;

  uv_loop_t* loop_;
  storage::StorageThread& storage_;
  queue::EngineHost& engine_;
  const Clock& clock_;
  const uint64_t sweep_interval_ms_;
  const uint64_t move_tick_ms_;
  WakeQueue wake_;
  uv_timer_t* sweep_timer_ = nullptr;
  uv_timer_t* move_timer_ = nullptr;
  bool sweep_running_ = false;
  bool move_running_ = false;
  bool stopped_ = false;

  // Storage thread only: fractional message credit per task and when it was last topped up.
  struct Credit {
    double messages = 0;
    int64_t updated_at = 0;
  };
  std::map<std::string, Credit> credit_;
};

}  // namespace sluice::server
