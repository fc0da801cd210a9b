// The schema migration runner. Migrations are the embedded files
// storage/NNN_description.sql; NNN is the schema version the file produces.
// The database remembers its version in PRAGMA user_version: a migration runs
// when its NNN is above it, each in its own transaction that also sets
// user_version = NNN, so a crash mid-way leaves the database at the last
// version that fully applied.
//
// Errors: a badly named or duplicated migration, a failing migration (rolled
// back, naming the file) or a database newer than the binary (refused before
// anything changes) are kStorageFailed with a message fit for an operator.
//
// Threads: any thread that currently owns `db`; StorageThread::Open runs it
// before the storage thread starts.
#pragma once

#include <string>
#include <vector>

#include <sqlite3.h>

#include "sluice/embedded.h"
#include "sluice/status.h"

namespace sluice::storage {

struct Migration {
  int version = 0;   // NNN
  std::string name;  // "storage/001_init.sql", for messages
  std::string sql;   // one or more statements
};

// The migrations among `assets` (names "storage/*.sql"), ordered by version.
// Other assets are ignored.
Result<std::vector<Migration>> ParseMigrations(const std::vector<embedded::Asset>& assets);

// ParseMigrations(embedded::All()).
Result<std::vector<Migration>> EmbeddedMigrations();

// PRAGMA user_version of `db`.
Result<int> SchemaVersion(sqlite3* db);

// Applies, in order, each of `migrations` (ordered by version, as
// ParseMigrations returns them) whose version is above the database's
// user_version. `database_path` only names the database in messages.
// Foreign keys are off while a migration runs (SQLite's advice for schema
// changes) and checked with PRAGMA foreign_key_check before its COMMIT; the
// connection's foreign_keys setting is restored afterwards.
Status ApplyMigrations(sqlite3* db, const std::vector<Migration>& migrations,
                       const std::string& database_path);

}  // namespace sluice::storage
