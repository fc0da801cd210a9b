// Bucket settings: Get/Put/Delete of BucketEncryption, BucketPolicy,
// BucketTagging and PublicAccessBlock. Each is a sink bucket setting
// (Sink::BucketSetting), encoded by bucket_settings.h; what differs between
// the four is data (a SettingKind row), so three Call classes serve them all.
//
//   Get:    BucketSetting -> the stored value rendered (XML, or the policy's
//           JSON), or the kind's "not found" error / default answer
//   Put:    the whole body -> parsed and checked -> PutBucketSetting (durable
//           before the answer) -> 200 or 204 as S3 answers
//   Delete: PutBucketSetting(nullopt) -> 204 (also when nothing was set)
//
// The default encryption is also kept by the S3Service (EncryptionDefault),
// which object writes and reads consult without a storage round trip.
//
// Ownership and errors as for every Call (call.h): each owns itself until
// it answers, in S3's XML error shape. Threads: loop thread only.
#include "s3/bucket_settings.h"
#include "s3/call.h"
#include "s3/calls.h"
#include "s3/service.h"

namespace sluice::s3 {
namespace {

struct SettingKind {
  std::string_view setting;  // the sink's setting name
  size_t max_body_bytes;
  // A PUT body -> the text to store.
  S3Result<std::string> (*parse)(std::string_view body);
  // Stored text -> the GET body; nullopt when the stored text is not ours.
  std::optional<std::string> (*render)(std::string_view stored);
  const char* content_type;
  // The GET of an unset setting: this error, unless `unset_body` gives an answer.
  ErrorCode not_found;
  std::optional<std::string> (*unset_body)();
  int put_status;  // S3: 200 for encryption and public access block, 204 for policy and tagging
};

S3Result<std::string> ParseEncryption(std::string_view body) {
  S3Result<EncryptionRule> rule = ParseEncryptionConfiguration(body);
  if (!rule.ok()) return rule.error();
  return EncodeEncryptionSetting(*rule);
}
std::optional<std::string> RenderEncryption(std::string_view stored) {
  std::optional<EncryptionRule> rule = DecodeEncryptionSetting(stored);
  if (!rule) return std::nullopt;
  return EncryptionConfigurationXml(*rule);
}
// Every S3 bucket has default encryption since 2023: SSE-S3 unless set.
std::optional<std::string> DefaultEncryption() { return EncryptionConfigurationXml(EncryptionRule{}); }

S3Result<std::string> ParseTags(std::string_view body) {
  S3Result<TagSet> tags = ParseTagging(body);
  if (!tags.ok()) return tags.error();
  return EncodeTaggingSetting(*tags);
}
std::optional<std::string> RenderTags(std::string_view stored) {
  std::optional<TagSet> tags = DecodeTaggingSetting(stored);
  if (!tags) return std::nullopt;
  return TaggingXml(*tags);
}

S3Result<std::string> ParseBlock(std::string_view body) {
  S3Result<PublicAccessBlock> block = ParsePublicAccessBlock(body);
  if (!block.ok()) return block.error();
  return EncodePublicAccessBlockSetting(*block);
}
std::optional<std::string> RenderBlock(std::string_view stored) {
  std::optional<PublicAccessBlock> block = DecodePublicAccessBlockSetting(stored);
  if (!block) return std::nullopt;
  return PublicAccessBlockXml(*block);
}

S3Result<std::string> ParsePolicy(std::string_view body) { return CheckPolicy(body); }
std::optional<std::string> RenderPolicy(std::string_view stored) { return std::string(stored); }

std::optional<std::string> NoDefault() { return std::nullopt; }

// Bodies are small documents; S3 caps a policy at 20 KiB.
constexpr size_t kMaxSettingBodyBytes = 64 * 1024;

constexpr SettingKind kEncryption{kEncryptionSetting, kMaxSettingBodyBytes, ParseEncryption, RenderEncryption,
                                  "application/xml", ErrorCode::kServerSideEncryptionConfigurationNotFoundError,
                                  DefaultEncryption, 200};
constexpr SettingKind kPolicy{kPolicySetting, kMaxSettingBodyBytes, ParsePolicy, RenderPolicy,
                              "application/json", ErrorCode::kNoSuchBucketPolicy, NoDefault, 204};
constexpr SettingKind kTagging{kTaggingSetting, kMaxSettingBodyBytes, ParseTags, RenderTags,
                               "application/xml", ErrorCode::kNoSuchTagSet, NoDefault, 204};
constexpr SettingKind kPublicAccessBlock{kPublicAccessBlockSetting, kMaxSettingBodyBytes, ParseBlock, RenderBlock,
                                         "application/xml", ErrorCode::kNoSuchPublicAccessBlockConfiguration,
                                         NoDefault, 200};

class GetSettingCall final : public Call {
 public:
  GetSettingCall(CallArgs args, const SettingKind& kind) : Call(std::move(args)), kind_(kind) {}

  void Start() override {
    sink().BucketSetting(bucket(), std::string(kind_.setting),
                         [this](Result<std::optional<std::string>> stored) { OnStored(std::move(stored)); });
  }

 private:
  void OnStored(Result<std::optional<std::string>> stored) {
    if (!stored.ok()) return FailStatus(stored.status());
    std::optional<std::string> body = stored->has_value() ? kind_.render(**stored) : kind_.unset_body();
    if (stored->has_value() && !body) {
      return Fail(MakeError(ErrorCode::kInternalError,
                            "the stored " + std::string(kind_.setting) + " setting of this bucket is not readable"));
    }
    if (!body) {
      S3Error error = MakeError(kind_.not_found);
      error.bucket_name = bucket();
      return Fail(error);
    }
    http::Response response;
    response.headers.push_back({"content-type", kind_.content_type});
    response.body = std::move(*body);
    Respond(std::move(response));
  }

  const SettingKind& kind_;
};

class PutSettingCall final : public Call {
 public:
  PutSettingCall(CallArgs args, const SettingKind& kind) : Call(std::move(args)), kind_(kind) {}

  void Start() override {
    ReadWholeBody(kind_.max_body_bytes, [this](S3Result<std::string> body) { OnBody(std::move(body)); });
  }

 private:
  void OnBody(S3Result<std::string> body) {
    if (!body.ok()) return Fail(body.error());
    S3Result<std::string> stored = kind_.parse(*body);
    if (!stored.ok()) return Fail(stored.error());
    stored_ = std::move(stored.value());
    sink().PutBucketSetting(bucket(), std::string(kind_.setting), stored_,
                            [this](Result<bool> put) { OnPut(std::move(put)); });
  }

  void OnPut(Result<bool> put) {
    if (!put.ok()) return FailStatus(put.status());
    if (&kind_ == &kEncryption) service().SetEncryptionDefault(bucket(), DecodeEncryptionSetting(stored_));
    RespondEmpty(kind_.put_status);
  }

  const SettingKind& kind_;
  std::string stored_;
};

class DeleteSettingCall final : public Call {
 public:
  DeleteSettingCall(CallArgs args, const SettingKind& kind) : Call(std::move(args)), kind_(kind) {}

  void Start() override {
    sink().PutBucketSetting(bucket(), std::string(kind_.setting), std::nullopt,
                            [this](Result<bool> removed) { OnRemoved(std::move(removed)); });
  }

 private:
  void OnRemoved(Result<bool> removed) {
    if (!removed.ok()) return FailStatus(removed.status());
    if (&kind_ == &kEncryption) service().SetEncryptionDefault(bucket(), std::nullopt);
    RespondEmpty(204);
  }

  const SettingKind& kind_;
};

template <typename CallT, const SettingKind& kKind>
Call* NewSettingCall(CallArgs args) {
  return new CallT(std::move(args), kKind);
}

}  // namespace

Call* NewGetBucketEncryptionCall(CallArgs args) { return NewSettingCall<GetSettingCall, kEncryption>(std::move(args)); }
Call* NewPutBucketEncryptionCall(CallArgs args) { return NewSettingCall<PutSettingCall, kEncryption>(std::move(args)); }
Call* NewDeleteBucketEncryptionCall(CallArgs args) {
  return NewSettingCall<DeleteSettingCall, kEncryption>(std::move(args));
}
Call* NewGetBucketPolicyCall(CallArgs args) { return NewSettingCall<GetSettingCall, kPolicy>(std::move(args)); }
Call* NewPutBucketPolicyCall(CallArgs args) { return NewSettingCall<PutSettingCall, kPolicy>(std::move(args)); }
Call* NewDeleteBucketPolicyCall(CallArgs args) { return NewSettingCall<DeleteSettingCall, kPolicy>(std::move(args)); }
Call* NewGetBucketTaggingCall(CallArgs args) { return NewSettingCall<GetSettingCall, kTagging>(std::move(args)); }
Call* NewPutBucketTaggingCall(CallArgs args) { return NewSettingCall<PutSettingCall, kTagging>(std::move(args)); }
Call* NewDeleteBucketTaggingCall(CallArgs args) { return NewSettingCall<DeleteSettingCall, kTagging>(std::move(args)); }
Call* NewGetPublicAccessBlockCall(CallArgs args) {
  return NewSettingCall<GetSettingCall, kPublicAccessBlock>(std::move(args));
}
Call* NewPutPublicAccessBlockCall(CallArgs args) {
  return NewSettingCall<PutSettingCall, kPublicAccessBlock>(std::move(args));
}
Call* NewDeletePublicAccessBlockCall(CallArgs args) {
  return NewSettingCall<DeleteSettingCall, kPublicAccessBlock>(std::move(args));
}

}  // namespace sluice::s3
