// The hot statements search an index; none scans the messages table.
#include <sqlite3.h>

#include "queue/hot_sql.h"
#include "queue_test_env.h"

namespace sluice::queue::testing {
namespace {

class QueuePlanTest : public QueueEngineTest {
 protected:
  std::string Plan(const std::string& sql) {
    std::string explain = "EXPLAIN QUERY PLAN " + sql;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, explain.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      plan += "\n";
    }
    sqlite3_finalize(stmt);
    return plan;
  }
};

TEST_F(QueuePlanTest, ReceiveSearchesTheVisibilityIndex) {
  CreateQueue("q");
  for (int i = 0; i < 50; ++i) SendOk("q", "m");
  Exec("ANALYZE");
  std::string plan = Plan(kSelectDeliverable);
  EXPECT_NE(plan.find("SEARCH messages USING INDEX messages_by_visibility (queue_id=?"),
            std::string::npos)
      << plan;
  EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // no sort
}

TEST_F(QueuePlanTest, SweepAndNextVisibleSearchIndexes) {
  CreateQueue("q");
  for (int i = 0; i < 50; ++i) SendOk("q", "m");
  Exec("ANALYZE");
  std::string sweep = Plan(kSelectExpired);
  EXPECT_NE(sweep.find("SEARCH messages USING COVERING INDEX messages_by_age (queue_id=? AND sent_at<?)"),
            std::string::npos)
      << sweep;
  EXPECT_EQ(sweep.find("SCAN"), std::string::npos) << sweep;
  EXPECT_EQ(sweep.find("TEMP B-TREE"), std::string::npos) << sweep;
  std::string next = Plan(kNextVisibleAt);
  EXPECT_NE(next.find("USING COVERING INDEX messages_by_visibility (queue_id=? AND visible_at>?)"),
            std::string::npos)
      << next;
}

}  // namespace
}  // namespace sluice::queue::testing
