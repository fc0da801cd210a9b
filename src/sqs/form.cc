#include "sqs/form.h"

#include <algorithm>
#include <optional>

#include "sluice/http/query.h"
#include "sqs/utf8.h"

namespace sluice::sqs {
namespace {

Status AddAll(std::string_view text, std::vector<FormParameter>* parameters) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view pair = text.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    size_t equals = pair.find('=');
    std::string_view value =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    std::optional<std::string> name = http::PercentDecode(pair.substr(0, equals), /*plus_is_space=*/true);
    std::optional<std::string> decoded = http::PercentDecode(value, /*plus_is_space=*/true);
    if (!name || !decoded) {
      return Status(Code::kMalformedRequest,
                    "The request's parameters are not properly percent-encoded.");
    }
    FormParameter parameter{std::move(*name), std::move(*decoded)};
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
