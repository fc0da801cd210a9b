#include "http/request_parser.h"

#include <algorithm>
#include <string_view>
#include <strings.h>

namespace sluice::http {
namespace {

// Declared lengths are trusted for reservation only this far: a client that
// announces 8 MiB and sends nothing must not cost 8 MiB.
constexpr size_t kMaxBodyReserve = 1 << 20;

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

}  // namespace

RequestParser::RequestParser(size_t max_header_bytes, size_t max_body_bytes)
    : max_header_bytes_(max_header_bytes), max_body_bytes_(max_body_bytes) {
  // llhttp keeps a pointer to the settings: they must outlive every parser.
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &RequestParser::OnMessageBegin;
    s.on_url = &RequestParser::OnUrl;
    s.on_header_field = &RequestParser::OnHeaderField;
    s.on_header_field_complete = &RequestParser::OnHeaderFieldComplete;
    s.on_header_value = &RequestParser::OnHeaderValue;
    s.on_header_value_complete = &RequestParser::OnHeaderValueComplete;
    s.on_headers_complete = &RequestParser::OnHeadersComplete;
    s.on_chunk_header = &RequestParser::OnChunkHeader;
    s.on_body = &RequestParser::OnBody;
    s.on_message_complete = &RequestParser::OnMessageComplete;
    return s;
  }();
  llhttp_init(&parser_, HTTP_REQUEST, &settings);
  parser_.data = this;
}

void RequestParser::EnableStreaming(const std::function<bool(const Request&)>* choose,
                                    uint64_t max_streamed_body_bytes) {
  choose_streaming_ = choose;
  max_streamed_body_bytes_ = max_streamed_body_bytes;
}

RequestParser& RequestParser::From(llhttp_t* parser) {
  return *static_cast<RequestParser*>(parser->data);
}

RequestParser::Step RequestParser::Execute(const char* data, size_t length, Request* request) {
  if (error_status_ != 0) return {Event::kError, 0};
  request_ = request;
  // A head may not grow past the limit: feed it at most one byte more than
  // it may still take, so an endless head stops at the limit.
  bool in_head = phase_ != Phase::kBody;
  size_t feed = length;
  if (in_head) feed = std::min(length, max_header_bytes_ + 1 - head_bytes_);

  llhttp_errno_t error = llhttp_execute(&parser_, data, feed);
  switch (error) {
    case HPE_OK:
      if (in_head) {
        head_bytes_ += feed;
        if (head_bytes_ > max_header_bytes_) {
          Fail(431, "request head exceeds " + std::to_string(max_header_bytes_) + " bytes");
          return {Event::kError, feed};
        }
      }
      return {Event::kNeedMore, feed};
    case HPE_PAUSED:
      return Paused(data, static_cast<size_t>(llhttp_get_error_pos(&parser_) - data), in_head);
    case HPE_PAUSED_UPGRADE:
      // An Upgrade offer (e.g. h2c) on a request already delivered: decline
      // it by going on with HTTP/1.1, which the client must accept.
      llhttp_resume_after_upgrade(&parser_);
      return {Event::kNeedMore, static_cast<size_t>(llhttp_get_error_pos(&parser_) - data)};
    default:
      return Failed(error, 0);
  }
}

// llhttp stopped at one of our two stop points.
RequestParser::Step RequestParser::Paused(const char* data, size_t consumed, bool in_head) {
  llhttp_resume(&parser_);
  if (message_complete_) {
    message_complete_ = false;
    phase_ = Phase::kIdle;
    head_bytes_ = 0;
    return {Event::kMessageComplete, consumed};
  }
  // The head is complete.
  if (in_head) head_bytes_ += consumed;
  if (head_bytes_ > max_header_bytes_) {
    Fail(431, "request head exceeds " + std::to_string(max_header_bytes_) + " bytes");
    return {Event::kError, consumed};
  }
  if (head_has_body_) {
    if (!ChooseBody()) return {Event::kError, consumed};
    return {Event::kHeadComplete, consumed};
  }
  // No body: llhttp reaches the end of the message without another byte.
  llhttp_errno_t error = llhttp_execute(&parser_, data + consumed, 0);
  if (error == HPE_PAUSED) return Paused(data, consumed, false);
  if (error != HPE_OK) return Failed(error, consumed);
  return {Event::kNeedMore, consumed};
}

RequestParser::Step RequestParser::Failed(llhttp_errno_t error, size_t consumed) {
  if (error_status_ == 0) {
    const char* reason = llhttp_get_error_reason(&parser_);
    Fail(400, std::string("malformed request: ") + (reason != nullptr ? reason : llhttp_errno_name(error)));
  }
  return {Event::kError, consumed};
}

int RequestParser::Fail(int status, std::string message) {
  error_status_ = status;
  error_message_ = std::move(message);
  return HPE_USER;
}

int RequestParser::OnMessageBegin(llhttp_t* parser) {
  RequestParser& self = From(parser);
  self.phase_ = Phase::kHead;
  ++self.requests_begun_;
  self.in_header_field_ = false;
  self.head_has_body_ = false;
  self.expects_continue_ = false;
  self.body_streamed_ = false;
  self.chunked_ = false;
  self.declared_length_ = 0;
  self.body_bytes_ = 0;
  self.body_output_ = nullptr;
  return 0;
}

int RequestParser::OnUrl(llhttp_t* parser, const char* at, size_t length) {
  From(parser).request_->target.append(at, length);
  return 0;
}

int RequestParser::OnHeaderField(llhttp_t* parser, const char* at, size_t length) {
  RequestParser& self = From(parser);
  if (self.dropping_trailers()) return 0;
  std::vector<Header>& headers = self.request_->headers;
  if (!self.in_header_field_) {
    headers.emplace_back();
    self.in_header_field_ = true;
  }
  std::string& name = headers.back().name;
  size_t old_size = name.size();
  name.resize(old_size + length);
  std::transform(at, at + length, name.begin() + static_cast<std::ptrdiff_t>(old_size), ToLower);
  return 0;
}

int RequestParser::OnHeaderFieldComplete(llhttp_t* parser) {
  From(parser).in_header_field_ = false;  // harmless for dropped trailers
  return 0;
}

int RequestParser::OnHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  RequestParser& self = From(parser);
  if (self.dropping_trailers()) return 0;
  self.request_->headers.back().value.append(at, length);
  return 0;
}

int RequestParser::OnHeaderValueComplete(llhttp_t* parser) {
  RequestParser& self = From(parser);
  if (self.dropping_trailers()) return 0;
  std::string& value = self.request_->headers.back().value;
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  return 0;
}

int RequestParser::OnHeadersComplete(llhttp_t* parser) {
  return From(parser).FinishHead();
}

int RequestParser::FinishHead() {
  Request& request = *request_;
  auto method = static_cast<llhttp_method_t>(llhttp_get_method(&parser_));
  if (method == HTTP_CONNECT) return Fail(400, "CONNECT is not supported");
  request.method = llhttp_method_name(method);
  std::string_view target = request.target;
  size_t question = target.find('?');
  request.path.assign(target.substr(0, question));
  if (question != std::string_view::npos) request.query.assign(target.substr(question + 1));

  http10_ = parser_.http_major == 0 || (parser_.http_major == 1 && parser_.http_minor == 0);
  keep_alive_ = llhttp_should_keep_alive(&parser_) != 0;
  head_method_ = method == HTTP_HEAD;
  chunked_ = (parser_.flags & F_CHUNKED) != 0;
  bool has_length = (parser_.flags & F_CONTENT_LENGTH) != 0;
  declared_length_ = has_length ? parser_.content_length : 0;
  head_has_body_ = chunked_ || declared_length_ > 0;
  const std::string* expect = request.FindHeader("expect");
  expects_continue_ = !http10_ && expect != nullptr && strcasecmp(expect->c_str(), "100-continue") == 0;
  phase_ = Phase::kBody;
  return HPE_PAUSED;
}

// Outside llhttp's callbacks (llhttp is paused at the end of the head), so
// the chooser may look at the head at leisure.
bool RequestParser::ChooseBody() {
  body_streamed_ = choose_streaming_ != nullptr && (*choose_streaming_)(*request_);
  if (declared_length_ > body_limit()) {
    Fail(413, "request body exceeds " + std::to_string(body_limit()) + " bytes");
    return false;
  }
  if (!body_streamed_) request_->body.reserve(std::min<uint64_t>(declared_length_, kMaxBodyReserve));
  return true;
}

int RequestParser::OnChunkHeader(llhttp_t* parser) {
  RequestParser& self = From(parser);
  // The chunk size is in content_length while this callback runs.
  if (parser->content_length > self.body_limit() - self.body_bytes_) {
    self.Fail(413, "request body exceeds " + std::to_string(self.body_limit()) + " bytes");
    return -1;
  }
  return 0;
}

int RequestParser::OnBody(llhttp_t* parser, const char* at, size_t length) {
  RequestParser& self = From(parser);
  if (length > self.body_limit() - self.body_bytes_) {
    return self.Fail(413, "request body exceeds " + std::to_string(self.body_limit()) + " bytes");
  }
  self.body_bytes_ += length;
  if (!self.body_streamed_) {
    self.request_->body.append(at, length);
  } else if (self.body_output_ != nullptr) {
    self.body_output_->append(at, length);
  }
  return 0;
}

int RequestParser::OnMessageComplete(llhttp_t* parser) {
  From(parser).message_complete_ = true;
  return HPE_PAUSED;
}

}  // namespace sluice::http
