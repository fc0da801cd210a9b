// sluice dlq list | peek NAME | redrive NAME.
//
// A DLQ is any queue some other queue's RedrivePolicy points to. Redrive is
// SQS's own message move task: the server moves the messages; we start the
// task and watch it until it ends.

#include <set>
#include <thread>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "sluice/cli/table.h"

namespace sluice::cli {
namespace {

Status RunList(CommandContext& context) {
  Result<std::vector<QueueSummary>> queues = LoadQueueSummaries(context.sqs);
  if (!queues.ok()) return queues.status();
  std::set<std::string> dlq_names;
  for (const QueueSummary& queue : *queues) {
    if (!queue.dlq.empty()) dlq_names.insert(queue.dlq);
  }

  struct Row {
    const QueueSummary* queue;
    std::vector<std::string> sources;
  };
  std::vector<Row> rows;
  for (const QueueSummary& queue : *queues) {
    if (dlq_names.count(queue.name) == 0) continue;
    Result<std::vector<std::string>> urls = context.sqs.ListDeadLetterSourceQueues(queue.url);
    if (!urls.ok()) {
      if (urls.status().code() == Code::kQueueDoesNotExist) continue;  // deleted meanwhile
      return urls.status();
    }
    Row row{&queue, {}};
    for (const std::string& url : *urls) row.sources.push_back(QueueNameFromUrl(url));
    std::sort(row.sources.begin(), row.sources.end());
    rows.push_back(std::move(row));
  }

  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartArray();
    for (const Row& row : rows) {
      w.StartObject();
      w.Key("name");
      w.String(row.queue->name);
      w.Key("url");
      w.String(row.queue->url);
      w.Key("depth");
      w.Int64(row.queue->visible + row.queue->in_flight + row.queue->delayed);
      w.Key("visible");
      w.Int64(row.queue->visible);
      w.Key("in_flight");
      w.Int64(row.queue->in_flight);
      w.Key("delayed");
      w.Int64(row.queue->delayed);
      w.Key("sources");
      w.StartArray();
      for (const std::string& source : row.sources) w.String(source);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    json.PrintTo(context.out);
    return Status::Ok();
  }
  if (rows.empty()) {
    context.err << "(no dead-letter queues)\n";
    return Status::Ok();
  }
  Table table({{"NAME"}, {"DEPTH", Align::kRight}, {"SOURCES"}});
  for (const Row& row : rows) {
    std::string sources;
    for (const std::string& source : row.sources) sources += (sources.empty() ? "" : ", ") + source;
    int64_t depth = row.queue->visible + row.queue->in_flight + row.queue->delayed;
    table.AddRow({row.queue->name, std::to_string(depth), sources.empty() ? "-" : sources});
  }
  context.out << table.Render();
  return Status::Ok();
}

Status RunPeek(CommandContext& context, const DlqArgs& args) {
  Result<std::vector<Message>> messages = context.sqs.PeekMessages(args.name, args.max_messages);
  if (!messages.ok()) return messages.status();
  if (context.json) {
    JsonOutput json;
    json.writer().StartArray();
    for (const Message& message : *messages) json.Embed(message.raw_json);
    json.writer().EndArray();
    json.PrintTo(context.out);
    return Status::Ok();
  }
  if (messages->empty()) {
    context.err << "(no messages)\n";
    return Status::Ok();
  }
  Table table({{"ID"}, {"RECEIVES", Align::kRight}, {"SENT"}, {"SOURCE"}, {"BODY"}});
  for (const Message& message : *messages) {
    table.AddRow({message.message_id, std::to_string(message.receive_count),
                  FormatTimestamp(message.sent_timestamp),
                  message.dead_letter_source_queue.empty() ? "-" : message.dead_letter_source_queue,
                  message.body});
  }
  context.out << table.Render();
  return Status::Ok();
}

Result<std::string> QueueArn(SqsClient& sqs, const std::string& name) {
  Result<std::string> url = sqs.GetQueueUrl(name);
  if (!url.ok()) return url.status();
  Result<AttributeMap> attributes = sqs.GetQueueAttributes(*url, {"QueueArn"});
  if (!attributes.ok()) return attributes.status();
  auto it = attributes->find("QueueArn");
  if (it == attributes->end() || it->second.empty()) {
    return Status(Code::kInternal, "the server reported no QueueArn for " + name);
  }
  return it->second;
}

bool IsFinal(const std::string& status) {
  return status == "COMPLETED" || status == "CANCELLED" || status == "FAILED";
}

// Our task among the DLQ's recent ones: by handle while the server still
// shows it (only RUNNING tasks carry one), else the newest, which is ours
// since a DLQ has at most one active task.
const MoveTask* FindTask(const std::vector<MoveTask>& tasks, const std::string& handle) {
  for (const MoveTask& task : tasks) {
    if (!handle.empty() && task.task_handle == handle) return &task;
  }
  return tasks.empty() ? nullptr : &tasks.front();
}

Status RunRedrive(CommandContext& context, const DlqArgs& args) {
  Result<std::string> source_arn = QueueArn(context.sqs, args.name);
  if (!source_arn.ok()) return source_arn.status();
  std::string destination_arn;
  if (args.to) {
    Result<std::string> arn = QueueArn(context.sqs, *args.to);
    if (!arn.ok()) return arn.status();
    destination_arn = *arn;
  }
  Result<std::string> handle =
      context.sqs.StartMessageMoveTask(*source_arn, destination_arn, args.rate);
  if (!handle.ok()) return handle.status();

  // No deadline: a rate-limited redrive of a deep DLQ may take as long as it
  // takes; the server decides when the task ends, and Ctrl-C stops watching.
  MoveTask task;
  std::string shown;
  for (;;) {
    Result<std::vector<MoveTask>> tasks = context.sqs.ListMessageMoveTasks(*source_arn, 10);
    if (!tasks.ok()) return tasks.status();
    const MoveTask* found = FindTask(*tasks, *handle);
    if (found == nullptr) {
      return Status(Code::kInternal, "the server lists no move task for " + args.name);
    }
    task = *found;
    std::string progress =
        "moved " + std::to_string(task.moved) + "/" + std::to_string(task.to_move);
    if (progress != shown) {
      if (context.env.err_is_terminal) {
        context.err << "\r" << progress << "\x1b[K" << std::flush;  // rewrite the line in place
      } else {
        context.err << progress << "\n";
      }
      shown = progress;
    }
    if (IsFinal(task.status)) break;
    std::this_thread::sleep_for(context.env.move_poll_interval);
  }
  if (context.env.err_is_terminal && !shown.empty()) context.err << "\n";

  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartObject();
    w.Key("task_handle");
    w.String(*handle);
    w.Key("status");
    w.String(task.status);
    w.Key("source");
    w.String(args.name);
    w.Key("destination");
    if (args.to) {
      w.String(*args.to);
    } else {
      w.Null();  // each message back to the queue it came from
    }
    w.Key("moved");
    w.Int64(task.moved);
    w.Key("to_move");
    w.Int64(task.to_move);
    if (!task.failure_reason.empty()) {
      w.Key("failure_reason");
      w.String(task.failure_reason);
    }
    w.EndObject();
    json.PrintTo(context.out);
  } else if (task.status == "COMPLETED") {
    context.out << "moved " << task.moved << " message" << (task.moved == 1 ? "" : "s") << " from "
                << args.name << (args.to ? " to " + *args.to : " back to their source queues")
                << "\n";
  } else if (task.status == "CANCELLED") {
    context.out << "cancelled after moving " << task.moved << " of " << task.to_move
                << " messages from " << args.name << "\n";
  }
  if (task.status == "FAILED") {
    return Status(Code::kInternal,
                  "redrive of " + args.name + " failed: " +
                      (task.failure_reason.empty() ? "no reason given" : task.failure_reason));
  }
  return Status::Ok();
}

}  // namespace

void AddDlqCommands(CLI::App& app, CommandArgs& args, Selection& selection) {
  CLI::App* dlq = app.add_subcommand("dlq", "Inspect and redrive dead-letter queues");
  dlq->require_subcommand(1);
  DlqArgs& d = args.dlq;

  AddAdminCommand(*dlq, "list", "List dead-letter queues: depth and source queues", args,
                  selection, RunList);

  CLI::App* peek = AddAdminCommand(*dlq, "peek", "Show messages of a queue without receiving them",
                                   args, selection,
                                   [&d](CommandContext& c) { return RunPeek(c, d); });
  peek->add_option("NAME", d.name, "Queue name")->required();
  peek->add_option("-n,--max", d.max_messages, "How many messages at most")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();

  CLI::App* redrive = AddAdminCommand(
      *dlq, "redrive", "Move a DLQ's messages back to their source queue (or --to a queue)", args,
      selection, [&d](CommandContext& c) { return RunRedrive(c, d); });
  redrive->add_option("NAME", d.name, "The dead-letter queue")->required();
  redrive->add_option("--to", d.to, "Destination queue (default: each message's source queue)");
  redrive->add_option("--rate", d.rate, "Messages per second at most")->check(CLI::Range(1, 500));
}

}  // namespace sluice::cli
