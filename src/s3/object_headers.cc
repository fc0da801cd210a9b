#include "s3/object_headers.h"

#include <algorithm>
#include <utility>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "s3/checksums.h"
#include "s3/conditions.h"
#include "s3/names.h"

namespace sluice::s3 {
namespace {

// Request headers kept as sent.
constexpr std::string_view kPlainStored[] = {
    "cache-control", "content-disposition", "content-language", "expires", "x-amz-website-redirect-location",
    "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-context",
    "x-amz-server-side-encryption-bucket-key-enabled",
};
constexpr std::string_view kSseAlgorithms[] = {"AES256", "aws:kms", "aws:kms:dsse"};
constexpr std::string_view kStorageClasses[] = {
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
    "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
};
constexpr std::string_view kSseHeaders[] = {
    "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-context", "x-amz-server-side-encryption-bucket-key-enabled",
};

template <size_t N>
bool OneOf(std::string_view value, const std::string_view (&options)[N]) {
  return std::find(std::begin(options), std::end(options), value) != std::end(options);
}

// Content-Encoding without the aws-chunked coding the SDKs add for framing.
std::string StoredContentEncoding(std::string_view value) {
  std::string out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view coding = value.substr(start, comma - start);
    while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (!coding.empty() && coding != "aws-chunked") {
      if (!out.empty()) out += ",";
      out += coding;
    }
    start = comma + 1;
  }
  return out;
}

}  // namespace

S3Result<HeaderList> StorableHeaders(const http::Request& request) {
  HeaderList stored;
  for (std::string_view name : kPlainStored) {
    if (const std::string* value = request.FindHeader(name)) stored.push_back({std::string(name), *value});
  }
  if (const std::string* encoding = request.FindHeader("content-encoding")) {
    std::string kept = StoredContentEncoding(*encoding);
    if (!kept.empty()) stored.push_back({"content-encoding", std::move(kept)});
  }
  if (const std::string* sse = request.FindHeader("x-amz-server-side-encryption")) {
    if (!OneOf(*sse, kSseAlgorithms)) {
      return InvalidArgumentError("The encryption method specified is not supported",
                                  "x-amz-server-side-encryption", *sse);
    }
    stored.push_back({"x-amz-server-side-encryption", *sse});
  }
  if (const std::string* storage_class = request.FindHeader("x-amz-storage-class")) {
    if (!OneOf(*storage_class, kStorageClasses)) return MakeError(ErrorCode::kInvalidStorageClass);
    stored.push_back({"x-amz-storage-class", *storage_class});
  }
  return stored;
}

HeaderList StoredHeaders(std::string_view attributes_json) {
  HeaderList headers;
  if (attributes_json.empty()) return headers;
  rapidjson::Document document;
  document.Parse(attributes_json.data(), attributes_json.size());
  if (document.HasParseError() || !document.IsObject()) return headers;
  for (const auto& member : document.GetObject()) {
    if (!member.value.IsString()) continue;
    headers.push_back({std::string(member.name.GetString(), member.name.GetStringLength()),
                       std::string(member.value.GetString(), member.value.GetStringLength())});
  }
  return headers;
}

std::string StoredHeadersJson(const HeaderList& headers) {
  if (headers.empty()) return std::string();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const http::Header& header : headers) {
    writer.Key(header.name.data(), static_cast<rapidjson::SizeType>(header.name.size()));
    writer.String(header.value.data(), static_cast<rapidjson::SizeType>(header.value.size()));
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void SetStoredHeader(HeaderList* headers, std::string name, std::string value) {
  for (http::Header& header : *headers) {
    if (header.name == name) {
      header.value = std::move(value);
      return;
    }
  }
  headers->push_back({std::move(name), std::move(value)});
}

std::string StoredHeader(const HeaderList& headers, std::string_view name) {
  for (const http::Header& header : headers) {
    if (header.name == name) return header.value;
  }
  return std::string();
}

HeaderList EncryptionHeaders(const HeaderList& stored, const EncryptionRule* bucket_default) {
  HeaderList out;
  for (std::string_view name : kSseHeaders) {
    std::string value = StoredHeader(stored, name);
    if (!value.empty()) out.push_back({std::string(name), std::move(value)});
  }
  if (StoredHeader(stored, "x-amz-server-side-encryption").empty()) {
    HeaderList rule = EncryptionRuleHeaders(bucket_default != nullptr ? *bucket_default : EncryptionRule{});
    out.insert(out.begin(), rule.begin(), rule.end());
  }
  return out;
}

HeaderList ObjectHeaders(const sink::ObjectInfo& info, bool with_checksums, const EncryptionRule* bucket_default) {
  HeaderList out;
  out.push_back({"content-type", info.content_type});
  out.push_back({"etag", QuotedEtag(info.etag)});
  out.push_back({"last-modified", FormatHttpDate(info.created_ms)});
  out.push_back({"accept-ranges", "bytes"});
  Result<UserMetadata> metadata = UserMetadataFromJson(info.user_metadata);
  if (metadata.ok()) {
    for (http::Header& header : UserMetadataHeaders(*metadata)) out.push_back(std::move(header));
  }
  HeaderList stored = StoredHeaders(info.attributes);
  for (const http::Header& header : stored) {
    if (header.name == "x-amz-checksum-algorithm") continue;  // the upload's, not the object's
    bool checksum = header.name.rfind("x-amz-checksum-", 0) == 0;
    if (checksum && !with_checksums) continue;
    if (header.name.rfind("x-amz-server-side-encryption", 0) == 0) continue;  // EncryptionHeaders
    out.push_back(header);
  }
  for (http::Header& header : EncryptionHeaders(stored, bucket_default)) out.push_back(std::move(header));
  if (info.parts_count > 0) out.push_back({"x-amz-mp-parts-count", std::to_string(info.parts_count)});
  return out;
}

ObjectChecksums StoredChecksums(const HeaderList& stored) {
  ObjectChecksums checksums;
  for (const http::Header& header : stored) {
    std::optional<ChecksumAlgorithm> algorithm = ChecksumAlgorithmForHeader(header.name);
    if (!algorithm) {
      if (header.name == "x-amz-checksum-type") checksums.type = header.value;
      continue;
    }
    switch (*algorithm) {
      case ChecksumAlgorithm::kCrc32: checksums.crc32 = header.value; break;
      case ChecksumAlgorithm::kCrc32c: checksums.crc32c = header.value; break;
      case ChecksumAlgorithm::kCrc64Nvme: checksums.crc64nvme = header.value; break;
      case ChecksumAlgorithm::kSha1: checksums.sha1 = header.value; break;
      case ChecksumAlgorithm::kSha256: checksums.sha256 = header.value; break;
    }
  }
  return checksums;
}

void StoredChecksumKind(const HeaderList& stored, std::string* algorithm, std::string* type) {
  for (const http::Header& header : stored) {
    if (std::optional<ChecksumAlgorithm> found = ChecksumAlgorithmForHeader(header.name)) {
      *algorithm = std::string(ChecksumAlgorithmName(*found));
    } else if (header.name == "x-amz-checksum-type") {
      *type = header.value;
    }
  }
}

std::string QuotedEtag(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

}  // namespace sluice::s3
