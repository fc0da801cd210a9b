// Dedup and enqueue as one unit of work (src/gateway/enqueue.cc): on an
// in-memory database run the way the storage thread runs ops, and on a real
// StorageThread with an injected commit failure and a restart.
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "gateway/dedup_store.h"
#include "gateway/enqueue.h"
#include "gateway_test_util.h"
#include "sluice/clock.h"
#include "sluice/queue/engine.h"
#include "sluice/queue/engine_host.h"
#include "sluice/storage/migrations.h"
#include "sluice/storage/storage_thread.h"
#include "storage_test_util.h"

namespace sluice::gateway {
namespace {

using testing::ExecOrFail;
using testing::QueryInt;

constexpr int64_t kTtlMillis = 30LL * 24 * 3600 * 1000;

queue::SendMessageRequest Send(const std::string& queue, const std::string& body) {
  queue::SendMessageRequest request;
  request.queue_name = queue;
  request.entry.body = body;
  return request;
}

class DedupEnqueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    Result<std::vector<storage::Migration>> migrations = storage::EmbeddedMigrations();
    ASSERT_TRUE(migrations.ok()) << migrations.status().ToString();
    ASSERT_TRUE(storage::ApplyMigrations(db_, migrations.value(), ":memory:").ok());
    engine_ = std::make_unique<queue::Engine>(db_, clock_);
    for (const char* name : {"payments-queue", "refunds-queue"}) {
      ASSERT_TRUE(Tx([&] { return engine_->CreateQueue({name, {}, {}}).status(); }).ok());
    }
  }

  void TearDown() override {
    dedup_.Close();
    engine_.reset();
    sqlite3_close(db_);
  }

  // Runs `op` as the storage thread runs a Work: in a transaction and a
  // savepoint that is rolled back when the op fails.
  template <typename Op>
  Status Tx(Op&& op) {
    ExecOrFail(db_, "BEGIN");
    ExecOrFail(db_, "SAVEPOINT op");
    Status status = op();
    if (!status.ok()) ExecOrFail(db_, "ROLLBACK TO op");
    ExecOrFail(db_, "RELEASE op");
    ExecOrFail(db_, "COMMIT");
    return status;
  }

  Result<EnqueueOutcome> Enqueue(const std::string& route, const std::optional<std::string>& key,
                                 const std::string& queue = "payments-queue", const std::string& body = "{}") {
    queue::SendMessageRequest send = Send(queue, body);
    GuardedEnqueue request{route, key ? &*key : nullptr, kTtlMillis, &send};
    std::optional<Result<EnqueueOutcome>> result;
    Status status = Tx([&] {
      result.emplace(EnqueueOnce(db_, *engine_, dedup_, request, clock_.NowMillis()));
      return result->status();
    });
    (void)status;
    return std::move(*result);
  }

  int64_t Messages() { return QueryInt(db_, "SELECT count(*) FROM messages"); }
  int64_t Records() { return QueryInt(db_, "SELECT count(*) FROM dedup_records"); }

  sqlite3* db_ = nullptr;
  FakeClock clock_;
  std::unique_ptr<queue::Engine> engine_;
  DedupStore dedup_;
};

TEST_F(DedupEnqueueTest, SecondRequestWithTheKeyIsADuplicate) {
  Result<EnqueueOutcome> first = Enqueue("webhook", "evt_1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->duplicate);
  EXPECT_FALSE(first->message_id.empty());
  EXPECT_EQ(Messages(), 1);
  EXPECT_EQ(Records(), 1);
  EXPECT_EQ(QueryInt(db_, "SELECT created_ms FROM dedup_records"), clock_.NowMillis());
  EXPECT_EQ(QueryInt(db_, "SELECT expires_ms FROM dedup_records"), clock_.NowMillis() + kTtlMillis);

  clock_.Advance(kTtlMillis - 1);  // still inside the TTL
  Result<EnqueueOutcome> second = Enqueue("webhook", "evt_1", "refunds-queue");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->message_id, first->message_id);
  EXPECT_EQ(second->queue, "payments-queue");
  EXPECT_EQ(Messages(), 1);
  EXPECT_EQ(Records(), 1);
}

TEST_F(DedupEnqueueTest, KeysAreScopedByRoute) {
  ASSERT_FALSE(Enqueue("webhook", "k")->duplicate);
  ASSERT_FALSE(Enqueue("other", "k")->duplicate);
  EXPECT_TRUE(Enqueue("other", "k")->duplicate);
  EXPECT_EQ(Messages(), 2);
}

TEST_F(DedupEnqueueTest, WithoutAKeyEveryRequestIsEnqueued) {
  ASSERT_FALSE(Enqueue("payments", std::nullopt)->duplicate);
  ASSERT_FALSE(Enqueue("payments", std::nullopt)->duplicate);
  EXPECT_EQ(Messages(), 2);
  EXPECT_EQ(Records(), 0);
}

TEST_F(DedupEnqueueTest, ExpiredRecordCountsAsAbsentAndIsReplaced) {
  Result<EnqueueOutcome> first = Enqueue("webhook", "evt_1");
  ASSERT_TRUE(first.ok());
  clock_.Advance(kTtlMillis);  // expires_ms == now: expired
  Result<EnqueueOutcome> retry = Enqueue("webhook", "evt_1");
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_FALSE(retry->duplicate);
  EXPECT_NE(retry->message_id, first->message_id);
  EXPECT_EQ(Messages(), 2);
  EXPECT_EQ(Records(), 1);
  EXPECT_EQ(QueryInt(db_, "SELECT expires_ms FROM dedup_records"), clock_.NowMillis() + kTtlMillis);
  EXPECT_TRUE(Enqueue("webhook", "evt_1")->duplicate);
}

TEST_F(DedupEnqueueTest, MissingQueueWritesNoRecord) {
  Result<EnqueueOutcome> result = Enqueue("webhook", "evt_1", "no-such-queue");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kQueueDoesNotExist);
  EXPECT_EQ(Records(), 0);
  EXPECT_EQ(Messages(), 0);
  // Nothing was remembered: the retry (after the queue exists) goes through.
  ASSERT_TRUE(Tx([&] { return engine_->CreateQueue({"no-such-queue", {}, {}}).status(); }).ok());
  EXPECT_FALSE(Enqueue("webhook", "evt_1", "no-such-queue")->duplicate);
}

TEST_F(DedupEnqueueTest, FailedRecordWriteTakesTheMessageBack) {
  ExecOrFail(db_, "CREATE TRIGGER refuse BEFORE INSERT ON dedup_records BEGIN SELECT RAISE(ABORT, 'injected'); END");
  Result<EnqueueOutcome> result = Enqueue("webhook", "evt_1");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kStorageFailed);
  EXPECT_EQ(Messages(), 0) << "the savepoint rollback must remove the message the record was to guard";
  EXPECT_EQ(Records(), 0);
  ExecOrFail(db_, "DROP TRIGGER refuse");
  EXPECT_FALSE(Enqueue("webhook", "evt_1")->duplicate);
  EXPECT_EQ(Messages(), 1);
}

TEST_F(DedupEnqueueTest, StoreFindForgetAndSweep) {
  const int64_t now = clock_.NowMillis();
  for (int i = 0; i < 5; ++i) {
    DedupRecord record{"webhook", "k" + std::to_string(i), "q", "m" + std::to_string(i), now, now + 1000 * (i + 1)};
    ASSERT_TRUE(Tx([&] { return dedup_.Put(db_, record); }).ok());
  }
  Result<std::optional<DedupRecord>> found = dedup_.FindLive(db_, "webhook", "k2", now);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(found->value().message_id, "m2");
  EXPECT_EQ(found->value().queue, "q");
  EXPECT_EQ(found->value().expires_millis, now + 3000);
  EXPECT_FALSE(dedup_.FindLive(db_, "webhook", "k2", now + 3000)->has_value()) << "expired at expires_ms";

  // Three have expired at now + 3000; a sweep of 2 takes the two oldest.
  Result<int> swept = 0;
  ASSERT_TRUE(Tx([&] {
                swept = dedup_.SweepExpired(db_, now + 3000, 2);
                return swept.status();
              }).ok());
  EXPECT_EQ(swept.value(), 2);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM dedup_records WHERE dedup_key IN ('k0','k1')"), 0);
  ASSERT_TRUE(Tx([&] {
                swept = dedup_.SweepExpired(db_, now + 3000, 2);
                return swept.status();
              }).ok());
  EXPECT_EQ(swept.value(), 1);
  EXPECT_EQ(Records(), 2);

  Result<bool> forgotten = dedup_.Forget(db_, "webhook", "k3", now + 3000);
  ASSERT_TRUE(forgotten.ok());
  EXPECT_TRUE(forgotten.value());
  EXPECT_FALSE(dedup_.Forget(db_, "webhook", "k3", now + 3000).value());
  EXPECT_FALSE(dedup_.Forget(db_, "webhook", "k4", now + 5000).value()) << "an expired record is not there to forget";

  dedup_.Close();
  EXPECT_EQ(dedup_.FindLive(db_, "webhook", "k4", now).status().code(), Code::kUnavailable);
}

TEST_F(DedupEnqueueTest, HotStatementsUseIndexes) {
  auto plan = [&](const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &statement, nullptr), SQLITE_OK);
    std::string details;
    while (sqlite3_step(statement) == SQLITE_ROW) {
      details += reinterpret_cast<const char*>(sqlite3_column_text(statement, 3));
      details += "\n";
    }
    sqlite3_finalize(statement);
    return details;
  };
  std::string sweep = plan(
      "DELETE FROM dedup_records WHERE (route, dedup_key) IN (SELECT route, dedup_key FROM dedup_records "
      "WHERE expires_ms <= 1 ORDER BY expires_ms LIMIT 10)");
  EXPECT_NE(sweep.find("dedup_records_by_expiry"), std::string::npos) << sweep;
  EXPECT_EQ(sweep.find("SCAN dedup_records"), std::string::npos) << sweep;
  std::string find = plan("SELECT queue FROM dedup_records WHERE route = 'a' AND dedup_key = 'b' AND expires_ms > 1");
  EXPECT_NE(find.find("PRIMARY KEY"), std::string::npos) << find;
}

// ---- On the real storage thread ---------------------------------------------

using storage::testing::LoopRunner;
using storage::testing::TempDir;

class DedupStorageThreadTest : public ::testing::Test {
 protected:
  std::string db_path() const { return dir_.path() + "/sluice.db"; }

  void Open() {
    storage::StorageOptions options;
    options.database_path = db_path();
    options.fault_before_commit = [this]() -> Status {
      if (fail_next_commit_) {
        fail_next_commit_ = false;
        return Status(Code::kStorageFailed, "injected commit failure");
      }
      return Status::Ok();
    };
    Result<std::unique_ptr<storage::StorageThread>> opened = storage::StorageThread::Open(runner_.loop(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
    engine_ = std::make_unique<queue::EngineHost>(clock_, queue::EngineOptions{});
    dedup_ = std::make_unique<DedupStore>();
  }

  void Close() {
    bool closed = false;
    storage_->Submit(
        [this](sqlite3*) {
          engine_->Reset();
          dedup_->Close();
          return Status::Ok();
        },
        [](Status) {});
    storage_->Shutdown([&] { closed = true; });
    ASSERT_TRUE(runner_.RunUntil([&] { return closed; }));
    storage_.reset();
  }

  // Submits an enqueue of key `key` without running the loop; its result
  // lands in `*out`.
  void SubmitEnqueue(const std::string& key, std::optional<Result<EnqueueOutcome>>* out) {
    auto send = std::make_shared<queue::SendMessageRequest>(Send("payments-queue", R"({"k":")" + key + "\"}"));
    auto key_copy = std::make_shared<std::string>(key);
    auto outcome = std::make_shared<std::optional<Result<EnqueueOutcome>>>();
    storage_->Submit(
        [this, send, key_copy, outcome](sqlite3* db) {
          GuardedEnqueue request{"webhook", key_copy.get(), kTtlMillis, send.get()};
          outcome->emplace(EnqueueOnce(db, engine_->Get(db), *dedup_, request, clock_.NowMillis()));
          return (*outcome)->status();
        },
        [out, outcome](Status status) {
          if (!status.ok()) {
            out->emplace(status);
          } else {
            out->emplace(std::move(**outcome));
          }
        });
  }

  Result<EnqueueOutcome> EnqueueAndWait(const std::string& key) {
    std::optional<Result<EnqueueOutcome>> result;
    SubmitEnqueue(key, &result);
    EXPECT_TRUE(runner_.RunUntil([&] { return result.has_value(); }));
    return result.value_or(Result<EnqueueOutcome>(Status(Code::kInternal, "never completed")));
  }

  void CreateQueue() {
    std::optional<Status> done;
    storage_->Submit([this](sqlite3* db) { return engine_->Get(db).CreateQueue({"payments-queue", {}, {}}).status(); },
                     [&](Status status) { done = status; });
    ASSERT_TRUE(runner_.RunUntil([&] { return done.has_value(); }));
    ASSERT_TRUE(done->ok()) << done->ToString();
  }

  int64_t Count(const std::string& table) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    int64_t count = QueryInt(db, "SELECT count(*) FROM " + table);
    sqlite3_close(db);
    return count;
  }

  TempDir dir_;
  LoopRunner runner_;
  FakeClock clock_;
  std::unique_ptr<storage::StorageThread> storage_;
  std::unique_ptr<queue::EngineHost> engine_;
  std::unique_ptr<DedupStore> dedup_;
  std::atomic<bool> fail_next_commit_{false};  // set on the loop thread, read on the storage thread
};

TEST_F(DedupStorageThreadTest, SameKeyTwiceInOneBatchEnqueuesOnce) {
  Open();
  CreateQueue();
  std::optional<Result<EnqueueOutcome>> first, second;
  SubmitEnqueue("evt_1", &first);
  SubmitEnqueue("evt_1", &second);
  ASSERT_TRUE(runner_.RunUntil([&] { return first.has_value() && second.has_value(); }));
  ASSERT_TRUE(first->ok() && second->ok());
  EXPECT_FALSE((*first)->duplicate);
  EXPECT_TRUE((*second)->duplicate);
  EXPECT_EQ((*second)->message_id, (*first)->message_id);
  Close();
  EXPECT_EQ(Count("messages"), 1);
  EXPECT_EQ(Count("dedup_records"), 1);
}

TEST_F(DedupStorageThreadTest, FailedCommitLeavesNeitherAndTheRetryIsAcceptedOnce) {
  Open();
  CreateQueue();
  fail_next_commit_ = true;
  Result<EnqueueOutcome> lost = EnqueueAndWait("evt_1");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), Code::kStorageFailed);
  Close();
  EXPECT_EQ(Count("messages"), 0);
  EXPECT_EQ(Count("dedup_records"), 0);

  // Restart (as after a crash): the producer's retry is accepted, once.
  Open();
  Result<EnqueueOutcome> retry = EnqueueAndWait("evt_1");
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_FALSE(retry->duplicate);
  Result<EnqueueOutcome> again = EnqueueAndWait("evt_1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  Close();
  EXPECT_EQ(Count("messages"), 1);
  EXPECT_EQ(Count("dedup_records"), 1);
}

}  // namespace
}  // namespace sluice::gateway
