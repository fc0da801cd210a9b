#include "sink/buffer_pool.h"

#include <mutex>
#include <vector>

namespace sluice::sink {
namespace {

constexpr size_t kMaxBuffers = 64;
constexpr size_t kMaxBufferBytes = 2 << 20;

std::mutex& Mutex() {
  static std::mutex mu;
  return mu;
}

std::vector<std::string>& Buffers() {
  static auto* buffers = new std::vector<std::string>();  // never destroyed: used until exit
  return *buffers;
}

}  // namespace

std::string BufferPool::Take(size_t capacity) {
  std::string buffer;
  {
    std::lock_guard<std::mutex> lock(Mutex());
    std::vector<std::string>& buffers = Buffers();
    if (!buffers.empty()) {
      buffer = std::move(buffers.back());
      buffers.pop_back();
    }
  }
  buffer.clear();
  buffer.reserve(capacity);
  return buffer;
}

void BufferPool::Give(std::string buffer) {
  if (buffer.capacity() > kMaxBufferBytes || buffer.capacity() < 4096) return;
  std::lock_guard<std::mutex> lock(Mutex());
  std::vector<std::string>& buffers = Buffers();
  if (buffers.size() < kMaxBuffers) buffers.push_back(std::move(buffer));
}

}  // namespace sluice::sink
