#include "sqs_service.h"

#include <memory>

#include <spdlog/spdlog.h>

#include "queue/random_ids.h"
#include "sluice/http/query.h"
#include "sluice/sqs/actions.h"
#include "sluice/sqs/errors.h"

namespace sluice::server {
namespace {

constexpr std::string_view kTargetPrefix = "AmazonSQS.";
constexpr const char* kJsonContentType = "application/x-amz-json-1.0";
constexpr const char* kXmlContentType = "text/xml";
// A send or a visibility change wakes at most this many parked receivers; a
// woken receiver that finds messages wakes the next one (see Finish), so a
// burst is drained without waking thousands of receivers for one message.
constexpr size_t kWakeBatch = 16;

std::string NewRequestId() { return queue::NewUuid(); }

// The two wire protocols of SQS; a request is answered in the one it came in.
enum class Protocol { kJson, kQuery };

bool IsJsonRequest(const http::Request& request) {
  if (request.method != "POST") return false;
  const std::string* target = request.FindHeader("x-amz-target");
  return target != nullptr && target->compare(0, kTargetPrefix.size(), kTargetPrefix) == 0;
}

// The Query protocol: a form-encoded POST (Action in the body), or a GET
// whose query string names the Action. A request with an X-Amz-Target is
// some JSON protocol's, never Query's.
bool IsQueryRequest(const http::Request& request) {
  if (request.FindHeader("x-amz-target") != nullptr) return false;
  if (request.method == "POST") {
    const std::string* type = request.FindHeader("content-type");
    return type != nullptr && type->find("application/x-www-form-urlencoded") != std::string::npos;
  }
  return request.method == "GET" && http::QueryParameter(request.query, "Action").has_value();
}

Result<std::unique_ptr<sqs::Call>> DecodeJsonRequest(const http::Request& request) {
  const std::string* target = request.FindHeader("x-amz-target");
  std::string_view action_name = std::string_view(*target).substr(kTargetPrefix.size());
  const sqs::Action* action = sqs::FindAction(action_name);
  if (action == nullptr) {
    return Status(Code::kUnknownOperation, "Unknown operation " + std::string(action_name) + ".");
  }
  return sqs::DecodeJsonBody(*action, request.body);
}

Result<std::unique_ptr<sqs::Call>> DecodeQueryRequest(const http::Request& request) {
  std::string_view body = request.method == "POST" ? std::string_view(request.body) : "";
  return sqs::DecodeQueryRequest(request.query, body, request.path);
}

http::Response ErrorResponse(Protocol protocol, const Status& status, std::string request_id) {
  sqs::WireError error = sqs::ToWireError(status);
  http::Response response;
  response.status = error.http_status;
  if (protocol == Protocol::kQuery) {
    response.headers.push_back({"content-type", kXmlContentType});
    response.body = sqs::EncodeXmlError(error, request_id);
  } else {
    response.headers.push_back({"content-type", kJsonContentType});
    std::string query_error = sqs::QueryErrorHeader(error);
    if (!query_error.empty()) {
      response.headers.push_back({"x-amzn-query-error", std::move(query_error)});
    }
    response.body = sqs::EncodeJsonError(error);
  }
  response.headers.push_back({"x-amzn-requestid", std::move(request_id)});
  return response;
}

}  // namespace

// One SQS request from decode to response. Steps:
//   kRunning  -> a Run is queued on the storage thread
//   kParked   -> a receive found nothing and waits in the registry
//   answered  -> Respond() called; the object is deleted
// An aborted exchange (peer gone) is answered at the next step boundary.
class SqsRequest final : public Waiter {
 public:
  SqsRequest(SqsService* service, http::Exchange* exchange, Protocol protocol,
             std::unique_ptr<sqs::Call> call, sqs::EncodeContext context)
      : service_(service),
        exchange_(exchange),
        protocol_(protocol),
        call_(std::move(call)),
        context_(std::move(context)) {}

  void Wake(bool timed_out) override {
    if (timed_out && service_->clock_.NowMillis() >= deadline_) {
      service_->Finish(this, Status::Ok());  // the deadline passed: answer the empty receive
      return;
    }
    service_->Submit(this);
  }

  SqsService* service_;
  http::Exchange* exchange_;
  const Protocol protocol_;
  std::unique_ptr<sqs::Call> call_;
  sqs::EncodeContext context_;
  int64_t deadline_ = 0;  // epoch ms; 0 until the first empty receive
  bool parked_ = false;
};

http::Response SqsErrorResponse(const Status& status) {
  return ErrorResponse(Protocol::kJson, status, NewRequestId());
}

SqsService::SqsService(storage::StorageThread& storage, queue::EngineHost& engine, LongPollRegistry& long_polls,
                       const Clock& clock, std::string account_id, std::string default_host)
    : storage_(storage),
      engine_(engine),
      long_polls_(long_polls),
      clock_(clock),
      account_id_(std::move(account_id)),
      default_host_(std::move(default_host)) {}

bool SqsService::Accepts(const http::Request& request) {
  return IsJsonRequest(request) || IsQueryRequest(request);
}

void SqsService::Handle(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  // The protocols differ only here and in the encoding of the answer.
  const Protocol protocol = IsJsonRequest(request) ? Protocol::kJson : Protocol::kQuery;
  Result<std::unique_ptr<sqs::Call>> call =
      protocol == Protocol::kJson ? DecodeJsonRequest(request) : DecodeQueryRequest(request);
  if (!call.ok()) {
    exchange.Respond(ErrorResponse(protocol, call.status(), NewRequestId()));
    return;
  }

  sqs::EncodeContext context;
  const std::string* host = request.FindHeader("host");
  context.base_url = "http://" + (host != nullptr && !host->empty() ? *host : default_host_);
  context.account_id = account_id_;
  context.request_id = NewRequestId();
  auto* pending =
      new SqsRequest(this, &exchange, protocol, std::move(call.value()), std::move(context));
  ++in_flight_;
  exchange.SetAbortHandler([this, pending] {
    // The peer left. A parked receive is answered now (into the void); a
    // running one is answered when its Run completes.
    if (pending->parked_) {
      long_polls_.Unpark(pending);
      pending->parked_ = false;
      Finish(pending, Status::Ok());
    }
  });
  Submit(pending);
}

void SqsService::Submit(SqsRequest* request) {
  request->parked_ = false;
  sqs::Call* call = request->call_.get();
  queue::EngineHost* engine = &engine_;
  storage_.Submit(
      [call, engine](sqlite3* db) { return call->Run(engine->Get(db)); },
      [this, request](Status status) {
        // The storage thread reports the commit: only now may a reply leave
        // (no reply before it is durable).
        if (!status.ok()) {
          Finish(request, status);
          return;
        }
        // Every successful Run may have made messages visible elsewhere (a
        // receive that moved some to its DLQ), even one that parks again.
        for (const std::string& queue : request->call_->woken_queues()) WakeQueue(queue, kWakeBatch);
        const sqs::LongPoll* poll = request->call_->long_poll();
        if (poll != nullptr && !shutting_down_ && !request->exchange_->aborted()) {
          int64_t now = clock_.NowMillis();
          if (request->deadline_ == 0) request->deadline_ = now + int64_t{poll->wait_time_seconds} * 1000;
          if (now < request->deadline_) {
            int64_t wake_at = request->deadline_;
            if (poll->next_visible_at > 0 && poll->next_visible_at < wake_at) wake_at = poll->next_visible_at;
            request->parked_ = true;
            long_polls_.Park(request, request->call_->queue_name(), wake_at);
            return;
          }
        }
        Finish(request, Status::Ok());
      });
}

void SqsService::Finish(SqsRequest* request, Status status) {
  std::unique_ptr<SqsRequest> owned(request);
  --in_flight_;
  if (!status.ok()) {
    if (status.code() == Code::kStorageFailed || status.code() == Code::kInternal) {
      spdlog::error("{} failed: {}", request->call_->action(), status.ToString());
    }
    request->exchange_->Respond(ErrorResponse(request->protocol_, status, request->context_.request_id));
    return;
  }
  http::Response response;
  if (request->protocol_ == Protocol::kQuery) {
    response.headers.push_back({"content-type", kXmlContentType});
    response.body = request->call_->EncodeXml(request->context_);
  } else {
    response.headers.push_back({"content-type", kJsonContentType});
    response.body = request->call_->EncodeJson(request->context_);
  }
  response.headers.push_back({"x-amzn-requestid", request->context_.request_id});
  request->exchange_->Respond(std::move(response));

  // A receive that got messages may have left more behind: pass the baton.
  if (request->call_->action() == "ReceiveMessage" && request->call_->long_poll() == nullptr &&
      !request->call_->queue_name().empty()) {
    WakeQueue(request->call_->queue_name(), 1);
  }
}

void SqsService::WakeQueue(const std::string& queue, size_t max_waiters) {
  long_polls_.WakeQueue(queue, max_waiters);
}

void SqsService::BeginShutdown() {
  shutting_down_ = true;
  long_polls_.WakeAll();
}

}  // namespace sluice::server
