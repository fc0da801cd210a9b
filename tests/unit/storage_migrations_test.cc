// The migration runner over a real SQLite file: naming, ordering, version
// bookkeeping, atomicity of each migration, refusing a newer database.
#include "sluice/storage/migrations.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sluice/storage/storage_thread.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testing::TempDir;

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/test.db";
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
  }
  void TearDown() override { sqlite3_close(db_); }

  int Version() {
    Result<int> version = SchemaVersion(db_);
    EXPECT_TRUE(version.ok()) << version.status().ToString();
    return version.ok() ? *version : -1;
  }
  bool TableExists(const std::string& name) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1,
                       &statement, nullptr);
    sqlite3_bind_text(statement, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    const bool exists = sqlite3_step(statement) == SQLITE_ROW;
    sqlite3_finalize(statement);
    return exists;
  }
  void Exec(const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }

  TempDir dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

const Migration kCreateA{1, "storage/001_a.sql", "CREATE TABLE a(id INTEGER PRIMARY KEY);"};
const Migration kCreateB{2, "storage/002_b.sql",
                         "CREATE TABLE b(id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));"
                         "CREATE INDEX b_by_a ON b(a_id);"};

TEST(ParseMigrationsTest, OrdersByVersionAndIgnoresOtherAssets) {
  const std::vector<embedded::Asset> assets = {
      {"storage/010_later.sql", "SELECT 10;"},
      {"config/default.json", "{}"},
      {"storage/002_early.sql", "SELECT 2;"},
      {"storage/README.md", "not a migration"},
  };
  Result<std::vector<Migration>> migrations = ParseMigrations(assets);
  ASSERT_TRUE(migrations.ok()) << migrations.status().ToString();
  ASSERT_EQ(migrations->size(), 2u);
  EXPECT_EQ((*migrations)[0].version, 2);
  EXPECT_EQ((*migrations)[0].name, "storage/002_early.sql");
  EXPECT_EQ((*migrations)[0].sql, "SELECT 2;");
  EXPECT_EQ((*migrations)[1].version, 10);
}

TEST(ParseMigrationsTest, RefusesBadlyNamedMigrations) {
  for (const char* name : {"storage/init.sql", "storage/000_zero.sql", "storage/01a_x.sql",
                           "storage/001_.sql", "storage/_x.sql"}) {
    Result<std::vector<Migration>> migrations = ParseMigrations({{name, "SELECT 1;"}});
    ASSERT_FALSE(migrations.ok()) << name;
    EXPECT_EQ(migrations.status().code(), Code::kStorageFailed);
    EXPECT_NE(migrations.status().message().find(name), std::string::npos)
        << migrations.status().message();
  }
}

TEST(ParseMigrationsTest, RefusesTwoMigrationsWithOneVersion) {
  Result<std::vector<Migration>> migrations =
      ParseMigrations({{"storage/001_a.sql", "SELECT 1;"}, {"storage/1_b.sql", "SELECT 1;"}});
  ASSERT_FALSE(migrations.ok());
  EXPECT_NE(migrations.status().message().find("same version"), std::string::npos);
}

TEST(ParseMigrationsTest, EmbeddedMigrationsStartWithTheInitialSchema) {
  Result<std::vector<Migration>> migrations = EmbeddedMigrations();
  ASSERT_TRUE(migrations.ok()) << migrations.status().ToString();
  ASSERT_FALSE(migrations->empty());
  EXPECT_EQ(migrations->front().name, "storage/001_init.sql");
  EXPECT_EQ(migrations->front().version, 1);
  EXPECT_EQ(KnownSchemaVersion(), migrations->back().version);
}

TEST_F(MigrationsTest, FreshDatabaseGetsEveryMigrationAndTheLastVersion) {
  ASSERT_EQ(Version(), 0);
  ASSERT_TRUE(ApplyMigrations(db_, {kCreateA, kCreateB}, path_).ok());
  EXPECT_EQ(Version(), 2);
  EXPECT_TRUE(TableExists("a"));
  EXPECT_TRUE(TableExists("b"));
  // Applying again runs nothing (re-running CREATE TABLE would fail).
  EXPECT_TRUE(ApplyMigrations(db_, {kCreateA, kCreateB}, path_).ok());
  EXPECT_EQ(Version(), 2);
}

TEST_F(MigrationsTest, OnlyMigrationsAboveTheCurrentVersionRun) {
  ASSERT_TRUE(ApplyMigrations(db_, {kCreateA}, path_).ok());
  ASSERT_EQ(Version(), 1);
  Exec("INSERT INTO a(id) VALUES (7)");
  ASSERT_TRUE(ApplyMigrations(db_, {kCreateA, kCreateB}, path_).ok());
  EXPECT_EQ(Version(), 2);
  EXPECT_TRUE(TableExists("b"));
}

TEST_F(MigrationsTest, FailedMigrationIsRolledBackAndNamed) {
  const Migration broken{2, "storage/002_broken.sql",
                         "CREATE TABLE c(x); INSERT INTO no_such_table VALUES (1);"};
  Status status = ApplyMigrations(db_, {kCreateA, broken}, path_);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Code::kStorageFailed);
  EXPECT_NE(status.message().find("storage/002_broken.sql"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("no_such_table"), std::string::npos) << status.message();
  // Migration 1 stays applied; nothing of migration 2 does.
  EXPECT_EQ(Version(), 1);
  EXPECT_TRUE(TableExists("a"));
  EXPECT_FALSE(TableExists("c"));
  EXPECT_TRUE(sqlite3_get_autocommit(db_));
}

TEST_F(MigrationsTest, NewerDatabaseIsRefusedUntouched) {
  Exec("PRAGMA user_version = 7");
  Status status = ApplyMigrations(db_, {kCreateA}, path_);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Code::kStorageFailed);
  EXPECT_EQ(status.message(),
            "database " + path_ + " has schema version 7 but this sluice knows up to 1; "
            "upgrade sluice");
  EXPECT_EQ(Version(), 7);
  EXPECT_FALSE(TableExists("a"));
}

TEST_F(MigrationsTest, ForeignKeysAreCheckedAndTheSettingRestored) {
  Exec("PRAGMA foreign_keys = ON");
  ASSERT_TRUE(ApplyMigrations(db_, {kCreateA, kCreateB}, path_).ok());
  const Migration dangling{3, "storage/003_dangling.sql",
                           "INSERT INTO b(id, a_id) VALUES (1, 42);"};
  Status status = ApplyMigrations(db_, {kCreateA, kCreateB, dangling}, path_);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("foreign key violation in table b"), std::string::npos)
      << status.message();
  EXPECT_EQ(Version(), 2);

  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db_, "PRAGMA foreign_keys", -1, &statement, nullptr);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(statement, 0), 1);
  sqlite3_finalize(statement);
}

TEST_F(MigrationsTest, EmbeddedSchemaApplies) {
  Result<std::vector<Migration>> migrations = EmbeddedMigrations();
  ASSERT_TRUE(migrations.ok());
  ASSERT_TRUE(ApplyMigrations(db_, *migrations, path_).ok());
  EXPECT_EQ(Version(), KnownSchemaVersion());
  EXPECT_TRUE(TableExists("queues"));
  EXPECT_TRUE(TableExists("messages"));
}

}  // namespace
}  // namespace sluice::storage
