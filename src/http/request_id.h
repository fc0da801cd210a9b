// Request ids: every response carries x-request-id, and handlers log it.
//
// Threads: loop thread only (the counter is not atomic).
#pragma once

#include <string>
#include <string_view>

#include "sluice/http/server.h"

namespace sluice::http {

// True for a client-sent id we echo: 1-128 visible ASCII characters (no
// spaces or controls, which could split a log line or a header).
bool IsUsableRequestId(std::string_view id);

// Sets request->request_id: the request's x-request-id header when usable,
// else a new UUID-shaped id (a random per-process prefix and a counter, so
// no syscall and no entropy per request).
void AssignRequestId(Request* request);

}  // namespace sluice::http
