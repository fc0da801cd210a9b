#include "queue/json_maps.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::queue {

std::string EncodeStringMap(const std::map<std::string, std::string>& map) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const auto& [key, value] : map) {
    writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<std::map<std::string, std::string>> DecodeStringMap(std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) {
    return Status(Code::kInternal, "stored JSON map is corrupt");
  }
  std::map<std::string, std::string> map;
  for (const auto& member : document.GetObject()) {
    if (!member.value.IsString()) return Status(Code::kInternal, "stored JSON map is corrupt");
    map.emplace(std::string(member.name.GetString(), member.name.GetStringLength()),
                std::string(member.value.GetString(), member.value.GetStringLength()));
  }
  return map;
}

}  // namespace sluice::queue
