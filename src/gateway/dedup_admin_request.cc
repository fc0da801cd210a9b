#include "gateway/dedup_admin_request.h"

#include <memory>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/http_status.h"
#include "sluice/http/json_response.h"
#include "sluice/http/query.h"
#include "sluice/time_format.h"

namespace sluice::gateway {
namespace {

void WriteString(rapidjson::Writer<rapidjson::StringBuffer>& writer, const char* key, const std::string& value) {
  writer.Key(key);
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string RecordJson(const DedupRecord& record) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  WriteString(writer, "route", record.route);
  WriteString(writer, "key", record.key);
  WriteString(writer, "queue", record.queue);
  WriteString(writer, "message_id", record.message_id);
  WriteString(writer, "created", FormatIso8601Millis(record.created_millis));
  WriteString(writer, "expires", FormatIso8601Millis(record.expires_millis));
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

void DedupAdminRequest::Start(GatewayCore& core, http::Exchange& exchange) {
  auto* request = new DedupAdminRequest(core, exchange);
  if (!request->Parse()) return;
  request->Submit();
}

bool DedupAdminRequest::Parse() {
  const http::Request& request = exchange_.request();
  if (request.method != "GET" && request.method != "DELETE") {
    http::Response response = http::JsonErrorResponse(
        405, fmt::format("Method {} is not allowed on dedup records; use GET or DELETE", request.method));
    response.headers.push_back({"allow", "GET, DELETE"});
    Finish(std::move(response));
    return false;
  }
  forget_ = request.method == "DELETE";
  std::string_view rest = std::string_view(request.path).substr(kDedupAdminPrefix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
    Finish(http::JsonErrorResponse(404, "Expected /_sluice/v1/dedup/ROUTE/KEY"));
    return false;
  }
  std::optional<std::string> route = http::PercentDecode(rest.substr(0, slash), false);
  std::optional<std::string> key = http::PercentDecode(rest.substr(slash + 1), false);
  if (!route || !key) {
    Finish(http::JsonErrorResponse(400, "The route or key is not validly percent-encoded"));
    return false;
  }
  route_ = std::move(*route);
  key_ = std::move(*key);
  CompiledRoute* compiled = core_.FindRoute(route_);
  if (compiled == nullptr) {
    Finish(http::JsonErrorResponse(404, fmt::format("No route named '{}'", route_)));
    return false;
  }
  if (!compiled->deduplicates()) {
    Finish(http::JsonErrorResponse(404, fmt::format("Route '{}' does not deduplicate", route_)));
    return false;
  }
  if (core_.shut_down) {
    Finish(http::JsonErrorResponse(503, "Sluice is shutting down"));
    return false;
  }
  return true;
}

void DedupAdminRequest::Submit() {
  core_.storage.Submit([this](sqlite3* db) { return Run(db); },
                       [this](Status status) { OnCommitted(std::move(status)); });
}

Status DedupAdminRequest::Run(sqlite3* db) {
  const int64_t now = core_.clock.NowMillis();
  if (forget_) {
    Result<bool> forgotten = core_.dedup.Forget(db, route_, key_, now);
    if (!forgotten.ok()) return forgotten.status();
    forgotten_ = forgotten.value();
    return Status::Ok();
  }
  Result<std::optional<DedupRecord>> record = core_.dedup.FindLive(db, route_, key_, now);
  if (!record.ok()) return record.status();
  record_ = std::move(record.value());
  return Status::Ok();
}

void DedupAdminRequest::OnCommitted(Status status) {
  // After the commit: a DELETE is answered once the forgetting is durable.
  if (!status.ok()) {
    Finish(http::JsonErrorResponse(HttpStatusFor(status.code()), status.message()));
    return;
  }
  const bool found = forget_ ? forgotten_ : record_.has_value();
  if (!found) {
    Finish(http::JsonErrorResponse(404, fmt::format("No dedup record for key '{}' on route '{}'", key_, route_)));
    return;
  }
  Finish(http::JsonResponse(200, forget_ ? std::string(R"({"forgotten":true})") : RecordJson(*record_)));
}

void DedupAdminRequest::Finish(http::Response response) {
  std::unique_ptr<DedupAdminRequest> owned(this);
  exchange_.Respond(std::move(response));
}

}  // namespace sluice::gateway
