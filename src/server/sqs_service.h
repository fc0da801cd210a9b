// Serves SQS over HTTP in both of its protocols: AWS JSON 1.0 (POST with
// X-Amz-Target: AmazonSQS.<Action>) and Query (form parameters with
// Action=<Action>, in a form-encoded POST body or a GET's query string; XML
// responses). Both decode into the same sqs::Call; one request's path is
// decode (loop) -> Call::Run inside a storage batch (storage thread) ->
// commit -> encode in the request's protocol and respond (loop). Long polls
// park in the LongPollRegistry between runs.
//
// Ownership: borrows the storage thread, engine host and registry; owns every
// in-flight SqsRequest until it is answered.
// Errors: every failure is answered in SQS's error shape of the request's
// protocol (errors.h): JSON with x-amzn-query-error, or an XML ErrorResponse.
// Threads: loop thread only (Work lambdas it submits run on the storage thread
// and touch only their own Call and the engine).
#pragma once

#include <cstdint>
#include <string>

#include "sluice/queue/engine_host.h"
#include "long_poll.h"
#include "sluice/clock.h"
#include "sluice/http/server.h"
#include "sluice/storage/storage_thread.h"

namespace sluice::server {

class SqsRequest;

class SqsService {
 public:
  SqsService(storage::StorageThread& storage, queue::EngineHost& engine, LongPollRegistry& long_polls,
             const Clock& clock, std::string account_id, std::string default_host);

  // True for requests this service answers: POST with an X-Amz-Target of
  // AmazonSQS.* (JSON); a form-encoded POST, or a GET with an Action
  // parameter, without X-Amz-Target (Query).
  static bool Accepts(const http::Request& request);

  void Handle(http::Exchange& exchange);

  // Stop parking new long polls; answer parked ones now (empty).
  void BeginShutdown();

  // Parked receivers of `queue` should look again (a commit added messages).
  void WakeQueue(const std::string& queue, size_t max_waiters);

  uint64_t requests_in_flight() const { return in_flight_; }

 private:
  friend class SqsRequest;
  void Submit(SqsRequest* request);
  void Finish(SqsRequest* request, Status status);

  storage::StorageThread& storage_;
  queue::EngineHost& engine_;
  LongPollRegistry& long_polls_;
  const Clock& clock_;
  const std::string account_id_;
  const std::string default_host_;
  bool shutting_down_ = false;
  uint64_t in_flight_ = 0;
};

// The response for a Status in SQS's JSON error shape.
http::Response SqsErrorResponse(const Status& status);

}  // namespace sluice::server
