#include "maintenance.h"

#include <algorithm>
#include <memory>

#include <spdlog/spdlog.h>

namespace sluice::server {
namespace {

void CloseTimer(uv_timer_t*& timer) {
  if (timer == nullptr) return;
  uv_timer_stop(timer);
  uv_close(reinterpret_cast<uv_handle_t*>(timer), [](uv_handle_t* handle) {
    delete reinterpret_cast<uv_timer_t*>(handle);
  });
  timer = nullptr;
}

}  // namespace

Maintenance::Maintenance(uv_loop_t* loop, storage::StorageThread& storage, queue::EngineHost& engine,
                         const Clock& clock, uint64_t sweep_interval_ms, uint64_t move_tick_ms, WakeQueue wake)
    : loop_(loop),
      storage_(storage),
      engine_(engine),
      clock_(clock),
      sweep_interval_ms_(sweep_interval_ms),
      move_tick_ms_(move_tick_ms),
      wake_(std::move(wake)) {}

void Maintenance::Start() {
  sweep_timer_ = new uv_timer_t;
  uv_timer_init(loop_, sweep_timer_);
  sweep_timer_->data = this;
  uv_timer_start(sweep_timer_, &Maintenance::OnSweepTimer, sweep_interval_ms_, sweep_interval_ms_);
  move_timer_ = new uv_timer_t;
  uv_timer_init(loop_, move_timer_);
  move_timer_->data = this;
  uv_timer_start(move_timer_, &Maintenance::OnMoveTimer, 0, move_tick_ms_);
}

void Maintenance::Stop() {
  stopped_ = true;
  CloseTimer(sweep_timer_);
  CloseTimer(move_timer_);
}

void Maintenance::OnSweepTimer(uv_timer_t* timer) { static_cast<Maintenance*>(timer->data)->SweepOnce(); }
void Maintenance::OnMoveTimer(uv_timer_t* timer) { static_cast<Maintenance*>(timer->data)->MoveOnce(); }

void Maintenance::SweepOnce() {
  if (sweep_running_ || stopped_) return;
  sweep_running_ = true;
  auto deleted = std::make_shared<int>(0);
  queue::EngineHost* engine = &engine_;
  storage_.Submit(
      [engine, deleted](sqlite3* db) {
        Result<int> swept = engine->Get(db).SweepExpired(kSweepSlice);
        if (!swept.ok()) return swept.status();
        *deleted = swept.value();
        return Status::Ok();
      },
      [this, deleted](Status status) {
        sweep_running_ = false;
        if (!status.ok()) {
          spdlog::warn("retention sweep failed: {}", status.ToString());
          return;
        }
        if (*deleted > 0) spdlog::debug("retention sweep deleted {} expired messages", *deleted);
        if (*deleted >= kSweepSlice && !stopped_) SweepOnce();  // more to do: keep going
      });
}

void Maintenance::MoveOnce() {
  if (move_running_ || stopped_) return;
  move_running_ = true;
  auto woken = std::make_shared<std::vector<std::string>>();
  queue::EngineHost* engine = &engine_;
  storage_.Submit(
      [this, engine, woken](sqlite3* db) {
        queue::Engine& queues = engine->Get(db);
        Result<std::vector<std::string>> tasks = queues.ActiveMoveTasks();
        if (!tasks.ok()) return tasks.status();
        int64_t now = clock_.NowMillis();
        std::map<std::string, Credit> live;
        for (const std::string& handle : tasks.value()) {
          Result<std::optional<int>> rate = queues.MoveTaskRate(handle);
          if (!rate.ok()) return rate.status();
          Credit credit = credit_.count(handle) ? credit_[handle] : Credit{0, now};
          int budget = kUnlimitedPerTick;
          if (rate.value().has_value()) {
            double elapsed_seconds = std::max<int64_t>(now - credit.updated_at, 0) / 1000.0;
            if (credit.updated_at == now) elapsed_seconds = move_tick_ms_ / 1000.0;  // first tick
            // Never bank more than one second of credit.
            credit.messages = std::min<double>(credit.messages + elapsed_seconds * *rate.value(),
                                               *rate.value());
            budget = static_cast<int>(credit.messages);
            credit.messages -= budget;
          }
          credit.updated_at = now;
          if (budget <= 0) {  // a slow task: wait for a whole message of credit
            live[handle] = credit;
            continue;
          }
          Result<queue::MoveTaskStep> step = queues.RunMoveTaskStep(handle, budget);
          if (!step.ok()) return step.status();
          woken->insert(woken->end(), step->woken_queues.begin(), step->woken_queues.end());
          if (!step->finished) live[handle] = credit;
        }
        credit_ = std::move(live);
        return Status::Ok();
      },
      [this, woken](Status status) {
        move_running_ = false;
        if (!status.ok()) {
          spdlog::warn("message move step failed: {}", status.ToString());
          return;
        }
        for (const std::string& queue : *woken) wake_(queue);
      });
}

}  // namespace sluice::server
