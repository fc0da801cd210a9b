// JSON for --json: one document per command, pretty-printed, on stdout.
// Field names of our own summaries are snake_case; messages are embedded in
// the shape the server sent them (SQS's MessageId, ReceiptHandle, ...), since
// that is what scripts already know how to read.
//
// Threads: a value; no shared state.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace sluice::cli {

class JsonOutput {
 public:
  JsonOutput() : writer_(buffer_) { writer_.SetIndent(' ', 2); }

  rapidjson::PrettyWriter<rapidjson::StringBuffer>& writer() { return writer_; }

  // Writes a JSON text received from the server as a value of this document
  // (null if it does not parse).
  void Embed(std::string_view json);

  // The document and a newline.
  void PrintTo(std::ostream& out) const;

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer_;
};

}  // namespace sluice::cli
