#include "sluice/http/server.h"

namespace sluice::http {

const std::string* Request::FindHeader(std::string_view lower_name) const {
  for (const Header& header : headers) {
    if (header.name == lower_name) return &header.value;
  }
  return nullptr;
}

}  // namespace sluice::http
