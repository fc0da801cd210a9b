// sluice_startup_probe: how long a server takes from exec to its first
// "200" on a GET, and how much memory it holds then and once idle.
//
//   sluice_startup_probe [--runs 5] [--path /health] [--poll-us 50]
//                        [--idle-ms 1000] [--timeout-ms 30000] -- COMMAND ARGS...
//
// Each run picks a free loopback port and a fresh temporary directory, and
// substitutes them for "{port}" and "{dir}" in the arguments ({dir} is an
// empty directory meant as a data dir; the server's output goes to a log
// file beside it). The clock starts just before fork(); the probe then
// connects and sends "GET <path>" in a loop (sleeping --poll-us between
// refused attempts, so as not to take a core from the starting server on a
// small machine) until an answer's status line says 200. After that it reads
// VmRSS from /proc/PID/status, waits --idle-ms, reads it again, stops the
// server with SIGTERM (SIGKILL after 5 s) and deletes the directory.
//
// Prints one line per run on stderr and a summary line on stdout:
//   RESULT runs=5 median_ms=... min_ms=... max_ms=... rss_ready_kb=... rss_idle_kb=... failures=0
// (medians over the successful runs). Exits 1 if any run failed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Options {
  int runs = 5;
  std::string path = "/health";
  long poll_us = 50;
  long idle_ms = 1000;
  long timeout_ms = 30'000;
  std::vector<std::string> command;
};

double NowMs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

void SleepUs(long microseconds) {
  timespec pause{microseconds / 1'000'000, (microseconds % 1'000'000) * 1000};
  nanosleep(&pause, nullptr);
}

// A loopback port nobody listens on right now. The kernel may hand it to
// someone else before the server binds it; the run then fails visibly.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(address.sin_port);
}

// One connect + GET. Returns the status code, 0 when the server is not
// listening yet or closed without answering.
int TryGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  timeval receive_timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof receive_timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int status = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nConnection: close\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char head[64];
      size_t have = 0;
      while (have < 12) {  // "HTTP/1.1 200"
        ssize_t n = recv(fd, head + have, sizeof head - 1 - have, 0);
        if (n <= 0) break;
        have += static_cast<size_t>(n);
      }
      head[have] = '\0';
      if (have >= 12 && std::strncmp(head, "HTTP/1.", 7) == 0) status = std::atoi(head + 9);
    }
  }
  close(fd);
  return status;
}

long ReadRssKb(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/status";
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof line, file) != nullptr) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) {
      kb = std::atol(line + 6);
      break;
    }
  }
  std::fclose(file);
  return kb;
}

std::string Substitute(std::string text, const std::string& key, const std::string& value) {
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

int RemoveEntry(const char* path, const struct stat*, int, FTW*) { return remove(path); }

void StopServer(pid_t pid) {
  kill(pid, SIGTERM);
  for (int i = 0; i < 5000; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    SleepUs(1000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

struct RunResult {
  bool ok = false;
  double ms = 0;
  long rss_ready_kb = -1;
  long rss_idle_kb = -1;
};

RunResult RunOnce(const Options& options, int run) {
  RunResult result;
  const char* tmp = std::getenv("TMPDIR");
  std::string root_pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/sluice-probe.XXXXXX";
  std::vector<char> root(root_pattern.begin(), root_pattern.end());
  root.push_back('\0');
  if (mkdtemp(root.data()) == nullptr) {
    std::fprintf(stderr, "run %d: mkdtemp %s: %s\n", run, root_pattern.c_str(), std::strerror(errno));
    return result;
  }
  std::string data_dir = std::string(root.data()) + "/data";
  std::string log_path = std::string(root.data()) + "/server.log";
  mkdir(data_dir.c_str(), 0700);
  int port = FreePort();

  std::vector<std::string> arguments;
  for (const std::string& argument : options.command) {
    arguments.push_back(Substitute(Substitute(argument, "{port}", std::to_string(port)), "{dir}", data_dir));
  }
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  double start_ms = NowMs();
  pid_t pid = fork();
  if (pid == 0) {
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    execvp(argv[0], argv.data());
    _exit(127);
  }
  if (pid < 0) {
    std::fprintf(stderr, "run %d: fork: %s\n", run, std::strerror(errno));
    return result;
  }

  while (NowMs() - start_ms < static_cast<double>(options.timeout_ms)) {
    if (TryGet(port, options.path) == 200) {
      result.ok = true;
      result.ms = NowMs() - start_ms;
      break;
    }
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      std::fprintf(stderr, "run %d: the server exited before answering 200 (log: %s)\n", run, log_path.c_str());
      return result;  // the directory is kept for the log
    }
    SleepUs(options.poll_us);
  }
  if (result.ok) {
    result.rss_ready_kb = ReadRssKb(pid);
    SleepUs(options.idle_ms * 1000);
    result.rss_idle_kb = ReadRssKb(pid);
    std::fprintf(stderr, "run %d: first 200 after %.2f ms; VmRSS %ld kB then, %ld kB after %ld ms idle\n", run,
                 result.ms, result.rss_ready_kb, result.rss_idle_kb, options.idle_ms);
  } else {
    std::fprintf(stderr, "run %d: no 200 within %ld ms (log: %s)\n", run, options.timeout_ms, log_path.c_str());
  }
  StopServer(pid);
  if (result.ok) nftw(root.data(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
  return result;
}

template <typename T>
T Median(std::vector<T> values) {
  if (values.empty()) return T{};
  std::sort(values.begin(), values.end());
  size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

bool ParseArguments(int argc, char** argv, Options* options) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--") {
      ++i;
      break;
    }
    if (i + 1 >= argc) return false;
    const char* value = argv[++i];
    if (flag == "--runs") {
      options->runs = std::atoi(value);
    } else if (flag == "--path") {
      options->path = value;
    } else if (flag == "--poll-us") {
      options->poll_us = std::atol(value);
    } else if (flag == "--idle-ms") {
      options->idle_ms = std::atol(value);
    } else if (flag == "--timeout-ms") {
      options->timeout_ms = std::atol(value);
    } else {
      return false;
    }
  }
  for (; i < argc; ++i) options->command.emplace_back(argv[i]);
  return !options->command.empty() && options->runs > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseArguments(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: sluice_startup_probe [--runs N] [--path /health] [--poll-us US] [--idle-ms MS]"
                 " [--timeout-ms MS] -- COMMAND ARGS... ({port} and {dir} are substituted)\n");
    return 2;
  }
  std::vector<double> times_ms;
  std::vector<long> rss_ready_kb, rss_idle_kb;
  int failures = 0;
  for (int run = 1; run <= options.runs; ++run) {
    RunResult result = RunOnce(options, run);
    if (!result.ok) {
      ++failures;
      continue;
    }
    times_ms.push_back(result.ms);
    rss_ready_kb.push_back(result.rss_ready_kb);
    rss_idle_kb.push_back(result.rss_idle_kb);
  }
  std::string all;
  for (double ms : times_ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%s%.2f", all.empty() ? "" : ",", ms);
    all += text;
  }
  if (times_ms.empty()) {
    std::printf("RESULT runs=0 failures=%d\n", failures);  // nothing to summarise
    return 1;
  }
  std::printf("RESULT runs=%zu median_ms=%.3f min_ms=%.3f max_ms=%.3f rss_ready_kb=%ld rss_idle_kb=%ld failures=%d "
              "all_ms=%s\n",
              times_ms.size(), Median(times_ms), *std::min_element(times_ms.begin(), times_ms.end()),
              *std::max_element(times_ms.begin(), times_ms.end()), Median(rss_ready_kb), Median(rss_idle_kb),
              failures, all.c_str());
  return failures == 0 ? 0 : 1;
}
