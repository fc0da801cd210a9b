// Get: the whole object, returned only once every byte authenticated.
//
//   Start()    loop     validate, then OpenObject (open_object.h: the row,
//                       the file opened and its header authenticated, with
//                       fresh lookups when a put or delete replaced it)
//   ReadAll()  I/O      read and authenticate every chunk; the reader checks
//                       the length against the row and the final chunk
//   OnRead()   loop     reply
#include "sink/open_object.h"
#include "sink/sink_core.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

// Plaintext asked of the reader per call while reading a whole object.
constexpr size_t kReadBytes = 1 << 20;

class GetOp {
 public:
  GetOp(SinkCore& core, Callback<GetResult> done) : scope_(core), core_(core), done_(std::move(done)) {}

  void Start(std::string bucket, std::string key) {
    OpenObject(core_, std::move(bucket), std::move(key), std::nullopt,
               [this](Result<OpenedObject> opened) { OnOpen(std::move(opened)); });
  }

 private:
  void OnOpen(Result<OpenedObject> opened) {
    if (!opened.ok()) return Finish(opened.status());
    info_ = std::move(opened->info);
    reader_ = std::move(opened->reader);
    core_.Pool([this] { ReadAll(); }, [this] { OnRead(); });
  }

  // I/O thread. The reader is closed here too: closing the last descriptor
  // of a file replaced meanwhile frees its blocks, which is file I/O.
  void ReadAll() {
    body_.reserve(info_.size);
    while (read_.ok() && !reader_->done()) read_ = reader_->ReadSome(kReadBytes, &body_);
    reader_.reset();
  }

  void OnRead() {
    if (!read_.ok()) return Finish(read_);
    GetResult result;
    result.info = std::move(info_);
    result.body = std::move(body_);
    Finish(std::move(result));
  }

  void Finish(Result<GetResult> result) {
    done_(std::move(result));
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  Callback<GetResult> done_;
  ObjectInfo info_;
  std::unique_ptr<ObjectFileReader> reader_;  // used on an I/O thread
  std::string body_;                          // written on an I/O thread
  Status read_;                               // written on an I/O thread
};

}  // namespace

void RunGet(SinkCore& core, std::string bucket, std::string key, Callback<GetResult> done) {
  if (Status admitted = core.Admit(false); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, bucket, key); !valid.ok()) return done(valid);
  (new GetOp(core, std::move(done)))->Start(std::move(bucket), std::move(key));
}

}  // namespace sluice::sink
