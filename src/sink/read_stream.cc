// Streamed reads (ObjectDownload): an object or a range of it, a piece of
// about 1 MiB per Read.
//
//   OpenObject()  storage, I/O  the row, the file opened (open_object.h)
//   Read()        I/O           the next authenticated plaintext of the range
//   Close()       I/O           the reader (and its file) closed
//
// The caller owns a ReadStream (the handle); the ReadState the I/O jobs
// touch outlives the handle while a Read is in flight.
#include <utility>

#include "sink/open_object.h"
#include "sink/sink_core.h"

namespace sluice::sink {
namespace {

// Plaintext asked of the reader per Read: it may add up to one read buffer
// (256 KiB) and a chunk, so a piece stays around 1 MiB.
constexpr size_t kReadPieceBytes = 768 << 10;

class ReadState {
 public:
  ReadState(SinkCore& core, OpenedObject opened)
      : scope_(core), core_(core), info_(std::move(opened.info)), reader_(std::move(opened.reader)) {}

  const ObjectInfo& info() const { return info_; }

  void Read(std::function<void(Result<std::string>)> done) {
    if (busy_) return done(Status(Code::kInternal, "a Read of this download is still pending"));
    if (!failure_.ok()) return done(failure_);
    if (Status admitted = core_.Admit(false); !admitted.ok()) return done(admitted);
    if (reader_->done()) return done(std::string());
    busy_ = true;
    core_.Pool(
        [this] {
          piece_.clear();
          step_ = reader_->ReadSome(kReadPieceBytes, &piece_);
        },
        [this, done = std::move(done)] {
          busy_ = false;
          if (released_) return Close();
          if (!step_.ok()) {
            failure_ = step_;
            return done(step_);
          }
          done(std::exchange(piece_, std::string()));
        });
  }

  // The handle is gone.
  void Release() {
    released_ = true;
    if (!busy_) Close();
  }

 private:
  void Close() {
    DiscardReader(core_, std::move(reader_));
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  const ObjectInfo info_;
  std::unique_ptr<ObjectFileReader> reader_;  // used by one I/O job at a time
  std::string piece_;                         // written on an I/O thread
  Status step_;
  Status failure_;
  bool busy_ = false;
  bool released_ = false;
};

class ReadStream final : public ObjectDownload {
 public:
  explicit ReadStream(ReadState* state) : state_(state) {}
  ~ReadStream() override { state_->Release(); }

  const ObjectInfo& info() const override { return state_->info(); }
  void Read(std::function<void(Result<std::string>)> done) override { state_->Read(std::move(done)); }

 private:
  ReadState* const state_;
};

}  // namespace

void RunOpenRead(SinkCore& core, std::string bucket, std::string key, std::optional<ByteRange> range,
                 Callback<std::unique_ptr<ObjectDownload>> done) {
  if (Status admitted = core.Admit(false); !admitted.ok()) return done(admitted);
  if (Status valid = ValidateObjectName(core, bucket, key); !valid.ok()) return done(valid);
  OpenObject(core, std::move(bucket), std::move(key), range,
             [&core, done = std::move(done)](Result<OpenedObject> opened) {
               if (!opened.ok()) return done(opened.status());
               auto* state = new ReadState(core, std::move(opened).value());
               done(std::unique_ptr<ObjectDownload>(new ReadStream(state)));
             });
}

}  // namespace sluice::sink
