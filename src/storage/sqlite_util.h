// Small helpers over the SQLite C API shared by the storage module: running
// control statements, classifying errors, closing connections.
//
// Threads: the caller must own the connection it passes.
#pragma once

#include <memory>
#include <string>

#include <sqlite3.h>

#include "sluice/status.h"

namespace sluice::storage {

// Closes with sqlite3_close_v2, so statements an op forgot to finalize cannot
// keep the connection open (it becomes a zombie until they are finalized).
struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DatabasePtr = std::unique_ptr<sqlite3, DatabaseCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// True for the result codes after which the database file or our view of it
// cannot be trusted: I/O errors, a full disk, corruption, a file that
// vanished or is not a database, a broken WAL lock protocol, no memory.
bool IsIoClassError(int result_code);

// "<what>: <sqlite3_errmsg> (SQLite code <extended code>)".
std::string DescribeError(sqlite3* db, const std::string& what);

// Runs `sql` (no result rows expected); kStorageFailed with DescribeError on
// failure.
Status Exec(sqlite3* db, const std::string& sql);

// Steps a prepared statement that returns no rows once, then resets it.
// Returns the SQLite result code (SQLITE_OK on success).
int StepOnce(sqlite3_stmt* statement);

}  // namespace sluice::storage
