// sluice workers: the built-in consumers (queue -> sink) and how they fare.

#include "cli/commands.h"
#include "cli/json_output.h"
#include "sluice/cli/table.h"

namespace sluice::cli {
namespace {

Status RunWorkers(CommandContext& context) {
  Result<std::vector<WorkerInfo>> workers = context.admin.ListWorkers();
  if (!workers.ok()) return workers.status();
  if (context.json) {
    JsonOutput json;
    json.writer().StartArray();
    for (const WorkerInfo& worker : *workers) json.Embed(worker.raw_json);
    json.writer().EndArray();
    json.PrintTo(context.out);
    return Status::Ok();
  }
  if (workers->empty()) {
    context.err << "(no workers)\n";
    return Status::Ok();
  }
  Table table({{"NAME"},
               {"QUEUE"},
               {"BUCKET"},
               {"STATE"},
               {"PROCESSED", Align::kRight},
               {"FAILED", Align::kRight},
               {"LAST ERROR"}});
  for (const WorkerInfo& worker : *workers) {
    table.AddRow({worker.name, OrDash(worker.queue), OrDash(worker.bucket), OrDash(worker.state),
                  std::to_string(worker.processed), std::to_string(worker.failed),
                  OrDash(worker.last_error)});
  }
  context.out << table.Render();
  return Status::Ok();
}

}  // namespace

void AddWorkersCommands(CLI::App& app, CommandArgs& args, Selection& selection) {
  AddAdminCommand(app, "workers", "List the built-in workers: state, counts and last error", args,
                  selection, RunWorkers);
}

}  // namespace sluice::cli
