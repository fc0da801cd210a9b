// One ingest route as the configuration declares it ("routes" in
// config/schema.json). Plain data: parsed and cross-checked by
// server::LoadConfig, compiled and served by gateway::Gateway.
//
// Threads: any (plain data).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/queue/types.h"

namespace sluice::gateway {

// A value filled in for a field the body leaves out.
struct FieldDefault {
  enum class Kind {
    kUuid,     // "$uuid": a new random UUID (lower-case, 8-4-4-4-12)
    kNow,      // "$now": the current UTC time, ISO 8601 with milliseconds ("2026-01-15T10:00:00.123Z")
    kLiteral,  // any other JSON value, inserted as is
  };
  std::string field;
  Kind kind = Kind::kLiteral;
  std::string literal_json;  // kLiteral only: the value as compact JSON
};

struct RouteConfig {
  std::string name;    // identifies the route in dedup records, logs and the admin API
  std::string method;  // upper-case, e.g. "POST"
  std::string path;    // exact match, e.g. "/webhook"
  // JSON Schema (draft-04 as rapidjson implements it) of the body, as compact
  // JSON. "format": "date-time" on a string is checked by the gateway (ISO
  // 8601), since rapidjson ignores "format".
  std::string schema_json;
  std::vector<FieldDefault> defaults;  // applied after validation, in order

  // Dedup: a request whose `dedup_field` value was accepted within
  // `dedup_ttl_seconds` is refused with 409 and enqueues nothing.
  std::optional<std::string> dedup_field;
  int64_t dedup_ttl_seconds = 0;

  // Target: either one queue, or the value of `target_field` picks the queue
  // from `target_queues`.
  std::string target_queue;
  std::string target_field;
  std::map<std::string, std::string> target_queues;
  // The field whose value becomes the message's MessageGroupId: required
  // when a target is a FIFO queue ("NAME.fifo"), where it orders the
  // messages of one group (an account, a merchant); optional otherwise.
  std::string message_group_field;

  // Token bucket: `rate_per_second` tokens per second, at most `burst`
  // stored. 0 = unthrottled.
  double throttle_rate_per_second = 0;
  double throttle_burst = 0;

  // The 200 body as compact JSON: an object whose string values may name a
  // field of the validated event as "${field}" (replaced by that field's
  // value, keeping its JSON type when the whole string is the placeholder).
  std::string response_json;

  size_t declared_index = 0;  // position in "routes", for error messages
};

// The first FIFO queue (queue::IsFifoQueueName) the route may send to, or
// nullptr: such a route needs a message_group_field.
inline const std::string* FirstFifoTarget(const RouteConfig& route) {
  if (queue::IsFifoQueueName(route.target_queue)) return &route.target_queue;
  for (const auto& [value, queue] : route.target_queues) {
    if (queue::IsFifoQueueName(queue)) return &queue;
  }
  return nullptr;
}

}  // namespace sluice::gateway
