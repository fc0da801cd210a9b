// The gateway's HTTP answers: JSON bodies, {"error": "..."} for failures,
// and the one place a Status code becomes an HTTP status.
//
// Threads: any (pure).
#pragma once

#include <string>
#include <string_view>

#include "sluice/http/server.h"
#include "sluice/status.h"

namespace sluice::gateway {

http::Response JsonResponse(int status, std::string body);

// {"error": message} with `status`.
http::Response ErrorResponse(int status, std::string_view message);

// The HTTP status for a failed op: 400 for the caller's faults, 404 for
// kResourceNotFound, 503 for storage failure and shutdown, 500 otherwise.
// (kQueueDoesNotExist is 500: the configuration names a queue that is gone.)
int HttpStatusFor(Code code);

}  // namespace sluice::gateway
