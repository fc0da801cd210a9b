#include "sink/directory_sync.h"

#include "sink/file_util.h"

namespace sluice::sink {

Status DirectorySync::Sync(const std::string& dir) {
  std::unique_lock<std::mutex> lock(mu_);
  State& state = directories_[dir];  // references stay valid across rehashing
  const uint64_t ticket = ++state.requested;
  ++state.waiters;
  Status result;
  while (true) {
    if (state.completed >= ticket) {
      // Covered by a round that began after our ticket was drawn. If a
      // later round completed meanwhile, it covered us too, and a failure
      // in either one counts: rounds only ever fail stickily.
      result = state.last;
      break;
    }
    if (!state.running) {
      // Lead a round for every ticket drawn so far.
      state.running = true;
      const uint64_t covers = state.requested;
      lock.unlock();
      Status synced = FsyncDirectory(dir);
      lock.lock();
      state.running = false;
      if (state.last.ok()) state.last = synced;
      state.completed = covers;
      done_.notify_all();
      continue;
    }
    done_.wait(lock);
  }
  if (--state.waiters == 0 && !state.running) directories_.erase(dir);
  return result;
}

}  // namespace sluice::sink
