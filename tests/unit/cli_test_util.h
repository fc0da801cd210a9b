// Shared by the CLI tests: run the whole command line in memory, and a fake
// admin API that answers scripted responses by "METHOD target".
#pragma once

#include <cstdlib>
#include <deque>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sluice/cli/app.h"

namespace sluice::cli::test_util {

struct Outcome {
  int exit_code;
  std::string out;
  std::string err;
};

// Lets RunCli own a transport while the test keeps the fake.
class Forward final : public Transport {
 public:
  explicit Forward(Transport* target) : target_(target) {}
  Result<HttpResponse> RoundTrip(const HttpRequest& request) override { return target_->RoundTrip(request); }

 private:
  Transport* target_;
};

// Runs `sluice args...` in `env`, whose out and err this fills in.
inline Outcome RunSluice(std::vector<std::string> args, Environment env) {
  args.insert(args.begin(), "sluice");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out, err;
  env.out = &out;
  env.err = &err;
  int code = RunCli(static_cast<int>(argv.size()), argv.data(), env);
  return {code, out.str(), err.str()};
}

// Runs `sluice args...` against `transport`.
inline Outcome RunSluice(std::vector<std::string> args, Transport* transport) {
  Environment env;
  env.connect = [transport](const Endpoint&) { return std::make_unique<Forward>(transport); };
  return RunSluice(std::move(args), std::move(env));
}

// Answers each "METHOD target" with scripted responses, in order; the last
// one repeats. Anything unscripted gets a 501 that no command mistakes for
// an admin API answer. Records every request, up to kMaxRequests.
class FakeAdminApi final : public Transport {
 public:
  void On(const std::string& method_and_target, std::string body, int status = 200,
          std::vector<HttpHeader> headers = {}) {
    script_[method_and_target].push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  void Unreachable() { unreachable_ = true; }

  Result<HttpResponse> RoundTrip(const HttpRequest& request) override {
    if (unreachable_) {
      return Status(Code::kUnavailable, "cannot reach sluice at http://127.0.0.1:4566: connection refused");
    }
    // A client that loops (on a repeated page token, say) fails instead of hanging the test.
    if (requests.size() >= kMaxRequests) return Status(Code::kInternal, "the fake saw too many requests");
    requests.push_back(request);
    auto it = script_.find(request.method + " " + request.target);
    if (it == script_.end()) return HttpResponse{501, {}, "unscripted " + request.method + " " + request.target};
    HttpResponse response = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return response;
  }

  // "GET /_sluice/v1/keys", ... in the order they were made.
  std::vector<std::string> calls() const {
    std::vector<std::string> names;
    for (const HttpRequest& request : requests) names.push_back(request.method + " " + request.target);
    return names;
  }

  std::vector<HttpRequest> requests;

 private:
  static constexpr size_t kMaxRequests = 100;

  std::map<std::string, std::deque<HttpResponse>> script_;
  bool unreachable_ = false;
};

}  // namespace sluice::cli::test_util
