#include "cli/json_output.h"

#include <rapidjson/document.h>

namespace sluice::cli {

void JsonOutput::Embed(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    writer_.Null();
    return;
  }
  doc.Accept(writer_);
}

void JsonOutput::PrintTo(std::ostream& out) const {
  out.write(buffer_.GetString(), static_cast<std::streamsize>(buffer_.GetSize()));
  out << '\n';
}

}  // namespace sluice::cli
