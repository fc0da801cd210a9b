// ListObjects (v1), ListObjectsV2, ListParts, ListMultipartUploads.
#include <algorithm>
#include <memory>
#include <utility>

#include "s3/calls.h"
#include "s3/checksums.h"
#include "s3/listing.h"
#include "s3/object_headers.h"
#include "s3/responses.h"
#include "s3/service.h"

namespace sluice::s3 {
namespace {

// The pager asks; the sink answers a page at a time, on the loop.
class ListObjectsCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    ListVersion version = operation() == Operation::kListObjectsV2 ? ListVersion::kV2 : ListVersion::kV1;
    S3Result<ListObjectsParams> params = ParseListObjectsParams(request().query, version);
    if (!params.ok()) return Fail(params.error());
    params_ = std::move(params.value());
    pager_ = std::make_unique<ListPager>(params_);
    Next();
  }

 private:
  void Next() {
    std::optional<StoreQuery> query = pager_->NextQuery();
    if (!query) {
      // Nothing to ask (max-keys 0, or done): still say NoSuchBucket for a
      // missing bucket, as S3 does.
      sink().BucketInfoOf(bucket(), [this](Result<sink::BucketInfo> info) {
        if (!info.ok()) return FailStatus(info.status());
        Finish();
      });
      return;
    }
    sink::ListRequest list;
    list.bucket = bucket();
    list.prefix = query->prefix;
    list.after = query->after;
    list.limit = std::max(1, std::min(query->limit, kMaxListKeys));
    sink().List(std::move(list), [this](Result<sink::ListResult> result) { OnPage(std::move(result)); });
  }

  void OnPage(Result<sink::ListResult> result) {
    if (!result.ok()) return FailStatus(result.status());
    StoreBatch batch;
    for (const sink::ObjectInfo& object : result->objects) {
      ObjectEntry entry;
      entry.key = object.key;
      entry.last_modified_ms = object.created_ms;
      entry.etag = object.etag;
      entry.size = object.size;
      StoredChecksumKind(StoredHeaders(object.attributes), &entry.checksum_algorithm, &entry.checksum_type);
      batch.entries.push_back(std::move(entry));
    }
    batch.exhausted = !result->next_after.has_value();
    pager_->Feed(std::move(batch));
    if (pager_->done()) return Finish();
    Next();
  }

  void Finish() { RespondXml(ListObjectsXml(bucket(), params_, pager_->page(), DefaultOwner())); }

  ListObjectsParams params_;
  std::unique_ptr<ListPager> pager_;
};

class ListPartsCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    upload_id_ = Query("uploadId").value_or("");
    S3Result<ListPartsParams> params = ParseListPartsParams(request().query);
    if (!params.ok()) return Fail(params.error());
    params_ = *params;
    sink().ListParts(bucket(), key(), upload_id_, params_.part_number_marker, std::max(1, params_.max_parts),
                     [this](Result<sink::ListPartsResult> result) { OnParts(std::move(result)); });
  }

 private:
  void OnParts(Result<sink::ListPartsResult> result) {
    if (!result.ok()) return FailStatus(result.status());
    ListPartsResult out;
    out.bucket = bucket();
    out.key = key();
    out.upload_id = upload_id_;
    out.part_number_marker = params_.part_number_marker;
    out.max_parts = params_.max_parts;
    out.owner = DefaultOwner();
    std::string algorithm, type;
    StoredChecksumKind(StoredHeaders(result->upload.attributes), &algorithm, &type);
    out.checksum_algorithm = algorithm;
    out.checksum_type = type;
    if (params_.max_parts > 0) {
      for (const sink::PartInfo& part : result->parts) {
        PartEntry entry;
        entry.part_number = part.number;
        entry.last_modified_ms = part.modified_ms;
        entry.etag = part.etag;
        entry.size = part.size;
        entry.checksums = StoredChecksums(StoredHeaders(part.attributes));
        out.parts.push_back(std::move(entry));
      }
      out.is_truncated = result->truncated;
    } else {
      out.is_truncated = !result->parts.empty();
    }
    if (!out.parts.empty()) out.next_part_number_marker = out.parts.back().part_number;
    RespondXml(ListPartsXml(out));
  }

  ListPartsParams params_;
};

class ListMultipartUploadsCall final : public Call {
 public:
  using Call::Call;
  void Start() override {
    S3Result<ListUploadsParams> params = ParseListUploadsParams(request().query);
    if (!params.ok()) return Fail(params.error());
    params_ = std::move(params.value());
    sink::ListUploadsRequest list;
    list.bucket = bucket();
    list.prefix = params_.prefix;
    list.key_marker = params_.key_marker;
    list.upload_id_marker = params_.key_marker.empty() ? std::string() : params_.upload_id_marker;
    list.limit = std::max(1, params_.max_uploads);
    sink().ListUploads(std::move(list), [this](Result<sink::ListUploadsResult> result) {
      OnUploads(std::move(result));
    });
  }

 private:
  void OnUploads(Result<sink::ListUploadsResult> result) {
    if (!result.ok()) return FailStatus(result.status());
    ListUploadsResult out;
    out.bucket = bucket();
    if (params_.max_uploads > 0) {
      for (const sink::UploadInfo& upload : result->uploads) {
        // A delimiter groups the keys of this page under common prefixes.
        if (!params_.delimiter.empty()) {
          size_t at = upload.key.find(params_.delimiter, params_.prefix.size());
          if (at != std::string::npos) {
            std::string common = upload.key.substr(0, at + params_.delimiter.size());
            if (out.common_prefixes.empty() || out.common_prefixes.back() != common) {
              out.common_prefixes.push_back(std::move(common));
            }
            continue;
          }
        }
        UploadEntry entry;
        entry.key = upload.key;
        entry.upload_id = upload.upload_id;
        entry.initiated_ms = upload.initiated_ms;
        StoredChecksumKind(StoredHeaders(upload.attributes), &entry.checksum_algorithm, &entry.checksum_type);
        out.uploads.push_back(std::move(entry));
      }
      out.is_truncated = result->truncated;
      if (out.is_truncated && !result->uploads.empty()) {
        out.next_key_marker = result->uploads.back().key;
        out.next_upload_id_marker = result->uploads.back().upload_id;
      }
    }
    RespondXml(ListMultipartUploadsXml(params_, out, DefaultOwner()));
  }

  ListUploadsParams params_;
};

}  // namespace

Call* NewListObjectsCall(CallArgs args) { return new ListObjectsCall(std::move(args)); }
Call* NewListPartsCall(CallArgs args) { return new ListPartsCall(std::move(args)); }
Call* NewListMultipartUploadsCall(CallArgs args) { return new ListMultipartUploadsCall(std::move(args)); }

}  // namespace sluice::s3
