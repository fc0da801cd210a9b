// The ingest gateway: config-declared HTTP routes that validate a JSON body
// against the route's schema, fill in defaults, refuse duplicates, and
// enqueue the event on a queue of the SQS engine. It also serves the admin
// API of its dedup records (docs/ADMIN_API.md, "Dedup records"):
//   GET    /_sluice/v1/dedup/ROUTE/KEY  -> the live record, 404 when none
//   DELETE /_sluice/v1/dedup/ROUTE/KEY  -> {"forgotten":true}, 404 when none
//
// One ingest request: throttle (429) -> parse and validate (400) -> one
// storage op that checks the dedup key, sends the message and records the
// key in the same savepoint (src/gateway/enqueue.cc states the invariants)
// -> after the commit: 200 with the route's response, 409 for a live
// duplicate, 500 when the target queue is gone, 503 when storage failed.
// Every answer is {"error": "..."} JSON except the 200, and each request
// logs one info line (route, status, request id, event id, queue, ms).
// Expired dedup records are deleted in the background, a bounded slice per
// storage op, on a timer.
//
// Ownership: borrows the loop, storage thread, engine host and clock, which
// must outlive it; owns its compiled routes, its dedup statements (finalized
// by the storage op Shutdown() submits) and the sweep timer (freed in its
// close callback). Destroy the Gateway only after the storage thread's
// Shutdown() completed: every Done it submitted refers to it.
// Errors: Create() returns kInvalidParameterValue naming the route
// ("route 'webhook': schema: ..."). Requests never fail the Gateway: each
// error becomes that request's HTTP answer.
// Threads: loop thread only (the storage ops it submits run on the storage
// thread and touch only their own request and the dedup statements).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include "sluice/clock.h"
#include "sluice/gateway/route.h"
#include "sluice/http/server.h"
#include "sluice/queue/engine_host.h"
#include "sluice/status.h"
#include "sluice/storage/storage_thread.h"

namespace sluice::gateway {

struct GatewayOptions {
  // Between sweeps of expired dedup records; a sweep that deleted a full
  // slice runs again at once.
  int64_t sweep_interval_ms = 60'000;
  // Records deleted per sweep (one storage op).
  int sweep_limit = 1000;
};

class GatewayCore;

class Gateway {
 public:
  // Called on the loop thread after the commit of each accepted event, with
  // its queue: parked long polls of that queue should look again.
  using OnEnqueued = std::function<void(const std::string& queue)>;

  // Compiles every route (schemas, defaults, response templates), and checks
  // that names and method+path pairs are unique.
  static Result<std::unique_ptr<Gateway>> Create(uv_loop_t* loop, std::vector<RouteConfig> routes,
                                                 storage::StorageThread& storage, queue::EngineHost& engine,
                                                 const Clock& clock, GatewayOptions options,
                                                 OnEnqueued on_enqueued);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Answers (now or after a storage op) a request to a route's path or to
  // the dedup admin API, and returns true; false leaves it to others. A
  // route's path with another method gets 405 with an Allow header.
  bool Handle(http::Exchange& exchange);

  // True when a route is declared on `path` (any method): Handle() would
  // answer a request to it. The server asks this of a request head to
  // decide whether its body streams (S3) or is buffered (a route).
  bool Routes(std::string_view path) const;

  // Starts the sweep timer: a first sweep now, then one per interval.
  void Start();

  // Stops and closes the sweep timer, answers later ingest and admin
  // requests with 503, and submits a last storage op that finalizes the
  // gateway's statements. Call once, after the HTTP server drained and
  // before StorageThread::Shutdown(). Requests already submitted complete
  // normally.
  void Shutdown();

 private:
  explicit Gateway(std::unique_ptr<GatewayCore> core);
  std::unique_ptr<GatewayCore> core_;
};

}  // namespace sluice::gateway
