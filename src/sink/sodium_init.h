// libsodium must be initialised once per process before use; every entry
// point of the sink that touches it calls EnsureSodium() first.
//
// Threads: any.
#pragma once

#include <sodium.h>

namespace sluice::sink {

inline void EnsureSodium() {
  // sodium_init is idempotent and thread-safe; the static runs it once. A
  // failure (-1) leaves the portable implementations in use.
  static const int initialised = sodium_init();
  (void)initialised;
}

}  // namespace sluice::sink
