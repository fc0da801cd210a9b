// sluice sink ls [BUCKET[/PREFIX]] | cat BUCKET/KEY | verify [BUCKET].
//
// The sink holds objects encrypted at rest; the server decrypts and checks
// them. Damaged data is its own outcome: `cat` never prints an object that
// failed its integrity check, and both `cat` and `verify` exit kExitDamaged
// when they meet one, so that scripts can tell it from other failures.

#include "cli/commands.h"
#include "cli/json_output.h"
#include "sluice/cli/table.h"

namespace sluice::cli {
namespace {

// "payments/raw/dt=1/x.json" -> {"payments", "raw/dt=1/x.json"}: bucket
// names have no '/', keys may.
std::pair<std::string, std::string> SplitBucketPath(std::string_view path) {
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) return {std::string(path), ""};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

CLI::Validator BucketPathValidator(bool key_required) {
  return CLI::Validator(
      [key_required](std::string& text) -> std::string {
        auto [bucket, rest] = SplitBucketPath(text);
        if (bucket.empty()) return "no bucket in \"" + text + "\"";
        if (key_required && rest.empty()) return "expected BUCKET/KEY, got \"" + text + "\"";
        return "";
      },
      key_required ? "BUCKET/KEY" : "BUCKET[/PREFIX]");
}

Status ListBuckets(CommandContext& context) {
  Result<std::vector<BucketInfo>> buckets = context.admin.ListBuckets();
  if (!buckets.ok()) return buckets.status();
  if (context.json) {
    JsonOutput json;
    json.writer().StartArray();
    for (const BucketInfo& bucket : *buckets) json.Embed(bucket.raw_json);
    json.writer().EndArray();
    json.PrintTo(context.out);
    return Status::Ok();
  }
  if (buckets->empty()) {
    context.err << "(no buckets)\n";
    return Status::Ok();
  }
  Table table({{"NAME"}, {"OBJECTS", Align::kRight}, {"BYTES", Align::kRight}, {"CREATED"}});
  for (const BucketInfo& bucket : *buckets) {
    table.AddRow({bucket.name, std::to_string(bucket.objects), std::to_string(bucket.bytes),
                  OrDash(bucket.created)});
  }
  context.out << table.Render();
  return Status::Ok();
}

Status ListObjects(CommandContext& context, const std::string& bucket, const std::string& prefix) {
  Result<std::vector<ObjectInfo>> objects = context.admin.ListObjects(bucket, prefix);
  if (!objects.ok()) return objects.status();
  if (context.json) {
    JsonOutput json;
    json.writer().StartArray();
    for (const ObjectInfo& object : *objects) json.Embed(object.raw_json);
    json.writer().EndArray();
    json.PrintTo(context.out);
    return Status::Ok();
  }
  if (objects->empty()) {
    context.err << "(no objects)\n";
    return Status::Ok();
  }
  Table table({{"KEY"}, {"SIZE", Align::kRight}, {"CREATED"}, {"KEY VERSION", Align::kRight}});
  for (const ObjectInfo& object : *objects) {
    table.AddRow({object.key, std::to_string(object.size), OrDash(object.created),
                  std::to_string(object.key_version)});
  }
  context.out << table.Render();
  return Status::Ok();
}

Status RunList(CommandContext& context, const SinkArgs& args) {
  if (args.path.empty()) return ListBuckets(context);
  auto [bucket, prefix] = SplitBucketPath(args.path);
  return ListObjects(context, bucket, prefix);
}

Status RunCat(CommandContext& context, const SinkArgs& args) {
  auto [bucket, key] = SplitBucketPath(args.path);
  Result<ObjectContent> content = context.admin.GetObject(bucket, key);
  if (!content.ok()) return content.status();
  if (!content->integrity_error.empty()) {
    context.data_damaged = true;
    return Status(Code::kInternal, content->integrity_error);
  }
  // The bytes exactly: no newline, no escaping; binary content stays intact.
  context.out.write(content->data.data(), static_cast<std::streamsize>(content->data.size()));
  context.out.flush();
  if (!context.out) return Status(Code::kInternal, "writing the object to stdout failed");
  return Status::Ok();
}

Status RunVerify(CommandContext& context, const SinkArgs& args) {
  Result<VerifyReport> report = context.admin.Verify(args.bucket);
  if (!report.ok()) return report.status();
  if (context.json) {
    JsonOutput json;
    json.Embed(report->raw_json);
    json.PrintTo(context.out);
  } else if (report->damaged.empty()) {
    context.out << "checked " << CountOf(report->checked, "object") << ": all intact\n";
  } else {
    // One line per object; keys may hold anything, so they are escaped.
    for (const DamagedObject& object : report->damaged) {
      context.out << EscapeCell(object.bucket + "/" + object.key) << ": "
                  << EscapeCell(object.error) << "\n";
    }
  }
  if (report->damaged.empty()) return Status::Ok();
  context.data_damaged = true;
  return Status(Code::kInternal, "checked " + CountOf(report->checked, "object") + ": " +
                                     std::to_string(report->damaged.size()) + " damaged");
}

}  // namespace

void AddSinkCommands(CLI::App& app, CommandArgs& args, Selection& selection) {
  CLI::App* sink = app.add_subcommand("sink", "List, read and verify the encrypted objects");
  sink->require_subcommand(1);
  SinkArgs& s = args.sink;

  CLI::App* ls = AddAdminCommand(
      *sink, "ls", "List buckets, or the objects of BUCKET whose keys start with PREFIX", args,
      selection, [&s](CommandContext& c) { return RunList(c, s); });
  ls->add_option("BUCKET/PREFIX", s.path, "A bucket, optionally with a key prefix")
      ->check(BucketPathValidator(false));

  CLI::App* cat = AddAdminCommand(
      *sink, "cat", "Write an object's decrypted content to stdout, byte for byte", args,
      selection, [&s](CommandContext& c) { return RunCat(c, s); });
  cat->add_option("BUCKET/KEY", s.path, "The object")->required()->check(BucketPathValidator(true));
  cat->remove_option(cat->get_option("--json"));  // the content is printed as is
  cat->footer("Exits 4, printing nothing on stdout, if the object fails its integrity check.");

  CLI::App* verify = AddAdminCommand(
      *sink, "verify", "Decrypt and check every object (of BUCKET, or of all buckets)", args,
      selection, [&s](CommandContext& c) { return RunVerify(c, s); });
  verify->add_option("BUCKET", s.bucket, "Only this bucket")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            return text.find('/') == std::string::npos ? "" : "a bucket name has no '/'";
          },
          "BUCKET"));
  verify->footer("Exits 4 if any object is damaged; the damaged objects are listed on stdout.");
}

}  // namespace sluice::cli
