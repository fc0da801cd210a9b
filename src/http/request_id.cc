#include "http/request_id.h"

#include <sys/random.h>

#include <cstdint>
#include <cstdio>

namespace sluice::http {
namespace {

struct IdSource {
  char prefix[25];  // "xxxxxxxx-xxxx-4xxx-8xxx-" (24 chars + NUL)
  uint64_t counter = 0;

  IdSource() {
    uint8_t random[8] = {};
    if (getrandom(random, sizeof(random), 0) != sizeof(random)) {
      // Unique within the process is what matters; a fixed prefix keeps that.
      for (int i = 0; i < 8; ++i) random[i] = static_cast<uint8_t>(0x5a ^ i);
    }
    std::snprintf(prefix, sizeof(prefix), "%02x%02x%02x%02x-%02x%02x-4%01x%02x-8%01x%02x-", random[0], random[1],
                  random[2], random[3], random[4], random[5], random[6] & 0x0f, random[7], random[6] >> 4,
                  random[7] ^ random[0]);
  }
};

}  // namespace

bool IsUsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

void AssignRequestId(Request* request) {
  const std::string* sent = request->FindHeader("x-request-id");
  if (sent != nullptr && IsUsableRequestId(*sent)) {
    request->request_id = *sent;
    return;
  }
  static IdSource source;
  char id[40];
  int length = std::snprintf(id, sizeof(id), "%s%012llx", source.prefix,
                             static_cast<unsigned long long>(++source.counter & 0xffffffffffffULL));
  request->request_id.assign(id, static_cast<size_t>(length));
}

}  // namespace sluice::http
