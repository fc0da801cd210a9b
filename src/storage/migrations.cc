#include "sluice/storage/migrations.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "sluice/storage/storage_thread.h"
#include "storage/sqlite_util.h"

namespace sluice::storage {
namespace {

constexpr std::string_view kDirectory = "storage/";
constexpr std::string_view kSuffix = ".sql";

// "001_init.sql" -> 1; 0 when the name is not NNN_description.sql.
int VersionOf(std::string_view file_name) {
  const size_t underscore = file_name.find('_');
  if (underscore == 0 || underscore == std::string_view::npos) return 0;
  if (underscore + 1 + kSuffix.size() >= file_name.size()) return 0;  // "NNN_.sql"
  int version = 0;
  const char* begin = file_name.data();
  const char* end = begin + underscore;
  auto [stop, error] = std::from_chars(begin, end, version);
  if (error != std::errc() || stop != end) return 0;
  return version;
}

// Runs one migration in its own transaction. On failure nothing of it stays.
Status ApplyOne(sqlite3* db, const Migration& migration) {
  SLUICE_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  Status status = Exec(db, migration.sql);
  if (!status.ok()) {
    status = Status(Code::kStorageFailed,
                    DescribeError(db, "migration " + migration.name + " failed"));
  }
  if (status.ok()) {
    // Foreign keys are off during the migration; a migration that leaves a
    // dangling reference is a bug in it, caught here rather than at runtime.
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &raw, nullptr) != SQLITE_OK) {
      status = Status(Code::kStorageFailed, DescribeError(db, "PRAGMA foreign_key_check"));
    } else {
      StatementPtr check(raw);
      const int rc = sqlite3_step(check.get());
      if (rc == SQLITE_ROW) {
        const unsigned char* table = sqlite3_column_text(check.get(), 0);
        status = Status(Code::kStorageFailed,
                        "migration " + migration.name + " left a foreign key violation in table " +
                            (table ? reinterpret_cast<const char*>(table) : "?"));
      } else if (rc != SQLITE_DONE) {
        status = Status(Code::kStorageFailed, DescribeError(db, "PRAGMA foreign_key_check"));
      }
    }
  }
  if (status.ok()) {
    status = Exec(db, "PRAGMA user_version = " + std::to_string(migration.version));
  }
  if (status.ok()) status = Exec(db, "COMMIT");
  if (!status.ok()) {
    // The transaction may already be gone (SQLite rolls back on some errors).
    if (!sqlite3_get_autocommit(db)) (void)Exec(db, "ROLLBACK");
  }
  return status;
}

Result<bool> ForeignKeysEnabled(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &raw, nullptr) != SQLITE_OK) {
    return Status(Code::kStorageFailed, DescribeError(db, "PRAGMA foreign_keys"));
  }
  StatementPtr statement(raw);
  if (sqlite3_step(statement.get()) != SQLITE_ROW) {
    return Status(Code::kStorageFailed, DescribeError(db, "PRAGMA foreign_keys"));
  }
  return sqlite3_column_int(statement.get(), 0) != 0;
}

}  // namespace

Result<std::vector<Migration>> ParseMigrations(const std::vector<embedded::Asset>& assets) {
  std::vector<Migration> migrations;
  for (const embedded::Asset& asset : assets) {
    if (!asset.name.starts_with(kDirectory) || !asset.name.ends_with(kSuffix)) continue;
    const std::string_view file_name = asset.name.substr(kDirectory.size());
    const int version = VersionOf(file_name);
    if (version <= 0) {
      return Status(Code::kStorageFailed, "embedded migration " + std::string(asset.name) +
                                              " is not named NNN_description.sql with NNN > 0");
    }
    migrations.push_back(Migration{version, std::string(asset.name), std::string(asset.data)});
  }
  std::stable_sort(migrations.begin(), migrations.end(),
                   [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      return Status(Code::kStorageFailed, "embedded migrations " + migrations[i - 1].name +
                                              " and " + migrations[i].name +
                                              " have the same version");
    }
  }
  return migrations;
}

Result<std::vector<Migration>> EmbeddedMigrations() { return ParseMigrations(embedded::All()); }

int KnownSchemaVersion() {
  Result<std::vector<Migration>> migrations = EmbeddedMigrations();
  if (!migrations.ok() || migrations->empty()) return 0;
  return migrations->back().version;
}

Result<int> SchemaVersion(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) {
    return Status(Code::kStorageFailed, DescribeError(db, "PRAGMA user_version"));
  }
  StatementPtr statement(raw);
  if (sqlite3_step(statement.get()) != SQLITE_ROW) {
    return Status(Code::kStorageFailed, DescribeError(db, "PRAGMA user_version"));
  }
  return sqlite3_column_int(statement.get(), 0);
}

Status ApplyMigrations(sqlite3* db, const std::vector<Migration>& migrations,
                       const std::string& database_path) {
  Result<int> current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (*current > known) {
    // An older binary must not write a schema it does not understand.
    return Status(Code::kStorageFailed, "database " + database_path + " has schema version " +
                                            std::to_string(*current) +
                                            " but this sluice knows up to " +
                                            std::to_string(known) + "; upgrade sluice");
  }
  if (*current == known) return Status::Ok();

  Result<bool> foreign_keys = ForeignKeysEnabled(db);
  if (!foreign_keys.ok()) return foreign_keys.status();
  // PRAGMA foreign_keys is a no-op inside a transaction: set it out here.
  SLUICE_RETURN_IF_ERROR(Exec(db, "PRAGMA foreign_keys = OFF"));
  Status status;
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    status = ApplyOne(db, migration);
    if (!status.ok()) break;
  }
  if (*foreign_keys) {
    Status restored = Exec(db, "PRAGMA foreign_keys = ON");
    if (status.ok()) status = restored;
  }
  return status;
}

}  // namespace sluice::storage
