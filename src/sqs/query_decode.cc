#include "sqs/query_decode.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "sqs/json_decode.h"
#include "sluice/sqs/actions.h"

namespace sluice::sqs {
namespace {

using enum WireType;

// One entry of a flattened list or map: "3" in "Attribute.3.Name".
struct ListIndex {
  uint32_t number;
  std::string_view text;  // as sent; names the entry's parameters
};

// The distinct N of the parameters named <prefix>N (scalar lists) or
// <prefix>N.<member> (`nested`: lists of structures, maps), in numeric
// order. Parameters with other names under the prefix are not the list's
// and are ignored, as unknown members are.
std::vector<ListIndex> Indices(const FormParameters& form, std::string_view prefix, bool nested) {
  std::vector<ListIndex> indices;
  for (const FormParameter& parameter : form.WithPrefix(prefix)) {
    std::string_view rest = std::string_view(parameter.name).substr(prefix.size());
    size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 0 || digits > 9) continue;
    std::string_view after = rest.substr(digits);
    if (nested ? !after.starts_with('.') : !after.empty()) continue;
    std::string_view text = rest.substr(0, digits);
    // Sorted names keep one entry's parameters together ('.' sorts before
    // digits, so "E.1.Id" and "E.1.MessageBody" precede "E.10.Id").
    if (!indices.empty() && indices.back().text == text) continue;
    uint32_t number = 0;
    std::from_chars(text.data(), text.data() + text.size(), number);
    indices.push_back({number, text});
  }
  std::stable_sort(indices.begin(), indices.end(),
                   [](const ListIndex& a, const ListIndex& b) { return a.number < b.number; });
  return indices;
}

class InputBuilder {
 public:
  InputBuilder(const FormParameters& form, InputAllocator& allocator)
      : form_(form), allocator_(allocator) {}

  // The members of `shape` named under the current prefix, into `object`.
  Status Struct(const Shape& shape, rapidjson::Value* object) {
    object->SetObject();
    for (const MemberSpec& spec : shape.members) {
      size_t mark = prefix_.size();
      rapidjson::Value value;
      Status status = Member(spec, EmptyListSent(spec), &value);
      prefix_.resize(mark);
      SLUICE_RETURN_IF_ERROR(status);
      if (!value.IsNull()) {
        object->AddMember(rapidjson::StringRef(spec.name.data(), spec.name.size()), value,
                          allocator_);
      }
    }
    return Status::Ok();
  }

 private:
  // botocore writes an empty list as a bare parameter named after the
  // member ("Entries=", "AttributeNames="), not the flattened name; the
  // flattened name alone ("SendMessageBatchRequestEntry=") is taken as one
  // too. Leaves prefix_ as it found it.
  bool EmptyListSent(const MemberSpec& spec) {
    if (spec.type != kStringList && spec.type != kStructList) return false;
    size_t mark = prefix_.size();
    prefix_.append(spec.name);
    bool sent = form_.Find(prefix_) != nullptr;
    prefix_.resize(mark);
    prefix_.append(QueryName(spec));
    sent = sent || form_.Find(prefix_) != nullptr;
    prefix_.resize(mark);
    return sent;
  }

  // The member `spec` (under prefix_) into `value`; left null when the form
  // has none. Appends the member's Query name to prefix_.
  Status Member(const MemberSpec& spec, bool empty_list, rapidjson::Value* value) {
    prefix_.append(QueryName(spec));
    switch (spec.type) {
      case kString:
      case kBlob:
        if (const std::string* text = form_.Find(prefix_)) *value = Text(*text);
        return Status::Ok();
      case kInteger:
        if (const std::string* text = form_.Find(prefix_)) *value = Integer(*text);
        return Status::Ok();
      case kStringList:
        return StringList(empty_list, value);
      case kStructList:
        return StructList(*spec.element, empty_list, value);
      case kStringMap:
        return Map(spec, nullptr, value);
      case kStructMap:
        return Map(spec, spec.element, value);
    }
    return Status::Ok();
  }

  Status StringList(bool empty_list, rapidjson::Value* value) {
    prefix_.push_back('.');
    std::vector<ListIndex> indices = Indices(form_, prefix_, /*nested=*/false);
    if (indices.empty() && !empty_list) return Status::Ok();
    value->SetArray();
    size_t mark = prefix_.size();
    for (const ListIndex& index : indices) {
      prefix_.append(index.text);
      value->PushBack(Text(*form_.Find(prefix_)), allocator_);
      prefix_.resize(mark);
    }
    return Status::Ok();
  }

  Status StructList(const Shape& element, bool empty_list, rapidjson::Value* value) {
    prefix_.push_back('.');
    std::vector<ListIndex> indices = Indices(form_, prefix_, /*nested=*/true);
    if (indices.empty() && !empty_list) return Status::Ok();
    value->SetArray();
    size_t mark = prefix_.size();
    for (const ListIndex& index : indices) {
      prefix_.append(index.text).append(".");
      rapidjson::Value entry;
      SLUICE_RETURN_IF_ERROR(Struct(element, &entry));
      value->PushBack(entry, allocator_);
      prefix_.resize(mark);
    }
    return Status::Ok();
  }

  // <prefix>.N.<query_key> names the entry; <prefix>.N.Value is a string
  // (`element` null) or, for a map of structures, the prefix of its members.
  Status Map(const MemberSpec& spec, const Shape* element, rapidjson::Value* value) {
    prefix_.push_back('.');
    std::vector<ListIndex> indices = Indices(form_, prefix_, /*nested=*/true);
    if (indices.empty()) return Status::Ok();
    value->SetObject();
    size_t mark = prefix_.size();
    for (const ListIndex& index : indices) {
      prefix_.append(index.text).append(".");
      size_t entry_mark = prefix_.size();
      prefix_.append(spec.query_key);
      const std::string* key = form_.Find(prefix_);
      if (key == nullptr) return MissingParameter(prefix_);
      prefix_.resize(entry_mark);
      prefix_.append("Value");
      rapidjson::Value entry;
      if (element == nullptr) {
        const std::string* text = form_.Find(prefix_);
        if (text == nullptr) return MissingParameter(prefix_);
        entry = Text(*text);
      } else {
        prefix_.push_back('.');
        SLUICE_RETURN_IF_ERROR(Struct(*element, &entry));
      }
      value->AddMember(Text(*key), entry, allocator_);
      prefix_.resize(mark);
    }
    return Status::Ok();
  }

  static rapidjson::Value Text(std::string_view text) {
    return rapidjson::Value(rapidjson::StringRef(text.data(), text.size()));
  }

  // A whole number as a JSON integer (int64 when it does not fit an int, for
  // CheckShape to call out of range); anything else stays text, which
  // CheckShape refuses as "must be an integer".
  static rapidjson::Value Integer(const std::string& text) {
    std::string_view digits = text;
    if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-') digits.remove_prefix(1);
    int64_t number = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      return Text(text);
    }
    if (number >= std::numeric_limits<int>::min() && number <= std::numeric_limits<int>::max()) {
      return rapidjson::Value(static_cast<int>(number));
    }
    return rapidjson::Value(number);
  }

  const FormParameters& form_;
  InputAllocator& allocator_;
  std::string prefix_;  // "SendMessageBatchRequestEntry.2." inside that entry
};

bool HasMember(const Shape& shape, std::string_view name) {
  return std::any_of(shape.members.begin(), shape.members.end(),
                     [&](const MemberSpec& spec) { return spec.name == name; });
}

}  // namespace

Status BuildQueryInput(const Shape& shape, const FormParameters& form, std::string_view path,
                       rapidjson::Value* out, InputAllocator& allocator) {
  InputBuilder builder(form, allocator);
  SLUICE_RETURN_IF_ERROR(builder.Struct(shape, out));
  if (path.empty() || path == "/" || !HasMember(shape, "QueueUrl")) return Status::Ok();
  rapidjson::Value from_path(rapidjson::StringRef(path.data(), path.size()));
  auto url = out->FindMember("QueueUrl");
  if (url == out->MemberEnd()) {
    out->AddMember("QueueUrl", from_path, allocator);
  } else if (url->value.IsString() && url->value.GetStringLength() == 0) {
    url->value = from_path;
  }
  return Status::Ok();
}

Result<std::unique_ptr<Call>> DecodeQueryRequest(std::string_view query_string,
                                                 std::string_view form_body,
                                                 std::string_view path) {
  Result<FormParameters> form = FormParameters::Parse(query_string, form_body);
  if (!form.ok()) return form.status();
  const std::string* name = form->Find("Action");
  if (name == nullptr || name->empty()) return MissingParameter("Action");
  const Action* action = FindAction(*name);
  if (action == nullptr) {
    return Status(Code::kUnknownOperation,
                  "The action " + *name + " is not valid for this endpoint.");
  }
  // As in DecodeJsonBody: typical requests build within this stack buffer.
  char buffer[8192];
  InputAllocator allocator(buffer, sizeof buffer);
  rapidjson::Value input;
  SLUICE_RETURN_IF_ERROR(BuildQueryInput(*action->input, *form, path, &input, allocator));
  // The decoder checks its input against this same shape. Checking first
  // with Query naming makes errors name the parameters the client sent
  // ("SendMessageBatchRequestEntry.2.Id", not "Entries.2.Id"); the decoder's
  // own check then passes.
  SLUICE_RETURN_IF_ERROR(CheckShape(input, *action->input, {}, Naming::kQuery));
  return action->decode(input);
}

}  // namespace sluice::sqs
