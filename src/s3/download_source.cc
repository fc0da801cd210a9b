#include "s3/download_source.h"

#include <utility>

namespace sluice::s3 {

void DownloadSource::Read(std::function<void(Status status, std::string data)> on_data) {
  download_->Read([this, on_data = std::move(on_data)](Result<std::string> piece) {
    if (!piece.ok()) {
      on_data(piece.status(), std::string());
      return;
    }
    if (piece->empty() || piece->size() > remaining_) {
      on_data(Status(Code::kInternal, "the object's size changed while it was read"), std::string());
      return;
    }
    remaining_ -= piece->size();
    on_data(Status::Ok(), std::move(piece.value()));
  });
}

}  // namespace sluice::s3
