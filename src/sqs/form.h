// The Query protocol's parameters: "Action=SendMessage&QueueUrl=...&..." from
// a URL query string and a form-encoded body (application/x-www-form-
// urlencoded), percent-decoded ('+' is a space) and sorted by name, so that
// the flattened members of one list ("Attribute.1.Name", "Attribute.1.Value",
// "Attribute.2.Name") are neighbours.
//
// Ownership: owns the decoded names and values; views handed out live as
// long as the FormParameters.
// Errors: Parse returns kMalformedRequest for a malformed escape ("%G1") or a
// name or value that is not UTF-8.
// Threads: any (a value).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace sluice::sqs {

struct FormParameter {
  std::string name;
  std::string value;
};

class FormParameters {
 public:
  // Parameters of both texts, `first`'s before `second`'s when a name
  // repeats. Empty pieces ("a=1&&b=2") are skipped; a name without '='
  // has the value "".
  static Result<FormParameters> Parse(std::string_view first, std::string_view second = {});

  // The value of the first parameter called `name`, or nullptr.
  const std::string* Find(std::string_view name) const;

  // Every parameter whose name starts with `prefix`, in name order.
  std::span<const FormParameter> WithPrefix(std::string_view prefix) const;

  size_t size() const { return parameters_.size(); }

 private:
  std::vector<FormParameter> parameters_;  // sorted by name; stable for repeats
};

}  // namespace sluice::sqs
