#include "sluice/http/json_response.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::http {

Response JsonResponse(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.push_back({"content-type", "application/json"});
  response.body = std::move(body);
  return response;
}

Response JsonErrorResponse(int status, std::string_view message, std::string_view code) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("error");
  writer.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  if (!code.empty()) {
    writer.Key("code");
    writer.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  }
  writer.EndObject();
  return JsonResponse(status, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace sluice::http
