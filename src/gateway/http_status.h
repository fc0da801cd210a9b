// The one place a gateway Status code becomes an HTTP status. (The bodies
// are {"error": "..."}, built by sluice/http/json_response.h.)
//
// Threads: any (pure).
#pragma once

#include "sluice/status.h"

namespace sluice::gateway {

// The HTTP status for a failed op: 400 for the caller's faults, 404 for
// kResourceNotFound, 503 for storage failure and shutdown, 500 otherwise.
// (kQueueDoesNotExist is 500: the configuration names a queue that is gone.)
int HttpStatusFor(Code code);

}  // namespace sluice::gateway
