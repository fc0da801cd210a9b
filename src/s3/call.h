// One S3 request, from dispatch to its answer.
//
// Each operation is a Call subclass (one per file group: bucket_calls.cc,
// object_read_calls.cc, ...) whose steps are named member functions; the
// state an operation needs between steps lives in its members, never in
// nested lambdas. Sink callbacks capture the Call: the sink always calls
// back (Sink::Shutdown waits for its operations), so a Call is alive until
// it answers.
//
// Ownership: a Call owns itself from Start() on and deletes itself in
// Respond()/Fail(), which must be the last thing a step does. It borrows
// the service and the exchange (valid until Respond(), see http::Exchange).
// Errors: every failure is answered in S3's XML error shape (errors.h);
// a sluice Status goes through FromStatus() once, in FailStatus().
// Threads: loop thread only.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/addressing.h"
#include "s3/errors.h"
#include "s3/object_headers.h"
#include "s3/operations.h"
#include "sluice/clock.h"
#include "sluice/http/server.h"
#include "sluice/sink/sink.h"

namespace sluice::s3 {

class S3Service;

// What every Call starts from.
struct CallArgs {
  S3Service& service;
  http::Exchange& exchange;
  Operation operation;
  Address address;
};

class Call {
 public:
  explicit Call(CallArgs args);
  virtual ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  // The first step. Every path through the steps ends in Respond or Fail.
  virtual void Start() = 0;

 protected:
  const http::Request& request() const { return exchange_.request(); }
  http::Exchange& exchange() { return exchange_; }
  Operation operation() const { return operation_; }
  const std::string& bucket() const { return address_.bucket; }
  const std::string& key() const { return address_.key; }
  sink::Sink& sink();
  const Clock& clock() const;
  S3Service& service() { return service_; }

  // A request header by lower-case name.
  std::optional<std::string_view> Header(std::string_view lower_name) const;
  // A query parameter, percent-decoded; nullopt when absent (or malformed).
  std::optional<std::string> Query(std::string_view name) const;

  // Answers and deletes this Call. Adds x-amz-request-id and x-amz-id-2.
  void Respond(http::Response response);
  // 200 with an XML body.
  void RespondXml(std::string xml, std::vector<http::Header> headers = {});
  // An empty answer (204 for deletes, 200 for heads and puts).
  void RespondEmpty(int status, std::vector<http::Header> headers = {});
  void Fail(const S3Error& error);
  // FromStatus with this request's bucket, key and upload id.
  void FailStatus(const Status& status);

  // Objects written without SSE headers take the bucket's default
  // encryption (PutBucketEncryption, else SSE-S3), as S3 encrypts them: adds
  // its headers to `stored` (an object's storable headers) unless they name
  // one already.
  void ApplyEncryptionDefault(HeaderList* stored);

  // The partNumber query parameter of UploadPart / UploadPartCopy: 1..10000,
  // else InvalidArgument.
  S3Result<int> PartNumber() const;

  // The whole body of a request whose body is small by nature (XML
  // documents): the buffered body, or a streamed one read up to
  // `max_bytes` (longer: MalformedXML / EntityTooLarge via `done`'s error).
  // `done` runs on a later loop turn for a streamed body, at once otherwise.
  void ReadWholeBody(size_t max_bytes, std::function<void(S3Result<std::string>)> done);

  // Set by multipart operations so errors name the upload.
  std::string upload_id_;

 private:
  void ContinueReading(size_t max_bytes);

  S3Service& service_;
  http::Exchange& exchange_;
  const Operation operation_;
  const Address address_;
  const std::string request_id_;
  std::string whole_body_;
  std::function<void(S3Result<std::string>)> whole_body_done_;
};

}  // namespace sluice::s3
