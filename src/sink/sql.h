// A thin layer over the sqlite3 C API for the sink's metadata: statements
// compiled once per connection and cached, and a Statement that binds
// positionally and remembers its first error (checked once, after the loop,
// the way LevelDB iterators are).
//
// Ownership: a StatementCache owns its compiled statements; Clear() (or the
// destructor) finalizes them. A Statement borrows one and resets it when it
// goes out of scope, so at most one Statement per SQL text is alive at a time.
// Errors: kStorageFailed with SQLite's message.
// Threads: the storage thread only (it owns the connection).
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "sluice/status.h"

namespace sluice::sink {

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
  Statement& BindTextOrNull(std::string_view value);

  // True while a row is available; false at the end or on error (ok() tells).
  bool Step();
  // Steps to the end, ignoring rows.
  Status Run();

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  int64_t Int(int column) const;
  bool IsNull(int column) const;
  // Views valid until the next Step() or the Statement's destruction.
  std::string_view Text(int column) const;
  std::string_view Blob(int column) const;

 private:
  void Fail(int rc, const char* what);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int next_parameter_ = 1;
  Status status_;
};

class StatementCache {
 public:
  StatementCache() = default;
  ~StatementCache() { Clear(); }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement for `sql` on `db`, compiled on first use. Keyed by the
  // address of `sql`: pass static strings only. One connection per cache.
  Statement Prepare(sqlite3* db, const char* sql);
  // Finalizes every statement.
  void Clear();

 private:
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace sluice::sink
