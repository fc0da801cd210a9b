// sluice keys [ls] | keys rotate | keys rewrap | keys retire VERSION.
//
// The keyring's versions wrap the objects' data keys. The usual cycle is
// rotate (new objects use the new version), rewrap (old objects move to it),
// then retire the old version once no object uses it; the server refuses a
// retire out of order (409), and its sentence says what to run first.

#include <algorithm>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "sluice/cli/table.h"

namespace sluice::cli {
namespace {

Status RunList(CommandContext& context) {
  Result<Keyring> keyring = context.admin.ListKeys();
  if (!keyring.ok()) return keyring.status();
  if (context.json) {
    JsonOutput json;
    json.Embed(keyring->raw_json);
    json.PrintTo(context.out);
    return Status::Ok();
  }
  if (keyring->versions.empty()) {
    context.err << "(no key versions)\n";
    return Status::Ok();
  }
  std::vector<KeyVersion> versions = keyring->versions;
  std::sort(versions.begin(), versions.end(),
            [](const KeyVersion& a, const KeyVersion& b) { return a.version < b.version; });
  Table table({{"VERSION", Align::kRight}, {"STATE"}, {"CREATED"}, {"OBJECTS", Align::kRight}});
  for (const KeyVersion& version : versions) {
    table.AddRow({std::to_string(version.version), OrDash(version.state), OrDash(version.created),
                  std::to_string(version.objects)});
  }
  context.out << table.Render();
  return Status::Ok();
}

Status RunRotate(CommandContext& context) {
  Result<int64_t> version = context.admin.RotateKey();
  if (!version.ok()) return version.status();
  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartObject();
    w.Key("version");
    w.Int64(*version);
    w.EndObject();
    json.PrintTo(context.out);
  } else {
    context.out << "key version " << *version << " is now active\n";
  }
  return Status::Ok();
}

Status RunRewrap(CommandContext& context) {
  Result<RewrapResult> result = context.admin.RewrapKeys();
  if (!result.ok()) return result.status();
  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartObject();
    w.Key("rewrapped");
    w.Int64(result->rewrapped);
    w.Key("version");
    w.Int64(result->version);
    w.EndObject();
    json.PrintTo(context.out);
  } else {
    context.out << "rewrapped " << CountOf(result->rewrapped, "object") << " to key version "
                << result->version << "\n";
  }
  return Status::Ok();
}

Status RunRetire(CommandContext& context, const KeysArgs& args) {
  SLUICE_RETURN_IF_ERROR(context.admin.RetireKey(args.version));
  if (context.json) {
    JsonOutput json;
    auto& w = json.writer();
    w.StartObject();
    w.Key("retired");
    w.Int64(args.version);
    w.EndObject();
    json.PrintTo(context.out);
  } else {
    context.out << "retired key version " << args.version << "\n";
  }
  return Status::Ok();
}

}  // namespace

void AddKeysCommands(CLI::App& app, CommandArgs& args, Selection& selection) {
  KeysArgs& k = args.keys;
  // `sluice keys` alone lists, like `sluice keys ls`.
  CLI::App* keys = AddAdminCommand(app, "keys", "List key versions; rotate, rewrap or retire them",
                                   args, selection, RunList);
  keys->require_subcommand(0, 1);
  // CLI11 runs the parent's callback after the chosen subcommand's: the
  // parent selects the listing only when no subcommand did.
  keys->callback([keys, &selection] {
    if (keys->get_subcommands().empty()) selection.admin = RunList;
  });

  AddAdminCommand(*keys, "ls", "List key versions: state, creation and objects using each", args,
                  selection, RunList);
  AddAdminCommand(*keys, "rotate", "Add a key version and make it active for new objects", args,
                  selection, RunRotate);
  AddAdminCommand(*keys, "rewrap",
                  "Re-wrap every object's data key with the active version (data untouched)",
                  args, selection, RunRewrap);
  CLI::App* retire =
      AddAdminCommand(*keys, "retire", "Retire a key version no object uses any more", args,
                      selection, [&k](CommandContext& c) { return RunRetire(c, k); });
  retire->add_option("VERSION", k.version, "The key version")
      ->required()
      ->check(CLI::PositiveNumber);
}

}  // namespace sluice::cli
