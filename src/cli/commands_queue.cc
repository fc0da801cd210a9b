// sluice queues; sluice queue create|delete|purge|attrs NAME.

#include <algorithm>
#include <charconv>

#include <rapidjson/document.h>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "sluice/cli/table.h"

namespace sluice::cli {
namespace {

int64_t Count(const AttributeMap& attributes, const char* name) {
  auto it = attributes.find(name);
  if (it == attributes.end()) return 0;
  int64_t number = 0;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), number);
  return number;  // 0 if the server sent no number
}

Status RunQueues(CommandContext& context) {
  Result<std::vector<QueueSummary>> queues = LoadQueueSummaries(context.sqs);
  if (!queues.ok()) return queues.status();
  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartArray();
    for (const QueueSummary& queue : *queues) {
      w.StartObject();
      w.Key("name");
      w.String(queue.name);
      w.Key("url");
      w.String(queue.url);
      w.Key("visible");
      w.Int64(queue.visible);
      w.Key("in_flight");
      w.Int64(queue.in_flight);
      w.Key("delayed");
      w.Int64(queue.delayed);
      w.Key("dlq");
      if (queue.dlq.empty()) {
        w.Null();
      } else {
        w.String(queue.dlq);
      }
      w.EndObject();
    }
    w.EndArray();
    json.PrintTo(context.out);
    return Status::Ok();
  }
  if (queues->empty()) {
    context.err << "(no queues)\n";
    return Status::Ok();
  }
  Table table({{"NAME"},
               {"VISIBLE", Align::kRight},
               {"IN FLIGHT", Align::kRight},
               {"DELAYED", Align::kRight},
               {"DLQ"}});
  for (const QueueSummary& queue : *queues) {
    table.AddRow({queue.name, std::to_string(queue.visible), std::to_string(queue.in_flight),
                  std::to_string(queue.delayed), queue.dlq.empty() ? "-" : queue.dlq});
  }
  context.out << table.Render();
  return Status::Ok();
}

// Prints {"name","url",<flag>:true} or a line like "purged orders".
void PrintDone(CommandContext& context, const std::string& name, const std::string& url,
               const char* verb) {
  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartObject();
    w.Key("name");
    w.String(name);
    w.Key("url");
    w.String(url);
    w.Key(verb);
    w.Bool(true);
    w.EndObject();
    json.PrintTo(context.out);
  } else {
    context.out << verb << " " << name << "\n";
  }
}

Status RunCreate(CommandContext& context, const QueueArgs& args) {
  AttributeMap attributes;
  for (const std::string& text : args.attributes) {
    Result<std::pair<std::string, std::string>> pair = ParseKeyValue(text);
    if (!pair.ok()) return pair.status();  // the option's check rejected it already
    attributes[pair->first] = pair->second;
  }
  Result<std::string> url = context.sqs.CreateQueue(args.name, attributes);
  if (!url.ok()) return url.status();
  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartObject();
    w.Key("name");
    w.String(args.name);
    w.Key("url");
    w.String(*url);
    w.EndObject();
    json.PrintTo(context.out);
  } else {
    context.out << *url << "\n";
  }
  return Status::Ok();
}

Status RunDelete(CommandContext& context, const QueueArgs& args) {
  Result<std::string> url = context.sqs.GetQueueUrl(args.name);
  if (!url.ok()) return url.status();
  SLUICE_RETURN_IF_ERROR(context.sqs.DeleteQueue(*url));
  PrintDone(context, args.name, *url, "deleted");
  return Status::Ok();
}

Status RunPurge(CommandContext& context, const QueueArgs& args) {
  Result<std::string> url = context.sqs.GetQueueUrl(args.name);
  if (!url.ok()) return url.status();
  SLUICE_RETURN_IF_ERROR(context.sqs.PurgeQueue(*url));
  PrintDone(context, args.name, *url, "purged");
  return Status::Ok();
}

Status RunAttrs(CommandContext& context, const QueueArgs& args) {
  Result<std::string> url = context.sqs.GetQueueUrl(args.name);
  if (!url.ok()) return url.status();
  Result<AttributeMap> attributes = context.sqs.GetQueueAttributes(*url);
  if (!attributes.ok()) return attributes.status();
  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartObject();
    w.Key("name");
    w.String(args.name);
    w.Key("url");
    w.String(*url);
    w.Key("attributes");
    w.StartObject();
    for (const auto& [key, value] : *attributes) {
      w.Key(key);
      w.String(value);
    }
    w.EndObject();
    w.EndObject();
    json.PrintTo(context.out);
    return Status::Ok();
  }
  Table table({{"ATTRIBUTE"}, {"VALUE"}});
  for (const auto& [key, value] : *attributes) table.AddRow({key, value});
  context.out << table.Render();
  return Status::Ok();
}

}  // namespace

std::string DeadLetterTargetName(std::string_view redrive_policy) {
  rapidjson::Document doc;
  doc.Parse(redrive_policy.data(), redrive_policy.size());
  if (doc.HasParseError() || !doc.IsObject()) return "";
  auto it = doc.FindMember("deadLetterTargetArn");
  if (it == doc.MemberEnd() || !it->value.IsString()) return "";
  return QueueNameFromArn(std::string_view(it->value.GetString(), it->value.GetStringLength()));
}

Result<std::vector<QueueSummary>> LoadQueueSummaries(SqsClient& sqs) {
  Result<std::vector<std::string>> urls = sqs.ListQueues();
  if (!urls.ok()) return urls.status();
  std::vector<QueueSummary> queues;
  for (const std::string& url : *urls) {
    Result<AttributeMap> attributes = sqs.GetQueueAttributes(url);
    if (!attributes.ok()) {
      if (attributes.status().code() == Code::kQueueDoesNotExist) continue;
      return attributes.status();
    }
    QueueSummary queue;
    queue.name = QueueNameFromUrl(url);
    queue.url = url;
    queue.visible = Count(*attributes, "ApproximateNumberOfMessages");
    queue.in_flight = Count(*attributes, "ApproximateNumberOfMessagesNotVisible");
    queue.delayed = Count(*attributes, "ApproximateNumberOfMessagesDelayed");
    auto policy = attributes->find("RedrivePolicy");
    if (policy != attributes->end()) queue.dlq = DeadLetterTargetName(policy->second);
    queues.push_back(std::move(queue));
  }
  std::sort(queues.begin(), queues.end(),
            [](const QueueSummary& a, const QueueSummary& b) { return a.name < b.name; });
  return queues;
}

void AddQueueCommands(CLI::App& app, CommandArgs& args, Selection& selection) {
  AddAdminCommand(app, "queues", "List queues with their message counts and DLQ", args, selection,
                  RunQueues);

  CLI::App* queue = app.add_subcommand("queue", "Create, delete, purge or inspect a queue");
  queue->require_subcommand(1);
  QueueArgs& q = args.queue;

  CLI::App* create = AddAdminCommand(*queue, "create", "Create a queue", args, selection,
                                     [&q](CommandContext& c) { return RunCreate(c, q); });
  create->add_option("NAME", q.name, "Queue name")->required();
  create->add_option("--attr", q.attributes,
                     "Queue attribute KEY=VALUE, e.g. VisibilityTimeout=60 (repeatable)")
      ->check(KeyValueValidator())
      ->allow_extra_args(false);

  CLI::App* remove = AddAdminCommand(*queue, "delete", "Delete a queue and its messages", args,
                                     selection, [&q](CommandContext& c) { return RunDelete(c, q); });
  remove->add_option("NAME", q.name, "Queue name")->required();

  CLI::App* purge = AddAdminCommand(*queue, "purge", "Delete every message of a queue", args,
                                    selection, [&q](CommandContext& c) { return RunPurge(c, q); });
  purge->add_option("NAME", q.name, "Queue name")->required();

  CLI::App* attrs = AddAdminCommand(*queue, "attrs", "Show all attributes of a queue", args,
                                    selection, [&q](CommandContext& c) { return RunAttrs(c, q); });
  attrs->add_option("NAME", q.name, "Queue name")->required();
}

}  // namespace sluice::cli
