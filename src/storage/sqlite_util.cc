#include "storage/sqlite_util.h"

namespace sluice::storage {

bool IsIoClassError(int result_code) {
  switch (result_code & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CORRUPT:
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:  // e.g. SQLITE_READONLY_DBMOVED: the file was replaced under us
      return true;
    default:
      return false;
  }
}

std::string DescribeError(sqlite3* db, const std::string& what) {
  const int code = sqlite3_extended_errcode(db);
  return what + ": " + sqlite3_errmsg(db) + " (SQLite code " + std::to_string(code) + ")";
}

Status Exec(sqlite3* db, const std::string& sql) {
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Status(Code::kStorageFailed, DescribeError(db, sql));
  }
  return Status::Ok();
}

int StepOnce(sqlite3_stmt* statement) {
  int rc = sqlite3_step(statement);
  const int reset_rc = sqlite3_reset(statement);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) rc = reset_rc;
  return rc;
}

}  // namespace sluice::storage
