// The storage thread on a real uv loop and a real SQLite file: group commit,
// completion order, savepoint isolation, sticky failure, shutdown.
#include "sluice/storage/storage_thread.h"

#include <atomic>
#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testing::LoopRunner;
using testing::TempDir;

Status ExecStatus(sqlite3* db, const std::string& sql) {
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Status(Code::kStorageFailed, sqlite3_errmsg(db));
  }
  return Status::Ok();
}

StorageThread::Work Insert(int key) {
  return [key](sqlite3* db) {
    return ExecStatus(db, "INSERT INTO t(k) VALUES(" + std::to_string(key) + ")");
  };
}

// Reads one integer with a connection of its own (WAL lets it run beside
// the storage thread, and after it closed).
int64_t QueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    value = sqlite3_column_int64(statement, 0);
  } else {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

class StorageThreadTest : public ::testing::Test {
 protected:
  std::string db_path() const { return dir_.path() + "/sluice.db"; }

  void Open(StorageOptions options = {}) {
    options.database_path = db_path();
    Result<std::unique_ptr<StorageThread>> opened = StorageThread::Open(runner_.loop(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
  }

  // Submits `work` and runs the loop until it completes.
  Status Run(StorageThread::Work work) {
    std::optional<Status> result;
    storage_->Submit(std::move(work), [&](Status status) { result = std::move(status); });
    EXPECT_TRUE(runner_.RunUntil([&] { return result.has_value(); }));
    return result.value_or(Status(Code::kInternal, "never completed"));
  }

  void CreateTable() {
    ASSERT_TRUE(Run([](sqlite3* db) {
                  return ExecStatus(db, "CREATE TABLE t(k INTEGER PRIMARY KEY)");
                }).ok());
  }

  void ShutdownAndWait() {
    bool done = false;
    storage_->Shutdown([&] { done = true; });
    ASSERT_TRUE(runner_.RunUntil([&] { return done; }));
    storage_.reset();
  }

  int64_t RowCount() { return QueryInt(db_path(), "SELECT count(*) FROM t"); }
  bool RowExists(int key) {
    return QueryInt(db_path(), "SELECT count(*) FROM t WHERE k = " + std::to_string(key)) == 1;
  }

  void TearDown() override {
    if (storage_) ShutdownAndWait();
  }

  TempDir dir_;
  LoopRunner runner_;
  std::unique_ptr<StorageThread> storage_;  // destroyed before runner_
};

// Holds the storage thread inside one op until released, so the ops
// submitted meanwhile are all pending together when it comes back.
class Gate {
 public:
  StorageThread::Work Hold(StorageThread::Work then) {
    return [this, then = std::move(then)](sqlite3* db) {
      released_.wait();
      return then(db);
    };
  }
  void Release() { promise_.set_value(); }

 private:
  std::promise<void> promise_;
  std::shared_future<void> released_ = promise_.get_future().share();
};

TEST_F(StorageThreadTest, GroupCommitPutsOpsSubmittedTogetherInOneBatch) {
  Open();
  CreateTable();
  const uint64_t batches_before = storage_->committed_batches();
  const uint64_t ops_before = storage_->committed_ops();

  constexpr int kOps = 1000;
  Gate gate;
  std::vector<int> completed;
  std::vector<Status> statuses;
  // All submitted before the loop runs again.
  for (int i = 0; i < kOps; ++i) {
    StorageThread::Work work = i == 0 ? gate.Hold(Insert(i)) : Insert(i);
    storage_->Submit(std::move(work), [&, i](Status status) {
      completed.push_back(i);
      statuses.push_back(std::move(status));
    });
  }
  gate.Release();
  ASSERT_TRUE(runner_.RunUntil([&] { return completed.size() == kOps; }));

  for (const Status& status : statuses) EXPECT_TRUE(status.ok()) << status.ToString();
  // The held op's batch, then one batch for everything queued behind it (or
  // a single batch, if the thread woke only after the last Submit).
  const uint64_t batches = storage_->committed_batches() - batches_before;
  EXPECT_GE(batches, 1u);
  EXPECT_LE(batches, 2u);
  EXPECT_EQ(storage_->committed_ops() - ops_before, uint64_t{kOps});
  EXPECT_EQ(RowCount(), kOps);
}

TEST_F(StorageThreadTest, BatchesAreBoundedAndCompleteInSubmissionOrder) {
  StorageOptions options;
  options.max_batch_ops = 100;
  Open(options);
  CreateTable();
  const uint64_t batches_before = storage_->committed_batches();

  constexpr int kOps = 1000;
  Gate gate;
  std::vector<int> completed;
  for (int i = 0; i < kOps; ++i) {
    StorageThread::Work work = i == 0 ? gate.Hold(Insert(i)) : Insert(i);
    storage_->Submit(std::move(work), [&, i](Status status) {
      EXPECT_TRUE(status.ok()) << status.ToString();
      completed.push_back(i);
    });
  }
  gate.Release();
  ASSERT_TRUE(runner_.RunUntil([&] { return completed.size() == kOps; }));

  for (int i = 0; i < kOps; ++i) ASSERT_EQ(completed[i], i);
  // The first batch takes 1..100 ops; the rest go 100 at a time.
  const uint64_t batches = storage_->committed_batches() - batches_before;
  EXPECT_GE(batches, 10u);
  EXPECT_LE(batches, 11u);
  EXPECT_EQ(RowCount(), kOps);
}

TEST_F(StorageThreadTest, DoneMaySubmitAgain) {
  Open();
  CreateTable();
  std::vector<std::string> events;
  storage_->Submit(Insert(1), [&](Status status) {
    events.push_back("first " + status.ToString());
    storage_->Submit(Insert(2), [&](Status again) { events.push_back("second " + again.ToString()); });
  });
  ASSERT_TRUE(runner_.RunUntil([&] { return events.size() == 2; }));
  EXPECT_EQ(events, (std::vector<std::string>{"first Ok", "second Ok"}));
  EXPECT_TRUE(RowExists(2));
}

TEST_F(StorageThreadTest, FailedOpRollsBackOnlyItsOwnSavepoint) {
  Open();
  CreateTable();
  const uint64_t batches_before = storage_->committed_batches();
  const uint64_t ops_before = storage_->committed_ops();

  Gate gate;
  std::vector<Status> statuses(5);
  int completed = 0;
  auto record = [&](int index) {
    return [&, index](Status status) {
      statuses[index] = std::move(status);
      ++completed;
    };
  };
  storage_->Submit(gate.Hold(Insert(10)), record(0));
  storage_->Submit(Insert(1), record(1));
  // Writes, then fails: its write must not survive.
  storage_->Submit(
      [](sqlite3* db) {
        SLUICE_RETURN_IF_ERROR(ExecStatus(db, "INSERT INTO t(k) VALUES(2)"));
        return Status(Code::kInvalidParameterValue, "rejected after writing");
      },
      record(2));
  storage_->Submit(Insert(3), record(3));
  // A plain SQLite error (a constraint) fails the op, not the storage.
  storage_->Submit(Insert(1), record(4));
  gate.Release();
  ASSERT_TRUE(runner_.RunUntil([&] { return completed == 5; }));

  EXPECT_TRUE(statuses[0].ok());
  EXPECT_TRUE(statuses[1].ok());
  EXPECT_EQ(statuses[2].code(), Code::kInvalidParameterValue);
  EXPECT_EQ(statuses[2].message(), "rejected after writing");
  EXPECT_TRUE(statuses[3].ok());
  EXPECT_EQ(statuses[4].code(), Code::kStorageFailed);
  EXPECT_FALSE(storage_->failed());
  EXPECT_LE(storage_->committed_batches() - batches_before, 2u);
  EXPECT_EQ(storage_->committed_ops() - ops_before, 3u);  // only the ops that succeeded

  EXPECT_TRUE(RowExists(10));
  EXPECT_TRUE(RowExists(1));
  EXPECT_FALSE(RowExists(2));
  EXPECT_TRUE(RowExists(3));
  EXPECT_EQ(RowCount(), 3);
  EXPECT_TRUE(Run(Insert(4)).ok());  // the storage goes on
}

TEST_F(StorageThreadTest, WorkThatThrowsFailsAloneWithInternal) {
  Open();
  CreateTable();
  Status status = Run([](sqlite3* db) -> Status {
    (void)ExecStatus(db, "INSERT INTO t(k) VALUES(1)");
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(status.code(), Code::kInternal);
  EXPECT_NE(status.message().find("boom"), std::string::npos);
  EXPECT_FALSE(storage_->failed());
  EXPECT_FALSE(RowExists(1));
  EXPECT_TRUE(Run(Insert(2)).ok());
}

TEST_F(StorageThreadTest, FailedCommitIsStickyAndCommitsNothing) {
  std::atomic<bool> fail_commit{false};
  StorageOptions options;
  options.fault_before_commit = [&]() {
    return fail_commit.load() ? Status(Code::kInternal, "injected fsync failure") : Status::Ok();
  };
  Open(options);
  CreateTable();
  ASSERT_TRUE(Run(Insert(1)).ok());

  fail_commit = true;
  std::vector<Status> statuses;
  storage_->Submit(Insert(2), [&](Status status) { statuses.push_back(std::move(status)); });
  storage_->Submit(Insert(3), [&](Status status) { statuses.push_back(std::move(status)); });
  ASSERT_TRUE(runner_.RunUntil([&] { return statuses.size() == 2; }));
  for (const Status& status : statuses) {
    EXPECT_EQ(status.code(), Code::kStorageFailed);
    EXPECT_EQ(status.message(),
              "storage failed: injected fsync failure; restart sluice after fixing the cause");
  }
  EXPECT_TRUE(storage_->failed());

  // Sticky: the cause is gone, but later ops still fail, without running.
  fail_commit = false;
  bool ran = false;
  Status later = Run([&](sqlite3* db) {
    ran = true;
    return ExecStatus(db, "INSERT INTO t(k) VALUES(4)");
  });
  EXPECT_EQ(later.code(), Code::kStorageFailed);
  EXPECT_FALSE(ran);

  ShutdownAndWait();
  EXPECT_EQ(RowCount(), 1);
  EXPECT_TRUE(RowExists(1));
}

TEST_F(StorageThreadTest, OpThatEndsTheBatchTransactionIsSticky) {
  Open();
  CreateTable();
  Status status = Run([](sqlite3* db) { return ExecStatus(db, "COMMIT"); });
  EXPECT_EQ(status.code(), Code::kStorageFailed);
  EXPECT_NE(status.message().find("an op committed or rolled back the batch transaction"),
            std::string::npos)
      << status.message();
  EXPECT_TRUE(storage_->failed());
  EXPECT_EQ(Run(Insert(1)).code(), Code::kStorageFailed);
}

TEST_F(StorageThreadTest, ShutdownFinishesQueuedOpsFirst) {
  Open();
  CreateTable();
  constexpr int kOps = 100;
  int completed = 0;
  bool shut_down = false;
  for (int i = 0; i < kOps; ++i) {
    storage_->Submit(Insert(i), [&](Status status) {
      EXPECT_TRUE(status.ok()) << status.ToString();
      EXPECT_FALSE(shut_down);
      ++completed;
    });
  }
  storage_->Shutdown([&] { shut_down = true; });
  ASSERT_TRUE(runner_.RunUntil([&] { return shut_down; }));
  EXPECT_EQ(completed, kOps);
  storage_.reset();
  EXPECT_EQ(RowCount(), kOps);
}

TEST_F(StorageThreadTest, OpsSubmittedAfterShutdownAreRefusedInOrder) {
  Open();
  CreateTable();
  std::vector<std::string> events;
  storage_->Submit(Insert(1), [&](Status status) { events.push_back("before " + status.ToString()); });
  storage_->Shutdown([&] { events.push_back("shut down"); });
  bool ran = false;
  storage_->Submit(
      [&](sqlite3*) {
        ran = true;
        return Status::Ok();
      },
      [&](Status status) { events.push_back("after " + std::string(CodeName(status.code()))); });
  ASSERT_TRUE(runner_.RunUntil([&] { return events.size() == 3; }));
  EXPECT_EQ(events,
            (std::vector<std::string>{"before Ok", "after Unavailable", "shut down"}));
  EXPECT_FALSE(ran);

  // Once shut down, Submit answers at once.
  std::optional<Status> late;
  storage_->Submit(Insert(2), [&](Status status) { late = std::move(status); });
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->code(), Code::kUnavailable);
  storage_.reset();
  EXPECT_TRUE(RowExists(1));
  EXPECT_FALSE(RowExists(2));
}

TEST_F(StorageThreadTest, DestroyingWithoutShutdownStopsTheThreadAndFreesTheHandle) {
  Open();
  CreateTable();
  storage_->Submit(Insert(1), [](Status) {});
  storage_.reset();  // joins the thread; the loop frees the uv_async later
  uv_run(runner_.loop(), UV_RUN_NOWAIT);  // runs the close callback
  EXPECT_EQ(uv_loop_alive(runner_.loop()), 0);
  EXPECT_TRUE(RowExists(1));  // the queued op still ran before the thread stopped
}

TEST_F(StorageThreadTest, DataSurvivesShutdownAndReopen) {
  Open();
  CreateTable();
  for (int key = 1; key <= 3; ++key) ASSERT_TRUE(Run(Insert(key)).ok());
  ShutdownAndWait();

  Open();
  int64_t count = -1;
  ASSERT_TRUE(Run([&](sqlite3* db) {
                sqlite3_stmt* statement = nullptr;
                sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &statement, nullptr);
                if (sqlite3_step(statement) == SQLITE_ROW) count = sqlite3_column_int64(statement, 0);
                sqlite3_finalize(statement);
                return Status::Ok();
              }).ok());
  EXPECT_EQ(count, 3);
}

TEST_F(StorageThreadTest, ConnectionSettingsFollowTheOptions) {
  for (Durability durability : {Durability::kFull, Durability::kNormal}) {
    StorageOptions options;
    options.durability = durability;
    Open(options);
    std::vector<std::string> settings;
    ASSERT_TRUE(Run([&](sqlite3* db) {
                  for (const char* pragma : {"journal_mode", "synchronous", "foreign_keys",
                                             "temp_store"}) {
                    sqlite3_stmt* statement = nullptr;
                    const std::string sql = std::string("PRAGMA ") + pragma;
                    sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr);
                    if (sqlite3_step(statement) == SQLITE_ROW) {
                      settings.push_back(reinterpret_cast<const char*>(
                          sqlite3_column_text(statement, 0)));
                    }
                    sqlite3_finalize(statement);
                  }
                  return Status::Ok();
                }).ok());
    // synchronous: 2 = FULL, 1 = NORMAL; temp_store: 2 = MEMORY.
    const std::string synchronous = durability == Durability::kFull ? "2" : "1";
    EXPECT_EQ(settings, (std::vector<std::string>{"wal", synchronous, "1", "2"}));
    ShutdownAndWait();
  }
}

TEST_F(StorageThreadTest, OpenOnAFreshDatabaseAppliesTheEmbeddedSchema) {
  ASSERT_GE(KnownSchemaVersion(), 1);
  Open();
  ShutdownAndWait();
  EXPECT_EQ(QueryInt(db_path(), "PRAGMA user_version"), KnownSchemaVersion());
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM sqlite_master WHERE name = 'queues'"), 1);
}

TEST_F(StorageThreadTest, OpenRefusesANewerSchema) {
  const int newer = KnownSchemaVersion() + 6;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  ASSERT_TRUE(ExecStatus(db, "PRAGMA user_version = " + std::to_string(newer)).ok());
  sqlite3_close(db);

  StorageOptions options;
  options.database_path = db_path();
  Result<std::unique_ptr<StorageThread>> opened = StorageThread::Open(runner_.loop(), options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kStorageFailed);
  EXPECT_EQ(opened.status().message(),
            "database " + db_path() + " has schema version " + std::to_string(newer) +
                " but this sluice knows up to " + std::to_string(KnownSchemaVersion()) +
                "; upgrade sluice");
  EXPECT_EQ(QueryInt(db_path(), "PRAGMA user_version"), newer);
}

TEST_F(StorageThreadTest, OpenRefusesAFileThatIsNotADatabase) {
  FILE* file = std::fopen(db_path().c_str(), "w");
  ASSERT_NE(file, nullptr);
  std::fputs("this is not an SQLite database, just some text long enough to read\n", file);
  std::fclose(file);

  StorageOptions options;
  options.database_path = db_path();
  Result<std::unique_ptr<StorageThread>> opened = StorageThread::Open(runner_.loop(), options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kStorageFailed);
  EXPECT_NE(opened.status().message().find("cannot open database " + db_path()), std::string::npos)
      << opened.status().message();
}

}  // namespace
}  // namespace sluice::storage
