// Four bucket subresources as pure codecs: what PutBucketEncryption,
// PutBucketTagging, PutPublicAccessBlock and PutBucketPolicy take, the text
// the sink stores for each (its bucket settings, by the names below), and
// what the matching Get answers with. Nothing here reads or writes the sink.
//
// XML bodies are read the way xml_bodies.h reads them: elements in S3's
// namespace or in none, the expected root, elements S3 documents but Sluice
// does not use (a Rule's BlockedEncryptionTypes) and elements of other
// namespaces skipped; a DOCTYPE is refused (no entity is ever declared or
// expanded), as are nesting deeper than 16 and element text over 64 KiB.
// Enumerations and booleans are trimmed; tag keys and values are kept as
// sent. The caller bounds the body's size.
//
// Errors: MalformedXML ("The XML you provided was not well-formed or did not
// validate against our published schema", the detail after a colon) for
// documents that do not fit S3's schema, an SSEAlgorithm S3 does not know
// included; S3's own codes and messages for the semantic checks named at each
// parser (InvalidArgument, InvalidTag, MalformedPolicy). The Decode functions
// answer nullopt for stored text they did not write, never an error.
//
// Output XML has S3's namespace on the root and is checked against botocore's
// parser by tests/unit/s3_bucket_settings_check.py.
//
// Threads: any (values and pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/errors.h"
#include "sluice/http/server.h"

namespace sluice::s3 {

// Names under which the sink stores each setting (Sink bucket settings).
inline constexpr std::string_view kEncryptionSetting = "encryption";
inline constexpr std::string_view kPolicySetting = "policy";
inline constexpr std::string_view kTaggingSetting = "tagging";
inline constexpr std::string_view kPublicAccessBlockSetting = "public-access-block";

// --- PutBucketEncryption / GetBucketEncryption.

struct EncryptionRule {
  std::string algorithm = "AES256";  // "AES256", "aws:kms" or "aws:kms:dsse"
  std::string kms_key_id;            // "" = none (only with aws:kms / aws:kms:dsse)
  bool bucket_key_enabled = false;
};

// <ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>
//   <SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:...</KMSMasterKeyID>
// </ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>
// </ServerSideEncryptionConfiguration>
// MalformedXML for: no Rule or more than one, a Rule without
// ApplyServerSideEncryptionByDefault/SSEAlgorithm, an SSEAlgorithm other than
// the three above (S3 answers so for values outside its enumeration), a
// BucketKeyEnabled other than true/false, a repeated element. A
// KMSMasterKeyID element with AES256 is InvalidArgument ("a KMSMasterKeyID is
// not applicable if the default sse algorithm is not aws:kms or
// aws:kms:dsse", ArgumentName ApplyServerSideEncryptionByDefault); an empty
// one with aws:kms means none.
S3Result<EncryptionRule> ParseEncryptionConfiguration(std::string_view body);
// Stored text: compact JSON {"algorithm":...,"kms_key_id":...,"bucket_key_enabled":...}.
std::string EncodeEncryptionSetting(const EncryptionRule& rule);
std::optional<EncryptionRule> DecodeEncryptionSetting(std::string_view stored);
// GetBucketEncryption's body: KMSMasterKeyID only when set, BucketKeyEnabled always.
std::string EncryptionConfigurationXml(const EncryptionRule& rule);
// The response headers of an object written under `rule`:
// x-amz-server-side-encryption, x-amz-server-side-encryption-aws-kms-key-id
// when a key is set, and x-amz-server-side-encryption-bucket-key-enabled:
// true when the rule enables it for aws:kms (S3 reports no bucket key for
// SSE-S3, and DSSE-KMS has none).
std::vector<http::Header> EncryptionRuleHeaders(const EncryptionRule& rule);

// --- PutBucketTagging / GetBucketTagging.

using TagSet = std::vector<std::pair<std::string, std::string>>;  // in document order

// The most tags a bucket may have.
inline constexpr size_t kMaxBucketTags = 50;

// <Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>...</TagSet></Tagging>
// MalformedXML for: no TagSet or two, a Tag without Key, a repeated Key or
// Value in a Tag. A Tag without Value has the value "". An empty TagSet is
// valid and parses as no tags (what storing that means is the caller's).
// InvalidTag, checked after the whole document parsed, for: more than
// kMaxBucketTags tags ("Bucket tag count cannot be greater than 50"); then,
// tag by tag, a repeated key ("Cannot provide multiple Tags with the same
// key"), a key starting with "aws:" ("System tags cannot be added/updated by
// requester"), a key of 0 or more than 128 characters ("The TagKey you have
// provided is invalid"), a value of more than 256 characters ("The TagValue
// you have provided is invalid"). Characters are Unicode code points. Each
// per-tag error carries <TagKey>, the value error also <TagValue>.
S3Result<TagSet> ParseTagging(std::string_view body);
// Stored text: a compact JSON array of [key, value] pairs.
std::string EncodeTaggingSetting(const TagSet& tags);
std::optional<TagSet> DecodeTaggingSetting(std::string_view stored);
// GetBucketTagging's body.
std::string TaggingXml(const TagSet& tags);

// --- PutPublicAccessBlock / GetPublicAccessBlock.

struct PublicAccessBlock {
  bool block_public_acls = false;
  bool ignore_public_acls = false;
  bool block_public_policy = false;
  bool restrict_public_buckets = false;
};

// <PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>
// <IgnorePublicAcls>..</IgnorePublicAcls><BlockPublicPolicy>..</BlockPublicPolicy>
// <RestrictPublicBuckets>..</RestrictPublicBuckets></PublicAccessBlockConfiguration>
// Each of the four is optional (default false). MalformedXML for a value
// other than true/false and for a repeated element.
S3Result<PublicAccessBlock> ParsePublicAccessBlock(std::string_view body);
// Stored text: compact JSON of the four booleans.
std::string EncodePublicAccessBlockSetting(const PublicAccessBlock& block);
std::optional<PublicAccessBlock> DecodePublicAccessBlockSetting(std::string_view stored);
// GetPublicAccessBlock's body: all four, always.
std::string PublicAccessBlockXml(const PublicAccessBlock& block);

// --- PutBucketPolicy / GetBucketPolicy.

// The largest policy S3 takes, measured as S3 does on the normalized
// document (here: without the whitespace between JSON tokens).
inline constexpr size_t kMaxPolicyBytes = 20 * 1024;

// The policy is JSON, stored and returned exactly as sent (the result is the
// body itself); only its shape is checked. MalformedPolicy, with S3's messages:
//   - the first byte is not '{' or the text is not JSON: "Policies must be
//     valid JSON and the first byte must be '{'";
//   - over kMaxPolicyBytes: "Normalized policy document exceeds the maximum
//     allowed size of 20480 bytes";
//   - no Statement that is an array or an object: "Missing required field
//     Statement"; an empty array: "Could not parse the policy: Statement is
//     empty!";
//   - a statement that is not an object, or whose Effect is not a string:
//     "Invalid policy syntax."; without Effect: "Missing required field
//     Effect"; an Effect other than Allow/Deny: "Invalid effect: X".
// Principals, actions, resources and conditions are not checked.
S3Result<std::string> CheckPolicy(std::string_view body);

}  // namespace sluice::s3
