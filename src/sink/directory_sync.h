// Group commit for directory fsyncs. A put is durable only once the
// directory holding its new name is fsynced, and concurrent puts usually
// land in the same directory (one date partition). Instead of one fsync
// each, a caller waits for a fsync of the directory that *started after*
// its call: the first caller becomes the leader and syncs for everyone who
// arrived before it began; later arrivals wait for the next round, whose
// leader is one of them. LevelDB's DBImpl::Write does the same for its log.
//
// Errors: a failed fsync is reported to every caller it covered.
// Threads: any; callers block (on an I/O thread) until covered.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "sluice/status.h"

namespace sluice::sink {

class DirectorySync {
 public:
  // Returns once a fsync of `dir` begun after this call has finished.
  Status Sync(const std::string& dir);

 private:
  struct State {
    uint64_t requested = 0;  // tickets handed out
    uint64_t completed = 0;  // every ticket up to this one is covered
    bool running = false;    // a leader is inside fsync
    int waiters = 0;         // callers inside Sync (the entry is dropped at 0)
    Status last;             // OK, or the first failed round's error
  };

  std::mutex mu_;
  std::condition_variable done_;
  std::unordered_map<std::string, State> directories_;  // GUARDED_BY(mu_)
};

}  // namespace sluice::sink
