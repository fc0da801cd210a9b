// JSON answers for handlers: a body with its content type, and the
// {"error": "..."} body every Sluice-specific endpoint (admin API, gateway
// routes, the fallback 404) uses for failures. SQS errors have their own
// codec (sqs/errors.h); the server's own protocol errors are built by the
// connection (response_writer.h).
//
// Errors: none; the message is escaped by a JSON writer, so it may quote
// anything a client sent.
// Threads: any (pure).
#pragma once

#include <string>
#include <string_view>

#include "sluice/http/server.h"

namespace sluice::http {

// `body` (already JSON) as application/json with `status`.
Response JsonResponse(int status, std::string body);

// {"error": message} with `status`; with a non-empty `code`,
// {"error": message, "code": code}.
Response JsonErrorResponse(int status, std::string_view message, std::string_view code = {});

}  // namespace sluice::http
