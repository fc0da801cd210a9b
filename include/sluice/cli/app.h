// The `sluice` command line. One process runs one command:
//
//   sluice serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR]
//   sluice version | health
//   sluice queues | queue create|delete|purge|attrs NAME
//   sluice send NAME BODY | receive NAME
//   sluice dlq list | peek NAME | redrive NAME
//   sluice sink ls [BUCKET[/PREFIX]] | cat BUCKET/KEY | verify [BUCKET]
//   sluice keys [ls] | keys rotate | keys rewrap | keys retire VERSION
//   sluice dedup get|forget ROUTE EVENT_ID
//   sluice workers
//
// Admin commands talk to a running server over HTTP (--endpoint, or the
// SLUICE_ENDPOINT environment variable, default http://127.0.0.1:4566) and
// never open the database. They print aligned tables, or JSON with --json.
//
// Exit codes: 0 ok; 1 the server answered with an error (its type and
// message go to stderr: "error: QueueDoesNotExist: ..."); 2 usage error;
// 3 the server could not be reached; 4 stored data is damaged (`sink cat` of
// an object that fails its integrity check, `sink verify` that finds any).
// `serve` returns RunServe's code.
//
// Threads: call RunCli from the main thread (serve makes it the loop thread).
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>

#include "sluice/cli/endpoint.h"
#include "sluice/cli/http_client.h"
#include "sluice/server/serve.h"

namespace sluice::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitServerError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;
inline constexpr int kExitDamaged = 4;

// Everything a command touches outside itself, so tests can run the whole
// command line in memory.
struct Environment {
  std::ostream* out = nullptr;  // required
  std::ostream* err = nullptr;  // required
  // Opens the transport the admin commands use; the binary plugs in HttpClient.
  std::function<std::unique_ptr<Transport>(const Endpoint&)> connect;
  // Runs `sluice serve`; the binary plugs in sluice::server::RunServe.
  std::function<int(const server::ServeOptions&)> serve;
  // How often `dlq redrive` asks for the move task's progress.
  std::chrono::milliseconds move_poll_interval{200};
  // Progress lines on a terminal are rewritten in place ('\r').
  bool err_is_terminal = false;
};

// Parses argv and runs the chosen command; returns the process exit code.
int RunCli(int argc, const char* const* argv, const Environment& env);

}  // namespace sluice::cli
