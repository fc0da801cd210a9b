// RunCli: builds the command tree, parses, and runs the chosen command. The
// mapping from outcomes to exit codes lives here and only here.

#include "sluice/cli/app.h"

#include <cstdlib>
#include <ostream>

#include "cli/commands.h"
#include "cli/json_output.h"

namespace sluice::cli {
namespace {

int ExitCodeFor(const Status& status, bool data_damaged) {
  if (status.ok()) return kExitOk;
  if (data_damaged) return kExitDamaged;
  return status.code() == Code::kUnavailable ? kExitUnreachable : kExitServerError;
}

constexpr char kExitCodesHelp[] =
    "Exit codes: 0 ok; 1 the server answered with an error; 2 usage error;\n"
    "3 the server could not be reached; 4 stored data is damaged (sink cat, sink verify).";

void AddServeCommand(CLI::App& app, CommandArgs& args, Selection& selection, const Environment& env) {
  CLI::App* serve = app.add_subcommand("serve", "Run the broker in the foreground until SIGINT or SIGTERM");
  serve->add_option("--config", args.serve.config_path, "Configuration file (JSON)")
      ->check(CLI::ExistingFile);
  serve->add_option("--listen", args.serve.listen, "Address to listen on, HOST:PORT");
  serve->add_option("--data-dir", args.serve.data_dir, "Directory of the queue database");
  serve->callback([&args, &selection, &env] {
    selection.local = [&args, &env] {
      if (!env.serve) {
        *env.err << "error: this build of sluice cannot serve\n";
        return kExitServerError;
      }
      return env.serve(args.serve);
    };
  });
}

void AddVersionCommand(CLI::App& app, Selection& selection, const Environment& env) {
  CLI::App* version = app.add_subcommand("version", "Print the version of this sluice binary");
  version->callback([&selection, &env] {
    selection.local = [&env] {
      *env.out << "sluice " SLUICE_VERSION "\n";
      return kExitOk;
    };
  });
}

Status RunHealth(CommandContext& context) {
  Result<Health> health = context.sqs.GetHealth();
  if (!health.ok()) return health.status();
  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartObject();
    w.Key("status");
    w.String(health->status);
    w.Key("version");
    w.String(health->version);
    w.EndObject();
    json.PrintTo(context.out);
  } else {
    context.out << health->status << " (sluice " << health->version << ")\n";
  }
  return Status::Ok();
}

}  // namespace

CLI::App* AddAdminCommand(CLI::App& parent, const std::string& name, const std::string& description,
                          CommandArgs& args, Selection& selection, AdminCommand run) {
  CLI::App* command = parent.add_subcommand(name, description);
  // Not CLI11's envname(): it would also fill the option of every subcommand
  // that was not chosen, and all of them share args.admin. RunCli applies
  // SLUICE_ENDPOINT to the default instead.
  command->add_option("--endpoint", args.admin.endpoint,
                      "URL of the running sluice server (or env SLUICE_ENDPOINT)")
      ->capture_default_str();
  command->add_flag("--json", args.admin.json, "Print JSON instead of a table");
  command->callback([&selection, run = std::move(run)] { selection.admin = run; });
  return command;
}

int RunCli(int argc, const char* const* argv, const Environment& env) {
  CLI::App app("sluice: a local event broker that speaks Amazon SQS", "sluice");
  app.require_subcommand(1);
  app.set_version_flag("--version", "sluice " SLUICE_VERSION);
  app.footer(kExitCodesHelp);
  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    return "error: " + std::string(e.what()) + "\nRun with --help for more information.\n";
  });

  CommandArgs args;
  Selection selection;
  // Precedence: --endpoint, then SLUICE_ENDPOINT, then the default.
  if (const char* from_env = std::getenv("SLUICE_ENDPOINT"); from_env != nullptr && *from_env != '\0') {
    args.admin.endpoint = from_env;
  }
  AddServeCommand(app, args, selection, env);
  AddVersionCommand(app, selection, env);
  AddAdminCommand(app, "health", "Check that the server is up", args, selection, RunHealth);
  AddQueueCommands(app, args, selection);
  AddMessageCommands(app, args, selection);
  AddDlqCommands(app, args, selection);
  AddSinkCommands(app, args, selection);
  AddKeysCommands(app, args, selection);
  AddDedupCommands(app, args, selection);
  AddWorkersCommands(app, args, selection);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0.
    return app.exit(e, *env.out, *env.err) == 0 ? kExitOk : kExitUsage;
  }
  if (selection.local) return selection.local();
  if (!selection.admin) return kExitUsage;  // unreachable: a subcommand is required

  Result<Endpoint> endpoint = ParseEndpoint(args.admin.endpoint);
  if (!endpoint.ok()) {
    *env.err << "error: " << endpoint.status().message() << "\n";
    return kExitUsage;
  }
  std::unique_ptr<Transport> transport =
      env.connect ? env.connect(*endpoint) : std::make_unique<HttpClient>(*endpoint);
  SqsClient sqs(transport.get());
  AdminClient admin(transport.get());
  CommandContext context{sqs, admin, args.admin.json, *env.out, *env.err, env};
  Status status = selection.admin(context);
  if (!status.ok()) *env.err << "error: " << status.message() << "\n";
  env.out->flush();
  return ExitCodeFor(status, context.data_damaged);
}

}  // namespace sluice::cli
