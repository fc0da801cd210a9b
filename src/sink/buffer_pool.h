// Reusable I/O buffers for sealed bytes. Every put and get needs a buffer of
// a few hundred KiB; a fresh one costs a page fault per 4 KiB page each time
// (glibc returns large blocks to the kernel), which measured as a large part
// of a 1 MiB put's CPU. Buffers hold ciphertext only.
//
// Threads: any.
#pragma once

#include <cstddef>
#include <string>

namespace sluice::sink {

class BufferPool {
 public:
  // An empty string with at least `capacity` bytes reserved.
  static std::string Take(size_t capacity);
  // Keeps `buffer` for a later Take(), up to a bounded number of buffers.
  static void Give(std::string buffer);
};

}  // namespace sluice::sink
