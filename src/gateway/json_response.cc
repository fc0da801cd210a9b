#include "gateway/json_response.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::gateway {

http::Response JsonResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.push_back({"content-type", "application/json"});
  response.body = std::move(body);
  return response;
}

http::Response ErrorResponse(int status, std::string_view message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("error");
  writer.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  writer.EndObject();
  return JsonResponse(status, std::string(buffer.GetString(), buffer.GetSize()));
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidParameterValue:
    case Code::kMissingParameter:
    case Code::kMalformedRequest:
    case Code::kInvalidAttributeName:
    case Code::kInvalidAttributeValue:
    case Code::kInvalidMessageContents:
      return 400;
    case Code::kRequestTooLarge: return 413;
    case Code::kResourceNotFound: return 404;
    case Code::kStorageFailed:
    case Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace sluice::gateway
