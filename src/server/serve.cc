#include "sluice/server/serve.h"

#include <cstdio>

namespace sluice::server {

int RunServe(const ServeOptions& options) {
  std::fprintf(stderr, "sluice: serve is not built yet\n");
  return 1;
}

}  // namespace sluice::server
