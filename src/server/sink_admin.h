// The admin HTTP endpoints of the sink and its keyring (docs/ADMIN_API.md,
// sections "Sink" and "Keys"):
//
//   GET  /_sluice/v1/sink/buckets
//   GET  /_sluice/v1/sink/objects?bucket=B&prefix=P&after=K&limit=N
//   GET  /_sluice/v1/sink/object?bucket=B&key=K      (the decrypted content)
//   POST /_sluice/v1/sink/verify?bucket=B
//   GET  /_sluice/v1/keys
//   POST /_sluice/v1/keys/rotate
//   POST /_sluice/v1/keys/rewrap
//   POST /_sluice/v1/keys/retire?version=V
//
// Errors are {"error": "..."} with 400 (bad parameter), 404 (no such thing),
// 409 (refused because of state), 500 (internal; integrity failures also
// carry "code": "IntegrityError"), 503 (storage failed, shutting down), and
// 405 for a known path with the wrong method.
//
// Ownership: borrows the sink, which outlives every request it answers.
// Threads: loop thread only.
#pragma once

#include "sluice/http/server.h"
#include "sluice/sink/sink.h"

namespace sluice::server {

class SinkAdmin {
 public:
  explicit SinkAdmin(sink::Sink& sink);

  // Answers the request if its path is under /_sluice/v1/sink/ or is
  // /_sluice/v1/keys[/...]; false leaves it to other handlers.
  bool Handle(http::Exchange& exchange);

 private:
  void Buckets(http::Exchange& exchange);
  void Objects(http::Exchange& exchange);
  void Object(http::Exchange& exchange);
  void Verify(http::Exchange& exchange);
  void Keys(http::Exchange& exchange);
  void Rotate(http::Exchange& exchange);
  void Rewrap(http::Exchange& exchange);
  void Retire(http::Exchange& exchange);

  sink::Sink& sink_;
};

}  // namespace sluice::server
