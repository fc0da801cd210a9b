// Get: the whole object, returned only once every byte authenticated.
//
//   Start()     loop     validate
//   Lookup()    storage  the row: generation, size, journaled rewrap header
//   Read()      I/O      read and authenticate the file, check the size
//   OnRead()    loop     reply, or look up again when the file vanished
//                        because a put or delete replaced it meanwhile
#include "sink/sink_core.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

// A concurrent overwrite may remove the file between our lookup and our
// open; a few fresh lookups settle it.
constexpr int kMaxAttempts = 3;

class GetOp {
 public:
  GetOp(SinkCore& core, std::string bucket, std::string key, Callback<GetResult> done)
      : scope_(core), core_(core), bucket_(std::move(bucket)), key_(std::move(key)),
        done_(std::move(done)) {}

  void Start() { Lookup(); }

 private:
  void Lookup() {
    ++attempts_;
    Metadata* metadata = &core_.metadata;
    core_.Storage(
        [this, metadata](sqlite3* db) {
          Result<std::optional<ObjectRow>> row = metadata->Find(db, bucket_, key_);
          if (!row.ok()) return row.status();
          row_ = std::move(row).value();
          return Status::Ok();
        },
        [this](Status status) { OnLookup(std::move(status)); });
  }

  void OnLookup(Status status) {
    if (!status.ok()) return Finish(status);
    if (!row_) {
      return Finish(NoSuchKey(bucket_, key_));
    }
    if (previous_generation_ == row_->info.generation) {
      // Looked up again and nothing changed: the file is really gone.
      return Finish(IntegrityError(Binding(), "its file is missing"));
    }
    Read();
  }

  ObjectBinding Binding() const {
    return ObjectBinding{bucket_, key_, row_ ? row_->info.generation : std::string()};
  }

  void Read() {
    core_.Pool(
        [this] {
          body_.clear();
          body_.reserve(row_->info.size);
          const ObjectBinding object = Binding();
          read_ = core_.files.Read(object, *core_.keyring, row_->rewrap_header,
                                   [this](std::string_view plaintext) { body_.append(plaintext); });
          if (read_.ok() && body_.size() != row_->info.size) {
            read_ = IntegrityError(object, "it holds " + std::to_string(body_.size()) +
                                               " bytes but its metadata says " +
                                               std::to_string(row_->info.size));
          }
        },
        [this] { OnRead(); });
  }

  void OnRead() {
    if (read_.code() == Code::kResourceNotFound && attempts_ < kMaxAttempts) {
      previous_generation_ = row_->info.generation;
      return Lookup();
    }
    if (read_.code() == Code::kResourceNotFound) {
      return Finish(IntegrityError(Binding(), "its file is missing"));
    }
    if (!read_.ok()) return Finish(read_);
    GetResult result;
    result.info = std::move(row_->info);
    result.body = std::move(body_);
    Finish(std::move(result));
  }

  void Finish(Result<GetResult> result) {
    done_(std::move(result));
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  const std::string bucket_;
  const std::string key_;
  Callback<GetResult> done_;
  int attempts_ = 0;
  std::optional<std::string> previous_generation_;
  std::optional<ObjectRow> row_;  // written on the storage thread
  std::string body_;              // written on an I/O thread
  Status read_;
};

}  // namespace

void RunGet(SinkCore& core, std::string bucket, std::string key, Callback<GetResult> done) {
  if (Status admitted = core.Admit(false); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, bucket, key); !valid.ok()) return done(valid);
  (new GetOp(core, std::move(bucket), std::move(key), std::move(done)))->Start();
}

}  // namespace sluice::sink
