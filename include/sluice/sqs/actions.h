// The SQS action table. Every operation is one row: its name, its input
// shape, a decoder from the input tree to a typed queue::*Request, and the
// engine method it calls. Generic checks (shape, member types, required
// members, queue URL -> queue name) run in the decoder before any engine code.
// Two codecs at the edge share the rows and the Calls: the JSON protocol
// (AWS JSON 1.0: DecodeJsonBody, Call::EncodeJson) and the Query protocol
// (form parameters in, XML out: DecodeQueryRequest, Call::EncodeXml).
//
// Ownership: a Call owns its decoded request and, after Run(), its result.
// Errors: Decode returns a Status (mapped to the wire by errors.h); Run stores
// the engine's Status and returns it.
// Threads: Decode and Encode* on the loop thread; Run on the storage thread.
// A Call is handed from one to the other, never used by both at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "sluice/queue/engine.h"
#include "sluice/status.h"

namespace sluice::sqs {

// What a response needs from the HTTP request it answers.
struct EncodeContext {
  // "http://127.0.0.1:4566", built from the request's Host header; queue URLs
  // are base_url + "/" + account_id + "/" + name.
  std::string base_url;
  std::string account_id = "000000000000";
  // The response's request id (x-amzn-requestid; the Query protocol's
  // <RequestId> element).
  std::string request_id;
};

// A ReceiveMessage that found nothing and may wait (long polling).
struct LongPoll {
  int wait_time_seconds = 0;   // resolved: request's or the queue's default
  int64_t next_visible_at = 0; // epoch ms of the next message to become visible, 0 if none
};

class Call {
 public:
  virtual ~Call() = default;

  // The operation's name ("SendMessage").
  virtual std::string_view action() const = 0;

  // The queue the request names, or "" (ListQueues, move tasks).
  virtual const std::string& queue_name() const = 0;

  // Storage thread: runs the engine method and keeps the result. May be run
  // again (a parked long poll re-runs its receive).
  virtual Status Run(queue::Engine& engine) = 0;

  // Loop thread, after Run() returned OK: the JSON response body.
  virtual std::string EncodeJson(const EncodeContext& context) const = 0;

  // Loop thread, after Run() returned OK: the Query protocol's XML response
  // (<ActionResponse> with its result and request id).
  virtual std::string EncodeXml(const EncodeContext& context) const = 0;

  // Set after a successful Run of a ReceiveMessage that returned no messages
  // and whose wait time is > 0; nullptr otherwise.
  virtual const LongPoll* long_poll() const { return nullptr; }

  // Queues that may have gained visible messages through this call (a send,
  // a ChangeMessageVisibility to 0): parked receivers there should look again.
  virtual std::vector<std::string> woken_queues() const { return {}; }
};

using DecodeFn = Result<std::unique_ptr<Call>> (*)(const rapidjson::Value& input);

struct Shape;  // src/sqs/json_shape.h

struct Action {
  std::string_view name;  // "SendMessage"
  const Shape* input;     // the members `decode` reads, with their Query names
  DecodeFn decode;        // checks `input` against the shape, then reads it
};

// The action named `name` (case-sensitive, as in X-Amz-Target), or nullptr.
const Action* FindAction(std::string_view name);

// Every action, for docs and tests, sorted by name.
const std::vector<Action>& AllActions();

// Parses an AWS JSON 1.0 request body and runs `action`'s decoder on it. An
// empty body reads as {}. Errors: kMalformedRequest for text that is not
// (UTF-8) JSON or not an object; otherwise the decoder's Status.
Result<std::unique_ptr<Call>> DecodeJsonBody(const Action& action, std::string_view body);

// Decodes a Query protocol request: form parameters from the URL's query
// string and (for POST) the form-encoded body, "Action" naming the row. The
// queue URL comes from QueueUrl or, without one, from `path` when it names a
// queue ("/000000000000/my-queue", as the Java SDK v1 sends it).
// Errors: kMalformedRequest (bad percent-encoding, not UTF-8),
// kMissingParameter (no Action), kUnknownOperation (no such action);
// otherwise the shape check's and the decoder's Status, naming parameters as
// the Query protocol does ("SendMessageBatchRequestEntry.2.Id").
Result<std::unique_ptr<Call>> DecodeQueryRequest(std::string_view query_string,
                                                 std::string_view form_body,
                                                 std::string_view path);

// "http://host:4566/000000000000/my-queue" (any host, optional trailing
// slash) -> "my-queue". Scheme, host, port and account are not checked.
// Errors: kQueueDoesNotExist for a URL whose path is not /<account>/<name>.
Result<std::string> QueueNameFromUrl(std::string_view queue_url);

}  // namespace sluice::sqs
