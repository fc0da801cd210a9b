#include "s3/upload_stream.h"

#include <utility>

namespace sluice::s3 {

UploadStream::UploadStream(http::Exchange& exchange, std::unique_ptr<AwsChunkedDecoder> decoder,
                           sink::ObjectUpload& upload, std::function<void(Status)> done)
    : exchange_(exchange), decoder_(std::move(decoder)), upload_(upload), done_(std::move(done)) {}

void UploadStream::Start() { Pump(); }

void UploadStream::Read() {
  reading_ = true;
  exchange_.ReadBody([this](Status status, std::string_view data, bool end) {
    OnChunk(std::move(status), data, end);
  });
}

void UploadStream::OnChunk(Status status, std::string_view data, bool end) {
  reading_ = false;
  if (finished_) return;
  if (!status.ok()) {
    failure_ = Status(Code::kUnavailable, "the request body did not arrive: " + status.message());
  } else if (decoder_ != nullptr) {
    size_t before = pending_.size();
    Status fed = decoder_->Feed(data, &pending_);
    if (fed.ok() && end) fed = decoder_->Finish();
    if (!fed.ok()) failure_ = std::move(fed);
    bytes_ += pending_.size() - before;
  } else {
    pending_.append(data);
    bytes_ += data.size();
  }
  if (end) body_ended_ = true;
  Pump();
}

void UploadStream::OnWritten(Status status) {
  writing_ = false;
  if (finished_) return;
  if (!status.ok() && failure_.ok()) failure_ = std::move(status);
  Pump();
}

void UploadStream::Pump() {
  if (finished_) return;
  if (!failure_.ok()) {
    // Report once nothing of ours is in flight: the upload must not be
    // destroyed under a running write.
    if (!writing_) Finish(failure_);
    return;
  }
  bool piece_ready = pending_.size() >= kPieceBytes || (body_ended_ && !pending_.empty());
  if (!writing_ && piece_ready) {
    writing_ = true;
    std::string piece;
    piece.swap(pending_);
    upload_.Write(std::move(piece), [this](Status written) { OnWritten(std::move(written)); });
  }
  if (body_ended_) {
    if (!writing_ && pending_.empty()) Finish(Status::Ok());
    return;
  }
  // Read on while there is room for another piece.
  if (!reading_ && pending_.size() < kPieceBytes) Read();
}

void UploadStream::Finish(Status status) {
  finished_ = true;
  auto done = std::move(done_);
  done(std::move(status));
}

}  // namespace sluice::s3
