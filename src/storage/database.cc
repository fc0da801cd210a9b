#include "storage/database.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sluice/storage/migrations.h"

namespace sluice::storage {
namespace {

// 32 MiB of page cache (negative: KiB). Enough for the hot indexes of a
// local broker; the OS cache does the rest.
constexpr int kCacheSizeKiB = 32 * 1024;
// An outside reader (sqlite3 CLI, a backup) may hold a lock briefly.
constexpr int kBusyTimeoutMillis = 5000;

Result<std::string> QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return Status(Code::kStorageFailed, DescribeError(db, sql));
  }
  StatementPtr statement(raw);
  if (sqlite3_step(statement.get()) != SQLITE_ROW) {
    return Status(Code::kStorageFailed, DescribeError(db, sql));
  }
  const unsigned char* text = sqlite3_column_text(statement.get(), 0);
  return std::string(text ? reinterpret_cast<const char*>(text) : "");
}

// A new data dir gets its database built aside and renamed into place:
// built with synchronous=OFF (the journal-mode switch and the migrations would
// otherwise cost about eight fsyncs, a third of a cold start), checkpointed
// into the main file, fsynced once, renamed, and the directory fsynced. A
// crash before the rename leaves only a "*.creating" file, which the next
// start deletes; after it, the database is complete and durable. Sluice's
// start time matters to CI, which creates a fresh data dir on every run.
Status CreateFreshDatabase(const std::string& path) {
  const std::string building = path + ".creating";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((building + suffix).c_str());
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(building.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  DatabasePtr db(raw);
  if (rc != SQLITE_OK) {
    return Status(Code::kStorageFailed, "cannot create database " + building + ": " +
                                            (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  Status status = Exec(db.get(), "PRAGMA synchronous = OFF; PRAGMA journal_mode = WAL;");
  if (status.ok()) {
    Result<std::vector<Migration>> migrations = EmbeddedMigrations();
    status = migrations.ok() ? ApplyMigrations(db.get(), *migrations, path) : migrations.status();
  }
  if (status.ok()) status = Exec(db.get(), "PRAGMA wal_checkpoint(TRUNCATE);");
  db.reset();  // the last connection checkpoints and removes the -wal and -shm files
  if (!status.ok()) return Status(Code::kStorageFailed, "cannot create database " + path + ": " + status.message());

  int fd = ::open(building.c_str(), O_RDONLY | O_CLOEXEC);
  bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!synced || ::rename(building.c_str(), path.c_str()) != 0) {
    return Status(Code::kStorageFailed, "cannot create database " + path + ": " + std::strerror(errno));
  }
  std::string directory = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
  int dir_fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool dir_synced = dir_fd >= 0 && ::fsync(dir_fd) == 0;
  if (dir_fd >= 0) ::close(dir_fd);
  if (!dir_synced) {
    return Status(Code::kStorageFailed, "cannot create database " + path + ": directory fsync: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

Result<DatabasePtr> OpenDatabase(const StorageOptions& options) {
  const std::string& path = options.database_path;
  if (sqlite3_threadsafe() == 0) {
    return Status(Code::kStorageFailed, "this SQLite library was built without thread support");
  }
  struct stat existing;
  if (::stat(path.c_str(), &existing) != 0 && errno == ENOENT) {
    SLUICE_RETURN_IF_ERROR(CreateFreshDatabase(path));
  }
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DatabasePtr db(raw);  // closes on every early return, even a failed open
  if (rc != SQLITE_OK) {
    return Status(Code::kStorageFailed,
                  "cannot open database " + path + ": " +
                      (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMillis);

  // The first statement reads the file: a non-database fails here.
  Result<std::string> journal_mode = QueryText(db.get(), "PRAGMA journal_mode = WAL");
  if (!journal_mode.ok()) {
    return Status(Code::kStorageFailed,
                  "cannot open database " + path + ": " + journal_mode.status().message());
  }
  if (*journal_mode != "wal") {
    return Status(Code::kStorageFailed, "cannot open database " + path +
                                            ": WAL journal mode refused (got " + *journal_mode +
                                            "); is it on a network filesystem?");
  }
  const std::string synchronous =
      options.durability == Durability::kFull ? "FULL" : "NORMAL";
  const std::string pragmas = "PRAGMA synchronous = " + synchronous +
                              "; PRAGMA cache_size = -" + std::to_string(kCacheSizeKiB) +
                              "; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;";
  Status status = Exec(db.get(), pragmas);
  if (!status.ok()) {
    return Status(Code::kStorageFailed, "cannot open database " + path + ": " + status.message());
  }

  Result<std::vector<Migration>> migrations = EmbeddedMigrations();
  if (!migrations.ok()) return migrations.status();
  SLUICE_RETURN_IF_ERROR(ApplyMigrations(db.get(), *migrations, path));
  return db;
}

}  // namespace sluice::storage
