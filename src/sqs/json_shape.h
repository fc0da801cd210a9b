// Input shapes of the SQS operations, as data. Each action's request is a
// Shape: a list of members with a wire type and a required flag, taken from
// botocore's SQS model. Both protocols decode into one input tree in the JSON
// protocol's form (a rapidjson object): the JSON codec parses it from the
// body, the Query codec builds it from form parameters, using the members'
// Query names below (query_decode.h). CheckShape() validates that tree once,
// generically, before any action-specific code reads it; after that the
// readers below (Members) may assume every present member has its type.
//
// Rules for AWS JSON 1.0 input:
//   - the input must be a JSON object                     -> kMalformedRequest
//   - a required member that is absent (or null)           -> kMissingParameter
//     ("The request must contain the parameter QueueUrl.", SQS's wording)
//   - a member whose JSON type differs from the model's    -> kInvalidParameterValue
//   - members the model does not know are ignored, as SQS ignores them.
// A JSON null reads as "absent" (Smithy's rule for JSON protocols).
//
// Threads: pure functions over caller-owned values.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "sluice/queue/types.h"
#include "sluice/status.h"

namespace sluice::sqs {

enum class WireType {
  kString,
  kInteger,     // a JSON number that fits in a 32-bit signed integer
  kBlob,        // a base64 string (decoded by the action, not here)
  kStringList,  // [string, ...]
  kStringMap,   // {string: string, ...}
  kStructList,  // [object, ...], each checked against `element`
  kStructMap,   // {string: object, ...}, each value checked against `element`
};

struct Shape;

struct MemberSpec {
  std::string_view name;
  WireType type;
  bool required = false;
  const Shape* element = nullptr;  // kStructList / kStructMap only
  // The Query protocol's name when it differs (the model's locationName):
  // lists and maps are flattened under it, "Attribute.1.Name" for
  // Attributes, "SendMessageBatchRequestEntry.1.Id" for Entries.
  std::string_view query_name = {};
  // The Query name of a map entry's key: "Name" (attributes), "Key" (tags).
  // Its value is always "Value".
  std::string_view query_key = "Name";
};

// Which protocol's member names error messages use.
enum class Naming {
  kJson,   // "Entries.2.Id", "MessageAttributes.color.DataType"
  kQuery,  // "SendMessageBatchRequestEntry.2.Id", "MessageAttribute.1.Value.DataType"
};

// The member's name on the Query protocol's wire.
inline std::string_view QueryName(const MemberSpec& spec) {
  return spec.query_name.empty() ? spec.name : spec.query_name;
}

struct Shape {
  std::span<const MemberSpec> members;
};

// Validates `input` against `shape` (recursively for struct lists and maps).
// `path` prefixes member names in messages ("Entries.2." for nested entries);
// `naming` picks the protocol whose names they use. Under kQuery, entries of
// a struct map are numbered by position, as the Query codec built them.
Status CheckShape(const rapidjson::Value& input, const Shape& shape, std::string_view path = {},
                  Naming naming = Naming::kJson);

// Typed read access to an object that passed CheckShape. Absent and null
// members read as empty / nullopt.
class Members {
 public:
  explicit Members(const rapidjson::Value& object) : object_(object) {}

  // The member's value, or nullptr when absent or null.
  const rapidjson::Value* Find(std::string_view name) const;

  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  std::string String(std::string_view name) const;
  std::optional<std::string> OptionalString(std::string_view name) const;
  std::optional<int> Int(std::string_view name) const;
  std::vector<std::string> StringList(std::string_view name) const;
  std::map<std::string, std::string> StringMap(std::string_view name) const;

 private:
  const rapidjson::Value& object_;
};

// Standard base64 (with padding) as JSON carries blobs -> raw bytes.
Result<std::string> DecodeBase64(std::string_view text, std::string_view parameter);
// Raw bytes -> standard base64 with padding.
std::string EncodeBase64(std::string_view bytes);

// "The request must contain the parameter <name>."
Status MissingParameter(std::string_view name);

}  // namespace sluice::sqs
