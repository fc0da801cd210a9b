#include "sink/sql.h"

#include <string>

namespace sluice::sink {
namespace {

Status SqliteError(sqlite3* db, int rc, const char* what) {
  std::string message = std::string("sink metadata ") + what + ": " + sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_errcode(db) == rc) message += std::string(" (") + sqlite3_errmsg(db) + ")";
  return Status(Code::kStorageFailed, std::move(message));
}

}  // namespace

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, Status status)
    : db_(db), stmt_(stmt), status_(std::move(status)) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), next_parameter_(other.next_parameter_),
      status_(std::move(other.status_)) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    // Cached for the next user: no open read, no stale bindings.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Statement::Fail(int rc, const char* what) {
  if (status_.ok()) status_ = SqliteError(db_, rc, what);
}

Statement& Statement::BindInt(int64_t value) {
  if (ok()) {
    if (int rc = sqlite3_bind_int64(stmt_, next_parameter_++, value); rc != SQLITE_OK) Fail(rc, "bind");
  }
  return *this;
}

Statement& Statement::BindText(std::string_view value) {
  if (ok()) {
    static const char kEmpty[1] = {0};
    const char* data = value.empty() ? kEmpty : value.data();
    if (int rc = sqlite3_bind_text64(stmt_, next_parameter_++, data, value.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8);
        rc != SQLITE_OK) {
      Fail(rc, "bind");
    }
  }
  return *this;
}

Statement& Statement::BindBlob(std::string_view value) {
  if (ok()) {
    static const char kEmpty[1] = {0};
    const char* data = value.empty() ? kEmpty : value.data();
    if (int rc = sqlite3_bind_blob64(stmt_, next_parameter_++, data, value.size(), SQLITE_TRANSIENT);
        rc != SQLITE_OK) {
      Fail(rc, "bind");
    }
  }
  return *this;
}

Statement& Statement::BindNull() {
  if (ok()) {
    if (int rc = sqlite3_bind_null(stmt_, next_parameter_++); rc != SQLITE_OK) Fail(rc, "bind");
  }
  return *this;
}

Statement& Statement::BindTextOrNull(std::string_view value) {
  return value.empty() ? BindNull() : BindText(value);
}

bool Statement::Step() {
  if (!ok()) return false;
  const int rc = sqlite3_step(stmt_);
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

bool Statement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

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

Statement StatementCache::Prepare(sqlite3* db, const char* sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) return Statement(db, found->second, Status::Ok());
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return Statement(db, nullptr, SqliteError(db, rc, (std::string("prepare of ") + sql).c_str()));
  }
  statements_.emplace(sql, stmt);
  return Statement(db, stmt, Status::Ok());
}

void StatementCache::Clear() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  statements_.clear();
}

}  // namespace sluice::sink
