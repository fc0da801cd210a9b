// Object keys of worker output: "raw/dt=${date}/${uuid}.json".
#include <ctime>

#include <fmt/format.h>

#include "sluice/workers/worker.h"

namespace sluice::workers {
namespace {

constexpr std::string_view kPlaceholders[] = {"date", "uuid", "message_id"};

}  // namespace

Status CheckKeyTemplate(const std::string& key_template) {
  bool unique = false;
  size_t position = 0;
  while ((position = key_template.find("${", position)) != std::string::npos) {
    size_t end = key_template.find('}', position);
    if (end == std::string::npos) {
      return Status(Code::kInvalidParameterValue, fmt::format("'{}' has an unclosed '${{'", key_template));
    }
    std::string_view name(key_template.data() + position + 2, end - position - 2);
    bool known = false;
    for (std::string_view placeholder : kPlaceholders) known = known || name == placeholder;
    if (!known) {
      return Status(Code::kInvalidParameterValue,
                    fmt::format("'{}' uses ${{{}}}; known: ${{date}}, ${{uuid}}, ${{message_id}}", key_template, name));
    }
    unique = unique || name == "uuid" || name == "message_id";
    position = end + 1;
  }
  if (!unique) {
    return Status(Code::kInvalidParameterValue,
                  fmt::format("'{}' needs ${{uuid}} or ${{message_id}}, or every event would overwrite one object",
                              key_template));
  }
  return Status::Ok();
}

std::string ExpandKeyTemplate(const std::string& key_template, int64_t now_ms, const std::string& uuid,
                              const std::string& message_id) {
  std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::string date = fmt::format("{:04}-{:02}-{:02}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
  std::string key;
  key.reserve(key_template.size() + 48);
  size_t position = 0;
  while (position < key_template.size()) {
    size_t start = key_template.find("${", position);
    size_t end = start == std::string::npos ? std::string::npos : key_template.find('}', start);
    if (end == std::string::npos) {
      key.append(key_template, position, std::string::npos);
      break;
    }
    key.append(key_template, position, start - position);
    std::string_view name(key_template.data() + start + 2, end - start - 2);
    if (name == "date") {
      key += date;
    } else if (name == "uuid") {
      key += uuid;
    } else if (name == "message_id") {
      key += message_id;
    } else {
      key.append(key_template, start, end - start + 1);
    }
    position = end + 1;
  }
  return key;
}

}  // namespace sluice::workers
