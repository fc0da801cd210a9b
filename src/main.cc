// Placeholder until src/cli/ lands: `sluice serve` only.
#include "sluice/server/serve.h"

int main(int argc, char** argv) {
  sluice::server::ServeOptions options;
  return sluice::server::RunServe(options);
}
