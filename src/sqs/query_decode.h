// The Query protocol's decoding half. A Query request carries the same
// members as a JSON one, flattened into form parameters as botocore's Query
// serializer (and the Java SDK v1, PHP, Ruby v2) write them:
//
//   JSON                                       Query
//   "QueueUrl": "..."                          QueueUrl=...
//   "DelaySeconds": 5                          DelaySeconds=5
//   "AttributeNames": ["All"]                  AttributeName.1=All
//   "Attributes": {"DelaySeconds": "5"}        Attribute.1.Name=DelaySeconds&Attribute.1.Value=5
//   "tags": {"team": "a"}                      Tag.1.Key=team&Tag.1.Value=a
//   "MessageAttributes": {"k": {"DataType":    MessageAttribute.1.Name=k&
//       "String", "StringValue": "v"}}           MessageAttribute.1.Value.DataType=String&...
//   "Entries": [{"Id": "a", ...}]              SendMessageBatchRequestEntry.1.Id=a&...
//
// BuildQueryInput undoes the flattening, guided by the operation's input
// shape (json_shape.h: the Query names are the model's locationNames), into
// the JSON protocol's input tree. From there both protocols share one path:
// CheckShape, then the operation's decoder (json_decode.h). Nothing here
// judges values: an integer that does not parse stays a string, for
// CheckShape to refuse with the JSON path's message.
//
// Threads: pure functions.
#pragma once

#include <string_view>

#include <rapidjson/document.h>

#include "sqs/form.h"
#include "sqs/json_shape.h"
#include "sluice/status.h"

namespace sluice::sqs {

using InputAllocator = rapidjson::MemoryPoolAllocator<>;

// Builds in `out` (an object) the input tree of an operation whose input
// shape is `shape`. List entries are taken in numeric order of their index,
// whatever the indices are. When the shape has a QueueUrl and the form gives
// none (or an empty one), a `path` other than "/" stands for it: the Java
// SDK v1 posts to the queue URL instead of sending the parameter. Strings in
// `out` point into `form` and `path`, which must outlive it.
// Errors: kMissingParameter for a map entry without its name or its value
// ("Attribute.1.Value").
Status BuildQueryInput(const Shape& shape, const FormParameters& form, std::string_view path,
                       rapidjson::Value* out, InputAllocator& allocator);

}  // namespace sluice::sqs
