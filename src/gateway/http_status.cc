#include "gateway/http_status.h"

namespace sluice::gateway {

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidParameterValue:
    case Code::kMissingParameter:
    case Code::kMalformedRequest:
    case Code::kInvalidAttributeName:
    case Code::kInvalidAttributeValue:
    case Code::kInvalidMessageContents:
      return 400;
    case Code::kRequestTooLarge: return 413;
    case Code::kResourceNotFound: return 404;
    case Code::kThrottled: return 429;
    case Code::kStorageFailed:
    case Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace sluice::gateway
