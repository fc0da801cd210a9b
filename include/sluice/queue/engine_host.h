// Owns the queue engine on behalf of the storage thread. The engine needs
// the storage thread's connection, which only Work callbacks see, so it is
// built on first use inside one.
//
// Threads: Get() on the storage thread only (inside StorageThread::Work).
#pragma once

#include <memory>

#include <sqlite3.h>

#include "sluice/clock.h"
#include "sluice/queue/engine.h"

namespace sluice::queue {

class EngineHost {
 public:
  EngineHost(const Clock& clock, EngineOptions options) : clock_(clock), options_(std::move(options)) {}

  Engine& Get(sqlite3* db) {
    if (!engine_) engine_ = std::make_unique<Engine>(db, clock_, options_);
    return *engine_;
  }

  // Drops the engine and its prepared statements; the next Get() builds a new
  // one. Storage thread only: submitted as the last op before shutdown.
  void Reset() { engine_.reset(); }

 private:
  const Clock& clock_;
  const EngineOptions options_;
  std::unique_ptr<Engine> engine_;  // storage thread only
};

}  // namespace sluice::queue
