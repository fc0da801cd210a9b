// Wiring between CLI11 and the admin commands (private to src/cli/).
//
// Commands are registered, not dispatched by name: each Add*Commands()
// declares its subcommands and their options, and the callback of the one
// subcommand CLI11 parsed puts its run function into the Selection. RunCli
// (app.cc) then connects to the server and runs it. A run function gets a
// CommandContext, talks to the server only through it, and returns a Status:
// the one place that turns a Status into "error: ..." and an exit code is
// RunCli. A command that finds damaged data says so in the context
// (data_damaged) besides returning its error, and RunCli exits 4 for it.
//
// Ownership: RunCli's frame owns the CommandArgs the options are bound to,
// the Selection and the context; run functions borrow them.
// Threads: the main thread only.
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "sluice/cli/admin_client.h"
#include "sluice/cli/app.h"
#include "sluice/cli/endpoint.h"
#include "sluice/cli/sqs_client.h"
#include "sluice/server/serve.h"
#include "sluice/status.h"

namespace sluice::cli {

// Options every admin command accepts.
struct AdminOptions {
  std::string endpoint = kDefaultEndpoint;
  bool json = false;
};

// Only one command runs per process, so the commands of a group share one
// struct of arguments.
struct QueueArgs {
  std::string name;
  std::vector<std::string> attributes;  // "K=V"
};

struct MessageArgs {
  std::string queue;
  std::string body;
  std::optional<int> delay_seconds;
  std::vector<std::string> attributes;  // "K=V", String message attributes
  std::optional<std::string> group_id;
  std::optional<std::string> deduplication_id;
  int max_messages = 1;
  std::optional<int> wait_seconds;
  std::optional<int> visibility_timeout;
  bool delete_after_receive = false;
};

struct DlqArgs {
  std::string name;
  int max_messages = 10;
  std::optional<std::string> to;
  std::optional<int> rate;
};

struct SinkArgs {
  std::string path;    // ls: BUCKET[/PREFIX]; cat: BUCKET/KEY
  std::string bucket;  // verify: empty for every bucket
};

struct KeysArgs {
  int64_t version = 0;  // retire
};

struct DedupArgs {
  std::string route;
  std::string event_id;
};

struct CommandArgs {
  AdminOptions admin;
  server::ServeOptions serve;
  QueueArgs queue;
  MessageArgs message;
  DlqArgs dlq;
  SinkArgs sink;
  KeysArgs keys;
  DedupArgs dedup;
};

struct CommandContext {
  SqsClient& sqs;
  AdminClient& admin;
  bool json;
  std::ostream& out;
  std::ostream& err;
  const Environment& env;
  // Set by a command whose failure is damaged data (an object that fails its
  // integrity check): RunCli then exits kExitDamaged instead of 1.
  bool data_damaged = false;
};

using AdminCommand = std::function<Status(CommandContext& context)>;

// What parsing chose; set by the chosen subcommand's callback.
struct Selection {
  AdminCommand admin;          // run against the server
  std::function<int()> local;  // serve, version: run as is, returns the exit code
};

// Adds a subcommand that talks to the server: it gets --endpoint (also from
// SLUICE_ENDPOINT) and --json, and selects `run` when parsed.
CLI::App* AddAdminCommand(CLI::App& parent, const std::string& name, const std::string& description,
                          CommandArgs& args, Selection& selection, AdminCommand run);

void AddQueueCommands(CLI::App& app, CommandArgs& args, Selection& selection);
void AddMessageCommands(CLI::App& app, CommandArgs& args, Selection& selection);
void AddDlqCommands(CLI::App& app, CommandArgs& args, Selection& selection);
void AddSinkCommands(CLI::App& app, CommandArgs& args, Selection& selection);
void AddKeysCommands(CLI::App& app, CommandArgs& args, Selection& selection);
void AddDedupCommands(CLI::App& app, CommandArgs& args, Selection& selection);
void AddWorkersCommands(CLI::App& app, CommandArgs& args, Selection& selection);

// ---- Shared by the commands ------------------------------------------------

// "K=V" -> {K, V}, split at the first '=' (values may hold '=', as JSON
// attribute values do). Errors: kInvalidParameterValue if there is no '=' or K
// is empty.
Result<std::pair<std::string, std::string>> ParseKeyValue(std::string_view text);

// A CLI11 check that rejects what ParseKeyValue rejects, as a usage error.
CLI::Validator KeyValueValidator();

// One queue as `sluice queues` and `sluice dlq list` show it.
struct QueueSummary {
  std::string name;
  std::string url;
  int64_t visible = 0;    // ApproximateNumberOfMessages
  int64_t in_flight = 0;  // ApproximateNumberOfMessagesNotVisible
  int64_t delayed = 0;    // ApproximateNumberOfMessagesDelayed
  std::string dlq;        // the RedrivePolicy's target queue name, or empty
};

// Every queue, sorted by name. A queue deleted between the listing and the
// look at its attributes is left out.
Result<std::vector<QueueSummary>> LoadQueueSummaries(SqsClient& sqs);

// The queue name a RedrivePolicy JSON value points to, or empty.
std::string DeadLetterTargetName(std::string_view redrive_policy);

// Epoch milliseconds as "2026-01-01T00:00:00Z"; "-" for 0.
std::string FormatTimestamp(int64_t epoch_millis);

// A table cell for text the server may leave out: "-" when empty.
std::string OrDash(std::string text);

// "1 object", "3 objects".
std::string CountOf(int64_t count, std::string_view noun);

}  // namespace sluice::cli
