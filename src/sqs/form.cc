#include "sqs/form.h"

#include <algorithm>

#include "sqs/utf8.h"

namespace sluice::sqs {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Form decoding ('+' is a space) of `text` into `out`; false for a bad escape.
// (src/http/query.h has the same for handlers; the codec keeps its own so
// that src/sqs does not depend on the HTTP module.)
bool FormDecode(std::string_view text, std::string* out) {
  out->clear();
  out->reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    // Copy the run up to the next escape or '+' at once: most values have none.
    size_t special = i;
    while (special < text.size() && text[special] != '%' && text[special] != '+') ++special;
    out->append(text.substr(i, special - i));
    if (special == text.size()) break;
    if (text[special] == '+') {
      out->push_back(' ');
      i = special + 1;
      continue;
    }
    if (special + 2 >= text.size()) return false;
    int high = HexValue(text[special + 1]);
    int low = HexValue(text[special + 2]);
    if (high < 0 || low < 0) return false;
    out->push_back(static_cast<char>(high * 16 + low));
    i = special + 3;
  }
  return true;
}

Status AddAll(std::string_view text, std::vector<FormParameter>* parameters) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view pair = text.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    size_t equals = pair.find('=');
    FormParameter parameter;
    std::string_view value =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    if (!FormDecode(pair.substr(0, equals), &parameter.name) ||
        !FormDecode(value, &parameter.value)) {
      return Status(Code::kMalformedRequest,
                    "The request's parameters are not properly percent-encoded.");
    }
    if (!IsUtf8(parameter.name) || !IsUtf8(parameter.value)) {
      return Status(Code::kMalformedRequest, "The request's parameters are not valid UTF-8.");
    }
    parameters->push_back(std::move(parameter));
  }
  return Status::Ok();
}

}  // namespace

Result<FormParameters> FormParameters::Parse(std::string_view first, std::string_view second) {
  FormParameters form;
  SLUICE_RETURN_IF_ERROR(AddAll(first, &form.parameters_));
  SLUICE_RETURN_IF_ERROR(AddAll(second, &form.parameters_));
  std::stable_sort(form.parameters_.begin(), form.parameters_.end(),
                   [](const FormParameter& a, const FormParameter& b) { return a.name < b.name; });
  return form;
}

const std::string* FormParameters::Find(std::string_view name) const {
  auto it = std::lower_bound(
      parameters_.begin(), parameters_.end(), name,
      [](const FormParameter& parameter, std::string_view wanted) { return parameter.name < wanted; });
  if (it == parameters_.end() || it->name != name) return nullptr;
  return &it->value;
}

std::span<const FormParameter> FormParameters::WithPrefix(std::string_view prefix) const {
  auto begin = std::lower_bound(
      parameters_.begin(), parameters_.end(), prefix,
      [](const FormParameter& parameter, std::string_view wanted) { return parameter.name < wanted; });
  auto end = begin;
  while (end != parameters_.end() && std::string_view(end->name).starts_with(prefix)) ++end;
  return {begin, end};
}

}  // namespace sluice::sqs
