// `sluice serve`: the process's life in order.
//   1. configuration (embedded default, --config merged over it, flags last)
//   2. the data dir lock: one server per data dir
//   3. storage: open, migrate, start the storage thread
//   4. the sink: keyring loaded (or created), root directory
//   5. provisioning: create the configured queues that do not exist, in one
//      transaction, before anything listens
//   6. the sink's start: configured buckets, the orphan check, key rotation
//   7. listen, print the one start line, start maintenance timers, the
//      gateway's dedup sweep and the workers
//   8. run the loop until SIGINT/SIGTERM, then drain: answer parked long
//      polls (workers' included), let every worker finish its step and every
//      received request be answered and written, let the sink finish its
//      writes and the storage thread its queue, close every handle, exit 0.
#include "sluice/server/serve.h"

#include <malloc.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "admin_service.h"
#include "sluice/queue/engine_host.h"
#include "long_poll.h"
#include "maintenance.h"
#include "sluice/gateway/gateway.h"
#include "sluice/http/json_response.h"
#include "sluice/http/server.h"
#include "sluice/sink/sink.h"
#include "sluice/server/config.h"
#include "sluice/storage/data_dir.h"
#include "sluice/storage/storage_thread.h"
#include "sink_admin.h"
#include "sqs_service.h"
#include "s3/service.h"
#include "worker_queues.h"

namespace sluice::server {
namespace {

// Workers write through the sink like any other client.
class SinkObjectWriter final : public workers::ObjectSink {
 public:
  explicit SinkObjectWriter(sink::Sink& sink) : sink_(sink) {}
  void Put(const std::string& bucket, const std::string& key, const std::string& content_type, std::string body,
           std::function<void(Status)> done) override {
    sink::PutRequest request;
    request.bucket = bucket;
    request.key = key;
    request.content_type = content_type;
    request.body = std::move(body);
    sink_.Put(std::move(request), [done = std::move(done)](Result<sink::ObjectInfo> put) { done(put.status()); });
  }

 private:
  sink::Sink& sink_;
};

// Everything `serve` runs, in construction order; destroyed in reverse once
// the loop has closed every handle.
class ServerProcess {
 public:
  ServerProcess(Config config) : config_(std::move(config)) {}

  int Run();

 private:
  Status Provision(sqlite3* db);
  sink::SinkConfig ResolveSinkConfig() const;
  void OnProvisioned(Status status);
  void OnSinkStarted(Status status);
  // The S3 service loaded the buckets' default encryption: listen.
  void OnS3Started(Status status);
  void AfterHttpAndWorkers();
  std::string NotReadyReason() const;
  void Handle(http::Exchange& exchange);
  bool StreamsBody(const http::Request& head) const;
  void BeginShutdown(int exit_code);
  static void OnSignal(uv_signal_t* signal, int signum);

  Config config_;
  uv_loop_t loop_;
  const Clock& clock_ = SystemClock::Instance();
  std::unique_ptr<storage::StorageThread> storage_;
  std::unique_ptr<queue::EngineHost> engine_;
  std::unique_ptr<LongPollRegistry> long_polls_;
  std::unique_ptr<SqsService> sqs_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<sink::Sink> sink_;
  std::unique_ptr<SinkAdmin> sink_admin_;
  std::unique_ptr<s3::S3Service> s3_;
  std::unique_ptr<EngineQueueSource> worker_queues_;
  std::unique_ptr<workers::ObjectSink> worker_sink_;
  std::vector<std::unique_ptr<workers::Worker>> workers_;
  size_t stops_pending_ = 0;  // the HTTP drain and each worker's stop
  std::unique_ptr<Maintenance> maintenance_;
  std::unique_ptr<http::Server> http_;
  uv_signal_t sigint_;
  uv_signal_t sigterm_;
  bool shutting_down_ = false;
  int exit_code_ = 0;
  std::string provision_error_;
};

Status ServerProcess::Provision(sqlite3* db) {
  queue::Engine& engine = engine_->Get(db);
  for (const QueueConfig& queue : config_.queues) {
    Result<queue::GetQueueUrlResult> existing = engine.GetQueueUrl({queue.name});
    if (existing.ok()) continue;  // never recreated over existing data
    if (existing.status().code() != Code::kQueueDoesNotExist) return existing.status();
    queue::CreateQueueRequest request;
    request.queue_name = queue.name;
    request.attributes = queue.attributes;
    request.tags = queue.tags;
    if (!queue.dead_letter_queue.empty()) {
      request.attributes["RedrivePolicy"] =
          fmt::format(R"({{"deadLetterTargetArn":"{}","maxReceiveCount":{}}})",
                      engine.QueueArn(queue.dead_letter_queue), queue.max_receive_count);
    }
    Result<queue::CreateQueueResult> created = engine.CreateQueue(request);
    if (!created.ok()) {
      return Status(created.status().code(),
                    fmt::format("config {}: queues[{}].attributes: cannot create queue '{}': {}", config_.source,
                                queue.declared_index, queue.name, created.status().message()));
    }
    spdlog::debug("created queue {}", queue.name);
  }
  return Status::Ok();
}

sink::SinkConfig ServerProcess::ResolveSinkConfig() const {
  sink::SinkConfig resolved = config_.sink;
  std::filesystem::path data_dir = std::filesystem::absolute(config_.data_dir);
  resolved.root_dir = resolved.root_dir.empty() ? (data_dir / "sink").string()
                                                : std::filesystem::absolute(resolved.root_dir).string();
  resolved.keyring_path = resolved.keyring_path.empty() ? (data_dir / "keyring.json").string()
                                                        : std::filesystem::absolute(resolved.keyring_path).string();
  return resolved;
}

void ServerProcess::Handle(http::Exchange& exchange) {
  const http::Request& request = exchange.request();
  if (admin_->Handle(exchange)) return;
  if (sink_admin_->Handle(exchange)) return;
  // Signed for S3 (or a bucket's virtual host): S3's, even on a path an
  // ingest route also uses ("payments" is both a route and a bucket).
  if (s3_->Claims(request)) {
    s3_->Handle(exchange);
    return;
  }
  if (gateway_->Handle(exchange)) return;
  if (SqsService::Accepts(request)) {
    sqs_->Handle(exchange);
    return;
  }
  // Signed for another AWS service, or naming another JSON protocol's
  // target: nobody here serves it.
  const std::string* authorization = request.FindHeader("authorization");
  if (request.FindHeader("x-amz-target") != nullptr ||
      (authorization != nullptr && authorization->find("/aws4_request") != std::string::npos)) {
    exchange.Respond(
        http::JsonErrorResponse(404, fmt::format("no route for {} {}", request.method, request.path)));
    return;
  }
  // Everything else is S3's: unsigned clients (curl, presigned-style
  // tools) address buckets and keys by path.
  s3_->Handle(exchange);
}

// Decided on a request's head: S3 uploads stream to the sink; everything
// else (SQS, ingest routes, admin) is small and buffered.
bool ServerProcess::StreamsBody(const http::Request& head) const {
  if (!s3::S3Service::StreamsBody(head)) return false;
  if (s3_->Claims(head)) return true;
  if (gateway_->Routes(head.path)) return false;
  if (head.path.rfind("/_sluice/", 0) == 0 || head.path.rfind("/health", 0) == 0) return false;
  return !SqsService::Accepts(head);
}

void ServerProcess::OnProvisioned(Status status) {
  if (!status.ok()) {
    std::fprintf(stderr, "sluice: %s\n", status.message().c_str());
    BeginShutdown(1);
    return;
  }
  sink_->Start([this](Status started) { OnSinkStarted(std::move(started)); });
}

void ServerProcess::OnSinkStarted(Status status) {
  if (shutting_down_) return;
  if (!status.ok()) {
    std::fprintf(stderr, "sluice: sink: %s\n", status.message().c_str());
    BeginShutdown(1);
    return;
  }
  s3_->Start([this](Status started) { OnS3Started(std::move(started)); });
}

void ServerProcess::OnS3Started(Status status) {
  if (shutting_down_) return;
  if (!status.ok()) {
    std::fprintf(stderr, "sluice: s3: %s\n", status.message().c_str());
    BeginShutdown(1);
    return;
  }
  http::ServerOptions options;
  options.host = config_.listen_host;
  options.port = config_.listen_port;
  options.max_connections = config_.max_connections;
  options.max_header_bytes = config_.max_header_bytes;
  options.max_body_bytes = config_.max_body_bytes;
  options.header_timeout_ms = config_.header_timeout_ms;
  options.body_timeout_ms = config_.body_timeout_ms;
  options.idle_timeout_ms = config_.idle_timeout_ms;
  options.stream_body = [this](const http::Request& head) { return StreamsBody(head); };
  http_ = std::make_unique<http::Server>(&loop_, options, [this](http::Exchange& exchange) { Handle(exchange); });
  Status listening = http_->Listen();
  if (!listening.ok()) {
    // http::Server's bind errors already name the address; others do not.
    const std::string& why = listening.message();
    if (why.rfind("cannot listen on ", 0) == 0) {
      std::fprintf(stderr, "sluice: %s\n", why.c_str());
    } else {
      std::fprintf(stderr, "sluice: cannot listen on %s:%d: %s\n", config_.listen_host.c_str(),
                   config_.listen_port, why.c_str());
    }
    http_.reset();
    BeginShutdown(1);
    return;
  }
  std::string host = config_.listen_host.find(':') != std::string::npos ? "[" + config_.listen_host + "]"
                                                                          : config_.listen_host;
  std::printf("sluice %s listening on http://%s:%d (data dir %s)\n", SLUICE_VERSION, host.c_str(), http_->port(),
              config_.data_dir.c_str());
  std::fflush(stdout);
  maintenance_->Start();
  gateway_->Start();
  for (auto& worker : workers_) {
    if (worker->config().enabled) worker->Start();
  }
}

std::string ServerProcess::NotReadyReason() const {
  if (storage_->failed()) return "storage failed: restart sluice after fixing the cause (see its log)";
  if (shutting_down_) return "shutting down";
  if (!sink_->healthy()) return "sink failed: restart sluice after fixing the cause (see its log)";
  for (const auto& worker : workers_) {
    if (!worker->config().enabled) continue;
    if (!worker->running()) return "worker " + worker->config().name + " is not running";
    std::string receive_error = worker->status().receive_error;
    if (!receive_error.empty()) return "worker " + worker->config().name + ": " + receive_error;
  }
  return "";
}

void ServerProcess::BeginShutdown(int exit_code) {
  if (shutting_down_) return;
  shutting_down_ = true;
  exit_code_ = exit_code;
  spdlog::info("shutting down: draining requests");
  // Workers' parked receives must complete, not park again, when woken.
  worker_queues_->BeginShutdown();
  sqs_->BeginShutdown();
  maintenance_->Stop();
  // The sink and the storage stop only after the HTTP drain and every
  // worker's last step: both may still be writing through them.
  stops_pending_ = 1 + workers_.size();
  for (auto& worker : workers_) worker->Stop([this] { AfterHttpAndWorkers(); });
  if (http_) {
    http_->Shutdown([this] { AfterHttpAndWorkers(); });
  } else {
    AfterHttpAndWorkers();
  }
}

void ServerProcess::AfterHttpAndWorkers() {
  if (--stops_pending_ > 0) return;
  gateway_->Shutdown();
  sink_->Shutdown([this] {
    // Finalize the engine's statements on the thread that owns the connection.
    storage_->Submit([this](sqlite3*) { engine_->Reset(); return Status::Ok(); }, [](Status) {});
    storage_->Shutdown([this] {
      long_polls_->Close();
      uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
    });
  });
}

void ServerProcess::OnSignal(uv_signal_t* signal, int signum) {
  static_cast<ServerProcess*>(signal->data)->BeginShutdown(0);
}

int ServerProcess::Run() {
  Result<storage::DataDirLock> lock = storage::DataDirLock::Acquire(config_.data_dir);
  if (!lock.ok()) {
    std::fprintf(stderr, "sluice: %s\n", lock.status().message().c_str());
    return 1;
  }
  uv_loop_init(&loop_);
  storage::StorageOptions storage_options;
  storage_options.database_path = config_.data_dir + "/sluice.db";
  storage_options.durability = config_.durability;
  Result<std::unique_ptr<storage::StorageThread>> storage = storage::StorageThread::Open(&loop_, storage_options);
  if (!storage.ok()) {
    std::fprintf(stderr, "sluice: %s\n", storage.status().message().c_str());
    uv_loop_close(&loop_);
    return 1;
  }
  storage_ = std::move(storage.value());

  queue::EngineOptions engine_options;
  engine_options.region = config_.region;
  engine_options.account_id = config_.account_id;
  engine_options.fifo_quotas = config_.fifo_quotas;
  engine_ = std::make_unique<queue::EngineHost>(clock_, engine_options);
  gateway::GatewayOptions gateway_options;
  gateway_options.sweep_interval_ms = static_cast<int64_t>(config_.dedup_sweep_interval_ms);
  Result<std::unique_ptr<gateway::Gateway>> gateway = gateway::Gateway::Create(
      &loop_, config_.routes, *storage_, *engine_, clock_, gateway_options,
      [this](const std::string& queue) { sqs_->WakeQueue(queue, 1); });
  if (!gateway.ok()) {
    std::fprintf(stderr, "sluice: config %s: %s\n", config_.source.c_str(), gateway.status().message().c_str());
    storage_->Shutdown([] {});
    uv_run(&loop_, UV_RUN_DEFAULT);
    storage_.reset();
    uv_loop_close(&loop_);
    return 2;
  }
  gateway_ = std::move(gateway.value());
  Result<std::unique_ptr<sink::Sink>> sink = sink::Sink::Open(&loop_, *storage_, ResolveSinkConfig(), clock_);
  if (!sink.ok()) {
    std::fprintf(stderr, "sluice: sink: %s\n", sink.status().message().c_str());
    gateway_->Shutdown();
    storage_->Shutdown([] {});
    uv_run(&loop_, UV_RUN_DEFAULT);
    gateway_.reset();
    storage_.reset();
    uv_loop_close(&loop_);
    return 1;
  }
  sink_ = std::move(sink.value());
  sink_admin_ = std::make_unique<SinkAdmin>(*sink_);
  s3::ServiceOptions s3_options;
  s3_options.region = config_.region;
  s3_ = std::make_unique<s3::S3Service>(*sink_, clock_, s3_options);

  long_polls_ = std::make_unique<LongPollRegistry>(&loop_, clock_);
  std::string default_host = fmt::format("{}:{}", config_.listen_host, config_.listen_port);
  sqs_ = std::make_unique<SqsService>(*storage_, *engine_, *long_polls_, clock_, config_.account_id, default_host);
  AdminService::Probes probes;
  probes.not_ready_reason = [this] { return NotReadyReason(); };
  probes.parked_receives = [this] { return long_polls_->parked_count(); };
  probes.workers = [this] {
    std::vector<workers::WorkerStatus> statuses;
    for (const auto& worker : workers_) statuses.push_back(worker->status());
    return statuses;
  };
  admin_ = std::make_unique<AdminService>(*storage_, *engine_, config_.data_dir, std::move(probes));
  worker_queues_ = std::make_unique<EngineQueueSource>(
      *storage_, *engine_, *long_polls_, clock_, [this](const std::string& queue) { sqs_->WakeQueue(queue, 1); });
  worker_sink_ = std::make_unique<SinkObjectWriter>(*sink_);
  for (const workers::WorkerConfig& worker : config_.workers) {
    workers_.push_back(std::make_unique<workers::Worker>(&loop_, worker, *worker_queues_, *worker_sink_, clock_));
  }
  maintenance_ = std::make_unique<Maintenance>(
      &loop_, *storage_, *engine_, clock_, config_.retention_sweep_interval_ms, config_.move_task_tick_ms,
      [this](const std::string& queue) { sqs_->WakeQueue(queue, 16); });

  uv_signal_init(&loop_, &sigint_);
  uv_signal_init(&loop_, &sigterm_);
  sigint_.data = sigterm_.data = this;
  uv_signal_start(&sigint_, &ServerProcess::OnSignal, SIGINT);
  uv_signal_start(&sigterm_, &ServerProcess::OnSignal, SIGTERM);

  storage_->Submit([this](sqlite3* db) { return Provision(db); },
                   [this](Status status) { OnProvisioned(std::move(status)); });

  uv_run(&loop_, UV_RUN_DEFAULT);
  http_.reset();
  workers_.clear();
  maintenance_.reset();
  gateway_.reset();
  sink_admin_.reset();
  s3_.reset();
  sink_.reset();
  storage_.reset();
  int closed = uv_loop_close(&loop_);
  if (closed != 0) spdlog::warn("event loop closed with handles still open ({})", uv_strerror(closed));
  spdlog::info("stopped");
  return exit_code_;
}

}  // namespace

// Process-wide tuning, before any thread or SQLite connection exists.
static void TuneProcess() {
  // SQLite's memory statistics take a global mutex on every allocation;
  // nothing reads them.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  // Requests allocate and free many small objects; keep glibc from trimming
  // and re-growing the heap top (sysmalloc/malloc_trim showed in profiles).
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_TOP_PAD, 16 * 1024 * 1024);
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
}

// Each connection is a descriptor: a soft RLIMIT_NOFILE of 1024 (the usual
// shell default) would silently cap max_connections, with new connections
// left unaccepted in the backlog. Raise the soft limit toward the hard one,
// as Redis does, and say so when max_connections still cannot be reached.
static void RaiseOpenFilesLimit(size_t max_connections) {
  constexpr rlim_t kReserved = 64;  // listener, SQLite files, loop internals, logs
  const rlim_t wanted = static_cast<rlim_t>(max_connections) + kReserved;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted) return;
  rlimit raised = limit;
  raised.rlim_cur = (limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= wanted) ? wanted : limit.rlim_max;
  if (raised.rlim_cur > limit.rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  if (limit.rlim_cur < wanted) {
    spdlog::warn("open files limit is {}: at most about {} connections (http.max_connections is {})",
                 static_cast<unsigned long long>(limit.rlim_cur),
                 static_cast<unsigned long long>(limit.rlim_cur > kReserved ? limit.rlim_cur - kReserved : 0),
                 max_connections);
  }
}

int RunServe(const ServeOptions& options) {
  std::signal(SIGPIPE, SIG_IGN);
  TuneProcess();
  Result<Config> config = LoadConfig(options.config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "sluice: %s\n", config.status().message().c_str());
    return 2;
  }
  if (options.listen) {
    Status parsed = ParseListenAddress(*options.listen, &config->listen_host, &config->listen_port);
    if (!parsed.ok()) {
      std::fprintf(stderr, "sluice: --listen: %s\n", parsed.message().c_str());
      return 2;
    }
  }
  if (options.data_dir) config->data_dir = *options.data_dir;

  auto logger = spdlog::stderr_color_mt("sluice");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config->log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);

  RaiseOpenFilesLimit(config->max_connections);
  ServerProcess process(std::move(config.value()));
  return process.Run();
}

}  // namespace sluice::server
