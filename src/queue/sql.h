// A thin layer over the sqlite3 C API for the queue engine: prepared
// statements compiled once and cached for the connection's lifetime, and a
// Statement that binds positionally and carries its own Status.
//
// Errors are values: a failed prepare, bind or step is remembered by the
// Statement; Step() then returns false and status() says why
// (kStorageFailed). Callers check status() once, after the loop, the way
// LevelDB iterators are checked.
//
// Ownership: Database borrows the connection and owns the cached
// sqlite3_stmt objects (finalized in its destructor). A Statement borrows a
// cached sqlite3_stmt and resets it when it goes out of scope, so at most one
// Statement per SQL text may be alive at a time.
// Threads: the thread that owns the connection (the storage thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "sluice/status.h"

namespace sluice::queue {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, Status status);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Bind the next parameter (?1, ?2, ... in call order).
  Statement& BindInt(int64_t value);
  Statement& BindText(std::string_view value);
  Statement& BindBlob(std::string_view value);
  Statement& BindNull();
  // NULL when `value` is empty.
  Statement& BindTextOrNull(std::string_view value);
  Statement& BindBlobOrNull(std::string_view value);

  // Advances to the next row: true while a row is available. False at the
  // end or on error; tell them apart with ok().
  bool Step();
  // Runs a statement that returns no rows we care about to completion.
  Status Run();

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // Columns of the current row (0-based). Views are valid until the next
  // Step() or the Statement's destruction.
  int64_t Int(int column) const;
  bool IsNull(int column) const;
  std::string_view Text(int column) const;
  std::string_view Blob(int column) const;

 private:
  void Fail(int rc, const char* what);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int next_parameter_ = 1;
  Status status_;
};

class Database {
 public:
  explicit Database(sqlite3* db) : db_(db) {}
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The statement for `sql`, compiled on first use (SQLITE_PREPARE_PERSISTENT).
  // The cache is keyed by the address of `sql`: pass static strings only.
  Statement Prepare(const char* sql);

  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

// kStorageFailed with SQLite's message for the connection's last error.
Status SqliteError(sqlite3* db, int rc, const char* what);

}  // namespace sluice::queue
