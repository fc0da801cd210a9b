// The Sink end to end over a real StorageThread in a temp dir: put, get,
// overwrite, delete, list, buckets, verify, damage on disk, concurrency.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "sink_test_env.h"
#include "sluice/sink/envelope.h"

namespace sluice::sink {
namespace {

using testing::Md5Hex;
using testing::ReadFile;
using testing::WriteFile;

using testing::SinkEnv;




bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

std::string Body(size_t size, char seed = 'a') {
  std::string body(size, '\0');
  for (size_t i = 0; i < size; ++i) body[i] = static_cast<char>(seed + i % 23);
  return body;
}

class SinkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.Open().ok()); }

  // Runs the loop until `path` is gone (removals happen after the reply).
  bool EventuallyGone(const std::string& path) {
    return env_.runner.RunUntil([&] { return !Exists(path); });
  }

  SinkEnv env_;
};

TEST_F(SinkStoreTest, PutThenGetRoundTripsEverySize) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{64 * 1024}, size_t{200 * 1024 + 3}}) {
    const std::string key = "raw/dt=2026-01-15/" + std::to_string(size) + ".json";
    const std::string body = Body(size);
    Result<ObjectInfo> put = env_.Put("payments", key, body);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    EXPECT_EQ(put->bucket, "payments");
    EXPECT_EQ(put->key, key);
    EXPECT_EQ(put->size, size);
    EXPECT_EQ(put->etag, Md5Hex(body));
    EXPECT_EQ(put->content_type, "application/json");
    EXPECT_EQ(put->key_version, 1);
    EXPECT_EQ(put->created_ms, env_.clock.NowMillis());
    EXPECT_EQ(put->generation.size(), 16u);

    const std::string file = env_.FileOf(*put);
    ASSERT_TRUE(Exists(file)) << file;
    EXPECT_EQ(ReadFile(file).size(), ObjectWriter::SealedSize(size));
    if (size >= 64) {
      EXPECT_EQ(ReadFile(file).find(body.substr(0, 64)), std::string::npos) << "plaintext on disk";
    }

    Result<GetResult> got = env_.Get("payments", key);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->body, body);
    EXPECT_EQ(got->info.etag, put->etag);
    EXPECT_EQ(got->info.size, size);
    EXPECT_EQ(got->info.generation, put->generation);
  }
  // Nothing is left in the temp directory.
  EXPECT_TRUE(std::filesystem::is_empty(env_.config.root_dir + "/.tmp"));
}

TEST_F(SinkStoreTest, RefusesUnknownBucketsAndBadKeys) {
  Result<ObjectInfo> put = env_.Put("nope", "a.json", "x");
  EXPECT_EQ(put.status().code(), Code::kNoSuchBucket);
  EXPECT_EQ(put.status().message(), "no bucket named nope");
  EXPECT_EQ(env_.Get("nope", "a.json").status().code(), Code::kNoSuchBucket);
  put = env_.Put("payments", "a/../../etc/passwd", "x");
  EXPECT_EQ(put.status().code(), Code::kInvalidParameterValue);
  EXPECT_NE(put.status().message().find("would escape the bucket"), std::string::npos);
  EXPECT_EQ(env_.Put("Bad_Bucket", "a", "x").status().code(), Code::kInvalidParameterValue);
  PutRequest with_metadata{"payments", "m.json", "application/json", "{}", "not json"};
  Result<ObjectInfo> refused = env_.Wait<ObjectInfo>(
      [&](Callback<ObjectInfo> done) { env_.sink->Put(std::move(with_metadata), std::move(done)); });
  EXPECT_EQ(refused.status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(env_.Delete("nope", "a").status().code(), Code::kNoSuchBucket);
  Result<GetResult> missing = env_.Get("payments", "never/put.json");
  EXPECT_EQ(missing.status().code(), Code::kNoSuchKey);
  EXPECT_EQ(missing.status().message(), "no object payments/never/put.json");
}

TEST_F(SinkStoreTest, KeepsContentTypeAndUserMetadata) {
  PutRequest request{"payments", "meta.bin", "", "bytes", "{\"origin\":\"test\"}"};
  Result<ObjectInfo> put =
      env_.Wait<ObjectInfo>([&](Callback<ObjectInfo> done) { env_.sink->Put(std::move(request), std::move(done)); });
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  Result<GetResult> got = env_.Get("payments", "meta.bin");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->info.content_type, "application/octet-stream");
  EXPECT_EQ(got->info.user_metadata, "{\"origin\":\"test\"}");
}

TEST_F(SinkStoreTest, OverwriteReplacesTheFileOnlyAfterTheCommit) {
  Result<ObjectInfo> first = env_.Put("payments", "k.json", "first");
  ASSERT_TRUE(first.ok());
  Result<ObjectInfo> second = env_.Put("payments", "k.json", "second version");
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first->generation, second->generation);
  EXPECT_TRUE(Exists(env_.FileOf(*second)));
  EXPECT_TRUE(EventuallyGone(env_.FileOf(*first)));
  Result<GetResult> got = env_.Get("payments", "k.json");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->body, "second version");
}

TEST_F(SinkStoreTest, DeleteRemovesRowThenFile) {
  Result<ObjectInfo> put = env_.Put("payments", "d/x.json", "bye");
  ASSERT_TRUE(put.ok());
  Result<bool> deleted = env_.Delete("payments", "d/x.json");
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_EQ(env_.Get("payments", "d/x.json").status().code(), Code::kNoSuchKey);
  EXPECT_TRUE(EventuallyGone(env_.FileOf(*put)));
  deleted = env_.Delete("payments", "d/x.json");
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
}

TEST_F(SinkStoreTest, ListsByPrefixWithPaging) {
  ASSERT_TRUE(env_.Wait<bool>([&](Callback<bool> done) { env_.sink->CreateBucket("archive", done); }).ok());
  for (const char* key : {"raw/dt=2026-01-14/a", "raw/dt=2026-01-15/a", "raw/dt=2026-01-15/b",
                          "raw/dt=2026-01-15/c", "raw/dt=2026-01-16/a", "other"}) {
    ASSERT_TRUE(env_.Put("payments", key, key).ok());
  }
  ASSERT_TRUE(env_.Put("archive", "raw/dt=2026-01-15/z", "z").ok());

  ListRequest request;
  request.bucket = "payments";
  request.prefix = "raw/dt=2026-01-15/";
  request.limit = 2;
  Result<ListResult> page = env_.List(request);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "raw/dt=2026-01-15/a");
  EXPECT_EQ(page->objects[1].key, "raw/dt=2026-01-15/b");
  ASSERT_TRUE(page->next_after.has_value());
  request.after = *page->next_after;
  page = env_.List(request);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "raw/dt=2026-01-15/c");
  EXPECT_FALSE(page->next_after.has_value());

  // Every bucket: (bucket, key) order, "bucket/key" cursors.
  ListRequest all;
  all.prefix = "raw/dt=2026-01-15/";
  all.limit = 1;
  std::vector<std::string> seen;
  while (true) {
    Result<ListResult> listed = env_.List(all);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    for (const ObjectInfo& info : listed->objects) seen.push_back(info.bucket + "/" + info.key);
    if (!listed->next_after) break;
    all.after = *listed->next_after;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"archive/raw/dt=2026-01-15/z", "payments/raw/dt=2026-01-15/a",
                                            "payments/raw/dt=2026-01-15/b", "payments/raw/dt=2026-01-15/c"}));

  request.bucket = "missing";
  EXPECT_EQ(env_.List(request).status().code(), Code::kNoSuchBucket);
  request.bucket = "payments";
  request.limit = 0;
  EXPECT_EQ(env_.List(request).status().code(), Code::kInvalidParameterValue);

  Result<std::vector<BucketInfo>> buckets =
      env_.Wait<std::vector<BucketInfo>>([&](Callback<std::vector<BucketInfo>> done) { env_.sink->Buckets(done); });
  ASSERT_TRUE(buckets.ok());
  ASSERT_EQ(buckets->size(), 2u);
  EXPECT_EQ((*buckets)[0].name, "archive");
  EXPECT_EQ((*buckets)[0].objects, 1u);
  EXPECT_EQ((*buckets)[0].bytes, 1u);
  EXPECT_EQ((*buckets)[1].name, "payments");
  EXPECT_EQ((*buckets)[1].objects, 6u);
}

TEST_F(SinkStoreTest, CreateBucketIsIdempotent) {
  Result<bool> created = env_.Wait<bool>([&](Callback<bool> done) { env_.sink->CreateBucket("new-bucket", done); });
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(*created);
  created = env_.Wait<bool>([&](Callback<bool> done) { env_.sink->CreateBucket("new-bucket", done); });
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(*created);
  EXPECT_TRUE(std::filesystem::is_directory(env_.config.root_dir + "/new-bucket"));
  EXPECT_TRUE(env_.Put("new-bucket", "a", "x").ok());
  EXPECT_EQ(env_.Wait<bool>([&](Callback<bool> done) { env_.sink->CreateBucket("NO", done); }).status().code(),
            Code::kInvalidParameterValue);
}

TEST_F(SinkStoreTest, DamageOnDiskIsAnIntegrityErrorAndVerifyFindsIt) {
  Result<ObjectInfo> flipped = env_.Put("payments", "flipped.json", Body(5000));
  Result<ObjectInfo> truncated = env_.Put("payments", "truncated.json", Body(100000));
  Result<ObjectInfo> appended = env_.Put("payments", "appended.json", Body(10));
  Result<ObjectInfo> a = env_.Put("payments", "swap/a.json", Body(300, 'a'));
  Result<ObjectInfo> b = env_.Put("payments", "swap/b.json", Body(300, 'b'));
  Result<ObjectInfo> gone = env_.Put("payments", "gone.json", Body(10));
  Result<ObjectInfo> fine = env_.Put("payments", "fine.json", Body(10));
  for (auto* put : {&flipped, &truncated, &appended, &a, &b, &gone, &fine}) ASSERT_TRUE(put->ok());

  std::string bytes = ReadFile(env_.FileOf(*flipped));
  bytes[bytes.size() / 2] ^= 0x04;
  WriteFile(env_.FileOf(*flipped), bytes);
  bytes = ReadFile(env_.FileOf(*truncated));
  WriteFile(env_.FileOf(*truncated), bytes.substr(0, kEnvelopeHeaderBytes + 65 * 1024 + 17));
  WriteFile(env_.FileOf(*appended), ReadFile(env_.FileOf(*appended)) + "\n");
  const std::string file_a = ReadFile(env_.FileOf(*a));
  WriteFile(env_.FileOf(*a), ReadFile(env_.FileOf(*b)));
  WriteFile(env_.FileOf(*b), file_a);
  ASSERT_EQ(unlink(env_.FileOf(*gone).c_str()), 0);

  for (const char* key : {"flipped.json", "truncated.json", "appended.json", "swap/a.json", "swap/b.json",
                          "gone.json"}) {
    Result<GetResult> got = env_.Get("payments", key);
    ASSERT_FALSE(got.ok()) << key << " was returned despite the damage";
    EXPECT_TRUE(IsIntegrityError(got.status())) << got.status().ToString();
    EXPECT_NE(got.status().message().find(std::string("integrity check failed for payments/") + key),
              std::string::npos)
        << got.status().message();
  }
  EXPECT_NE(env_.Get("payments", "gone.json").status().message().find("missing"), std::string::npos);
  EXPECT_TRUE(env_.Get("payments", "fine.json").ok());

  Result<VerifyReport> report = env_.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->checked, 7u);
  std::vector<std::string> damaged;
  for (const DamagedObject& object : report->damaged) damaged.push_back(object.key);
  EXPECT_EQ(damaged, (std::vector<std::string>{"appended.json", "flipped.json", "gone.json", "swap/a.json",
                                               "swap/b.json", "truncated.json"}));
  report = env_.Verify("payments");
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->checked, 7u);
  EXPECT_EQ(env_.Verify("nope").status().code(), Code::kNoSuchBucket);
}

TEST_F(SinkStoreTest, ConcurrentPutsAllLand) {
  constexpr int kPuts = 300;
  int completed = 0;
  int failed = 0;
  for (int i = 0; i < kPuts; ++i) {
    PutRequest request;
    request.bucket = "payments";
    request.key = "raw/dt=2026-01-" + std::to_string(10 + i % 5) + "/" + std::to_string(i) + ".json";
    request.body = Body(100 + static_cast<size_t>(i), static_cast<char>('a' + i % 20));
    env_.sink->Put(std::move(request), [&](Result<ObjectInfo> put) {
      ++completed;
      if (!put.ok()) ++failed;
    });
  }
  ASSERT_TRUE(env_.runner.RunUntil([&] { return completed == kPuts; }));
  EXPECT_EQ(failed, 0);
  for (int i = 0; i < kPuts; i += 37) {
    const std::string key = "raw/dt=2026-01-" + std::to_string(10 + i % 5) + "/" + std::to_string(i) + ".json";
    Result<GetResult> got = env_.Get("payments", key);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->body, Body(100 + static_cast<size_t>(i), static_cast<char>('a' + i % 20)));
  }
  Result<VerifyReport> report = env_.Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->checked, static_cast<uint64_t>(kPuts));
  EXPECT_TRUE(report->damaged.empty());
}

TEST_F(SinkStoreTest, ObjectsSurviveARestart) {
  Result<ObjectInfo> put = env_.Put("payments", "raw/dt=2026-01-15/kept.json", "{\"kept\":true}");
  ASSERT_TRUE(put.ok());
  env_.Stop();
  ASSERT_TRUE(env_.Open().ok());
  EXPECT_TRUE(env_.sink->check_report().removed_orphans.empty());
  EXPECT_EQ(env_.sink->check_report().objects, 1u);
  Result<GetResult> got = env_.Get("payments", "raw/dt=2026-01-15/kept.json");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->body, "{\"kept\":true}");
  EXPECT_EQ(got->info.content_type, "application/json");
}

TEST(SinkLifecycle, RefusesOperationsBeforeStartAndAfterShutdown) {
  SinkEnv env;
  ASSERT_TRUE(env.Open(/*start=*/false).ok());
  EXPECT_EQ(env.Put("payments", "a", "x").status().code(), Code::kUnavailable);
  ASSERT_TRUE(env.Start().ok());
  EXPECT_TRUE(env.Put("payments", "a", "x").ok());
  bool stopped = false;
  env.sink->Shutdown([&] { stopped = true; });
  EXPECT_EQ(env.Put("payments", "b", "x").status().code(), Code::kUnavailable);
  ASSERT_TRUE(env.runner.RunUntil([&] { return stopped; }));
  env.sink.reset();
}

TEST(SinkLifecycle, ShutdownWaitsForPutsInFlight) {
  SinkEnv env;
  ASSERT_TRUE(env.Open().ok());
  int completed = 0;
  for (int i = 0; i < 20; ++i) {
    PutRequest request{"payments", "k" + std::to_string(i), "text/plain", Body(5000), ""};
    env.sink->Put(std::move(request), [&](Result<ObjectInfo> put) {
      EXPECT_TRUE(put.ok()) << put.status().ToString();
      ++completed;
    });
  }
  bool stopped = false;
  env.sink->Shutdown([&] { stopped = true; });
  ASSERT_TRUE(env.runner.RunUntil([&] { return stopped; }));
  EXPECT_EQ(completed, 20);
  env.sink.reset();
}

TEST(SinkLifecycle, OpenRefusesRelativePathsAndBadBuckets) {
  SinkEnv env;
  env.config.root_dir = "relative/sink";
  EXPECT_EQ(env.Open().code(), Code::kInvalidParameterValue);
  env.config.root_dir = env.dir.path() + "/sink";
  env.config.buckets = {"Not_Valid"};
  EXPECT_EQ(env.Open().code(), Code::kInvalidParameterValue);
}

}  // namespace
}  // namespace sluice::sink
