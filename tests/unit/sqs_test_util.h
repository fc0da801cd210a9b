// Helpers shared by the sqs_*_test.cc files.
#pragma once

#include <string_view>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace sluice::sqs::testing {

inline rapidjson::Document ParseJson(std::string_view text) {
  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  EXPECT_FALSE(document.HasParseError()) << text;
  return document;
}

// The queue URL boto3 sends in the fixtures below (taken from botocore's
// JSON serializer output for the SQS model).
inline constexpr std::string_view kOrdersUrl = "http://localhost:4566/000000000000/orders";

}  // namespace sluice::sqs::testing
