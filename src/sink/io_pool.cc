#include "sink/io_pool.h"

#include <utility>

namespace sluice::sink {

IoPool::IoPool(uv_loop_t* loop, size_t threads) : loop_(loop), thread_count_(threads == 0 ? 1 : threads) {}

IoPool::~IoPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

Status IoPool::Start() {
  async_ = new uv_async_t;
  if (int rc = uv_async_init(loop_, async_, &IoPool::OnAsync); rc != 0) {
    delete async_;
    async_ = nullptr;
    return Status(Code::kInternal, std::string("uv_async_init: ") + uv_strerror(rc));
  }
  async_->data = this;
  for (size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { ThreadMain(); });
  return Status::Ok();
}

void IoPool::Post(std::function<void()> work, std::function<void()> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_) {
    // Not run, but completed in order with the rest, from the loop.
    const bool was_empty = finished_.empty();
    finished_.push_back(std::move(done));
    if (was_empty && async_ != nullptr) uv_async_send(async_);
    return;
  }
  ++running_;
  queue_.push_back(Job{std::move(work), std::move(done)});
  work_ready_.notify_one();
}

void IoPool::ThreadMain() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_ready_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_ and nothing left to run
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job.work();
    job.work = nullptr;  // destroyed here, not on the loop thread
    lock.lock();
    const bool was_empty = finished_.empty();
    finished_.push_back(std::move(job.done));
    --running_;
    // Only the push that finds the list empty wakes the loop: libuv coalesces
    // sends, and Drain() takes everything that is there when it runs.
    if (was_empty) uv_async_send(async_);
  }
}

void IoPool::OnAsync(uv_async_t* handle) { static_cast<IoPool*>(handle->data)->Drain(); }

void IoPool::Drain() {
  std::vector<std::function<void()>> finished;
  bool all_done = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    finished.swap(finished_);
    all_done = shutting_down_ && running_ == 0;
  }
  for (std::function<void()>& done : finished) done();
  if (!all_done) return;
  {
    // A `done` above may have posted again (it then completes unrun).
    std::lock_guard<std::mutex> lock(mu_);
    if (!finished_.empty()) {
      uv_async_send(async_);
      return;
    }
  }
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  uv_close(reinterpret_cast<uv_handle_t*>(async_), &IoPool::OnClosed);
}

void IoPool::OnClosed(uv_handle_t* handle) {
  IoPool* pool = static_cast<IoPool*>(handle->data);
  delete reinterpret_cast<uv_async_t*>(handle);
  pool->async_ = nullptr;
  std::function<void()> done = std::move(pool->shutdown_done_);
  if (done) done();
}

void IoPool::Shutdown(std::function<void()> done) {
  shutdown_done_ = std::move(done);
  if (async_ == nullptr) {  // never started
    if (shutdown_done_) std::exchange(shutdown_done_, nullptr)();
    return;
  }
  shutting_down_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_ready_.notify_all();
  uv_async_send(async_);  // Drain() finishes the shutdown once nothing runs
}

}  // namespace sluice::sink
