// A new database is built aside and renamed into place (database.cc).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sluice/storage/migrations.h"
#include "storage/database.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

int64_t UserVersion(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &statement, nullptr);
  int64_t version = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
  sqlite3_finalize(statement);
  return version;
}

TEST(FreshDatabaseTest, BuiltAsideMigratedAndLeftoversRemoved) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/sluice.db";
  // A crash during an earlier creation left a half-built file behind.
  std::ofstream(path + ".creating") << "half-built garbage";

  StorageOptions options;
  options.database_path = path;
  Result<DatabasePtr> db = OpenDatabase(options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(UserVersion(db->get()), KnownSchemaVersion());
  EXPECT_FALSE(std::filesystem::exists(path + ".creating"));
  EXPECT_TRUE(std::filesystem::exists(path));

  // The journal mode is persistent: the real connection is in WAL.
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db->get(), "PRAGMA journal_mode", -1, &statement, nullptr);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "wal");
  sqlite3_finalize(statement);
}

TEST(FreshDatabaseTest, ExistingDatabaseIsOpenedNotRebuilt) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/sluice.db";
  StorageOptions options;
  options.database_path = path;
  {
    Result<DatabasePtr> db = OpenDatabase(options);
    ASSERT_TRUE(db.ok());
    ASSERT_EQ(sqlite3_exec(db->get(), "CREATE TABLE kept(x); INSERT INTO kept VALUES(42);", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
  }
  Result<DatabasePtr> reopened = OpenDatabase(options);
  ASSERT_TRUE(reopened.ok());
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(reopened->get(), "SELECT x FROM kept", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(statement, 0), 42);
  sqlite3_finalize(statement);
}

}  // namespace
}  // namespace sluice::storage
