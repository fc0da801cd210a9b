// A field of an event, named by a dotted path ("event_id", "customer.id").
// Route configuration names fields this way for defaults, the dedup key, the
// target field and response placeholders. A name that itself contains a dot
// cannot be addressed.
//
// Threads: any (immutable after Parse); the events it reads or writes belong
// to the caller.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

namespace sluice::gateway {

class FieldPath {
 public:
  FieldPath() = default;
  // Empty segments ("a..b", ".a") are kept and simply never match.
  static FieldPath Parse(std::string_view dotted);

  bool empty() const { return segments_.empty(); }
  const std::string& dotted() const { return dotted_; }

  // The field's value in `event`, or nullptr when it (or an object on the
  // way to it) is absent.
  const rapidjson::Value* Find(const rapidjson::Value& event) const;

  // Stores `value` at the field unless it is already present, creating
  // missing intermediate objects. Returns false (and changes nothing) when
  // the field exists or something on the way is not an object. Member names
  // are not copied: this FieldPath must outlive `event`.
  bool SetIfAbsent(rapidjson::Value& event, rapidjson::Value& value,
                   rapidjson::Document::AllocatorType& allocator) const;

 private:
  std::string dotted_;
  std::vector<std::string> segments_;
};

// The value as text: a string as is, anything else as compact JSON.
std::string ValueText(const rapidjson::Value& value);

}  // namespace sluice::gateway
