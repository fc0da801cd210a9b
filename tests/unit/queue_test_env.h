// Shared fixture of the queue engine's unit tests: an in-memory SQLite
// database with the embedded schema (every migration), a FakeClock, and an Engine whose calls
// run the way the storage thread runs them (BEGIN, SAVEPOINT, the call,
// ROLLBACK TO on failure, RELEASE, COMMIT).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "sluice/clock.h"
#include "sluice/embedded.h"
#include "sluice/queue/engine.h"
#include "sluice/storage/migrations.h"

namespace sluice::queue::testing {

class QueueEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    Exec("PRAGMA foreign_keys = ON");  // as the storage thread's connection has it
    // Every migration, in order: the schema the server runs on.
    Result<std::vector<storage::Migration>> migrations = storage::EmbeddedMigrations();
    ASSERT_TRUE(migrations.ok()) << migrations.status().ToString();
    for (const storage::Migration& migration : *migrations) Exec(migration.sql);
    engine_ = std::make_unique<Engine>(db_, clock_);
  }

  void TearDown() override {
    engine_.reset();
    sqlite3_close(db_);
  }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    ASSERT_EQ(rc, SQLITE_OK) << (error ? error : "") << " in " << sql;
  }

  int64_t QueryInt(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    int64_t value = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
  }

  // Runs `op(engine)` inside a transaction and savepoint, rolling the
  // savepoint back when it fails, as the storage thread does.
  template <typename Op>
  auto Tx(Op&& op) {
    Exec("BEGIN");
    Exec("SAVEPOINT op");
    auto result = op(*engine_);
    if (!result.ok()) Exec("ROLLBACK TO op");
    Exec("RELEASE op");
    Exec("COMMIT");
    return result;
  }

  void CreateQueue(const std::string& name, AttributeMap attributes = {}) {
    auto result = Tx([&](Engine& e) { return e.CreateQueue({name, attributes, {}}); });
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }

  Result<SendMessageResult> Send(const std::string& queue, const std::string& body,
                                 std::optional<int> delay_seconds = std::nullopt,
                                 MessageAttributeMap attributes = {}) {
    SendMessageRequest request;
    request.queue_name = queue;
    request.entry.body = body;
    request.entry.delay_seconds = delay_seconds;
    request.entry.message_attributes = std::move(attributes);
    return Tx([&](Engine& e) { return e.SendMessage(request); });
  }

  std::string SendOk(const std::string& queue, const std::string& body) {
    auto result = Send(queue, body);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->message_id : "";
  }

  Result<ReceiveMessageResult> Receive(const std::string& queue, int max = 1,
                                       std::optional<int> visibility_timeout = std::nullopt,
                                       std::vector<std::string> system_attributes = {"All"},
                                       std::vector<std::string> message_attributes = {"All"}) {
    ReceiveMessageRequest request;
    request.queue_name = queue;
    request.max_number_of_messages = max;
    request.visibility_timeout = visibility_timeout;
    request.system_attribute_names = std::move(system_attributes);
    request.message_attribute_names = std::move(message_attributes);
    return Tx([&](Engine& e) { return e.ReceiveMessage(request); });
  }

  std::vector<ReceivedMessage> ReceiveOk(const std::string& queue, int max = 1,
                                         std::optional<int> visibility_timeout = std::nullopt) {
    auto result = Receive(queue, max, visibility_timeout);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->messages : std::vector<ReceivedMessage>{};
  }

  Status Delete(const std::string& queue, const std::string& receipt_handle) {
    return Tx([&](Engine& e) { return e.DeleteMessage({queue, receipt_handle}); }).status();
  }

  Status ChangeVisibility(const std::string& queue, const std::string& receipt_handle,
                          int timeout) {
    return Tx([&](Engine& e) {
             return e.ChangeMessageVisibility({queue, receipt_handle, timeout});
           })
        .status();
  }

  // One queue attribute from GetQueueAttributes, or "<absent>".
  std::string Attribute(const std::string& queue, const std::string& name) {
    auto result = Tx([&](Engine& e) { return e.GetQueueAttributes({queue, {name}}); });
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return "<error>";
    auto it = result->attributes.find(name);
    return it == result->attributes.end() ? "<absent>" : it->second;
  }

  std::string Arn(const std::string& queue) { return engine_->QueueArn(queue); }

  static constexpr int64_t kSecond = 1000;

  sqlite3* db_ = nullptr;
  FakeClock clock_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace sluice::queue::testing
