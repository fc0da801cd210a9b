#include "s3/call.h"

#include <cstdlib>
#include <utility>

#include "s3/service.h"
#include "sluice/http/query.h"

namespace sluice::s3 {

Call::Call(CallArgs args)
    : service_(args.service),
      exchange_(args.exchange),
      operation_(args.operation),
      address_(std::move(args.address)),
      request_id_(args.exchange.request().request_id) {}

Call::~Call() { --service_.in_flight_; }

sink::Sink& Call::sink() { return service_.sink(); }
const Clock& Call::clock() const { return service_.clock(); }

std::optional<std::string_view> Call::Header(std::string_view lower_name) const {
  const std::string* value = request().FindHeader(lower_name);
  if (value == nullptr) return std::nullopt;
  return std::string_view(*value);
}

std::optional<std::string> Call::Query(std::string_view name) const {
  return http::QueryParameter(request().query, name);
}

S3Result<int> Call::PartNumber() const {
  constexpr long kMaxPartNumber = 10000;
  std::optional<std::string> number = Query("partNumber");
  char* end = nullptr;
  long parsed = number ? std::strtol(number->c_str(), &end, 10) : 0;
  if (!number || number->empty() || *end != '\0' || parsed < 1 || parsed > kMaxPartNumber) {
    return InvalidArgumentError("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
                                number.value_or(""));
  }
  return static_cast<int>(parsed);
}

void Call::Respond(http::Response response) {
  response.headers.push_back({"x-amz-request-id", request_id_});
  response.headers.push_back({"x-amz-id-2", request_id_});
  // An answer before a streamed body's end is the HTTP layer's to handle
  // (it discards a small rest or closes the connection: http/server.h).
  exchange_.Respond(std::move(response));
  delete this;
}

void Call::RespondXml(std::string xml, std::vector<http::Header> headers) {
  http::Response response;
  response.headers = std::move(headers);
  response.headers.push_back({"content-type", "application/xml"});
  response.body = std::move(xml);
  Respond(std::move(response));
}

void Call::RespondEmpty(int status, std::vector<http::Header> headers) {
  http::Response response;
  response.status = status;
  response.headers = std::move(headers);
  Respond(std::move(response));
}

void Call::ApplyEncryptionDefault(HeaderList* stored) {
  if (!StoredHeader(*stored, "x-amz-server-side-encryption").empty()) return;
  // Recorded even when it is S3's default, so a later change of the
  // bucket's default does not change what this object reports.
  for (http::Header& header : EncryptionHeaders(*stored, service().EncryptionDefault(bucket()))) {
    SetStoredHeader(stored, std::move(header.name), std::move(header.value));
  }
}

void Call::Fail(const S3Error& error) {
  Respond(ErrorResponse(error, request().method == "HEAD", request_id_, request_id_));
}

void Call::FailStatus(const Status& status) {
  Fail(FromStatus(status, ErrorContext{bucket(), key(), upload_id_}));
}

void Call::ReadWholeBody(size_t max_bytes, std::function<void(S3Result<std::string>)> done) {
  if (!request().body_streamed) {
    if (request().body.size() > max_bytes) {
      done(MakeError(ErrorCode::kEntityTooLarge, "The request body is larger than this operation takes."));
      return;
    }
    done(request().body);
    return;
  }
  whole_body_done_ = std::move(done);
  ContinueReading(max_bytes);
}

void Call::ContinueReading(size_t max_bytes) {
  exchange_.ReadBody([this, max_bytes](Status status, std::string_view data, bool end) {
    if (!status.ok()) {
      auto done = std::move(whole_body_done_);
      done(MakeError(ErrorCode::kIncompleteBody, "The request body did not arrive: " + status.message()));
      return;
    }
    whole_body_.append(data);
    if (whole_body_.size() > max_bytes) {
      auto done = std::move(whole_body_done_);
      done(MakeError(ErrorCode::kEntityTooLarge, "The request body is larger than this operation takes."));
      return;
    }
    if (!end) {
      ContinueReading(max_bytes);
      return;
    }
    auto done = std::move(whole_body_done_);
    done(std::move(whole_body_));
  });
}

}  // namespace sluice::s3
