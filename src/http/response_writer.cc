#include "http/response_writer.h"

#include <charconv>
#include <strings.h>

namespace sluice::http {
namespace {

bool IsServerOwnedHeader(const std::string& name) {
  switch (name.size()) {
    case 4:
      return strcasecmp(name.c_str(), "date") == 0;
    case 10:
      return strcasecmp(name.c_str(), "connection") == 0;
    case 12:
      return strcasecmp(name.c_str(), "x-request-id") == 0;
    case 14:
      return strcasecmp(name.c_str(), "content-length") == 0;
    case 17:
      return strcasecmp(name.c_str(), "transfer-encoding") == 0;
    default:
      return false;
  }
}

void AppendNumber(uint64_t value, std::string* out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out->append(digits, static_cast<size_t>(end - digits));
}

void AppendJsonEscaped(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (byte < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[byte >> 4]);
      out->push_back(kHex[byte & 0xf]);
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

bool StatusForbidsBody(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

void AppendResponseHead(const Response& response, const HeadOptions& options, std::string* out) {
  out->append("HTTP/1.1 ");
  int status = response.status;
  if (status < 100 || status > 999) status = 500;
  AppendNumber(static_cast<uint64_t>(status), out);
  out->push_back(' ');
  out->append(ReasonPhrase(status));
  out->append("\r\nDate: ");
  out->append(options.date);
  if (!StatusForbidsBody(status)) {
    out->append("\r\nContent-Length: ");
    AppendNumber(options.content_length.value_or(response.body.size()), out);
  }
  if (options.close) {
    out->append("\r\nConnection: close");
  } else if (options.keep_alive_http10) {
    out->append("\r\nConnection: keep-alive");
  }
  if (!options.request_id.empty()) {
    out->append("\r\nx-request-id: ");
    out->append(options.request_id);
  }
  out->append("\r\n");
  for (const Header& header : response.headers) {
    if (IsServerOwnedHeader(header.name)) continue;
    out->append(header.name);
    out->append(": ");
    out->append(header.value);
    out->append("\r\n");
  }
  out->append("\r\n");
}

Response ErrorResponse(int status, std::string_view message) {
  Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", "application/json"});
  response.body.reserve(message.size() + 16);
  response.body.append("{\"error\":\"");
  AppendJsonEscaped(message, &response.body);
  response.body.append("\"}");
  response.close_connection = true;
  return response;
}

}  // namespace sluice::http
