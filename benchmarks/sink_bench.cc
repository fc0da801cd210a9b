// sluice_sink_bench: sink put throughput against the disk's ceiling.
//   sluice_sink_bench --dir D --mode sink|plain --objects N --bytes B --concurrency C
// sink:  N sealed puts through sink::Sink (encrypt, temp file, fsync, rename,
//        directory fsync, metadata commit through the storage thread), C in
//        flight at once: what a built-in worker or an S3 client gets.
// plain: the same N plaintext files written with write + fsync from C
//        threads, no encryption, no metadata: the ceiling.
// Prints one "RESULT objects=... seconds=... objects_per_s=... mb_per_s=...
// p50_ms=... p99_ms=..." line (latency per object). Not a test.
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <uv.h>

#include "sluice/clock.h"
#include "sluice/sink/sink.h"
#include "sluice/storage/storage_thread.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string dir;
  std::string mode = "sink";
  int objects = 1000;
  size_t bytes = 1024;
  int concurrency = 16;
};

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Report(const Options& options, double seconds, std::vector<double> latencies_ms) {
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty() ? 0.0 : latencies_ms[std::min(latencies_ms.size() - 1,
                                                              static_cast<size_t>(p * latencies_ms.size()))];
  };
  std::printf("RESULT objects=%d bytes=%zu concurrency=%d seconds=%.3f objects_per_s=%.1f mb_per_s=%.2f "
              "p50_ms=%.3f p99_ms=%.3f\n",
              options.objects, options.bytes, options.concurrency, seconds, options.objects / seconds,
              options.objects * static_cast<double>(options.bytes) / seconds / (1024 * 1024), pct(0.50), pct(0.99));
}

std::string Body(size_t bytes) {
  std::string body = "{\"payment_id\":\"pay\",\"pad\":\"";
  while (body.size() + 2 < bytes) body.push_back(static_cast<char>('a' + body.size() % 26));
  body += "\"}";
  body.resize(bytes, ' ');
  return body;
}

int RunPlain(const Options& options) {
  std::filesystem::create_directories(options.dir + "/plain");
  const std::string body = Body(options.bytes);
  std::atomic<int> next{0};
  std::vector<std::vector<double>> latencies(options.concurrency);
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < options.concurrency; ++t) {
    threads.emplace_back([&, t] {
      for (int i = next++; i < options.objects; i = next++) {
        auto begin = Clock::now();
        std::string path = options.dir + "/plain/" + std::to_string(i) + ".json";
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || ::write(fd, body.data(), body.size()) != static_cast<ssize_t>(body.size()) ||
            ::fsync(fd) != 0) {
          std::perror(path.c_str());
          std::exit(1);
        }
        ::close(fd);
        latencies[t].push_back(Millis(Clock::now() - begin));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& list : latencies) all.insert(all.end(), list.begin(), list.end());
  Report(options, seconds, std::move(all));
  return 0;
}

struct SinkRun {
  const Options* options;
  sluice::sink::Sink* sink = nullptr;
  // One body per put, built before the clock starts: the sink takes its
  // body by value, and the copy is the producer's cost, not the sink's.
  std::vector<std::string> bodies;
  int issued = 0;
  int completed = 0;
  std::vector<double> latencies_ms;
  Clock::time_point start;
  double seconds = 0;
  std::function<void()> on_done;

  void Issue() {
    int index = issued++;
    sluice::sink::PutRequest request;
    request.bucket = "bench";
    request.key = "raw/dt=2026-01-15/" + std::to_string(index) + ".json";
    request.content_type = "application/json";
    request.body = std::move(bodies[index]);
    auto begin = Clock::now();
    sink->Put(std::move(request), [this, begin](sluice::Result<sluice::sink::ObjectInfo> put) {
      if (!put.ok()) {
        std::fprintf(stderr, "put failed: %s\n", put.status().ToString().c_str());
        std::exit(1);
      }
      latencies_ms.push_back(Millis(Clock::now() - begin));
      ++completed;
      if (issued < options->objects) {
        Issue();
      } else if (completed == options->objects) {
        seconds = std::chrono::duration<double>(Clock::now() - start).count();
        on_done();
      }
    });
  }
};

int RunSink(const Options& options) {
  std::filesystem::create_directories(options.dir);
  uv_loop_t loop;
  uv_loop_init(&loop);
  sluice::storage::StorageOptions storage_options;
  storage_options.database_path = options.dir + "/sluice.db";
  auto storage = sluice::storage::StorageThread::Open(&loop, storage_options);
  if (!storage.ok()) {
    std::fprintf(stderr, "%s\n", storage.status().ToString().c_str());
    return 1;
  }
  sluice::sink::SinkConfig config;
  config.root_dir = std::filesystem::absolute(options.dir + "/sink").string();
  config.keyring_path = std::filesystem::absolute(options.dir + "/keyring.json").string();
  config.buckets = {"bench"};
  auto sink = sluice::sink::Sink::Open(&loop, **storage, config, sluice::SystemClock::Instance());
  if (!sink.ok()) {
    std::fprintf(stderr, "%s\n", sink.status().ToString().c_str());
    return 1;
  }
  SinkRun run;
  run.options = &options;
  run.sink = sink->get();
  run.bodies.assign(options.objects, Body(options.bytes));
  int exit_code = 0;
  run.on_done = [&] {
    Report(options, run.seconds, run.latencies_ms);
    (*sink)->Shutdown([&] { (*storage)->Shutdown([] {}); });
  };
  (*sink)->Start([&](sluice::Status started) {
    if (!started.ok()) {
      std::fprintf(stderr, "sink start: %s\n", started.ToString().c_str());
      exit_code = 1;
      (*sink)->Shutdown([&] { (*storage)->Shutdown([] {}); });
      return;
    }
    run.start = Clock::now();
    for (int i = 0; i < options.concurrency && run.issued < options.objects; ++i) run.Issue();
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  sink->reset();
  storage->reset();
  uv_loop_close(&loop);
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // As `sluice serve` tunes its heap (src/server/serve.cc): large bodies
  // from the heap, not a fresh mmap (and its page faults) per object.
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--dir") {
      options.dir = value;
    } else if (flag == "--mode") {
      options.mode = value;
    } else if (flag == "--objects") {
      options.objects = std::atoi(value);
    } else if (flag == "--bytes") {
      options.bytes = static_cast<size_t>(std::atoll(value));
    } else if (flag == "--concurrency") {
      options.concurrency = std::atoi(value);
    } else {
      std::fprintf(stderr, "usage: sluice_sink_bench --dir D --mode sink|plain --objects N --bytes B "
                           "--concurrency C\n");
      return 2;
    }
  }
  if (options.dir.empty() || options.objects <= 0 || options.concurrency <= 0) {
    std::fprintf(stderr, "sluice_sink_bench: --dir, --objects > 0 and --concurrency > 0 are required\n");
    return 2;
  }
  return options.mode == "plain" ? RunPlain(options) : RunSink(options);
}
