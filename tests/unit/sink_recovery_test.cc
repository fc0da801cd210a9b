// The startup check after simulated crashes: temp files, orphan files,
// missing files, and rewraps journaled but not finished.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "sink/keyring.h"
#include "sink/object_files.h"
#include "sink_test_env.h"
#include "sluice/sink/envelope.h"

namespace sluice::sink {
namespace {

using testing::ReadFile;
using testing::WriteFile;
using testing::SinkEnv;

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// Runs one statement on the database while the sink and storage are stopped.
void Sql(const std::string& db_path, const std::string& sql, const std::string& blob = "") {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  if (!blob.empty()) sqlite3_bind_blob(statement, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(statement), SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    value = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

TEST(SinkRecovery, RemovesTempAndOrphanFilesAndReportsThem) {
  SinkEnv env;
  ASSERT_TRUE(env.Open().ok());
  Result<ObjectInfo> kept = env.Put("payments", "raw/dt=2026-01-15/kept.json", "kept");
  ASSERT_TRUE(kept.ok());
  env.Stop();

  // A crash between rename and commit: a complete file no row names.
  const std::string root = env.config.root_dir;
  const std::string orphan = root + "/payments/raw/dt=2026-01-16/lost.json.00000000000000aa.sealed";
  WriteFile(orphan, ReadFile(env.FileOf(*kept)));
  // An older generation of a kept object whose removal never happened.
  const std::string stale = root + "/payments/raw/dt=2026-01-15/kept.json.00000000000000bb.sealed";
  WriteFile(stale, "old");
  // A write that never got renamed.
  WriteFile(root + "/.tmp/00000000000000cc.tmp", "partial");
  // Someone else's file is left alone.
  const std::string foreign = root + "/payments/README.txt";
  WriteFile(foreign, "hello");

  ASSERT_TRUE(env.Open().ok());
  const CheckReport& report = env.sink->check_report();
  EXPECT_EQ(report.objects, 1u);
  EXPECT_EQ(report.removed_temp_files, 1u);
  std::vector<std::string> removed = report.removed_orphans;
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<std::string>{"payments/raw/dt=2026-01-15/kept.json.00000000000000bb.sealed",
                                               "payments/raw/dt=2026-01-16/lost.json.00000000000000aa.sealed"}));
  EXPECT_EQ(report.unexpected, (std::vector<std::string>{"payments/README.txt"}));
  EXPECT_TRUE(report.missing_files.empty());
  EXPECT_FALSE(Exists(orphan));
  EXPECT_FALSE(Exists(stale));
  EXPECT_FALSE(Exists(root + "/.tmp/00000000000000cc.tmp"));
  EXPECT_FALSE(Exists(root + "/payments/raw/dt=2026-01-16")) << "emptied directories are removed";
  EXPECT_TRUE(Exists(foreign));
  Result<GetResult> got = env.Get("payments", "raw/dt=2026-01-15/kept.json");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->body, "kept");
}

TEST(SinkRecovery, ReportsRowsWhoseFileIsMissing) {
  SinkEnv env;
  ASSERT_TRUE(env.Open().ok());
  Result<ObjectInfo> put = env.Put("payments", "a/b.json", "x");
  ASSERT_TRUE(put.ok());
  env.Stop();
  ASSERT_EQ(unlink(env.FileOf(*put).c_str()), 0);
  ASSERT_TRUE(env.Open().ok());
  EXPECT_EQ(env.sink->check_report().missing_files, (std::vector<std::string>{"payments/a/b.json"}));
  Result<GetResult> got = env.Get("payments", "a/b.json");
  EXPECT_TRUE(IsIntegrityError(got.status())) << got.status().ToString();
}

TEST(SinkRecovery, CreatesConfiguredBuckets) {
  SinkEnv env;
  env.config.buckets = {"payments", "audit-log"};
  ASSERT_TRUE(env.Open().ok());
  EXPECT_TRUE(env.Put("audit-log", "x", "y").ok());
  EXPECT_TRUE(std::filesystem::is_directory(env.config.root_dir + "/audit-log"));
}

// A crash in the middle of a rewrap: the new headers were journaled into the
// rows; for one object the header was also written in place, for the other
// not yet. The startup check must finish both.
TEST(SinkRecovery, FinishesJournaledRewraps) {
  SinkEnv env;
  ASSERT_TRUE(env.Open().ok());
  Result<ObjectInfo> written = env.Put("payments", "written.json", std::string(100000, 'w'));
  Result<ObjectInfo> pending = env.Put("payments", "pending.json", "pending");
  ASSERT_TRUE(written.ok() && pending.ok());
  ASSERT_TRUE(env.Rotate().ok());
  env.Stop();

  Result<std::unique_ptr<Keyring>> keyring = Keyring::LoadOrCreate(env.config.keyring_path, env.clock);
  ASSERT_TRUE(keyring.ok());
  for (const ObjectInfo* info : {&*written, &*pending}) {
    const ObjectBinding object{info->bucket, info->key, info->generation};
    const std::string file = ReadFile(env.FileOf(*info));
    Result<EnvelopeHeader> header = EnvelopeHeader::Parse(object, file);
    ASSERT_TRUE(header.ok());
    Result<std::string> rewrapped =
        RewrapHeader(object, *header, *(*keyring)->Find(1), (*keyring)->Active());
    ASSERT_TRUE(rewrapped.ok());
    Sql(env.db_path(), "UPDATE sink_objects SET rewrap_header = ?1, rewrap_kek_version = 2 WHERE key = '" +
                           info->key + "'",
        *rewrapped);
    if (info == &*written) WriteFile(env.FileOf(*info), *rewrapped + file.substr(kEnvelopeHeaderBytes));
  }

  ASSERT_TRUE(env.Open().ok());
  EXPECT_EQ(env.sink->check_report().finished_rewraps, 2u);
  EXPECT_EQ(QueryInt(env.db_path(), "SELECT count(*) FROM sink_objects WHERE rewrap_header IS NOT NULL"), 0);
  EXPECT_EQ(QueryInt(env.db_path(), "SELECT count(*) FROM sink_objects WHERE kek_version = 2"), 2);
  Result<GetResult> got = env.Get("payments", "written.json");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->body, std::string(100000, 'w'));
  got = env.Get("payments", "pending.json");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->body, "pending");
  // Version 1 wraps nothing any more.
  EXPECT_TRUE(env.Retire(1).ok());
  EXPECT_TRUE(env.Get("payments", "pending.json").ok());
}

// A reader that finds a header it cannot authenticate tries the header
// journaled in the row (a rewrap may be rewriting it in place right then).
TEST(SinkRecovery, ReadersFallBackToTheJournaledHeader) {
  storage::testing::TempDir dir;
  FakeClock clock;
  Result<std::unique_ptr<Keyring>> keyring = Keyring::LoadOrCreate(dir.path() + "/keyring.json", clock);
  ASSERT_TRUE(keyring.ok());
  ObjectFiles files(dir.path() + "/sink");
  ASSERT_TRUE(files.PrepareRoot().ok());
  ASSERT_TRUE(files.PrepareBucket("payments").ok());
  const ObjectBinding object{"payments", "raw/torn.json", "00000000000000dd"};
  const std::string content(200000, 'c');
  {
    Result<std::unique_ptr<ObjectFileWriter>> writer = files.BeginWrite(object, (*keyring)->Active());
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->Append(content).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  ASSERT_TRUE((*keyring)->Rotate().ok());
  const std::string path = files.PathOf(object);
  const std::string file = ReadFile(path);
  Result<EnvelopeHeader> header = EnvelopeHeader::Parse(object, file);
  ASSERT_TRUE(header.ok());
  Result<std::string> rewrapped = RewrapHeader(object, *header, *(*keyring)->Find(1), (*keyring)->Active());
  ASSERT_TRUE(rewrapped.ok());
  // A torn header: the first half new, the rest old.
  std::string torn = file;
  std::copy(rewrapped->begin(), rewrapped->begin() + 64, torn.begin());
  WriteFile(path, torn);

  std::string read;
  auto consume = [&](std::string_view plaintext) { read.append(plaintext); };
  Status without = files.Read(object, **keyring, "", consume);
  EXPECT_TRUE(IsIntegrityError(without)) << without.ToString();
  read.clear();
  Status with = files.Read(object, **keyring, *rewrapped, consume);
  ASSERT_TRUE(with.ok()) << with.ToString();
  EXPECT_EQ(read, content);
  // The journaled header must belong to this object: another's is useless.
  const ObjectBinding other{"payments", "raw/other.json", "00000000000000dd"};
  read.clear();
  EXPECT_FALSE(files.Read(other, **keyring, *rewrapped, consume).ok());
}

}  // namespace
}  // namespace sluice::sink
