// Message attributes: SQS's validation rules, the canonical encoding SQS
// hashes for MD5OfMessageAttributes, and the filters ReceiveMessage applies.
//
// The encoding is also how attributes are stored (messages.attributes and
// messages.system_attributes), so the digest of a stored set is simply
// Md5Hex(blob). For each attribute, in ascending byte order of names:
//   u32 length | name | u32 length | data type | u8 transport | u32 length | value
// lengths big-endian; transport 1 for String and Number types (value: the
// UTF-8 string), 2 for Binary types (value: the raw bytes).
//
// Threads: any (pure functions).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/queue/types.h"
#include "sluice/status.h"

namespace sluice::queue {

// Checks MessageAttributes: at most 10; names of [A-Za-z0-9_.-], at most 256
// characters, no leading, trailing or doubled '.', no "AWS." or "Amazon."
// prefix in any case; data types String, Number or Binary, optionally with a
// ".label"; a non-empty value of the matching kind; Number values numeric.
// On success adds the bytes they count towards the message size (names,
// types and values) to `*size`. Errors: kInvalidParameterValue.
Status ValidateMessageAttributes(const MessageAttributeMap& attributes, size_t* size);

// Checks MessageSystemAttributes: only AWSTraceHeader, of type String, with a
// non-empty value. They do not count towards the message size.
Status ValidateSystemAttributes(const MessageAttributeMap& attributes);

// The canonical encoding of `attributes` (empty for an empty map).
std::string EncodeMessageAttributes(const MessageAttributeMap& attributes);

// The inverse of EncodeMessageAttributes. kInternal on a corrupt encoding.
Result<MessageAttributeMap> DecodeMessageAttributes(std::string_view encoded);

// MD5OfMessageAttributes / MD5OfMessageSystemAttributes: "" for an empty map.
std::string MessageAttributesMd5(const MessageAttributeMap& attributes);

// ReceiveMessage's MessageAttributeNames: "All" or ".*" select everything,
// "prefix.*" the names starting with "prefix.", anything else an exact name.
class MessageAttributeFilter {
 public:
  explicit MessageAttributeFilter(const std::vector<std::string>& names);
  bool selects_nothing() const { return !all_ && exact_.empty() && prefixes_.empty(); }
  bool selects_all() const { return all_; }
  bool Matches(std::string_view name) const;

 private:
  bool all_ = false;
  std::vector<std::string> exact_;
  std::vector<std::string> prefixes_;  // with their trailing '.'
};

}  // namespace sluice::queue
