// The sink's configuration ("sink" in config/schema.json). Plain data.
//
// Threads: any (plain data).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::sink {

struct SinkConfig {
  std::string root_dir;      // where buckets live; "" = <data_dir>/sink
  std::string keyring_path;  // the KEK keyring file; "" = <data_dir>/keyring.json
  // Rotate the key-encryption key automatically when the newest version is
  // older than this (KMS rotates yearly). 0 = only `sluice keys rotate`.
  int64_t rotation_period_days = 0;
  std::vector<std::string> buckets;  // created at startup when missing
  // Threads doing the sink's file I/O, fsyncs and crypto (not in the
  // configuration file). Concurrent puts fsync in parallel, one per thread.
  int io_threads = 16;
  // A multipart completion refuses parts under this size, except the last
  // one (kEntityTooSmall). S3's 5 MiB; tests lower it.
  uint64_t min_part_bytes = 5 * 1024 * 1024;
};

}  // namespace sluice::sink
