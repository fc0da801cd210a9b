// One admin request on a dedup record (docs/ADMIN_API.md, "Dedup records"):
//   GET    /_sluice/v1/dedup/ROUTE/KEY -> 200 the live record; 404 none (or expired), 404 unknown route
//   DELETE /_sluice/v1/dedup/ROUTE/KEY -> 200 {"forgotten":true}; 404 none. A forgotten key is accepted again.
// KEY (and ROUTE) are percent-decoded; everything after ROUTE's slash is
// the key, slashes included. Other methods get 405 with Allow.
//
// Steps: Parse() (loop) -> Submit() -> Run() (storage) -> OnCommitted()
// (loop) -> Finish(), which responds and deletes this.
//
// Ownership: allocated by Start(), deletes itself in Finish().
// Threads: loop thread, except Run() (storage thread: this request and the
// dedup store only).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "gateway/dedup_store.h"
#include "gateway/gateway_core.h"
#include "sluice/http/server.h"
#include "sluice/status.h"

namespace sluice::gateway {

inline constexpr std::string_view kDedupAdminPrefix = "/_sluice/v1/dedup/";

class DedupAdminRequest {
 public:
  static void Start(GatewayCore& core, http::Exchange& exchange);

 private:
  DedupAdminRequest(GatewayCore& core, http::Exchange& exchange) : core_(core), exchange_(exchange) {}

  bool Parse();
  void Submit();
  Status Run(sqlite3* db);
  void OnCommitted(Status status);
  void Finish(http::Response response);

  GatewayCore& core_;
  http::Exchange& exchange_;
  bool forget_ = false;  // DELETE; else GET
  std::string route_;
  std::string key_;
  // Run() -> OnCommitted().
  std::optional<DedupRecord> record_;
  bool forgotten_ = false;
};

}  // namespace sluice::gateway
