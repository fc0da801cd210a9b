// JSON objects of strings <-> std::map (rapidjson): the queues table's
// attributes and tags columns.
//
// Threads: any (pure functions).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::queue {

// {"a":"1","b":"2"}, members in the map's (sorted) order.
std::string EncodeStringMap(const std::map<std::string, std::string>& map);

// kInternal unless `json` is an object whose members are all strings.
Result<std::map<std::string, std::string>> DecodeStringMap(std::string_view json);

}  // namespace sluice::queue
