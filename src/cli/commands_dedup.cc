// sluice dedup get|forget ROUTE EVENT_ID.
//
// An ingest route remembers the event ids it has accepted, so that a retried
// webhook is not queued twice. `get` shows what a key was accepted as;
// `forget` lets the same event id in again (to replay an event on purpose).

#include "cli/commands.h"
#include "cli/json_output.h"
#include "sluice/cli/table.h"

namespace sluice::cli {
namespace {

// The server answers 404 both for a key it does not hold (or no longer:
// records expire) and for an unknown route; its sentence, kept in
// parentheses, tells the two apart.
Status NoRecord(const Status& status, const DedupArgs& args) {
  if (status.code() != Code::kResourceNotFound) return status;
  std::string message = "no dedup record for " + args.event_id + " on route " + args.route;
  if (!status.message().empty()) message += " (" + status.message() + ")";
  return Status(Code::kResourceNotFound, std::move(message));
}

Status RunGet(CommandContext& context, const DedupArgs& args) {
  Result<DedupRecord> record = context.admin.GetDedupRecord(args.route, args.event_id);
  if (!record.ok()) return NoRecord(record.status(), args);
  if (context.json) {
    JsonOutput json;
    json.Embed(record->raw_json);
    json.PrintTo(context.out);
    return Status::Ok();
  }
  Table table({{"ROUTE"}, {"KEY"}, {"QUEUE"}, {"MESSAGE ID"}, {"CREATED"}, {"EXPIRES"}});
  table.AddRow({OrDash(record->route), OrDash(record->key), OrDash(record->queue),
                OrDash(record->message_id), OrDash(record->created), OrDash(record->expires)});
  context.out << table.Render();
  return Status::Ok();
}

Status RunForget(CommandContext& context, const DedupArgs& args) {
  Status status = context.admin.ForgetDedupRecord(args.route, args.event_id);
  if (!status.ok()) return NoRecord(status, args);
  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartObject();
    w.Key("route");
    w.String(args.route);
    w.Key("key");
    w.String(args.event_id);
    w.Key("forgotten");
    w.Bool(true);
    w.EndObject();
    json.PrintTo(context.out);
  } else {
    context.out << "forgot " << args.event_id << " on route " << args.route << "\n";
  }
  return Status::Ok();
}

}  // namespace

void AddDedupCommands(CLI::App& app, CommandArgs& args, Selection& selection) {
  CLI::App* dedup = app.add_subcommand("dedup", "Inspect or forget an ingest route's dedup records");
  dedup->require_subcommand(1);
  DedupArgs& d = args.dedup;

  CLI::App* get = AddAdminCommand(*dedup, "get", "Show the record of an event id: its queue and message",
                                  args, selection, [&d](CommandContext& c) { return RunGet(c, d); });
  get->add_option("ROUTE", d.route, "The route's name in the configuration")->required();
  get->add_option("EVENT_ID", d.event_id, "The event id (dedup key)")->required();

  CLI::App* forget = AddAdminCommand(*dedup, "forget", "Forget an event id, so the route accepts it again",
                                     args, selection, [&d](CommandContext& c) { return RunForget(c, d); });
  forget->add_option("ROUTE", d.route, "The route's name in the configuration")->required();
  forget->add_option("EVENT_ID", d.event_id, "The event id (dedup key)")->required();
}

}  // namespace sluice::cli
