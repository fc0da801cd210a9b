#include "s3/aws_chunked.h"

#include <algorithm>
#include <utility>

namespace sluice::s3 {
namespace {

constexpr std::string_view kSignaturePrefix = ";chunk-signature=";
constexpr std::string_view kTrailerSignature = "x-amz-trailer-signature";
constexpr size_t kMaxSizeDigits = 15;  // < 2^60 bytes: no overflow when summed

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool AllHex(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsHexDigit);
}

// RFC 9110 token characters: what a header name may hold.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Visible ASCII, space and tab: what a line may hold besides its CRLF.
bool IsPlainText(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte == '\t' || (byte >= 0x20 && byte < 0x7f);
  });
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A signature as the signing variant writes it: SigV4 a hex HMAC-SHA256,
// SigV4a a hex DER ECDSA signature (variable length, at most 72 bytes).
bool SignatureShapeOk(AwsChunkedSigning signing, std::string_view signature) {
  if (!AllHex(signature)) return false;
  if (signing == AwsChunkedSigning::kSigV4) return signature.size() == 64;
  return signature.size() <= 144;
}

// A printable rendering of a bad line for messages: at most 64 characters.
std::string Quote(std::string_view line) {
  std::string out = "\"";
  for (char c : line.substr(0, 64)) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\') {
      out += c;
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  if (line.size() > 64) out += "...";
  return out + "\"";
}

}  // namespace

std::optional<AwsChunkedFormat> AwsChunkedFormatFor(std::string_view content_sha256) {
  struct Row {
    std::string_view value;
    AwsChunkedFormat format;
  };
  static constexpr Row kRows[] = {
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD", {AwsChunkedSigning::kSigV4, false}},
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", {AwsChunkedSigning::kSigV4, true}},
      {"STREAMING-UNSIGNED-PAYLOAD-TRAILER", {AwsChunkedSigning::kUnsigned, true}},
      {"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", {AwsChunkedSigning::kSigV4a, false}},
      {"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER", {AwsChunkedSigning::kSigV4a, true}},
  };
  for (const Row& row : kRows) {
    if (row.value == content_sha256) return row.format;
  }
  return std::nullopt;
}

std::vector<std::string> ParseTrailerNames(std::string_view x_amz_trailer) {
  std::vector<std::string> names;
  while (!x_amz_trailer.empty()) {
    size_t comma = x_amz_trailer.find(',');
    std::string_view name = Trim(x_amz_trailer.substr(0, comma));
    if (!name.empty()) names.push_back(Lower(name));
    if (comma == std::string_view::npos) break;
    x_amz_trailer.remove_prefix(comma + 1);
  }
  return names;
}

std::string_view AwsChunkedS3ErrorCode(AwsChunkedFailure failure) {
  switch (failure) {
    case AwsChunkedFailure::kNone: return "";
    case AwsChunkedFailure::kIncompleteBody: return "IncompleteBody";
    case AwsChunkedFailure::kInvalidChunk: return "InvalidRequest";
    case AwsChunkedFailure::kMalformedTrailer: return "MalformedTrailerError";
  }
  return "";
}

AwsChunkedDecoder::AwsChunkedDecoder(Options options) : options_(std::move(options)) {}

Status AwsChunkedDecoder::Fail(AwsChunkedFailure failure, std::string message) {
  failure_ = failure;
  Code code = failure == AwsChunkedFailure::kIncompleteBody ? Code::kInvalidParameterValue
                                                            : Code::kMalformedRequest;
  status_ = Status(code, "aws-chunked body: " + std::move(message));
  line_.clear();
  line_.shrink_to_fit();
  return status_;
}

Status AwsChunkedDecoder::Feed(std::string_view bytes, std::string* decoded_out) {
  if (failure_ != AwsChunkedFailure::kNone) return status_;
  while (!bytes.empty()) {
    switch (state_) {
      case State::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(bytes.size(), chunk_remaining_));
        decoded_out->append(bytes.data(), take);
        bytes.remove_prefix(take);
        chunk_remaining_ -= take;
        decoded_bytes_ += take;
        if (chunk_remaining_ == 0) {
          state_ = State::kDataEnd;
          data_end_seen_ = 0;
        }
        break;
      }
      case State::kDataEnd: {
        char expected = data_end_seen_ == 0 ? '\r' : '\n';
        if (bytes.front() != expected) {
          return Fail(AwsChunkedFailure::kInvalidChunk,
                      "chunk " + std::to_string(chunks_) +
                          "'s data is not followed by CRLF (a chunk larger than its size line says?)");
        }
        bytes.remove_prefix(1);
        if (++data_end_seen_ == 2) state_ = State::kSizeLine;
        break;
      }
      case State::kSizeLine:
      case State::kTrailerLine: {
        size_t newline = bytes.find('\n');
        size_t take = newline == std::string_view::npos ? bytes.size() : newline + 1;
        if (line_.size() + take > options_.max_line_bytes) {
          bool trailer = state_ == State::kTrailerLine;
          return Fail(trailer ? AwsChunkedFailure::kMalformedTrailer : AwsChunkedFailure::kInvalidChunk,
                      std::string(trailer ? "a trailer line" : "a chunk-size line") +
                          " is longer than " + std::to_string(options_.max_line_bytes) + " bytes");
        }
        line_.append(bytes.data(), take);
        bytes.remove_prefix(take);
        if (newline == std::string_view::npos) break;
        std::string_view line(line_);
        line.remove_suffix(1);  // '\n'
        Status status;
        if (line.empty() || line.back() != '\r') {
          bool trailer = state_ == State::kTrailerLine;
          status = Fail(trailer ? AwsChunkedFailure::kMalformedTrailer : AwsChunkedFailure::kInvalidChunk,
                        "a line ends with a bare LF, not CRLF: " + Quote(line));
        } else {
          line.remove_suffix(1);  // '\r'
          status = state_ == State::kSizeLine ? OnSizeLine(line) : OnTrailerLine(line);
        }
        if (!status.ok()) return status;
        line_.clear();
        break;
      }
      case State::kDone:
        return Fail(AwsChunkedFailure::kInvalidChunk, "bytes follow the end of the body");
    }
  }
  return Status::Ok();
}

Status AwsChunkedDecoder::OnSizeLine(std::string_view line) {
  if (!IsPlainText(line)) {
    return Fail(AwsChunkedFailure::kInvalidChunk, "a chunk-size line holds control characters: " + Quote(line));
  }
  std::string_view size_text = line;
  if (options_.format.signing != AwsChunkedSigning::kUnsigned) {
    size_t semicolon = line.find(';');
    if (semicolon == std::string_view::npos) {
      return Fail(AwsChunkedFailure::kInvalidChunk,
                  "a signed payload's chunk-size line has no chunk-signature: " + Quote(line));
    }
    size_text = line.substr(0, semicolon);
    std::string_view extension = line.substr(semicolon);
    if (extension.substr(0, kSignaturePrefix.size()) != kSignaturePrefix ||
        !SignatureShapeOk(options_.format.signing, extension.substr(kSignaturePrefix.size()))) {
      return Fail(AwsChunkedFailure::kInvalidChunk,
                  "a chunk-size line has a malformed chunk-signature: " + Quote(line));
    }
  }
  if (!AllHex(size_text)) {
    return Fail(AwsChunkedFailure::kInvalidChunk,
                "a chunk-size line is not a hexadecimal size" +
                    std::string(options_.format.signing == AwsChunkedSigning::kUnsigned
                                    ? " (an unsigned payload's chunks carry no signature)"
                                    : "") +
                    ": " + Quote(line));
  }
  size_t first_digit = std::min(size_text.find_first_not_of('0'), size_text.size());
  if (size_text.size() - first_digit > kMaxSizeDigits) {
    return Fail(AwsChunkedFailure::kInvalidChunk, "a chunk size is too large: " + Quote(size_text));
  }
  uint64_t size = 0;
  for (char c : size_text.substr(first_digit)) size = (size << 4) | static_cast<uint64_t>(HexValue(c));
  ++chunks_;

  const std::optional<uint64_t>& declared = options_.decoded_content_length;
  if (declared && size > *declared - decoded_bytes_) {
    return Fail(AwsChunkedFailure::kIncompleteBody,
                "the chunks carry more than the " + std::to_string(*declared) +
                    " bytes x-amz-decoded-content-length declares");
  }
  if (size > 0) {
    chunk_remaining_ = size;
    state_ = State::kData;
    return Status::Ok();
  }
  // The final chunk: its (empty) data is followed by the trailer section.
  if (declared && decoded_bytes_ != *declared) {
    return Fail(AwsChunkedFailure::kIncompleteBody,
                "the chunks carry " + std::to_string(decoded_bytes_) +
                    " bytes but x-amz-decoded-content-length declares " + std::to_string(*declared));
  }
  state_ = State::kTrailerLine;
  return Status::Ok();
}

Status AwsChunkedDecoder::OnTrailerLine(std::string_view line) {
  if (line.empty()) return EndOfTrailers();
  if (!options_.format.trailer) {
    return Fail(AwsChunkedFailure::kInvalidChunk,
                "expected the CRLF that ends the body after the final chunk, got " + Quote(line) +
                    " (x-amz-content-sha256 announces no trailer)");
  }
  if (!IsPlainText(line)) {
    return Fail(AwsChunkedFailure::kMalformedTrailer, "a trailer line holds control characters: " + Quote(line));
  }
  size_t colon = line.find(':');
  std::string_view name = colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
    return Fail(AwsChunkedFailure::kMalformedTrailer, "a trailer line is not name:value: " + Quote(line));
  }
  std::string lower_name = Lower(name);
  std::string_view value = Trim(line.substr(colon + 1));
  if (value.empty()) {
    return Fail(AwsChunkedFailure::kMalformedTrailer, "trailer " + lower_name + " has no value");
  }
  if (lower_name == kTrailerSignature) {
    // Unsigned payloads do not need one, but some SDKs send it anyway.
    bool signed_payload = options_.format.signing != AwsChunkedSigning::kUnsigned;
    if (trailer_signature_seen_ || (signed_payload && !SignatureShapeOk(options_.format.signing, value))) {
      return Fail(AwsChunkedFailure::kMalformedTrailer, "malformed or repeated x-amz-trailer-signature");
    }
    trailer_signature_seen_ = true;
    return Status::Ok();
  }
  if (trailer_signature_seen_) {
    return Fail(AwsChunkedFailure::kMalformedTrailer,
                "trailer " + lower_name + " follows x-amz-trailer-signature, which must come last");
  }
  if (trailers_.count(lower_name) != 0) {
    return Fail(AwsChunkedFailure::kMalformedTrailer, "trailer " + lower_name + " is repeated");
  }
  if (trailers_.size() >= options_.max_trailers) {
    return Fail(AwsChunkedFailure::kMalformedTrailer,
                "more than " + std::to_string(options_.max_trailers) + " trailers");
  }
  if (options_.announced_trailers) {
    const std::vector<std::string>& announced = *options_.announced_trailers;
    if (std::find(announced.begin(), announced.end(), lower_name) == announced.end()) {
      return Fail(AwsChunkedFailure::kMalformedTrailer,
                  "trailer " + lower_name + " was not announced in x-amz-trailer");
    }
  }
  trailers_.emplace(std::move(lower_name), std::string(value));
  return Status::Ok();
}

Status AwsChunkedDecoder::EndOfTrailers() {
  if (options_.format.trailer && options_.format.signing != AwsChunkedSigning::kUnsigned &&
      !trailer_signature_seen_) {
    return Fail(AwsChunkedFailure::kMalformedTrailer,
                "a signed payload's trailer section has no x-amz-trailer-signature");
  }
  if (options_.announced_trailers) {
    for (const std::string& name : *options_.announced_trailers) {
      if (trailers_.count(name) == 0) {
        return Fail(AwsChunkedFailure::kMalformedTrailer,
                    "trailer " + name + " was announced in x-amz-trailer but not sent");
      }
    }
  }
  state_ = State::kDone;
  line_.shrink_to_fit();
  return Status::Ok();
}

Status AwsChunkedDecoder::Finish() {
  if (failure_ != AwsChunkedFailure::kNone) return status_;
  switch (state_) {
    case State::kDone:
      return Status::Ok();
    case State::kData:
      return Fail(AwsChunkedFailure::kIncompleteBody,
                  "the body ends inside chunk " + std::to_string(chunks_) + "'s data, " +
                      std::to_string(chunk_remaining_) + " bytes short");
    case State::kDataEnd:
      return Fail(AwsChunkedFailure::kIncompleteBody, "the body ends before chunk " +
                                                          std::to_string(chunks_) + "'s closing CRLF");
    case State::kSizeLine:
      return Fail(AwsChunkedFailure::kIncompleteBody,
                  chunks_ == 0 && line_.empty() ? "the body is empty (no final 0-size chunk)"
                                                : "the body ends before its final 0-size chunk");
    case State::kTrailerLine:
      return Fail(AwsChunkedFailure::kIncompleteBody,
                  options_.format.trailer ? "the body ends inside its trailer section"
                                          : "the body ends before the CRLF after its final chunk");
  }
  return Status::Ok();
}

}  // namespace sluice::s3
