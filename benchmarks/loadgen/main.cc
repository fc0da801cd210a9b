// sluice_loadgen: SQS workloads over the AWS JSON 1.0 protocol that wrk
// cannot express. See workloads.h for what each mode does. Prints one
// "RESULT key=value ..." line on stdout (benchmarks/run.sh parses it) and
// the first error, if any, on stderr. Exits 0 when the run had no errors,
// 1 when it had some, 2 on bad usage.
//
//   sluice_loadgen fill    --endpoint 127.0.0.1:4566 --queue-url URL --messages 1000000 --connections 64
//   sluice_loadgen consume --endpoint 127.0.0.1:4566 --queue-url URL --messages 100000 --connections 16
//   sluice_loadgen latency --endpoint 127.0.0.1:4566 --queue-url URL [--compare-queue-url URL2] --iterations 1000
//   sluice_loadgen fifo    --endpoint 127.0.0.1:4566 --queue-url URL.fifo --messages 100000 --groups 100
#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>
#include <uv.h>

#include "workloads.h"

namespace {

bool ParseEndpoint(const std::string& endpoint, loadgen::Target* target) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = endpoint.substr(0, colon);
  int port = std::atoi(endpoint.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return false;
  if (uv_ip4_addr(host.c_str(), port, &target->address) != 0) return false;
  target->host = endpoint;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Sluice load generator (SQS JSON protocol)"};
  app.require_subcommand(1);
  std::string endpoint;
  loadgen::Target target;
  app.add_option("--endpoint", endpoint, "IPv4 HOST:PORT of the server")->required();
  app.add_option("--queue-url", target.queue_url, "the QueueUrl CreateQueue returned")->required();

  loadgen::FillOptions fill;
  CLI::App* fill_command = app.add_subcommand("fill", "SendMessageBatch until N messages are accepted");
  fill_command->add_option("--messages", fill.messages)->capture_default_str();
  fill_command->add_option("--connections", fill.connections)->capture_default_str();
  fill_command->add_option("--batch-size", fill.batch_size)->capture_default_str()->check(CLI::Range(1, 10));
  fill_command->add_option("--body-bytes", fill.body_bytes)->capture_default_str();

  loadgen::ConsumeOptions consume;
  CLI::App* consume_command = app.add_subcommand("consume", "ReceiveMessage + DeleteMessageBatch until N deleted");
  consume_command->add_option("--messages", consume.messages)->capture_default_str();
  consume_command->add_option("--connections", consume.connections)->capture_default_str();
  consume_command->add_option("--max-seconds", consume.max_seconds)->capture_default_str();
  consume_command->add_option("--max-messages", consume.max_messages)->capture_default_str()->check(
      CLI::Range(1, 10));

  loadgen::LatencyOptions latency;
  CLI::App* latency_command =
      app.add_subcommand("latency", "sequential ReceiveMessage (timed) + DeleteMessage + SendMessage");
  latency_command->add_option("--iterations", latency.iterations, "per queue")->capture_default_str();
  latency_command->add_option("--compare-queue-url", latency.compare_queue_urls,
                              "more queues, measured in turn with --queue-url");
  latency_command->add_option("--warmup", latency.warmup)->capture_default_str();
  latency_command->add_option("--body-bytes", latency.body_bytes)->capture_default_str();

  loadgen::FifoOptions fifo;
  CLI::App* fifo_command = app.add_subcommand(
      "fifo", "FIFO queue: producers and consumers at once over N message groups, order checked");
  fifo_command->add_option("--messages", fifo.messages)->capture_default_str();
  fifo_command->add_option("--groups", fifo.groups)->capture_default_str()->check(CLI::PositiveNumber);
  fifo_command->add_option("--producers", fifo.producers)->capture_default_str()->check(CLI::PositiveNumber);
  fifo_command->add_option("--consumers", fifo.consumers)->capture_default_str()->check(CLI::PositiveNumber);
  fifo_command->add_option("--batch-size", fifo.batch_size)->capture_default_str()->check(CLI::Range(1, 10));
  fifo_command->add_option("--wait-seconds", fifo.wait_seconds)->capture_default_str()->check(CLI::Range(0, 20));
  fifo_command->add_option("--body-bytes", fifo.body_bytes)->capture_default_str();
  fifo_command->add_option("--max-seconds", fifo.max_seconds)->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  // A group belongs to one producer: more producers than groups would idle.
  fifo.producers = std::min(fifo.producers, fifo.groups);
  if (!ParseEndpoint(endpoint, &target)) {
    std::fprintf(stderr, "sluice_loadgen: --endpoint must be IPv4 HOST:PORT, got '%s'\n", endpoint.c_str());
    return 2;
  }
  if (fill.connections < 1 || consume.connections < 1) {
    std::fprintf(stderr, "sluice_loadgen: --connections must be at least 1\n");
    return 2;
  }

  loadgen::Report report;
  if (fill_command->parsed()) {
    report = loadgen::RunFill(target, fill);
  } else if (consume_command->parsed()) {
    report = loadgen::RunConsume(target, consume);
  } else if (fifo_command->parsed()) {
    report = loadgen::RunFifo(target, fifo);
  } else {
    report = loadgen::RunLatency(target, latency);
  }
  std::printf("%s\n", report.Line().c_str());
  if (report.errors > 0) {
    std::fprintf(stderr, "sluice_loadgen: %lld errors; first: %s\n", static_cast<long long>(report.errors),
                 report.first_error.c_str());
    return 1;
  }
  return 0;
}
