// sluice send NAME BODY; sluice receive NAME.

#include "cli/commands.h"
#include "cli/json_output.h"
#include "sluice/cli/table.h"

namespace sluice::cli {
namespace {

Status RunSend(CommandContext& context, const MessageArgs& args) {
  Result<std::string> url = context.sqs.GetQueueUrl(args.queue);
  if (!url.ok()) return url.status();
  SendMessageArgs send;
  send.queue_url = *url;
  send.body = args.body;
  send.delay_seconds = args.delay_seconds;
  for (const std::string& text : args.attributes) {
    Result<std::pair<std::string, std::string>> pair = ParseKeyValue(text);
    if (!pair.ok()) return pair.status();  // the option's check rejected it already
    send.string_attributes.push_back(std::move(*pair));
  }
  send.message_group_id = args.group_id;
  send.message_deduplication_id = args.deduplication_id;

  Result<SendMessageResult> sent = context.sqs.SendMessage(send);
  if (!sent.ok()) return sent.status();
  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartObject();
    w.Key("message_id");
    w.String(sent->message_id);
    w.Key("md5_of_body");
    w.String(sent->md5_of_body);
    if (!sent->sequence_number.empty()) {
      w.Key("sequence_number");
      w.String(sent->sequence_number);
    }
    w.EndObject();
    json.PrintTo(context.out);
  } else {
    context.out << sent->message_id << "\n";
  }
  return Status::Ok();
}

Status RunReceive(CommandContext& context, const MessageArgs& args) {
  Result<std::string> url = context.sqs.GetQueueUrl(args.queue);
  if (!url.ok()) return url.status();
  ReceiveMessageArgs receive;
  receive.queue_url = *url;
  receive.max_messages = args.max_messages;
  receive.wait_seconds = args.wait_seconds;
  receive.visibility_timeout = args.visibility_timeout;
  Result<std::vector<Message>> messages = context.sqs.ReceiveMessage(receive);
  if (!messages.ok()) return messages.status();

  // Show the messages before deleting them: if a delete fails, the user has
  // still seen every message that may be gone.
  if (context.json) {
    JsonOutput json;
    json.writer().StartArray();
    for (const Message& message : *messages) json.Embed(message.raw_json);
    json.writer().EndArray();
    json.PrintTo(context.out);
  } else if (messages->empty()) {
    context.err << "(no messages)\n";
  } else {
    Table table({{"ID"}, {"RECEIVES", Align::kRight}, {"BODY"}});
    for (const Message& message : *messages) {
      table.AddRow({message.message_id, std::to_string(message.receive_count), message.body});
    }
    context.out << table.Render();
  }
  context.out.flush();

  if (args.delete_after_receive) {
    for (const Message& message : *messages) {
      SLUICE_RETURN_IF_ERROR(context.sqs.DeleteMessage(*url, message.receipt_handle));
    }
  }
  return Status::Ok();
}

}  // namespace

void AddMessageCommands(CLI::App& app, CommandArgs& args, Selection& selection) {
  MessageArgs& m = args.message;

  CLI::App* send = AddAdminCommand(app, "send", "Send a message; prints its MessageId", args,
                                   selection, [&m](CommandContext& c) { return RunSend(c, m); });
  send->add_option("NAME", m.queue, "Queue name")->required();
  send->add_option("BODY", m.body, "Message body")->required();
  send->add_option("--delay", m.delay_seconds, "Seconds before the message becomes visible")
      ->check(CLI::Range(0, 900));
  send->add_option("--attr", m.attributes, "String message attribute KEY=VALUE (repeatable)")
      ->check(KeyValueValidator())
      ->allow_extra_args(false);
  send->add_option("--group-id", m.group_id, "MessageGroupId (FIFO queues)");
  send->add_option("--dedup-id", m.deduplication_id, "MessageDeduplicationId (FIFO queues)");

  CLI::App* receive = AddAdminCommand(
      app, "receive", "Receive messages (they become invisible for the visibility timeout)", args,
      selection, [&m](CommandContext& c) { return RunReceive(c, m); });
  receive->add_option("NAME", m.queue, "Queue name")->required();
  receive->add_option("-n,--max", m.max_messages, "How many messages at most")
      ->check(CLI::Range(1, 10))
      ->capture_default_str();
  receive->add_option("--wait", m.wait_seconds, "Long-poll for up to this many seconds")
      ->check(CLI::Range(0, 20));
  receive->add_option("--visibility", m.visibility_timeout,
                      "Visibility timeout in seconds for the received messages")
      ->check(CLI::Range(0, 43200));
  receive->add_flag("--delete", m.delete_after_receive, "Delete the messages once received");
}

}  // namespace sluice::cli
