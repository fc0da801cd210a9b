// Key management through the Sink: rotate, rewrap, retire (refused while
// used), automatic rotation on a FakeClock, and the keyring's permissions.
#include <sys/stat.h>

#include <fstream>
#include <future>
#include <sstream>

#include <gtest/gtest.h>

#include "sink_test_env.h"
#include "sluice/sink/envelope.h"

namespace sluice::sink {
namespace {

using testing::ReadFile;

using testing::SinkEnv;

constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;


class SinkKeysTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.Open().ok()); }

  uint64_t ObjectsOf(const KeyringInfo& info, int version) {
    for (const KeyVersionInfo& v : info.versions) {
      if (v.version == version) return v.objects;
    }
    return 0;
  }

  SinkEnv env_;
};

TEST_F(SinkKeysTest, KeysListsVersionsWithObjectCounts) {
  ASSERT_TRUE(env_.Put("payments", "a", "1").ok());
  Result<KeyringInfo> keys = env_.Keys();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->path, env_.config.keyring_path);
  EXPECT_EQ(keys->active, 1);
  ASSERT_EQ(keys->versions.size(), 1u);
  EXPECT_EQ(keys->versions[0].state, KeyState::kActive);
  EXPECT_EQ(keys->versions[0].objects, 1u);
  EXPECT_EQ(keys->versions[0].created_ms, env_.clock.NowMillis());
}

TEST_F(SinkKeysTest, RotateRewrapRetire) {
  Result<ObjectInfo> old_small = env_.Put("payments", "old/small.json", "small");
  Result<ObjectInfo> old_large = env_.Put("payments", "old/large.bin", std::string(300000, 'L'));
  ASSERT_TRUE(old_small.ok() && old_large.ok());

  Result<int> rotated = env_.Rotate();
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_EQ(*rotated, 2);
  Result<ObjectInfo> fresh = env_.Put("payments", "new.json", "new");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->key_version, 2);
  EXPECT_TRUE(env_.Get("payments", "old/small.json").ok()) << "old versions keep decrypting";

  Result<KeyringInfo> keys = env_.Keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->active, 2);
  EXPECT_EQ(keys->versions[0].state, KeyState::kEnabled);
  EXPECT_EQ(ObjectsOf(*keys, 1), 2u);
  EXPECT_EQ(ObjectsOf(*keys, 2), 1u);

  // Retiring is refused while version 1 wraps objects, and for the active one.
  Result<int> retired = env_.Retire(1);
  EXPECT_EQ(retired.status().code(), Code::kConflict);
  EXPECT_NE(retired.status().message().find("2 objects"), std::string::npos) << retired.status().message();
  EXPECT_NE(retired.status().message().find("rewrap"), std::string::npos);
  EXPECT_EQ(env_.Retire(2).status().code(), Code::kConflict);
  EXPECT_EQ(env_.Retire(9).status().code(), Code::kResourceNotFound);

  // Rewrap rewrites headers only: the sealed chunks are byte for byte the same.
  const std::string before = ReadFile(env_.FileOf(*old_large));
  Result<RewrapReport> rewrap = env_.Rewrap();
  ASSERT_TRUE(rewrap.ok()) << rewrap.status().ToString();
  EXPECT_EQ(rewrap->rewrapped, 2u);
  EXPECT_EQ(rewrap->version, 2);
  EXPECT_TRUE(rewrap->failed.empty());
  const std::string after = ReadFile(env_.FileOf(*old_large));
  ASSERT_EQ(after.size(), before.size());
  EXPECT_NE(after.substr(0, kEnvelopeHeaderBytes), before.substr(0, kEnvelopeHeaderBytes));
  EXPECT_EQ(after.substr(kEnvelopeHeaderBytes), before.substr(kEnvelopeHeaderBytes));

  keys = env_.Keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(ObjectsOf(*keys, 1), 0u);
  EXPECT_EQ(ObjectsOf(*keys, 2), 3u);

  retired = env_.Retire(1);
  ASSERT_TRUE(retired.ok()) << retired.status().ToString();
  EXPECT_EQ(*retired, 1);
  keys = env_.Keys();
  EXPECT_EQ(keys->versions[0].state, KeyState::kRetired);
  EXPECT_EQ(ReadFile(env_.config.keyring_path).find("\"key\"", 0) ,
            ReadFile(env_.config.keyring_path).rfind("\"key\"")) << "only version 2 keeps material";

  for (const char* key : {"old/small.json", "old/large.bin", "new.json"}) {
    Result<GetResult> got = env_.Get("payments", key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status().ToString();
  }
  EXPECT_EQ(env_.Get("payments", "old/large.bin")->body, std::string(300000, 'L'));
  Result<VerifyReport> verified = env_.Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->damaged.empty());

  // A second rewrap has nothing to do.
  rewrap = env_.Rewrap();
  ASSERT_TRUE(rewrap.ok());
  EXPECT_EQ(rewrap->rewrapped, 0u);
}

TEST_F(SinkKeysTest, OneRewrapAtATime) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(env_.Put("payments", "k" + std::to_string(i), "v").ok());
  ASSERT_TRUE(env_.Rotate().ok());
  std::optional<Result<RewrapReport>> first, second;
  env_.sink->Rewrap([&](Result<RewrapReport> r) { first.emplace(std::move(r)); });
  env_.sink->Rewrap([&](Result<RewrapReport> r) { second.emplace(std::move(r)); });
  ASSERT_TRUE(env_.runner.RunUntil([&] { return first && second; }));
  ASSERT_TRUE(first->ok()) << first->status().ToString();
  EXPECT_EQ((*first)->rewrapped, 5u);
  EXPECT_EQ(second->status().code(), Code::kConflict);
}

TEST_F(SinkKeysTest, RewrapReportsDamagedObjectsAndKeepsGoing) {
  Result<ObjectInfo> damaged = env_.Put("payments", "damaged", "x");
  ASSERT_TRUE(damaged.ok());
  ASSERT_TRUE(env_.Put("payments", "fine", "y").ok());
  ASSERT_TRUE(env_.Rotate().ok());
  {
    std::fstream file(env_.FileOf(*damaged), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(90);
    file.put('\x7f');
  }
  Result<RewrapReport> rewrap = env_.Rewrap();
  ASSERT_TRUE(rewrap.ok()) << rewrap.status().ToString();
  EXPECT_EQ(rewrap->rewrapped, 1u);
  ASSERT_EQ(rewrap->failed.size(), 1u);
  EXPECT_EQ(rewrap->failed[0].key, "damaged");
  EXPECT_EQ(env_.Retire(1).status().code(), Code::kConflict) << "the damaged object still names version 1";
}

// A put sealed with version 1 whose row has not committed yet pins the
// version: retiring it then would strand the object.
TEST_F(SinkKeysTest, RetireIsRefusedWhileAPutSealedWithTheVersionIsInFlight) {
  // Hold the storage thread so the put's commit waits.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  env_.storage->Submit([released](sqlite3*) { released.wait(); return Status::Ok(); }, [](Status) {});
  std::optional<Result<ObjectInfo>> put;
  env_.sink->Put(PutRequest{"payments", "in-flight.json", "application/json", "body", ""},
                 [&](Result<ObjectInfo> r) { put.emplace(std::move(r)); });
  ASSERT_TRUE(env_.Rotate().ok());  // the keyring needs only an I/O thread
  Result<int> retired = env_.Retire(1);
  EXPECT_EQ(retired.status().code(), Code::kConflict);
  EXPECT_NE(retired.status().message().find("writes in progress"), std::string::npos) << retired.status().message();
  release.set_value();
  ASSERT_TRUE(env_.runner.RunUntil([&] { return put.has_value(); }));
  ASSERT_TRUE(put->ok()) << put->status().ToString();
  EXPECT_EQ((*put)->key_version, 1);
  EXPECT_EQ(env_.Retire(1).status().code(), Code::kConflict) << "now its row uses version 1";
  ASSERT_TRUE(env_.Rewrap().ok());
  EXPECT_TRUE(env_.Retire(1).ok());
  Result<GetResult> got = env_.Get("payments", "in-flight.json");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->body, "body");
}

TEST(SinkRotation, RotatesWhenTheActiveKeyIsOlderThanThePeriod) {
  SinkEnv env;
  env.config.rotation_period_days = 30;
  ASSERT_TRUE(env.Open().ok());
  auto check = [&] { return env.Wait<int>([&](Callback<int> done) { env.sink->CheckRotation(done); }); };
  Result<int> rotated = check();
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(*rotated, 0) << "a fresh key is not rotated";

  env.clock.Advance(29 * kDayMs);
  EXPECT_EQ(*check(), 0);
  env.clock.Advance(1 * kDayMs);
  rotated = check();
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_EQ(*rotated, 2);
  EXPECT_EQ(*check(), 0) << "the new key is fresh";

  // Due while sluice was down: rotated at start.
  env.Stop();
  env.clock.Advance(31 * kDayMs);
  ASSERT_TRUE(env.Open().ok());
  Result<KeyringInfo> keys = env.Keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->active, 3);
  EXPECT_EQ(keys->versions.back().created_ms, env.clock.NowMillis());
}

TEST(SinkRotation, NoAutomaticRotationWithoutAPeriod) {
  SinkEnv env;
  ASSERT_TRUE(env.Open().ok());
  env.clock.Advance(3650 * kDayMs);
  Result<int> rotated = env.Wait<int>([&](Callback<int> done) { env.sink->CheckRotation(done); });
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(*rotated, 0);
}

TEST(SinkKeyring, OpenCreatesItPrivateAndRefusesItWhenReadableByOthers) {
  SinkEnv env;
  ASSERT_TRUE(env.Open().ok());
  struct stat info;
  ASSERT_EQ(stat(env.config.keyring_path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  env.Stop();
  ASSERT_EQ(chmod(env.config.keyring_path.c_str(), 0644), 0);
  Status opened = env.Open();
  EXPECT_FALSE(opened.ok());
  EXPECT_NE(opened.message().find("chmod 600 " + env.config.keyring_path), std::string::npos) << opened.message();
}

}  // namespace
}  // namespace sluice::sink
