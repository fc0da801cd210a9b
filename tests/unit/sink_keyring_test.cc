// The keyring file: created private, refused when others can read it,
// rotation and retirement persisted atomically.
#include "sink/keyring.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "storage_test_util.h"

namespace sluice::sink {
namespace {

using storage::testing::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned ModeOf(const std::string& path) {
  struct stat info;
  EXPECT_EQ(stat(path.c_str(), &info), 0);
  return info.st_mode & 07777;
}

class KeyringTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.path() + "/keys/keyring.json"; }
  std::unique_ptr<Keyring> Load() {
    Result<std::unique_ptr<Keyring>> keyring = Keyring::LoadOrCreate(path(), clock_);
    EXPECT_TRUE(keyring.ok()) << keyring.status().ToString();
    return keyring.ok() ? std::move(keyring).value() : nullptr;
  }

  TempDir dir_;
  FakeClock clock_;
};

TEST_F(KeyringTest, IsCreatedPrivateWithOneActiveVersion) {
  std::unique_ptr<Keyring> keyring = Load();
  ASSERT_TRUE(keyring);
  EXPECT_EQ(ModeOf(path()), 0600u);
  std::vector<KeyVersionInfo> versions = keyring->Versions();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].version, 1);
  EXPECT_EQ(versions[0].state, KeyState::kActive);
  EXPECT_EQ(versions[0].created_ms, clock_.NowMillis());
  EXPECT_EQ(keyring->Active().version, 1u);

  // Loading again gives the same key material.
  std::unique_ptr<Keyring> again = Load();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->Active().bytes, keyring->Active().bytes);
  rapidjson::Document document;
  document.Parse(ReadAll(path()).c_str());
  ASSERT_TRUE(document.IsObject());
  EXPECT_EQ(document["format"].GetInt(), 1);
  EXPECT_STREQ(document["versions"][0]["state"].GetString(), "active");
  EXPECT_STREQ(document["versions"][0]["created"].GetString(), "2026-01-01T00:00:00.000Z");
}

TEST_F(KeyringTest, RefusesAKeyringOthersCanRead) {
  ASSERT_TRUE(Load());
  ASSERT_EQ(chmod(path().c_str(), 0644), 0);
  Result<std::unique_ptr<Keyring>> keyring = Keyring::LoadOrCreate(path(), clock_);
  ASSERT_FALSE(keyring.ok());
  EXPECT_NE(keyring.status().message().find("chmod 600 " + path()), std::string::npos)
      << keyring.status().message();
  EXPECT_NE(keyring.status().message().find("0644"), std::string::npos);
  ASSERT_EQ(chmod(path().c_str(), 0660), 0);
  EXPECT_FALSE(Keyring::LoadOrCreate(path(), clock_).ok());
  ASSERT_EQ(chmod(path().c_str(), 0600), 0);
  EXPECT_TRUE(Keyring::LoadOrCreate(path(), clock_).ok());
}

TEST_F(KeyringTest, RotateAddsAnActiveVersionAndKeepsTheOld) {
  std::unique_ptr<Keyring> keyring = Load();
  const Kek first = keyring->Active();
  clock_.Advance(1000);
  Result<uint32_t> rotated = keyring->Rotate();
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_EQ(*rotated, 2u);
  EXPECT_EQ(keyring->Active().version, 2u);
  EXPECT_NE(keyring->Active().bytes, first.bytes);
  EXPECT_EQ(keyring->ActiveCreatedMs(), clock_.NowMillis());
  Result<Kek> old = keyring->Find(1);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->bytes, first.bytes);
  EXPECT_EQ(ModeOf(path()), 0600u);

  std::unique_ptr<Keyring> reloaded = Load();
  std::vector<KeyVersionInfo> versions = reloaded->Versions();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].state, KeyState::kEnabled);
  EXPECT_EQ(versions[1].state, KeyState::kActive);
  EXPECT_EQ(reloaded->Active().bytes, keyring->Active().bytes);
}

TEST_F(KeyringTest, RetireErasesTheMaterialButNeverTheActiveVersion) {
  std::unique_ptr<Keyring> keyring = Load();
  ASSERT_TRUE(keyring->Rotate().ok());
  EXPECT_EQ(keyring->Retire(2).code(), Code::kConflict);
  EXPECT_EQ(keyring->Retire(3).code(), Code::kResourceNotFound);
  EXPECT_EQ(keyring->Retire(0).code(), Code::kResourceNotFound);
  ASSERT_TRUE(keyring->Retire(1).ok());
  EXPECT_TRUE(keyring->Retire(1).ok()) << "retiring twice is harmless";
  EXPECT_EQ(keyring->Find(1).status().code(), Code::kConflict);
  EXPECT_EQ(keyring->Find(7).status().code(), Code::kResourceNotFound);

  rapidjson::Document document;
  document.Parse(ReadAll(path()).c_str());
  const rapidjson::Value& retired = document["versions"][0];
  EXPECT_STREQ(retired["state"].GetString(), "retired");
  EXPECT_FALSE(retired.HasMember("key")) << "retired key material must leave the file";
  std::unique_ptr<Keyring> reloaded = Load();
  EXPECT_EQ(reloaded->Versions()[0].state, KeyState::kRetired);
  EXPECT_FALSE(reloaded->Find(1).ok());
}

TEST_F(KeyringTest, RefusesDamagedFiles) {
  ASSERT_TRUE(Load());
  for (const char* text : {"not json", "{\"format\":2,\"versions\":[]}", "{\"format\":1,\"versions\":[]}",
                           "{\"format\":1,\"versions\":[{\"version\":1,\"state\":\"active\",\"created_ms\":1,\"key\":\"AAAA\"}]}",
                           "{\"format\":1,\"versions\":[{\"version\":2,\"state\":\"active\",\"created_ms\":1,"
                           "\"key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}]}"}) {
    {
      std::ofstream out(path(), std::ios::trunc);
      out << text;
    }
    Result<std::unique_ptr<Keyring>> keyring = Keyring::LoadOrCreate(path(), clock_);
    EXPECT_EQ(keyring.status().code(), Code::kInvalidParameterValue) << text;
    EXPECT_NE(keyring.status().message().find(path()), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::sink
