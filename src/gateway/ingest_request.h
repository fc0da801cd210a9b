// One request to an ingest route, from admission to answer. Its steps, in
// order; each passes to the next or answers and ends the request:
//
//   Admit()        loop     the route's token bucket          -> 429 + Retry-After
//   Prepare()      loop     parse, validate, defaults, target -> 400
//   Submit()       loop     hands Store() to the storage thread
//   Store()        storage  EnqueueOnce(): dedup check, send, dedup record
//   OnCommitted()  loop     after the COMMIT                  -> 200 / 409 / 4xx / 500 / 503
//   Finish()       loop     respond, write the access log line, delete this
//
// Ownership: allocated by Start(), deletes itself in Finish(). Holds the
// Exchange until it answers (an Exchange stays valid until Respond(), even
// if the peer left) and the GatewayCore until its Done ran.
// Threads: loop thread, except Store() (storage thread), which touches only
// this request's prepared event and outcome, the engine and the dedup store.
#pragma once

#include <cstdint>
#include <string>

#include <sqlite3.h>

#include "gateway/compiled_route.h"
#include "gateway/enqueue.h"
#include "gateway/gateway_core.h"
#include "sluice/http/server.h"
#include "sluice/queue/types.h"
#include "sluice/status.h"

namespace sluice::gateway {

class IngestRequest {
 public:
  static void Start(GatewayCore& core, CompiledRoute& route, http::Exchange& exchange);

 private:
  IngestRequest(GatewayCore& core, CompiledRoute& route, http::Exchange& exchange);

  bool Admit();
  bool Prepare();
  void Submit();
  Status Store(sqlite3* db);
  void OnCommitted(Status status);
  void Finish(http::Response response);

  GatewayCore& core_;
  CompiledRoute& route_;
  http::Exchange& exchange_;
  const uint64_t started_ns_;

  // Prepare() -> Store().
  PreparedEvent event_;
  queue::SendMessageRequest send_;
  // Store() -> OnCommitted(); written on the storage thread before its Done.
  EnqueueOutcome outcome_;
};

}  // namespace sluice::gateway
