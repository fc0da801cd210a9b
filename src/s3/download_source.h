// A response body read from the sink: the HTTP connection pulls pieces, the
// sink's I/O threads read and authenticate them. One piece is in flight at
// a time, so a download holds about one piece whatever the object's size.
//
// Ownership: owns the sink download. The connection owns the source and may
// destroy it with a Read pending (peer gone); the download's callback then
// never runs (ObjectDownload's contract), so nothing here outlives it.
// Errors: an integrity failure, or a download that ends before `length`
// bytes, is passed to the connection, which cuts the response short: the
// client sees a truncated body, never unauthenticated bytes.
// Threads: loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sluice/http/server.h"
#include "sluice/sink/sink.h"

namespace sluice::s3 {

class DownloadSource final : public http::BodySource {
 public:
  DownloadSource(std::unique_ptr<sink::ObjectDownload> download, uint64_t length)
      : download_(std::move(download)), remaining_(length) {}

  void Read(std::function<void(Status status, std::string data)> on_data) override;

 private:
  std::unique_ptr<sink::ObjectDownload> download_;
  uint64_t remaining_;
};

}  // namespace sluice::s3
