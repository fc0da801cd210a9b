// Verify: read and authenticate every object (of one bucket, or all), and
// check its size and ETag against the metadata. Damage is collected, not
// returned as an error.
//
//   NextPage()    storage  the next rows in (bucket, key) order
//   CheckPage()   I/O      one job per object, run in parallel; each
//                          streams its file through the reader and MD5
//   OnChecked()   loop     when the page's last job is back: next page
//
// Memory stays bounded: a page of rows, and one read buffer per job.
// Verify reads a snapshot page by page: an object replaced or deleted while
// its page is being checked may be reported as missing its file.
#include "sink/sink_core.h"
#include "sluice/md5.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

constexpr int kPageRows = 64;

class VerifyOp {
 public:
  VerifyOp(SinkCore& core, std::optional<std::string> bucket, Callback<VerifyReport> done)
      : scope_(core), core_(core), bucket_(std::move(bucket)), done_(std::move(done)) {
    if (bucket_) cursor_.bucket = *bucket_;
  }

  void Start() { NextPage(); }

 private:
  void NextPage() {
    Metadata* metadata = &core_.metadata;
    core_.Storage(
        [this, metadata](sqlite3* db) {
          Result<std::vector<ObjectRow>> rows = metadata->Scan(db, cursor_, kPageRows);
          if (!rows.ok()) return rows.status();
          rows_ = std::move(rows).value();
          return Status::Ok();
        },
        [this](Status status) { CheckPage(std::move(status)); });
  }

  void CheckPage(Status status) {
    if (!status.ok()) return Finish(status);
    if (bucket_) {
      std::erase_if(rows_, [this](const ObjectRow& row) { return row.info.bucket != *bucket_; });
    }
    if (rows_.empty()) return Finish(std::move(report_));
    cursor_ = ObjectCursor{rows_.back().info.bucket, rows_.back().info.key};
    errors_.assign(rows_.size(), Status::Ok());
    outstanding_ = rows_.size();
    for (size_t i = 0; i < rows_.size(); ++i) {
      core_.Pool([this, i] { errors_[i] = Check(rows_[i]); }, [this] { OnChecked(); });
    }
  }

  Status Check(const ObjectRow& row) const {  // I/O thread
    const ObjectBinding object{row.info.bucket, row.info.key, row.info.generation};
    Md5 md5;
    uint64_t size = 0;
    Status read = core_.files.Read(object, *core_.keyring, row.rewrap_header,
                                   [&](std::string_view plaintext) {
                                     md5.Update(plaintext);
                                     size += plaintext.size();
                                   });
    if (read.code() == Code::kResourceNotFound) return IntegrityError(object, "its file is missing");
    SLUICE_RETURN_IF_ERROR(read);
    if (size != row.info.size) {
      return IntegrityError(object, "it holds " + std::to_string(size) +
                                        " bytes but its metadata says " + std::to_string(row.info.size));
    }
    if (md5.HexDigest() != row.info.etag) {
      return IntegrityError(object, "its content does not match the ETag in its metadata");
    }
    return Status::Ok();
  }

  void OnChecked() {
    if (--outstanding_ > 0) return;
    for (size_t i = 0; i < rows_.size(); ++i) {
      ++report_.checked;
      if (!errors_[i].ok()) {
        report_.damaged.push_back(DamagedObject{rows_[i].info.bucket, rows_[i].info.key, errors_[i].message()});
      }
    }
    // Fewer rows than asked for (or rows of the next bucket dropped): that
    // was the last page.
    if (rows_.size() < static_cast<size_t>(kPageRows)) return Finish(std::move(report_));
    NextPage();
  }

  void Finish(Result<VerifyReport> result) {
    done_(std::move(result));
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  const std::optional<std::string> bucket_;
  Callback<VerifyReport> done_;
  ObjectCursor cursor_;
  std::vector<ObjectRow> rows_;  // the page; written on the storage thread
  std::vector<Status> errors_;   // one per row, each written by its I/O job
  size_t outstanding_ = 0;
  VerifyReport report_;
};

}  // namespace

void RunVerify(SinkCore& core, std::optional<std::string> bucket, Callback<VerifyReport> done) {
  if (Status admitted = core.Admit(false); !admitted.ok()) return done(admitted);
  if (bucket) {
    if (Status valid = ValidateBucketName(*bucket); !valid.ok()) return done(valid);
    if (core.buckets.count(*bucket) == 0) return done(NoSuchBucket(*bucket));
  }
  (new VerifyOp(core, std::move(bucket), std::move(done)))->Start();
}

}  // namespace sluice::sink
