#include "sluice/storage/statement_cache.h"

#include <string>

namespace sluice::storage {
namespace {

// kStorageFailed with SQLite's message for the connection's last error.
Status SqliteError(sqlite3* db, int rc, std::string_view context, const char* what) {
  std::string message = std::string(context) + what + ": " + sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_errcode(db) == rc) {
    message += " (";
    message += sqlite3_errmsg(db);
    message += ")";
  }
  return Status(Code::kStorageFailed, std::move(message));
}

// data() of an empty view may be null, which SQLite would store as NULL: a
// zero-length text or blob must still be one.
const char* NonNullData(std::string_view value) {
  static const char kEmpty[1] = {0};
  return value.empty() ? kEmpty : value.data();
}

}  // namespace

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, Status status, std::string_view error_context)
    : db_(db), stmt_(stmt), status_(std::move(status)), error_context_(error_context) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      next_parameter_(other.next_parameter_),
      status_(std::move(other.status_)),
      error_context_(other.error_context_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    // The statement stays cached: reset it so it holds no read transaction
    // open and no stale bindings for its next user.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Statement::Fail(int rc, const char* what) {
  if (status_.ok()) status_ = SqliteError(db_, rc, error_context_, what);
}

Statement& Statement::BindInt(int64_t value) {
  if (!ok()) return *this;
  int rc = sqlite3_bind_int64(stmt_, next_parameter_++, value);
  if (rc != SQLITE_OK) Fail(rc, "bind");
  return *this;
}

Statement& Statement::BindText(std::string_view value) {
  if (!ok()) return *this;
  int rc = sqlite3_bind_text64(stmt_, next_parameter_++, NonNullData(value), value.size(),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) Fail(rc, "bind");
  return *this;
}

Statement& Statement::BindBlob(std::string_view value) {
  if (!ok()) return *this;
  int rc = sqlite3_bind_blob64(stmt_, next_parameter_++, NonNullData(value), value.size(),
                               SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) Fail(rc, "bind");
  return *this;
}

Statement& Statement::BindNull() {
  if (!ok()) return *this;
  int rc = sqlite3_bind_null(stmt_, next_parameter_++);
  if (rc != SQLITE_OK) Fail(rc, "bind");
  return *this;
}

Statement& Statement::BindTextOrNull(std::string_view value) {
  return value.empty() ? BindNull() : BindText(value);
}

Statement& Statement::BindBlobOrNull(std::string_view value) {
  return value.empty() ? BindNull() : BindBlob(value);
}

bool Statement::Step() {
  if (!ok()) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) Fail(rc, "step");
  return false;
}

Status Statement::Run() {
  while (Step()) {
  }
  return status_;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string_view Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(text),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string_view Statement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  if (blob == nullptr) return {};
  return std::string_view(static_cast<const char*>(blob),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

StatementCache::StatementCache(sqlite3* db, std::string error_context)
    : db_(db), error_context_(std::move(error_context)) {}

StatementCache::~StatementCache() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
}

Statement StatementCache::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return Statement(db_, it->second, Status::Ok(), error_context_);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Statement(db_, nullptr, SqliteError(db_, rc, error_context_, "prepare"), error_context_);
  }
  statements_.emplace(sql, stmt);
  return Statement(db_, stmt, Status::Ok(), error_context_);
}

}  // namespace sluice::storage
