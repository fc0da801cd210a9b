// Prepared statements over one SQLite connection, compiled once and cached
// for the cache's lifetime, and a Statement that binds positionally and
// carries its own Status. The queue engine, the gateway's dedup records and
// the sink's metadata all speak SQL through it.
//
// Errors are values: a failed prepare, bind or step is remembered by the
// Statement; Step() then returns false and status() says why
// (kStorageFailed, "<context><what>: <SQLite's reason>"). Callers check
// status() once, after the loop, the way LevelDB iterators are checked.
//
// Ownership: a StatementCache borrows the connection and owns the compiled
// sqlite3_stmt objects; its destructor finalizes them, so destroy it on the
// storage thread before the connection closes. A Statement borrows a cached
// sqlite3_stmt and resets it when it goes out of scope, so at most one
// Statement per SQL text may be alive at a time, and none may outlive its
// cache.
// Threads: the thread that owns the connection (the storage thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "sluice/status.h"

namespace sluice::storage {

class Statement {
 public:
  // `error_context` prefixes error messages; it must outlive the Statement.
  Statement(sqlite3* db, sqlite3_stmt* stmt, Status status, std::string_view error_context);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Bind the next parameter (?1, ?2, ... in call order). An empty text or
  // blob is bound as an empty value, never as NULL.
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
  std::string_view error_context_;
};

class StatementCache {
 public:
  // `error_context` starts every error message of its statements (the sink
  // passes "sink metadata "; "" names nothing).
  explicit StatementCache(sqlite3* db, std::string error_context = "");
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement for `sql`, compiled on first use (SQLITE_PREPARE_PERSISTENT).
  // The cache is keyed by the address of `sql`: pass static strings only.
  Statement Prepare(const char* sql);

  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* connection() const { return db_; }

 private:
  sqlite3* db_;
  const std::string error_context_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace sluice::storage
