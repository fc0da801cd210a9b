// GetObject, HeadObject, GetObjectTagging.
#include <utility>

#include "s3/calls.h"
#include "s3/conditions.h"
#include "s3/download_source.h"
#include "s3/object_headers.h"
#include "s3/ranges.h"
#include "s3/responses.h"
#include "s3/service.h"

namespace sluice::s3 {
namespace {

// Query parameters of a GetObject (presigned URLs use them) that override
// the response's headers.
constexpr std::pair<std::string_view, std::string_view> kResponseOverrides[] = {
    {"response-content-type", "content-type"},
    {"response-content-language", "content-language"},
    {"response-expires", "expires"},
    {"response-cache-control", "cache-control"},
    {"response-content-disposition", "content-disposition"},
    {"response-content-encoding", "content-encoding"},
};

// A replaced object between Stat and OpenRead is read again from the top,
// this many times at most.
constexpr int kMaxAttempts = 3;

// Stat -> conditions and range -> (GET) OpenRead -> the body streams from
// the sink. The Stat gives the size the range needs; OpenRead must then
// open the same generation, or the answer would mix two objects' headers.
class GetObjectCall final : public Call {
 public:
  using Call::Call;
  void Start() override { Stat(); }

 private:
  void Stat() {
    sink().Stat(bucket(), key(), [this](Result<sink::ObjectInfo> info) { OnStat(std::move(info)); });
  }

  void OnStat(Result<sink::ObjectInfo> info) {
    if (!info.ok()) return FailStatus(info.status());
    info_ = std::move(info.value());
    ObjectState state{info_.etag, info_.created_ms};
    if (std::optional<S3Error> refused =
            EvaluateReadConditions(ReadConditionsFrom(request()), state, clock().NowMillis())) {
      // 304 keeps the validators, as HTTP asks.
      if (refused->http_status == 304) {
        refused->headers.push_back({"etag", QuotedEtag(info_.etag)});
        refused->headers.push_back({"last-modified", FormatHttpDate(info_.created_ms)});
      }
      return Fail(*refused);
    }
    S3Result<std::optional<ByteRange>> range = ResolveRange(Header("range"), info_.size);
    if (!range.ok()) return Fail(range.error());
    range_ = *range;
    if (operation() == Operation::kGetObjectTagging) {
      return RespondXml(EmptyTaggingXml());
    }
    if (operation() == Operation::kGetObjectAcl) {
      return RespondXml(OwnerOnlyAclXml(DefaultOwner()));
    }
    if (operation() == Operation::kHeadObject || Length() == 0) return Answer(nullptr);
    std::optional<sink::ByteRange> sink_range;
    if (range_) sink_range = sink::ByteRange{range_->first, range_->last};
    sink().OpenRead(bucket(), key(), sink_range,
                    [this](Result<std::unique_ptr<sink::ObjectDownload>> download) { OnOpened(std::move(download)); });
  }

  void OnOpened(Result<std::unique_ptr<sink::ObjectDownload>> download) {
    if (!download.ok()) return FailStatus(download.status());
    if ((*download)->info().generation != info_.generation) {
      if (++attempts_ < kMaxAttempts) return Stat();
      return Fail(MakeError(ErrorCode::kSlowDown, "The object changed while it was being read; retry."));
    }
    Answer(std::move(download.value()));
  }

  uint64_t Length() const { return range_ ? range_->length() : info_.size; }

  void Answer(std::unique_ptr<sink::ObjectDownload> download) {
    http::Response response;
    response.status = range_ ? 206 : 200;
    bool checksums = !range_ && Header("x-amz-checksum-mode").value_or("") == "ENABLED";
    response.headers = ObjectHeaders(info_, checksums, service().EncryptionDefault(bucket()));
    if (range_) response.headers.push_back({"content-range", ContentRange(*range_, info_.size)});
    for (const auto& [parameter, header] : kResponseOverrides) {
      std::optional<std::string> value = Query(parameter);
      if (!value) continue;
      SetStoredHeader(&response.headers, std::string(header), std::move(*value));
    }
    response.content_length = Length();
    if (download != nullptr) {
      response.body_source = std::make_unique<DownloadSource>(std::move(download), Length());
    }
    Respond(std::move(response));
  }

  sink::ObjectInfo info_;
  std::optional<ByteRange> range_;
  int attempts_ = 0;
};

}  // namespace

Call* NewGetObjectCall(CallArgs args) { return new GetObjectCall(std::move(args)); }
Call* NewGetObjectTaggingCall(CallArgs args) { return new GetObjectCall(std::move(args)); }
Call* NewGetObjectAclCall(CallArgs args) { return new GetObjectCall(std::move(args)); }

}  // namespace sluice::s3
