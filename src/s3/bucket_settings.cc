#include "s3/bucket_settings.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "s3/xml_reader.h"
#include "sluice/xml_writer.h"

namespace sluice::s3 {
namespace {

// --- Reading XML bodies: xml_reader.h's rules, answering S3Errors.

// MalformedXML with `detail` after S3's message, as an S3Error.
S3Error MalformedXmlError(std::string detail) { return FromStatus(MalformedXml(std::move(detail))); }

// Reads `body` with `handler`; the first error as S3 answers it.
std::optional<S3Error> ReadBody(std::string_view body, std::string_view root, XmlBodyHandler& handler) {
  Status status = ReadXmlBody(body, root, handler);
  if (status.ok()) return std::nullopt;
  return FromStatus(status);
}

// At most 64 bytes of a value, for messages.
std::string Shown(std::string_view text) { return std::string(text.substr(0, 64)); }

std::optional<bool> ParseBool(std::string_view text) {
  text = TrimXmlSpace(text);
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

// --- Stored JSON.

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteString(JsonWriter& json, std::string_view text) {
  json.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

std::string BufferText(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Parses stored JSON into `document`; false when it is not JSON.
bool ParseStored(std::string_view stored, rapidjson::Document& document) {
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(stored.data(), stored.size());
  return !document.HasParseError();
}

std::string_view StringOf(const rapidjson::Value& value) {
  return std::string_view(value.GetString(), value.GetStringLength());
}

// A boolean member; nullopt when absent or not a boolean.
std::optional<bool> BoolMember(const rapidjson::Value& object, const char* name) {
  auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsBool()) return std::nullopt;
  return member->value.GetBool();
}

// --- Encryption.

bool IsKms(std::string_view algorithm) { return algorithm == "aws:kms" || algorithm == "aws:kms:dsse"; }
bool IsKnownAlgorithm(std::string_view algorithm) { return algorithm == "AES256" || IsKms(algorithm); }

class EncryptionHandler : public XmlBodyHandler {
 public:
  Status Start(int depth, std::string_view name) override {
    if (depth == 2 && name == "Rule") {
      if (++rules_ > 1) return MalformedXml("ServerSideEncryptionConfiguration has more than one Rule");
      in_rule_ = true;
    } else if (depth == 3 && in_rule_ && name == "ApplyServerSideEncryptionByDefault") {
      if (has_default_) return MalformedXml("the Rule has two ApplyServerSideEncryptionByDefault elements");
      has_default_ = in_default_ = true;
    }
    return Status::Ok();
  }

  Status End(int depth, std::string_view name, std::string_view text) override {
    if (depth == 4 && in_default_) {
      if (name == "SSEAlgorithm") {
        if (algorithm_) return MalformedXml("two SSEAlgorithm elements");
        algorithm_ = std::string(TrimXmlSpace(text));
      } else if (name == "KMSMasterKeyID") {
        if (kms_key_id_) return MalformedXml("two KMSMasterKeyID elements");
        kms_key_id_ = std::string(TrimXmlSpace(text));
      }
    } else if (depth == 3 && in_rule_) {
      if (name == "ApplyServerSideEncryptionByDefault") {
        in_default_ = false;
      } else if (name == "BucketKeyEnabled") {
        if (has_bucket_key_) return MalformedXml("two BucketKeyEnabled elements");
        std::optional<bool> enabled = ParseBool(text);
        if (!enabled) return MalformedXml("BucketKeyEnabled must be true or false");
        rule_.bucket_key_enabled = *enabled;
        has_bucket_key_ = true;
      }
    } else if (depth == 2 && name == "Rule") {
      in_rule_ = false;
    }
    return Status::Ok();
  }

  // The schema's and S3's checks of the whole document, in S3's order.
  S3Result<EncryptionRule> Finish() {
    if (rules_ == 0) return MalformedXmlError("ServerSideEncryptionConfiguration has no Rule");
    if (!has_default_) return MalformedXmlError("the Rule has no ApplyServerSideEncryptionByDefault");
    if (!algorithm_) return MalformedXmlError("ApplyServerSideEncryptionByDefault has no SSEAlgorithm");
    if (!IsKnownAlgorithm(*algorithm_)) return MalformedXmlError("unknown SSEAlgorithm " + Shown(*algorithm_));
    if (kms_key_id_ && !IsKms(*algorithm_)) {
      return InvalidArgumentError(
          "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
          "ApplyServerSideEncryptionByDefault");
    }
    rule_.algorithm = std::move(*algorithm_);
    rule_.kms_key_id = kms_key_id_.value_or("");
    return std::move(rule_);
  }

 private:
  int rules_ = 0;
  bool in_rule_ = false;
  bool has_default_ = false;
  bool in_default_ = false;
  bool has_bucket_key_ = false;
  std::optional<std::string> algorithm_;
  std::optional<std::string> kms_key_id_;
  EncryptionRule rule_;
};

// --- Tagging.

constexpr size_t kMaxTagKeyChars = 128;
constexpr size_t kMaxTagValueChars = 256;

// Unicode code points in UTF-8 text (expat delivers only valid UTF-8).
size_t CodePoints(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

class TaggingHandler : public XmlBodyHandler {
 public:
  Status Start(int depth, std::string_view name) override {
    if (depth == 2 && name == "TagSet") {
      if (has_tag_set_) return MalformedXml("two TagSet elements");
      has_tag_set_ = in_tag_set_ = true;
    } else if (depth == 3 && in_tag_set_ && name == "Tag") {
      tags.emplace_back();
      in_tag_ = true;
      has_key_ = has_value_ = false;
    }
    return Status::Ok();
  }

  Status End(int depth, std::string_view name, std::string_view text) override {
    if (depth == 4 && in_tag_) {
      if (name == "Key") {
        if (has_key_) return MalformedXml("a Tag has two Key elements");
        tags.back().first = std::string(text);
        has_key_ = true;
      } else if (name == "Value") {
        if (has_value_) return MalformedXml("a Tag has two Value elements");
        tags.back().second = std::string(text);
        has_value_ = true;
      }
    } else if (depth == 3 && in_tag_ && name == "Tag") {
      in_tag_ = false;
      if (!has_key_) return MalformedXml("Tag " + std::to_string(tags.size()) + " has no Key");
    } else if (depth == 2 && name == "TagSet") {
      in_tag_set_ = false;
    } else if (depth == 1 && !has_tag_set_) {
      return MalformedXml("Tagging has no TagSet");
    }
    return Status::Ok();
  }

  TagSet tags;

 private:
  bool has_tag_set_ = false;
  bool in_tag_set_ = false;
  bool in_tag_ = false;
  bool has_key_ = false;
  bool has_value_ = false;
};

S3Error InvalidTag(std::string message, std::string_view key) {
  return MakeError(ErrorCode::kInvalidTag, std::move(message)).With("TagKey", std::string(key));
}

// S3's checks of a well-formed tag set, in S3's order.
std::optional<S3Error> CheckTags(const TagSet& tags) {
  if (tags.size() > kMaxBucketTags) {
    return MakeError(ErrorCode::kInvalidTag,
                     "Bucket tag count cannot be greater than " + std::to_string(kMaxBucketTags));
  }
  std::set<std::string_view> keys;
  for (const auto& [key, value] : tags) {
    if (!keys.insert(key).second) return InvalidTag("Cannot provide multiple Tags with the same key", key);
    if (key.rfind("aws:", 0) == 0) return InvalidTag("System tags cannot be added/updated by requester", key);
    size_t key_chars = CodePoints(key);
    if (key_chars == 0 || key_chars > kMaxTagKeyChars) {
      return InvalidTag("The TagKey you have provided is invalid", key);
    }
    if (CodePoints(value) > kMaxTagValueChars) {
      return InvalidTag("The TagValue you have provided is invalid", key).With("TagValue", value);
    }
  }
  return std::nullopt;
}

// --- Public access block.

// The four settings in S3's element order, with where each lives.
struct PublicAccessField {
  const char* element;
  const char* stored;
  bool PublicAccessBlock::*flag;
};

constexpr PublicAccessField kPublicAccessFields[] = {
    {"BlockPublicAcls", "block_public_acls", &PublicAccessBlock::block_public_acls},
    {"IgnorePublicAcls", "ignore_public_acls", &PublicAccessBlock::ignore_public_acls},
    {"BlockPublicPolicy", "block_public_policy", &PublicAccessBlock::block_public_policy},
    {"RestrictPublicBuckets", "restrict_public_buckets", &PublicAccessBlock::restrict_public_buckets},
};

class PublicAccessBlockHandler : public XmlBodyHandler {
 public:
  Status End(int depth, std::string_view name, std::string_view text) override {
    if (depth != 2) return Status::Ok();
    for (size_t i = 0; i < std::size(kPublicAccessFields); ++i) {
      const PublicAccessField& field = kPublicAccessFields[i];
      if (name != field.element) continue;
      if (seen_[i]) return MalformedXml("two " + std::string(name) + " elements");
      std::optional<bool> value = ParseBool(text);
      if (!value) return MalformedXml(std::string(name) + " must be true or false");
      block.*field.flag = *value;
      seen_[i] = true;
    }
    return Status::Ok();
  }

  PublicAccessBlock block;

 private:
  bool seen_[std::size(kPublicAccessFields)] = {};
};

// --- Policy.

S3Error MalformedPolicy(std::string message) { return MakeError(ErrorCode::kMalformedPolicy, std::move(message)); }

// The document's size without the whitespace between JSON tokens, S3's
// "normalized" size to within its rewriting of escapes and numbers.
size_t NormalizedSize(std::string_view json) {
  size_t size = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      continue;
    } else if (c == '"') {
      in_string = true;
    }
    ++size;
  }
  return size;
}

std::optional<S3Error> CheckStatement(const rapidjson::Value& statement) {
  if (!statement.IsObject()) return MalformedPolicy("Invalid policy syntax.");
  auto effect = statement.FindMember("Effect");
  if (effect == statement.MemberEnd()) return MalformedPolicy("Missing required field Effect");
  if (!effect->value.IsString()) return MalformedPolicy("Invalid policy syntax.");
  std::string_view value = StringOf(effect->value);
  if (value != "Allow" && value != "Deny") return MalformedPolicy("Invalid effect: " + std::string(value));
  return std::nullopt;
}

}  // namespace

// --- Encryption.

S3Result<EncryptionRule> ParseEncryptionConfiguration(std::string_view body) {
  EncryptionHandler handler;
  if (std::optional<S3Error> error = ReadBody(body, "ServerSideEncryptionConfiguration", handler)) {
    return std::move(*error);
  }
  return handler.Finish();
}

std::string EncodeEncryptionSetting(const EncryptionRule& rule) {
  rapidjson::StringBuffer buffer;
  JsonWriter json(buffer);
  json.StartObject();
  json.Key("algorithm");
  WriteString(json, rule.algorithm);
  json.Key("kms_key_id");
  WriteString(json, rule.kms_key_id);
  json.Key("bucket_key_enabled");
  json.Bool(rule.bucket_key_enabled);
  json.EndObject();
  return BufferText(buffer);
}

std::optional<EncryptionRule> DecodeEncryptionSetting(std::string_view stored) {
  rapidjson::Document document;
  if (!ParseStored(stored, document) || !document.IsObject()) return std::nullopt;
  EncryptionRule rule;
  auto algorithm = document.FindMember("algorithm");
  if (algorithm == document.MemberEnd() || !algorithm->value.IsString()) return std::nullopt;
  rule.algorithm = std::string(StringOf(algorithm->value));
  if (!IsKnownAlgorithm(rule.algorithm)) return std::nullopt;
  auto key = document.FindMember("kms_key_id");
  if (key == document.MemberEnd() || !key->value.IsString()) return std::nullopt;
  rule.kms_key_id = std::string(StringOf(key->value));
  if (!rule.kms_key_id.empty() && !IsKms(rule.algorithm)) return std::nullopt;
  std::optional<bool> bucket_key = BoolMember(document, "bucket_key_enabled");
  if (!bucket_key) return std::nullopt;
  rule.bucket_key_enabled = *bucket_key;
  return rule;
}

std::string EncryptionConfigurationXml(const EncryptionRule& rule) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("ServerSideEncryptionConfiguration", kS3XmlNamespace);
  xml.Start("Rule");
  xml.Start("ApplyServerSideEncryptionByDefault");
  xml.Element("SSEAlgorithm", rule.algorithm);
  if (!rule.kms_key_id.empty()) xml.Element("KMSMasterKeyID", rule.kms_key_id);
  xml.End();
  xml.Element("BucketKeyEnabled", rule.bucket_key_enabled ? "true" : "false");
  xml.End();
  xml.End();
  return out;
}

std::vector<http::Header> EncryptionRuleHeaders(const EncryptionRule& rule) {
  std::vector<http::Header> headers;
  headers.push_back({"x-amz-server-side-encryption", rule.algorithm});
  if (!rule.kms_key_id.empty()) headers.push_back({"x-amz-server-side-encryption-aws-kms-key-id", rule.kms_key_id});
  if (rule.bucket_key_enabled && rule.algorithm == "aws:kms") {
    headers.push_back({"x-amz-server-side-encryption-bucket-key-enabled", "true"});
  }
  return headers;
}

// --- Tagging.

S3Result<TagSet> ParseTagging(std::string_view body) {
  TaggingHandler handler;
  if (std::optional<S3Error> error = ReadBody(body, "Tagging", handler)) return std::move(*error);
  if (std::optional<S3Error> error = CheckTags(handler.tags)) return std::move(*error);
  return std::move(handler.tags);
}

std::string EncodeTaggingSetting(const TagSet& tags) {
  rapidjson::StringBuffer buffer;
  JsonWriter json(buffer);
  json.StartArray();
  for (const auto& [key, value] : tags) {
    json.StartArray();
    WriteString(json, key);
    WriteString(json, value);
    json.EndArray();
  }
  json.EndArray();
  return BufferText(buffer);
}

std::optional<TagSet> DecodeTaggingSetting(std::string_view stored) {
  rapidjson::Document document;
  if (!ParseStored(stored, document) || !document.IsArray()) return std::nullopt;
  TagSet tags;
  tags.reserve(document.Size());
  for (const rapidjson::Value& pair : document.GetArray()) {
    if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsString() || !pair[1].IsString()) return std::nullopt;
    tags.emplace_back(StringOf(pair[0]), StringOf(pair[1]));
  }
  return tags;
}

std::string TaggingXml(const TagSet& tags) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("Tagging", kS3XmlNamespace);
  xml.Start("TagSet");
  for (const auto& [key, value] : tags) {
    xml.Start("Tag");
    xml.Element("Key", key);
    xml.Element("Value", value);
    xml.End();
  }
  xml.End();
  xml.End();
  return out;
}

// --- Public access block.

S3Result<PublicAccessBlock> ParsePublicAccessBlock(std::string_view body) {
  PublicAccessBlockHandler handler;
  if (std::optional<S3Error> error = ReadBody(body, "PublicAccessBlockConfiguration", handler)) {
    return std::move(*error);
  }
  return handler.block;
}

std::string EncodePublicAccessBlockSetting(const PublicAccessBlock& block) {
  rapidjson::StringBuffer buffer;
  JsonWriter json(buffer);
  json.StartObject();
  for (const PublicAccessField& field : kPublicAccessFields) {
    json.Key(field.stored);
    json.Bool(block.*field.flag);
  }
  json.EndObject();
  return BufferText(buffer);
}

std::optional<PublicAccessBlock> DecodePublicAccessBlockSetting(std::string_view stored) {
  rapidjson::Document document;
  if (!ParseStored(stored, document) || !document.IsObject()) return std::nullopt;
  PublicAccessBlock block;
  for (const PublicAccessField& field : kPublicAccessFields) {
    std::optional<bool> value = BoolMember(document, field.stored);
    if (!value) return std::nullopt;
    block.*field.flag = *value;
  }
  return block;
}

std::string PublicAccessBlockXml(const PublicAccessBlock& block) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("PublicAccessBlockConfiguration", kS3XmlNamespace);
  for (const PublicAccessField& field : kPublicAccessFields) {
    xml.Element(field.element, block.*field.flag ? "true" : "false");
  }
  xml.End();
  return out;
}

// --- Policy.

S3Result<std::string> CheckPolicy(std::string_view body) {
  // S3 looks at the first byte before parsing: leading whitespace fails too.
  if (body.empty() || body.front() != '{') return MakeError(ErrorCode::kMalformedPolicy);
  rapidjson::Document document;
  // Iterative: a deeply nested document cannot exhaust the stack.
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) return MakeError(ErrorCode::kMalformedPolicy);
  if (NormalizedSize(body) > kMaxPolicyBytes) {
    return MalformedPolicy("Normalized policy document exceeds the maximum allowed size of " +
                           std::to_string(kMaxPolicyBytes) + " bytes");
  }
  auto statement = document.FindMember("Statement");
  if (statement == document.MemberEnd() || !(statement->value.IsArray() || statement->value.IsObject())) {
    return MalformedPolicy("Missing required field Statement");
  }
  if (statement->value.IsObject()) {
    if (std::optional<S3Error> error = CheckStatement(statement->value)) return std::move(*error);
    return std::string(body);
  }
  if (statement->value.Empty()) return MalformedPolicy("Could not parse the policy: Statement is empty!");
  for (const rapidjson::Value& item : statement->value.GetArray()) {
    if (std::optional<S3Error> error = CheckStatement(item)) return std::move(*error);
  }
  return std::string(body);
}

}  // namespace sluice::s3
