#include "sluice/cli/admin_client.h"

#include "cli/wire.h"

namespace sluice::cli {
namespace {

using rapidjson::Document;
using rapidjson::Value;

constexpr char kApi[] = "/_sluice/v1";

// Appends "?name=value" or "&name=value", the value percent-encoded.
void AddQuery(std::string& target, const char* name, const std::string& value) {
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += name;
  target += '=';
  target += PercentEncode(value);
}

std::string DedupTarget(const std::string& route, const std::string& key) {
  return std::string(kApi) + "/dedup/" + PercentEncode(route) + "/" + PercentEncode(key);
}

Code CodeForHttpStatus(int status) {
  switch (status) {
    case 400:
    case 409:
      return Code::kInvalidParameterValue;
    case 404:
      return Code::kResourceNotFound;
    default:
      return Code::kInternal;
  }
}

Status Unexpected(const HttpResponse& response, const std::string& what) {
  std::string why = "unexpected HTTP " + std::to_string(response.status) + " answer to " + what;
  if (!response.body.empty()) why += ": " + Excerpt(response.body);
  return Status(Code::kInternal, std::move(why));
}

// The error answer {"error": "..."}; anything else did not come from the
// admin API and says so, whatever its status.
Status DecodeError(const HttpResponse& response, const std::string& what) {
  Document doc;
  doc.Parse(response.body.data(), response.body.size());
  std::string message = doc.HasParseError() ? "" : StringMember(doc, "error");
  if (message.empty()) return Unexpected(response, what);
  return Status(CodeForHttpStatus(response.status), std::move(message));
}

bool IsSuccess(const HttpResponse& response) { return response.status >= 200 && response.status <= 299; }

BucketInfo BucketFrom(const Value& item) {
  BucketInfo bucket;
  bucket.name = StringMember(item, "name");
  bucket.objects = IntegerMember(item, "objects");
  bucket.bytes = IntegerMember(item, "bytes");
  bucket.created = StringMember(item, "created");
  bucket.raw_json = SerializeJson(item);
  return bucket;
}

ObjectInfo ObjectFrom(const Value& item) {
  ObjectInfo object;
  object.bucket = StringMember(item, "bucket");
  object.key = StringMember(item, "key");
  object.size = IntegerMember(item, "size");
  object.etag = StringMember(item, "etag");
  object.content_type = StringMember(item, "content_type");
  object.created = StringMember(item, "created");
  object.key_version = IntegerMember(item, "key_version");
  object.raw_json = SerializeJson(item);
  return object;
}

WorkerInfo WorkerFrom(const Value& item) {
  WorkerInfo worker;
  worker.name = StringMember(item, "name");
  worker.queue = StringMember(item, "queue");
  worker.bucket = StringMember(item, "bucket");
  worker.state = StringMember(item, "state");
  worker.processed = IntegerMember(item, "processed");
  worker.failed = IntegerMember(item, "failed");
  worker.last_error = StringMember(item, "last_error");
  worker.last_error_at = StringMember(item, "last_error_at");
  worker.raw_json = SerializeJson(item);
  return worker;
}

}  // namespace

Result<HttpResponse> AdminClient::Send(const char* method, const std::string& target,
                                       std::chrono::milliseconds timeout) {
  HttpRequest http;
  http.method = method;
  http.target = target;
  http.headers = {{"Accept", "application/json"}};
  http.timeout = timeout;
  return transport_->RoundTrip(http);
}

Result<Document> AdminClient::Call(const char* method, const std::string& target,
                                   std::chrono::milliseconds timeout) {
  Result<HttpResponse> response = Send(method, target, timeout);
  if (!response.ok()) return response.status();
  const std::string what = std::string(method) + " " + target;
  if (!IsSuccess(*response)) return DecodeError(*response, what);
  Document doc;
  doc.Parse(response->body.data(), response->body.size());
  if (doc.HasParseError() || !doc.IsObject()) return Unexpected(*response, what);
  return doc;
}

Result<std::vector<BucketInfo>> AdminClient::ListBuckets() {
  Result<Document> answer = Call("GET", std::string(kApi) + "/sink/buckets");
  if (!answer.ok()) return answer.status();
  std::vector<BucketInfo> buckets;
  if (const Value* array = ArrayMember(*answer, "buckets")) {
    for (const Value& item : array->GetArray()) {
      if (item.IsObject()) buckets.push_back(BucketFrom(item));
    }
  }
  return buckets;
}

Result<std::vector<ObjectInfo>> AdminClient::ListObjects(const std::string& bucket,
                                                         const std::string& prefix) {
  std::vector<ObjectInfo> objects;
  std::string after;
  for (;;) {
    std::string target = std::string(kApi) + "/sink/objects";
    AddQuery(target, "bucket", bucket);
    if (!prefix.empty()) AddQuery(target, "prefix", prefix);
    if (!after.empty()) AddQuery(target, "after", after);
    Result<Document> answer = Call("GET", target);
    if (!answer.ok()) return answer.status();
    if (const Value* array = ArrayMember(*answer, "objects")) {
      for (const Value& item : array->GetArray()) {
        if (item.IsObject()) objects.push_back(ObjectFrom(item));
      }
    }
    std::string next_after = StringMember(*answer, "next_after");
    if (next_after.empty()) return objects;
    if (next_after == after) {
      return Status(Code::kInternal,
                    "the server repeated next_after \"" + after + "\" while listing " + bucket);
    }
    after = std::move(next_after);
  }
}

Result<ObjectContent> AdminClient::GetObject(const std::string& bucket, const std::string& key) {
  std::string target = std::string(kApi) + "/sink/object";
  AddQuery(target, "bucket", bucket);
  AddQuery(target, "key", key);
  Result<HttpResponse> response = Send("GET", target, std::chrono::seconds(30));
  if (!response.ok()) return response.status();
  ObjectContent content;
  if (!IsSuccess(*response)) {
    Document doc;
    doc.Parse(response->body.data(), response->body.size());
    if (response->status == 500 && !doc.HasParseError() &&
        StringMember(doc, "code") == "IntegrityError") {
      content.integrity_error = StringMember(doc, "error");
      if (content.integrity_error.empty()) {
        content.integrity_error = "integrity check failed for " + bucket + "/" + key;
      }
      return content;
    }
    return DecodeError(*response, "GET " + target);
  }
  content.data = std::move(response->body);
  if (const std::string* type = response->FindHeader("content-type")) content.content_type = *type;
  if (const std::string* etag = response->FindHeader("etag")) content.etag = *etag;
  return content;
}

Result<VerifyReport> AdminClient::Verify(const std::string& bucket) {
  std::string target = std::string(kApi) + "/sink/verify";
  if (!bucket.empty()) AddQuery(target, "bucket", bucket);
  Result<Document> answer = Call("POST", target, kBulkTimeout);
  if (!answer.ok()) return answer.status();
  VerifyReport report;
  report.checked = IntegerMember(*answer, "checked");
  if (const Value* array = ArrayMember(*answer, "damaged")) {
    for (const Value& item : array->GetArray()) {
      report.damaged.push_back(
          {StringMember(item, "bucket"), StringMember(item, "key"), StringMember(item, "error")});
    }
  }
  report.raw_json = SerializeJson(*answer);
  return report;
}

Result<Keyring> AdminClient::ListKeys() {
  Result<Document> answer = Call("GET", std::string(kApi) + "/keys");
  if (!answer.ok()) return answer.status();
  Keyring keyring;
  keyring.path = StringMember(*answer, "keyring");
  keyring.active = IntegerMember(*answer, "active");
  if (const Value* array = ArrayMember(*answer, "versions")) {
    for (const Value& item : array->GetArray()) {
      keyring.versions.push_back({IntegerMember(item, "version"), StringMember(item, "state"),
                                  StringMember(item, "created"), IntegerMember(item, "objects")});
    }
  }
  keyring.raw_json = SerializeJson(*answer);
  return keyring;
}

Result<int64_t> AdminClient::RotateKey() {
  Result<Document> answer = Call("POST", std::string(kApi) + "/keys/rotate");
  if (!answer.ok()) return answer.status();
  int64_t version = IntegerMember(*answer, "version");
  if (version <= 0) return Status(Code::kInternal, "rotate answered without the new version");
  return version;
}

Result<RewrapResult> AdminClient::RewrapKeys() {
  Result<Document> answer = Call("POST", std::string(kApi) + "/keys/rewrap", kBulkTimeout);
  if (!answer.ok()) return answer.status();
  return RewrapResult{IntegerMember(*answer, "rewrapped"), IntegerMember(*answer, "version")};
}

Status AdminClient::RetireKey(int64_t version) {
  std::string target = std::string(kApi) + "/keys/retire";
  AddQuery(target, "version", std::to_string(version));
  return Call("POST", target).status();
}

Result<DedupRecord> AdminClient::GetDedupRecord(const std::string& route, const std::string& key) {
  Result<Document> answer = Call("GET", DedupTarget(route, key));
  if (!answer.ok()) return answer.status();
  DedupRecord record;
  record.route = StringMember(*answer, "route");
  record.key = StringMember(*answer, "key");
  record.queue = StringMember(*answer, "queue");
  record.message_id = StringMember(*answer, "message_id");
  record.created = StringMember(*answer, "created");
  record.expires = StringMember(*answer, "expires");
  record.raw_json = SerializeJson(*answer);
  return record;
}

Status AdminClient::ForgetDedupRecord(const std::string& route, const std::string& key) {
  return Call("DELETE", DedupTarget(route, key)).status();
}

Result<std::vector<WorkerInfo>> AdminClient::ListWorkers() {
  Result<Document> answer = Call("GET", std::string(kApi) + "/workers");
  if (!answer.ok()) return answer.status();
  std::vector<WorkerInfo> workers;
  if (const Value* array = ArrayMember(*answer, "workers")) {
    for (const Value& item : array->GetArray()) {
      if (item.IsObject()) workers.push_back(WorkerFrom(item));
    }
  }
  return workers;
}

}  // namespace sluice::cli
