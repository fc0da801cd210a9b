// One ingest route, compiled from its RouteConfig: the body schema, the
// defaults, the target, the dedup key, the response template and the
// throttle. Prepare() is everything the loop thread does with a request's
// body before storage work: parse, validate, fill defaults, pick the queue,
// render the message body and the 200 body. It is pure apart from "$uuid"
// and the scratch it reuses, so tests call it directly.
//
// Ownership: the Gateway owns its CompiledRoutes; they live as long as it.
// Errors: Compile() returns kInvalidParameterValue with a message that
// names the route ("route 'webhook': schema: ..."). Prepare() returns
// kMalformedRequest (body not JSON / not an object), kMissingParameter or
// kInvalidParameterValue, each with the sentence the producer gets (400).
// Threads: loop thread only (the schema's validator and the throttle are
// stateful).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>

#include "gateway/body_schema.h"
#include "gateway/field_path.h"
#include "gateway/response_template.h"
#include "gateway/token_bucket.h"
#include "sluice/gateway/route.h"
#include "sluice/status.h"

namespace sluice::gateway {

// A request's event, ready to enqueue.
struct PreparedEvent {
  std::string body;                      // compact JSON, defaults filled in: the message body
  const std::string* queue = nullptr;    // the target queue; owned by the route
  std::optional<std::string> dedup_key;  // absent: the request is not deduplicated
  // The MessageGroupId (route.message_group_field's value), if the route has one.
  std::optional<std::string> message_group_id;
  // A FIFO target's MessageDeduplicationId: the dedup key when it is a valid
  // id, else its SHA-256; without a dedup key, the SHA-256 of the body.
  std::optional<std::string> message_deduplication_id;
  std::string event_id;                  // for the access log; "" when the route has no id field
  std::string response_body;             // the 200 body
};

// Memory every Prepare() reuses: a parse arena (no malloc for small bodies)
// and the output buffer. Holds nothing between calls. Not copyable.
class PrepareScratch {
 public:
  PrepareScratch();
  PrepareScratch(const PrepareScratch&) = delete;
  PrepareScratch& operator=(const PrepareScratch&) = delete;

  // An empty document whose arena was cleared.
  rapidjson::Document& FreshDocument();
  rapidjson::StringBuffer& FreshBuffer();

 private:
  static constexpr size_t kArenaBytes = 16 * 1024;
  std::unique_ptr<char[]> arena_;
  rapidjson::MemoryPoolAllocator<> allocator_;
  rapidjson::Document document_;
  rapidjson::StringBuffer buffer_;
};

class CompiledRoute {
 public:
  static Result<std::unique_ptr<CompiledRoute>> Compile(RouteConfig config);

  const RouteConfig& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  TokenBucket& throttle() { return throttle_; }
  bool deduplicates() const { return !dedup_field_.empty(); }
  int64_t dedup_ttl_millis() const { return config_.dedup_ttl_seconds * 1000; }

  // `now_millis` is what "$now" defaults to.
  Result<PreparedEvent> Prepare(std::string_view body, int64_t now_millis, PrepareScratch& scratch);

 private:
  struct Default {
    FieldPath field;
    FieldDefault::Kind kind;
    rapidjson::Document literal;  // kLiteral
  };

  explicit CompiledRoute(RouteConfig config);
  void ApplyDefaults(rapidjson::Document& event, int64_t now_millis) const;
  Result<const std::string*> ResolveTarget(const rapidjson::Value& event) const;
  // group_field_'s value as a MessageGroupId (kMissingParameter or
  // kInvalidParameterValue when it cannot be one).
  Result<std::string> MessageGroupOf(const rapidjson::Value& event) const;

  const RouteConfig config_;
  std::unique_ptr<BodySchema> schema_;
  std::vector<Default> defaults_;
  FieldPath dedup_field_;   // empty: no dedup
  FieldPath target_field_;  // empty: config_.target_queue
  FieldPath group_field_;   // empty: no MessageGroupId
  FieldPath id_field_;      // names the event in the log: the dedup field, else the first "$uuid" default
  std::optional<ResponseTemplate> response_;
  TokenBucket throttle_;
};

}  // namespace sluice::gateway
