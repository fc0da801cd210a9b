// Small pieces the commands share: K=V arguments, timestamps, counts.

#include <ctime>

#include "cli/commands.h"

namespace sluice::cli {

Result<std::pair<std::string, std::string>> ParseKeyValue(std::string_view text) {
  size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    return Status(Code::kInvalidParameterValue, "expected KEY=VALUE, got \"" + std::string(text) + "\"");
  }
  if (equals == 0) {
    return Status(Code::kInvalidParameterValue, "empty key in \"" + std::string(text) + "\"");
  }
  return std::make_pair(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
}

CLI::Validator KeyValueValidator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        Result<std::pair<std::string, std::string>> parsed = ParseKeyValue(text);
        return parsed.ok() ? std::string() : parsed.status().message();
      },
      "KEY=VALUE");
}

std::string FormatTimestamp(int64_t epoch_millis) {
  if (epoch_millis <= 0) return "-";
  std::time_t seconds = static_cast<std::time_t>(epoch_millis / 1000);
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr) return "-";
  char text[32];
  size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, n);
}

std::string OrDash(std::string text) { return text.empty() ? "-" : text; }

std::string CountOf(int64_t count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

}  // namespace sluice::cli
