#include "sluice/gateway/gateway.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "gateway/dedup_admin_request.h"
#include "gateway/gateway_core.h"
#include "gateway/ingest_request.h"
#include "sluice/http/json_response.h"

namespace sluice::gateway {
namespace {

void OnSweepTimer(uv_timer_t* timer);

// One slice of the expiry sweep: a storage op deleting at most sweep_limit
// expired records. A full slice means more are waiting: the timer fires
// again at once instead of after the interval.
void SweepOnce(GatewayCore& core) {
  if (core.sweep_running || core.shut_down) return;
  core.sweep_running = true;
  auto deleted = std::make_shared<int>(0);
  GatewayCore* shared = &core;
  core.storage.Submit(
      [shared, deleted](sqlite3* db) {
        Result<int> swept = shared->dedup.SweepExpired(db, shared->clock.NowMillis(), shared->options.sweep_limit);
        if (!swept.ok()) return swept.status();
        *deleted = swept.value();
        return Status::Ok();
      },
      [shared, deleted](Status status) {
        shared->sweep_running = false;
        if (!status.ok()) {
          if (!shared->shut_down) spdlog::warn("dedup sweep failed: {}", status.ToString());
          return;
        }
        if (*deleted > 0) spdlog::debug("dedup sweep deleted {} expired records", *deleted);
        if (*deleted >= shared->options.sweep_limit && shared->sweep_timer != nullptr) {
          uv_timer_start(shared->sweep_timer, &OnSweepTimer, 0, static_cast<uint64_t>(shared->options.sweep_interval_ms));
        }
      });
}

void OnSweepTimer(uv_timer_t* timer) { SweepOnce(*static_cast<GatewayCore*>(timer->data)); }

void RespondMethodNotAllowed(const std::vector<CompiledRoute*>& routes, http::Exchange& exchange) {
  std::string allow;
  for (const CompiledRoute* route : routes) {
    if (!allow.empty()) allow += ", ";
    allow += route->config().method;
  }
  const http::Request& request = exchange.request();
  http::Response response = http::JsonErrorResponse(
      405, fmt::format("Method {} is not allowed on {}; use {}", request.method, request.path, allow));
  response.headers.push_back({"allow", allow});
  spdlog::info("route={} status=405 request_id={} event_id=- queue=- ms=0.00", routes.front()->name(),
               request.request_id.empty() ? "-" : request.request_id);
  exchange.Respond(std::move(response));
}

}  // namespace

Result<std::unique_ptr<Gateway>> Gateway::Create(uv_loop_t* loop, std::vector<RouteConfig> routes,
                                                 storage::StorageThread& storage, queue::EngineHost& engine,
                                                 const Clock& clock, GatewayOptions options,
                                                 OnEnqueued on_enqueued) {
  if (options.sweep_interval_ms < 1) options.sweep_interval_ms = 1;
  if (options.sweep_limit < 1) options.sweep_limit = 1;
  auto core = std::make_unique<GatewayCore>(loop, storage, engine, clock, options, std::move(on_enqueued));
  for (RouteConfig& config : routes) {
    Result<std::unique_ptr<CompiledRoute>> compiled = CompiledRoute::Compile(std::move(config));
    if (!compiled.ok()) return compiled.status();
    CompiledRoute* route = compiled.value().get();
    if (core->routes_by_name.count(route->name())) {
      return Status(Code::kInvalidParameterValue, fmt::format("route '{}': the name is used twice", route->name()));
    }
    std::vector<CompiledRoute*>& same_path = core->routes_by_path[route->config().path];
    for (const CompiledRoute* other : same_path) {
      if (other->config().method == route->config().method) {
        return Status(Code::kInvalidParameterValue,
                      fmt::format("route '{}': {} {} is already served by route '{}'", route->name(),
                                  route->config().method, route->config().path, other->name()));
      }
    }
    same_path.push_back(route);
    core->routes_by_name[route->name()] = route;
    core->routes.push_back(std::move(compiled.value()));
  }
  return std::unique_ptr<Gateway>(new Gateway(std::move(core)));
}

Gateway::Gateway(std::unique_ptr<GatewayCore> core) : core_(std::move(core)) {}

Gateway::~Gateway() = default;

bool Gateway::Handle(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  auto by_path = core_->routes_by_path.find(request.path);
  if (by_path != core_->routes_by_path.end()) {
    for (CompiledRoute* route : by_path->second) {
      if (route->config().method == request.method) {
        IngestRequest::Start(*core_, *route, exchange);
        return true;
      }
    }
    RespondMethodNotAllowed(by_path->second, exchange);
    return true;
  }
  if (request.path.size() >= kDedupAdminPrefix.size() &&
      std::string_view(request.path).substr(0, kDedupAdminPrefix.size()) == kDedupAdminPrefix) {
    DedupAdminRequest::Start(*core_, exchange);
    return true;
  }
  return false;
}

bool Gateway::Routes(std::string_view path) const {
  return core_->routes_by_path.find(std::string(path)) != core_->routes_by_path.end();
}

void Gateway::Start() {
  if (core_->sweep_timer != nullptr || core_->shut_down) return;
  core_->sweep_timer = new uv_timer_t;
  uv_timer_init(core_->loop, core_->sweep_timer);
  core_->sweep_timer->data = core_.get();
  // The first sweep runs at once: records may have expired while sluice was down.
  const auto interval = static_cast<uint64_t>(core_->options.sweep_interval_ms);
  uv_timer_start(core_->sweep_timer, &OnSweepTimer, 0, interval);
}

void Gateway::Shutdown() {
  if (core_->shut_down) return;
  core_->shut_down = true;
  if (core_->sweep_timer != nullptr) {
    uv_timer_stop(core_->sweep_timer);
    uv_close(reinterpret_cast<uv_handle_t*>(core_->sweep_timer),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
    core_->sweep_timer = nullptr;
  }
  // Finalize the dedup statements on the thread that owns the connection,
  // after every gateway op already queued.
  DedupStore* dedup = &core_->dedup;
  core_->storage.Submit(
      [dedup](sqlite3*) {
        dedup->Close();
        return Status::Ok();
      },
      [](Status) {});
}

}  // namespace sluice::gateway
