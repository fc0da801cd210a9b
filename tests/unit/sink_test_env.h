// Test support for the sink: a temp data dir, a real StorageThread and a
// Sink on a private loop, and helpers that run one operation to completion.
#pragma once

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "sluice/clock.h"
#include "sluice/sink/sink.h"
#include "sluice/storage/storage_thread.h"
#include "storage_test_util.h"

namespace sluice::sink::testing {

// MD5 hex straight from libcrypto: an oracle independent of sluice's own.
inline std::string Md5Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Creates the parent directories as needed.
inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

using storage::testing::LoopRunner;
using storage::testing::TempDir;

class SinkEnv {
 public:
  SinkEnv() {
    config.root_dir = dir.path() + "/sink";
    config.keyring_path = dir.path() + "/keyring.json";
    config.buckets = {"payments"};
    config.io_threads = 4;
  }
  ~SinkEnv() { Stop(); }

  std::string db_path() const { return dir.path() + "/sluice.db"; }

  // Opens storage (if closed) and the sink; with `start`, also Start()s it.
  Status Open(bool start = true) {
    if (!storage) {
      storage::StorageOptions options;
      options.database_path = db_path();
      options.durability = durability;
      Result<std::unique_ptr<storage::StorageThread>> opened = storage::StorageThread::Open(runner.loop(), options);
      if (!opened.ok()) return opened.status();
      storage = std::move(opened).value();
    }
    Result<std::unique_ptr<Sink>> opened = Sink::Open(runner.loop(), *storage, config, clock);
    if (!opened.ok()) return opened.status();
    sink = std::move(opened).value();
    if (!start) return Status::Ok();
    return Start();
  }

  Status Start() {
    std::optional<Status> started;
    sink->Start([&](Status status) { started = std::move(status); });
    if (!runner.RunUntil([&] { return started.has_value(); })) return Status(Code::kInternal, "Start timed out");
    return *started;
  }

  // Shuts the sink down (and the storage, with `storage_too`).
  void Stop(bool storage_too = true) {
    if (sink) {
      bool done = false;
      sink->Shutdown([&] { done = true; });
      EXPECT_TRUE(runner.RunUntil([&] { return done; }));
      sink.reset();
    }
    if (storage && storage_too) {
      bool done = false;
      storage->Shutdown([&] { done = true; });
      EXPECT_TRUE(runner.RunUntil([&] { return done; }));
      storage.reset();
    }
  }

  // Runs `call(done)` and the loop until `done` ran.
  template <typename T, typename Call>
  Result<T> Wait(Call call) {
    std::optional<Result<T>> result;
    call([&](Result<T> r) { result.emplace(std::move(r)); });
    if (!runner.RunUntil([&] { return result.has_value(); })) return Status(Code::kInternal, "timed out");
    return std::move(*result);
  }

  Result<ObjectInfo> Put(const std::string& bucket, const std::string& key, std::string body,
                         std::string content_type = "application/json") {
    PutRequest request;
    request.bucket = bucket;
    request.key = key;
    request.body = std::move(body);
    request.content_type = std::move(content_type);
    return Wait<ObjectInfo>([&](Callback<ObjectInfo> done) { sink->Put(std::move(request), std::move(done)); });
  }
  Result<GetResult> Get(const std::string& bucket, const std::string& key) {
    return Wait<GetResult>([&](Callback<GetResult> done) { sink->Get(bucket, key, std::move(done)); });
  }
  Result<bool> Delete(const std::string& bucket, const std::string& key) {
    return Wait<bool>([&](Callback<bool> done) { sink->Delete(bucket, key, std::move(done)); });
  }
  Result<ListResult> List(ListRequest request) {
    return Wait<ListResult>([&](Callback<ListResult> done) { sink->List(std::move(request), std::move(done)); });
  }
  Result<VerifyReport> Verify(std::optional<std::string> bucket = std::nullopt) {
    return Wait<VerifyReport>([&](Callback<VerifyReport> done) { sink->Verify(bucket, std::move(done)); });
  }
  Result<KeyringInfo> Keys() {
    return Wait<KeyringInfo>([&](Callback<KeyringInfo> done) { sink->Keys(std::move(done)); });
  }
  Result<int> Rotate() {
    return Wait<int>([&](Callback<int> done) { sink->Rotate(std::move(done)); });
  }
  Result<RewrapReport> Rewrap() {
    return Wait<RewrapReport>([&](Callback<RewrapReport> done) { sink->Rewrap(std::move(done)); });
  }
  Result<int> Retire(int version) {
    return Wait<int>([&](Callback<int> done) { sink->Retire(version, std::move(done)); });
  }

  // ---- streaming and multipart ----
  Result<std::unique_ptr<ObjectUpload>> BeginPut(WriteRequest request) {
    return Wait<std::unique_ptr<ObjectUpload>>([&](Callback<std::unique_ptr<ObjectUpload>> done) {
      sink->BeginPut(std::move(request), std::move(done));
    });
  }
  Result<std::unique_ptr<ObjectUpload>> BeginPart(const std::string& bucket, const std::string& key,
                                                  const std::string& upload_id, int part, WriteRequest request = {}) {
    return Wait<std::unique_ptr<ObjectUpload>>([&](Callback<std::unique_ptr<ObjectUpload>> done) {
      sink->BeginPart(bucket, key, upload_id, part, std::move(request), std::move(done));
    });
  }
  Status Write(ObjectUpload& upload, std::string data) {
    Result<bool> written = Wait<bool>([&](Callback<bool> done) {
      upload.Write(std::move(data), [done](Status status) { done(status.ok() ? Result<bool>(true) : Result<bool>(status)); });
    });
    return written.status();
  }
  Result<ObjectInfo> Commit(ObjectUpload& upload) {
    return Wait<ObjectInfo>([&](Callback<ObjectInfo> done) { upload.Commit(std::move(done)); });
  }
  // BeginPut, one Write per piece, Commit.
  Result<ObjectInfo> PutPieces(WriteRequest request, const std::vector<std::string>& pieces) {
    Result<std::unique_ptr<ObjectUpload>> upload = BeginPut(std::move(request));
    if (!upload.ok()) return upload.status();
    for (const std::string& piece : pieces) {
      Status written = Write(**upload, piece);
      if (!written.ok()) return written;
    }
    return Commit(**upload);
  }
  // A part uploaded in one Write.
  Result<ObjectInfo> PutPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                             int part, std::string body, WriteRequest request = {}) {
    Result<std::unique_ptr<ObjectUpload>> upload = BeginPart(bucket, key, upload_id, part, std::move(request));
    if (!upload.ok()) return upload.status();
    Status written = Write(**upload, std::move(body));
    if (!written.ok()) return written;
    return Commit(**upload);
  }
  Result<std::unique_ptr<ObjectDownload>> OpenRead(const std::string& bucket, const std::string& key,
                                                   std::optional<ByteRange> range = std::nullopt) {
    return Wait<std::unique_ptr<ObjectDownload>>([&](Callback<std::unique_ptr<ObjectDownload>> done) {
      sink->OpenRead(bucket, key, range, std::move(done));
    });
  }
  Result<std::string> Read(ObjectDownload& download) {
    return Wait<std::string>([&](Callback<std::string> done) { download.Read(std::move(done)); });
  }
  // Every piece until "", concatenated; `max_piece` is the largest seen.
  Result<std::string> ReadAll(ObjectDownload& download, size_t* max_piece = nullptr) {
    std::string all;
    while (true) {
      Result<std::string> piece = Read(download);
      if (!piece.ok()) return piece.status();
      if (piece->empty()) return all;
      if (max_piece != nullptr) *max_piece = std::max(*max_piece, piece->size());
      all += *piece;
    }
  }
  Result<std::string> ReadRange(const std::string& bucket, const std::string& key, std::optional<ByteRange> range) {
    Result<std::unique_ptr<ObjectDownload>> download = OpenRead(bucket, key, range);
    if (!download.ok()) return download.status();
    return ReadAll(**download);
  }
  Result<ObjectInfo> Stat(const std::string& bucket, const std::string& key) {
    return Wait<ObjectInfo>([&](Callback<ObjectInfo> done) { sink->Stat(bucket, key, std::move(done)); });
  }
  Result<ObjectInfo> Copy(const std::string& bucket, const std::string& key, WriteRequest destination) {
    return Wait<ObjectInfo>([&](Callback<ObjectInfo> done) {
      sink->Copy(bucket, key, std::move(destination), std::move(done));
    });
  }
  Result<bool> CreateBucket(const std::string& name, const std::string& region = "") {
    return Wait<bool>([&](Callback<bool> done) { sink->CreateBucket(name, region, std::move(done)); });
  }
  Result<bool> DeleteBucket(const std::string& name) {
    return Wait<bool>([&](Callback<bool> done) { sink->DeleteBucket(name, std::move(done)); });
  }
  Result<BucketInfo> BucketInfoOf(const std::string& name) {
    return Wait<BucketInfo>([&](Callback<BucketInfo> done) { sink->BucketInfoOf(name, std::move(done)); });
  }
  Result<UploadInfo> CreateUpload(const std::string& bucket, const std::string& key, WriteRequest request = {}) {
    request.bucket = bucket;
    request.key = key;
    return Wait<UploadInfo>([&](Callback<UploadInfo> done) { sink->CreateUpload(std::move(request), std::move(done)); });
  }
  Result<ObjectInfo> Complete(const std::string& bucket, const std::string& key, const std::string& upload_id,
                              std::vector<CompletedPart> parts,
                              std::function<void(std::string_view)> observe = nullptr) {
    return Wait<ObjectInfo>([&](Callback<ObjectInfo> done) {
      sink->CompleteUpload(bucket, key, upload_id, std::move(parts), std::move(observe), std::move(done));
    });
  }
  Result<bool> Abort(const std::string& bucket, const std::string& key, const std::string& upload_id) {
    return Wait<bool>([&](Callback<bool> done) { sink->AbortUpload(bucket, key, upload_id, std::move(done)); });
  }
  Result<ListPartsResult> ListParts(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                    int marker = 0, int limit = 1000) {
    return Wait<ListPartsResult>([&](Callback<ListPartsResult> done) {
      sink->ListParts(bucket, key, upload_id, marker, limit, std::move(done));
    });
  }
  Result<ListUploadsResult> ListUploads(ListUploadsRequest request) {
    return Wait<ListUploadsResult>(
        [&](Callback<ListUploadsResult> done) { sink->ListUploads(std::move(request), std::move(done)); });
  }
  // The path of a part's file.
  std::string PartFileOf(const std::string& upload_id, int part, const std::string& generation) const {
    char number[8];
    std::snprintf(number, sizeof(number), "%05d", part);
    return config.root_dir + "/.uploads/" + upload_id + "/" + number + "." + generation + ".sealed";
  }

  // The path of an object's current file.
  std::string FileOf(const ObjectInfo& info) const {
    return config.root_dir + "/" + info.bucket + "/" + info.key + "." + info.generation + ".sealed";
  }

  TempDir dir;
  LoopRunner runner;
  FakeClock clock;
  SinkConfig config;
  storage::Durability durability = storage::Durability::kNormal;  // faster tests
  std::unique_ptr<storage::StorageThread> storage;  // destroyed before runner
  std::unique_ptr<Sink> sink;
};

}  // namespace sluice::sink::testing
