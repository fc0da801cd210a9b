#include "gateway/field_path.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::gateway {
namespace {

rapidjson::Value::ConstMemberIterator FindMember(const rapidjson::Value& object, const std::string& name) {
  return object.FindMember(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size())));
}

}  // namespace

FieldPath FieldPath::Parse(std::string_view dotted) {
  FieldPath path;
  path.dotted_ = std::string(dotted);
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string_view::npos) dot = dotted.size();
    path.segments_.emplace_back(dotted.substr(start, dot - start));
    start = dot + 1;
  }
  return path;
}

const rapidjson::Value* FieldPath::Find(const rapidjson::Value& event) const {
  const rapidjson::Value* node = &event;
  for (const std::string& segment : segments_) {
    if (!node->IsObject()) return nullptr;
    auto member = FindMember(*node, segment);
    if (member == node->MemberEnd()) return nullptr;
    node = &member->value;
  }
  return node;
}

bool FieldPath::SetIfAbsent(rapidjson::Value& event, rapidjson::Value& value,
                            rapidjson::Document::AllocatorType& allocator) const {
  // Check the whole way first, so a refusal changes nothing.
  const rapidjson::Value* probe = &event;
  for (const std::string& segment : segments_) {
    if (!probe->IsObject()) return false;
    auto member = FindMember(*probe, segment);
    if (member == probe->MemberEnd()) break;
    probe = &member->value;
    if (&segment == &segments_.back()) return false;  // present
  }
  rapidjson::Value* node = &event;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const std::string& segment = segments_[i];
    rapidjson::Value name(rapidjson::StringRef(segment.data(), static_cast<rapidjson::SizeType>(segment.size())));
    if (i + 1 == segments_.size()) {
      node->AddMember(name, value, allocator);
      return true;
    }
    auto member = node->FindMember(name);
    if (member == node->MemberEnd()) {
      node->AddMember(name, rapidjson::Value(rapidjson::kObjectType), allocator);
      node = &(node->MemberEnd() - 1)->value;
    } else {
      node = &member->value;
    }
  }
  return false;  // an empty path names nothing
}

std::string ValueText(const rapidjson::Value& value) {
  if (value.IsString()) return std::string(value.GetString(), value.GetStringLength());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::gateway
