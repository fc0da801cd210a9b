// QueueUrl -> queue name. Kept apart from the action table so that the codec
// (and its tests) do not pull in the engine.
#include <string>
#include <string_view>

#include "sluice/sqs/actions.h"

namespace sluice::sqs {

// SQS queue URLs are <scheme>://<host>[:port]/<account>/<name>. Clients build
// them from whatever endpoint they were given (localhost, a container name,
// the real sqs.<region>.amazonaws.com), so scheme, host and port are ignored:
// only the path names the queue. The account is not checked either: Sluice
// serves one account, and a URL copied from another setup should still work.
// A URL without that path is answered as SQS answers it: QueueDoesNotExist
// (SQS's InvalidAddress is about the endpoint, not the queue path; moto
// checked this against AWS in getmoto/moto#3657).
Result<std::string> QueueNameFromUrl(std::string_view queue_url) {
  std::string_view rest = queue_url;
  // A query string or fragment is not part of the path. (Two find()s: each
  // is one memchr, where find_first_of would call memchr per character.)
  rest = rest.substr(0, rest.find('?'));
  rest = rest.substr(0, rest.find('#'));
  if (size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest = rest.substr(scheme + 3);
    size_t path = rest.find('/');
    rest = path == std::string_view::npos ? std::string_view() : rest.substr(path);
  } else if (!rest.starts_with('/')) {
    // "host:port/account/name" without a scheme.
    size_t path = rest.find('/');
    rest = path == std::string_view::npos ? std::string_view() : rest.substr(path);
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);

  // rest is now "/<account>/<name>".
  if (!rest.starts_with('/')) {
    return Status(Code::kQueueDoesNotExist, "The specified queue does not exist.");
  }
  rest.remove_prefix(1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return Status(Code::kQueueDoesNotExist, "The specified queue does not exist.");
  }
  std::string_view name = rest.substr(slash + 1);
  if (name.empty() || name.find('/') != std::string_view::npos) {
    return Status(Code::kQueueDoesNotExist, "The specified queue does not exist.");
  }
  return std::string(name);
}

}  // namespace sluice::sqs
