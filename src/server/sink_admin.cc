#include "sink_admin.h"

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "sluice/http/json_response.h"
#include "sluice/http/query.h"
#include "sluice/sink/envelope.h"
#include "sluice/time_format.h"

namespace sluice::server {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::string_view kSinkPrefix = "/_sluice/v1/sink/";
constexpr std::string_view kKeysPath = "/_sluice/v1/keys";

// The endpoints as data: path, method, handler.
struct Route {
  std::string_view path;
  std::string_view method;
  void (SinkAdmin::*handler)(http::Exchange&);
};

// Status codes are mapped to HTTP here, once (docs/ADMIN_API.md).
http::Response StatusResponse(const Status& status) {
  switch (status.code()) {
    case Code::kInvalidParameterValue:
    case Code::kMissingParameter:
    case Code::kMalformedRequest:
      return http::JsonErrorResponse(400, status.message());
    case Code::kResourceNotFound:
    case Code::kNoSuchBucket:
    case Code::kNoSuchKey:
    case Code::kNoSuchUpload:
      return http::JsonErrorResponse(404, status.message());
    case Code::kConflict:
      return http::JsonErrorResponse(409, status.message());
    case Code::kStorageFailed:
    case Code::kUnavailable:
      return http::JsonErrorResponse(503, status.message());
    default:
      if (sink::IsIntegrityError(status)) {
        return http::JsonErrorResponse(500, status.message(), "IntegrityError");
      }
      return http::JsonErrorResponse(500, status.message());
  }
}

// A query parameter: nullopt when absent; kInvalidParameterValue when it is
// not properly percent-encoded.
Result<std::optional<std::string>> Parameter(const http::Request& request, std::string_view name) {
  std::optional<std::string> value = http::QueryParameter(request.query, name);
  if (value) return value;
  // QueryParameter also says nullopt for a malformed escape: tell them apart.
  std::string needle = std::string(name) + "=";
  const std::string& query = request.query;
  const bool present = query.starts_with(needle) || query.find("&" + needle) != std::string::npos;
  if (present) {
    return Status(Code::kInvalidParameterValue, std::string(name) + " is not properly percent-encoded");
  }
  return std::optional<std::string>();
}

// A positive integer parameter within [1, max].
Result<std::optional<int>> IntParameter(const http::Request& request, std::string_view name, int max) {
  Result<std::optional<std::string>> text = Parameter(request, name);
  if (!text.ok()) return text.status();
  if (!*text) return std::optional<int>();
  int value = 0;
  const std::string& digits = **text;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value < 1 || value > max) {
    return Status(Code::kInvalidParameterValue,
                  std::string(name) + " must be an integer from 1 to " + std::to_string(max));
  }
  return std::optional<int>(value);
}

void WriteObject(JsonWriter& writer, const sink::ObjectInfo& info) {
  writer.StartObject();
  writer.Key("bucket");
  writer.String(info.bucket);
  writer.Key("key");
  writer.String(info.key);
  writer.Key("size");
  writer.Uint64(info.size);
  writer.Key("etag");
  writer.String(info.etag);
  writer.Key("content_type");
  writer.String(info.content_type);
  writer.Key("created");
  writer.String(FormatIso8601Millis(info.created_ms));
  writer.Key("key_version");
  writer.Int(info.key_version);
  writer.EndObject();
}

void WriteDamaged(JsonWriter& writer, const std::vector<sink::DamagedObject>& damaged) {
  writer.StartArray();
  for (const sink::DamagedObject& object : damaged) {
    writer.StartObject();
    writer.Key("bucket");
    writer.String(object.bucket);
    writer.Key("key");
    writer.String(object.key);
    writer.Key("error");
    writer.String(object.error);
    writer.EndObject();
  }
  writer.EndArray();
}


}  // namespace

SinkAdmin::SinkAdmin(sink::Sink& sink) : sink_(sink) {}

bool SinkAdmin::Handle(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  std::string_view path = request.path;
  const bool ours = path.starts_with(kSinkPrefix) || path == kKeysPath ||
                    (path.starts_with(kKeysPath) && path[kKeysPath.size()] == '/');
  if (!ours) return false;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  // The endpoints as data; a static of this member function, so it may name
  // the private handlers.
  static const Route kRoutes[] = {
    {"/_sluice/v1/sink/buckets", "GET", &SinkAdmin::Buckets},
    {"/_sluice/v1/sink/objects", "GET", &SinkAdmin::Objects},
    {"/_sluice/v1/sink/object", "GET", &SinkAdmin::Object},
    {"/_sluice/v1/sink/verify", "POST", &SinkAdmin::Verify},
    {"/_sluice/v1/keys", "GET", &SinkAdmin::Keys},
    {"/_sluice/v1/keys/rotate", "POST", &SinkAdmin::Rotate},
    {"/_sluice/v1/keys/rewrap", "POST", &SinkAdmin::Rewrap},
    {"/_sluice/v1/keys/retire", "POST", &SinkAdmin::Retire},
  };
  const std::string_view method = request.method == "HEAD" ? "GET" : std::string_view(request.method);
  for (const Route& route : kRoutes) {
    if (route.path != path) continue;
    if (route.method != method) {
      http::Response response = http::JsonErrorResponse(
          405, std::string(route.path) + " takes " + std::string(route.method) + ", not " + request.method);
      response.headers.push_back({"allow", std::string(route.method)});
      exchange.Respond(std::move(response));
      return true;
    }
    (this->*route.handler)(exchange);
    return true;
  }
  exchange.Respond(http::JsonErrorResponse(404, "no admin endpoint " + std::string(request.path)));
  return true;
}

void SinkAdmin::Buckets(http::Exchange& exchange) {
  http::Exchange* pending = &exchange;
  sink_.Buckets([pending](Result<std::vector<sink::BucketInfo>> buckets) {
    if (!buckets.ok()) return pending->Respond(StatusResponse(buckets.status()));
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("buckets");
    writer.StartArray();
    for (const sink::BucketInfo& bucket : *buckets) {
      writer.StartObject();
      writer.Key("name");
      writer.String(bucket.name);
      writer.Key("objects");
      writer.Uint64(bucket.objects);
      writer.Key("bytes");
      writer.Uint64(bucket.bytes);
      writer.Key("created");
      writer.String(FormatIso8601Millis(bucket.created_ms));
      writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    pending->Respond(http::JsonResponse(200, std::string(buffer.GetString(), buffer.GetSize())));
  });
}

void SinkAdmin::Objects(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  sink::ListRequest list;
  Result<std::optional<std::string>> bucket = Parameter(request, "bucket");
  Result<std::optional<std::string>> prefix = Parameter(request, "prefix");
  Result<std::optional<std::string>> after = Parameter(request, "after");
  Result<std::optional<int>> limit = IntParameter(request, "limit", 1000);
  for (const Status* status : {&bucket.status(), &prefix.status(), &after.status(), &limit.status()}) {
    if (!status->ok()) return exchange.Respond(StatusResponse(*status));
  }
  if (*bucket && !(*bucket)->empty()) list.bucket = **bucket;
  list.prefix = prefix->value_or("");
  list.after = after->value_or("");
  list.limit = limit->value_or(1000);
  http::Exchange* pending = &exchange;
  sink_.List(std::move(list), [pending](Result<sink::ListResult> listed) {
    if (!listed.ok()) return pending->Respond(StatusResponse(listed.status()));
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("objects");
    writer.StartArray();
    for (const sink::ObjectInfo& info : listed->objects) WriteObject(writer, info);
    writer.EndArray();
    if (listed->next_after) {
      writer.Key("next_after");
      writer.String(*listed->next_after);
    }
    writer.EndObject();
    pending->Respond(http::JsonResponse(200, std::string(buffer.GetString(), buffer.GetSize())));
  });
}

void SinkAdmin::Object(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  Result<std::optional<std::string>> bucket = Parameter(request, "bucket");
  Result<std::optional<std::string>> key = Parameter(request, "key");
  if (!bucket.ok()) return exchange.Respond(StatusResponse(bucket.status()));
  if (!key.ok()) return exchange.Respond(StatusResponse(key.status()));
  if (!*bucket || !*key) {
    return exchange.Respond(http::JsonErrorResponse(400, "bucket and key are required"));
  }
  http::Exchange* pending = &exchange;
  sink_.Get(**bucket, **key, [pending](Result<sink::GetResult> got) {
    if (!got.ok()) return pending->Respond(StatusResponse(got.status()));
    http::Response response;
    response.status = 200;
    response.headers.push_back({"content-type", got->info.content_type});
    response.headers.push_back({"etag", "\"" + got->info.etag + "\""});
    response.headers.push_back({"x-sluice-key-version", std::to_string(got->info.key_version)});
    response.body = std::move(got->body);
    pending->Respond(std::move(response));
  });
}

void SinkAdmin::Verify(http::Exchange& exchange) {
  Result<std::optional<std::string>> bucket = Parameter(exchange.request(), "bucket");
  if (!bucket.ok()) return exchange.Respond(StatusResponse(bucket.status()));
  std::optional<std::string> only;
  if (*bucket && !(*bucket)->empty()) only = **bucket;
  http::Exchange* pending = &exchange;
  sink_.Verify(std::move(only), [pending](Result<sink::VerifyReport> report) {
    if (!report.ok()) return pending->Respond(StatusResponse(report.status()));
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("checked");
    writer.Uint64(report->checked);
    writer.Key("damaged");
    WriteDamaged(writer, report->damaged);
    writer.EndObject();
    pending->Respond(http::JsonResponse(200, std::string(buffer.GetString(), buffer.GetSize())));
  });
}

void SinkAdmin::Keys(http::Exchange& exchange) {
  http::Exchange* pending = &exchange;
  sink_.Keys([pending](Result<sink::KeyringInfo> keys) {
    if (!keys.ok()) return pending->Respond(StatusResponse(keys.status()));
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("keyring");
    writer.String(keys->path);
    writer.Key("active");
    writer.Int(keys->active);
    writer.Key("versions");
    writer.StartArray();
    for (const sink::KeyVersionInfo& version : keys->versions) {
      writer.StartObject();
      writer.Key("version");
      writer.Int(version.version);
      writer.Key("created");
      writer.String(FormatIso8601Millis(version.created_ms));
      writer.Key("state");
      writer.String(sink::KeyStateName(version.state));
      writer.Key("objects");
      writer.Uint64(version.objects);
      writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    pending->Respond(http::JsonResponse(200, std::string(buffer.GetString(), buffer.GetSize())));
  });
}

void SinkAdmin::Rotate(http::Exchange& exchange) {
  http::Exchange* pending = &exchange;
  sink_.Rotate([pending](Result<int> version) {
    if (!version.ok()) return pending->Respond(StatusResponse(version.status()));
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("version");
    writer.Int(*version);
    writer.EndObject();
    pending->Respond(http::JsonResponse(200, std::string(buffer.GetString(), buffer.GetSize())));
  });
}

void SinkAdmin::Rewrap(http::Exchange& exchange) {
  http::Exchange* pending = &exchange;
  sink_.Rewrap([pending](Result<sink::RewrapReport> report) {
    if (!report.ok()) return pending->Respond(StatusResponse(report.status()));
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("rewrapped");
    writer.Uint64(report->rewrapped);
    writer.Key("version");
    writer.Int(report->version);
    // Only when some objects could not be rewrapped (they keep their old
    // version, so retiring it stays refused): the caller should know which.
    if (!report->failed.empty()) {
      writer.Key("failed");
      WriteDamaged(writer, report->failed);
    }
    writer.EndObject();
    pending->Respond(http::JsonResponse(200, std::string(buffer.GetString(), buffer.GetSize())));
  });
}

void SinkAdmin::Retire(http::Exchange& exchange) {
  Result<std::optional<int>> version = IntParameter(exchange.request(), "version", 1 << 30);
  if (!version.ok()) return exchange.Respond(StatusResponse(version.status()));
  if (!*version) return exchange.Respond(http::JsonErrorResponse(400, "version is required"));
  http::Exchange* pending = &exchange;
  sink_.Retire(**version, [pending](Result<int> retired) {
    if (!retired.ok()) return pending->Respond(StatusResponse(retired.status()));
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("retired");
    writer.Int(*retired);
    writer.EndObject();
    pending->Respond(http::JsonResponse(200, std::string(buffer.GetString(), buffer.GetSize())));
  });
}

}  // namespace sluice::server
