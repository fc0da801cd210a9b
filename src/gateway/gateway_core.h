// What a Gateway's request objects share: the borrowed services, the
// compiled routes and their indexes, the parse scratch and the dedup store.
//
// Ownership: owned by its Gateway; IngestRequest, DedupAdminRequest and
// the sweep hold a GatewayCore& until their storage op's Done has run.
// Threads: loop thread, except `dedup` (storage thread only, inside Work).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <uv.h>

#include "gateway/compiled_route.h"
#include "gateway/dedup_store.h"
#include "sluice/clock.h"
#include "sluice/gateway/gateway.h"
#include "sluice/queue/engine_host.h"
#include "sluice/storage/storage_thread.h"

namespace sluice::gateway {

class GatewayCore {
 public:
  GatewayCore(uv_loop_t* loop, storage::StorageThread& storage, queue::EngineHost& engine, const Clock& clock,
              GatewayOptions options, Gateway::OnEnqueued on_enqueued)
      : loop(loop),
        storage(storage),
        engine(engine),
        clock(clock),
        options(options),
        on_enqueued(std::move(on_enqueued)) {}

  // The route called `name`, or nullptr.
  CompiledRoute* FindRoute(const std::string& name) const {
    auto it = routes_by_name.find(name);
    return it == routes_by_name.end() ? nullptr : it->second;
  }

  uv_loop_t* const loop;
  storage::StorageThread& storage;
  queue::EngineHost& engine;
  const Clock& clock;
  const GatewayOptions options;
  const Gateway::OnEnqueued on_enqueued;

  std::vector<std::unique_ptr<CompiledRoute>> routes;  // in declared order
  std::unordered_map<std::string, std::vector<CompiledRoute*>> routes_by_path;
  std::unordered_map<std::string, CompiledRoute*> routes_by_name;

  PrepareScratch scratch;  // loop thread: reused by every Prepare()
  DedupStore dedup;        // storage thread only

  uv_timer_t* sweep_timer = nullptr;  // freed in its close callback
  bool sweep_running = false;
  bool shut_down = false;
};

}  // namespace sluice::gateway
