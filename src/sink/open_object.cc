#include "sink/open_object.h"

#include "sink/sink_core.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

// A concurrent overwrite may remove the file between our lookup and our
// open; a few fresh lookups settle it.
constexpr int kMaxAttempts = 3;

class OpenObjectOp {
 public:
  OpenObjectOp(SinkCore& core, std::string bucket, std::string key, std::optional<ByteRange> range,
               std::function<void(Result<OpenedObject>)> done)
      : scope_(core), core_(core), bucket_(std::move(bucket)), key_(std::move(key)), range_(range),
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

  ObjectBinding Binding() const { return ObjectBinding{bucket_, key_, row_ ? row_->info.generation : ""}; }

  void OnLookup(Status status) {
    if (!status.ok()) return Finish(status);
    if (!row_) return Finish(NoSuchKey(bucket_, key_));
    if (range_ && (range_->first > range_->last || range_->last >= row_->info.size)) {
      return Finish(Status(Code::kInvalidParameterValue,
                           "the range " + std::to_string(range_->first) + "-" + std::to_string(range_->last) +
                               " is not within the " + std::to_string(row_->info.size) + " bytes of " +
                               DisplayName(bucket_, key_)));
    }
    if (previous_generation_ == row_->info.generation) {
      // Looked up again and nothing changed: the file is really gone.
      return Finish(IntegrityError(Binding(), "its file is missing"));
    }
    core_.Pool(
        [this] {
          Result<std::unique_ptr<ObjectFileReader>> reader = ObjectFileReader::Open(
              core_.files, Binding(), *core_.keyring, row_->rewrap_header, row_->info.size, range_);
          opened_ = reader.status();
          if (reader.ok()) reader_ = std::move(reader).value();
        },
        [this] { OnOpen(); });
  }

  void OnOpen() {
    if (opened_.code() == Code::kResourceNotFound) {
      if (attempts_ < kMaxAttempts) {
        previous_generation_ = row_->info.generation;
        return Lookup();
      }
      return Finish(IntegrityError(Binding(), "its file is missing"));
    }
    if (!opened_.ok()) return Finish(opened_);
    Finish(OpenedObject{std::move(row_->info), std::move(reader_)});
  }

  void Finish(Result<OpenedObject> result) {
    done_(std::move(result));
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  const std::string bucket_;
  const std::string key_;
  const std::optional<ByteRange> range_;
  std::function<void(Result<OpenedObject>)> done_;
  int attempts_ = 0;
  std::optional<std::string> previous_generation_;
  std::optional<ObjectRow> row_;                // written on the storage thread
  std::unique_ptr<ObjectFileReader> reader_;    // written on an I/O thread
  Status opened_;
};

}  // namespace

void OpenObject(SinkCore& core, std::string bucket, std::string key, std::optional<ByteRange> range,
                std::function<void(Result<OpenedObject>)> done) {
  (new OpenObjectOp(core, std::move(bucket), std::move(key), range, std::move(done)))->Start();
}

void DiscardReader(SinkCore& core, std::unique_ptr<ObjectFileReader> reader) {
  if (!reader) return;
  core.OperationStarted();
  ObjectFileReader* raw = reader.release();
  core.Pool([raw] { delete raw; }, [&core] { core.OperationFinished(); });
}

}  // namespace sluice::sink
