// ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation,
// GetBucketVersioning.
#include <utility>

#include "s3/calls.h"
#include "s3/names.h"
#include "s3/responses.h"
#include "s3/service.h"
#include "s3/xml_bodies.h"

namespace sluice::s3 {
namespace {

constexpr size_t kMaxConfigurationBytes = 64 * 1024;

class ListBucketsCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    sink().Buckets([this](Result<std::vector<sink::BucketInfo>> buckets) { OnBuckets(std::move(buckets)); });
  }

 private:
  void OnBuckets(Result<std::vector<sink::BucketInfo>> buckets) {
    if (!buckets.ok()) return FailStatus(buckets.status());
    std::vector<BucketEntry> entries;
    for (const sink::BucketInfo& bucket : *buckets) {
      entries.push_back({bucket.name, bucket.created_ms, bucket.region.empty() ? "us-east-1" : bucket.region});
    }
    RespondXml(ListBucketsXml(entries, DefaultOwner()));
  }
};

// S3's legacy rule: re-creating a bucket you own is a no-op 200 in
// us-east-1 and BucketAlreadyOwnedByYou in every other region.
class CreateBucketCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    if (std::optional<S3Error> invalid = ValidateBucketName(bucket())) return Fail(*invalid);
    ReadWholeBody(kMaxConfigurationBytes, [this](S3Result<std::string> body) { OnBody(std::move(body)); });
  }

 private:
  void OnBody(S3Result<std::string> body) {
    if (!body.ok()) return Fail(body.error());
    Result<CreateBucketConfiguration> configuration = ParseCreateBucketConfiguration(*body);
    if (!configuration.ok()) return Fail(MakeError(ErrorCode::kMalformedXML, configuration.status().message()));
    region_ = configuration->location_constraint.value_or("");
    if (region_ == "us-east-1") {
      // S3 refuses us-east-1 named explicitly.
      return Fail(MakeError(ErrorCode::kInvalidLocationConstraint,
                            "The specified location-constraint is not valid").With("LocationConstraint", region_));
    }
    sink().CreateBucket(bucket(), region_, [this](Result<bool> created) { OnCreated(std::move(created)); });
  }

  void OnCreated(Result<bool> created) {
    if (!created.ok()) return FailStatus(created.status());
    if (!*created) {
      sink().BucketInfoOf(bucket(), [this](Result<sink::BucketInfo> info) { OnExisting(std::move(info)); });
      return;
    }
    RespondEmpty(200, {{"location", "/" + bucket()}});
  }

  void OnExisting(Result<sink::BucketInfo> info) {
    if (!info.ok()) return FailStatus(info.status());
    if (region_.empty() && info->region.empty()) return RespondEmpty(200, {{"location", "/" + bucket()}});
    S3Error error = MakeError(ErrorCode::kBucketAlreadyOwnedByYou);
    error.bucket_name = bucket();
    Fail(error);
  }

  std::string region_;
};

class HeadBucketCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    sink().BucketInfoOf(bucket(), [this](Result<sink::BucketInfo> info) {
      if (!info.ok()) return FailStatus(info.status());
      std::string region = info->region.empty() ? "us-east-1" : info->region;
      RespondEmpty(200, {{"x-amz-bucket-region", region}, {"x-amz-access-point-alias", "false"}});
    });
  }
};

class DeleteBucketCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    sink().DeleteBucket(bucket(), [this](Result<bool> deleted) {
      if (!deleted.ok()) return FailStatus(deleted.status());
      service().SetEncryptionDefault(bucket(), std::nullopt);  // its settings went with it
      RespondEmpty(204);
    });
  }
};

class GetBucketLocationCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    sink().BucketInfoOf(bucket(), [this](Result<sink::BucketInfo> info) {
      if (!info.ok()) return FailStatus(info.status());
      RespondXml(LocationConstraintXml(info->region));
    });
  }
};

class GetBucketVersioningCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    sink().BucketInfoOf(bucket(), [this](Result<sink::BucketInfo> info) {
      if (!info.ok()) return FailStatus(info.status());
      RespondXml(VersioningConfigurationXml());
    });
  }
};

class GetBucketAclCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    sink().BucketInfoOf(bucket(), [this](Result<sink::BucketInfo> info) {
      if (!info.ok()) return FailStatus(info.status());
      RespondXml(OwnerOnlyAclXml(DefaultOwner()));
    });
  }
};

}  // namespace

Call* NewListBucketsCall(CallArgs args) { return new ListBucketsCall(std::move(args)); }
Call* NewCreateBucketCall(CallArgs args) { return new CreateBucketCall(std::move(args)); }
Call* NewHeadBucketCall(CallArgs args) { return new HeadBucketCall(std::move(args)); }
Call* NewDeleteBucketCall(CallArgs args) { return new DeleteBucketCall(std::move(args)); }
Call* NewGetBucketLocationCall(CallArgs args) { return new GetBucketLocationCall(std::move(args)); }
Call* NewGetBucketVersioningCall(CallArgs args) { return new GetBucketVersioningCall(std::move(args)); }
Call* NewGetBucketAclCall(CallArgs args) { return new GetBucketAclCall(std::move(args)); }

}  // namespace sluice::s3
