// The sink's I/O threads: file writes, reads, fsyncs and the crypto over
// object bodies run here, never on the loop thread (which serves HTTP) nor
// on the storage thread (whose batches every queue shares). Several threads,
// so concurrent puts fsync in parallel and the file system can merge their
// journal commits.
//
// A job is a pair: `work` runs on one of the pool's threads, then `done`
// runs on the loop thread. Completions come back through one uv_async and a
// locked list that the loop drains whole (h2o's multithread.c pattern).
//
// Ownership: owns its threads and the uv_async handle; a job's closures are
// destroyed on the thread that ran them (work on a pool thread, done on the
// loop thread).
// Errors: none of its own; jobs report through what they capture.
// Threads: Start/Post/Shutdown on the loop thread only.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <uv.h>

#include "sluice/status.h"

namespace sluice::sink {

class IoPool {
 public:
  IoPool(uv_loop_t* loop, size_t threads);
  // Shutdown() must have completed, or Start() never been called.
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  Status Start();

  // Queues a job. After Shutdown() the job is not run: `done` alone runs,
  // from the loop, so every caller still completes.
  void Post(std::function<void()> work, std::function<void()> done);

  // Lets the queued jobs finish, joins the threads, closes the uv_async and
  // then calls `done` on the loop thread. Call once.
  void Shutdown(std::function<void()> done);

  size_t threads() const { return thread_count_; }

 private:
  struct Job {
    std::function<void()> work;
    std::function<void()> done;
  };

  void ThreadMain();
  static void OnAsync(uv_async_t* handle);
  static void OnClosed(uv_handle_t* handle);
  void Drain();

  uv_loop_t* loop_;
  const size_t thread_count_;
  uv_async_t* async_ = nullptr;  // freed in OnClosed
  std::vector<std::thread> threads_;
  bool shutting_down_ = false;  // loop thread
  std::function<void()> shutdown_done_;

  std::mutex mu_;
  std::condition_variable work_ready_;
  std::deque<Job> queue_;                        // GUARDED_BY(mu_)
  std::vector<std::function<void()>> finished_;  // GUARDED_BY(mu_)
  size_t running_ = 0;                           // GUARDED_BY(mu_): queued or running jobs
  bool stop_ = false;                            // GUARDED_BY(mu_)
};

}  // namespace sluice::sink
