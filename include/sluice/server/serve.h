// `sluice serve`: loads the configuration, locks the data dir, opens storage,
// creates the configured queues, listens, and runs the loop until SIGINT or
// SIGTERM. Returns the process exit code (0 after a clean drain).
//
// Threads: call from the main thread; it becomes the loop thread.
#pragma once

#include <optional>
#include <string>

namespace sluice::server {

struct ServeOptions {
  std::optional<std::string> config_path;  // overrides the embedded default
  std::optional<std::string> listen;       // "HOST:PORT"; overrides the config
  std::optional<std::string> data_dir;     // overrides the config
};

int RunServe(const ServeOptions& options);

}  // namespace sluice::server
