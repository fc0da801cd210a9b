#include "server/long_poll.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::server {
namespace {

class RecordingWaiter : public Waiter {
 public:
  explicit RecordingWaiter(std::vector<std::pair<RecordingWaiter*, bool>>* log) : log_(log) {}
  void Wake(bool timed_out) override { log_->push_back({this, timed_out}); }

 private:
  std::vector<std::pair<RecordingWaiter*, bool>>* log_;
};

// Initialises the loop before the registry (a member declared after it) uses it.
struct Loop {
  Loop() { uv_loop_init(&loop); }
  uv_loop_t loop;
};

class LongPollTest : public ::testing::Test {
 protected:
  void TearDown() override {
    registry_.Close();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  Loop holder_;
  uv_loop_t& loop_ = holder_.loop;
  FakeClock clock_;
  LongPollRegistry registry_{&loop_, clock_};
  std::vector<std::pair<RecordingWaiter*, bool>> log_;
};

TEST_F(LongPollTest, WakeQueueWakesOldestFirstAndOnlyThatQueue) {
  RecordingWaiter a(&log_), b(&log_), c(&log_);
  int64_t later = clock_.NowMillis() + 20'000;
  registry_.Park(&a, "q1", later);
  registry_.Park(&b, "q1", later);
  registry_.Park(&c, "q2", later);
  EXPECT_EQ(registry_.parked_count(), 3u);

  registry_.WakeQueue("q1", 1);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_EQ(log_[0].first, &a);
  EXPECT_FALSE(log_[0].second);
  EXPECT_TRUE(registry_.HasWaiters("q1"));

  registry_.WakeQueue("q1", 16);
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_EQ(log_[1].first, &b);
  EXPECT_FALSE(registry_.HasWaiters("q1"));
  EXPECT_TRUE(registry_.HasWaiters("q2"));

  registry_.WakeAll();
  ASSERT_EQ(log_.size(), 3u);
  EXPECT_EQ(log_[2].first, &c);
  EXPECT_EQ(registry_.parked_count(), 0u);
}

TEST_F(LongPollTest, UnparkedWaiterIsNeverWoken) {
  RecordingWaiter a(&log_);
  registry_.Park(&a, "q", clock_.NowMillis() + 1000);
  registry_.Unpark(&a);
  registry_.Unpark(&a);  // idempotent
  registry_.WakeQueue("q", 10);
  registry_.WakeAll();
  EXPECT_TRUE(log_.empty());
}

TEST_F(LongPollTest, TimerWakesDueWaitersAsTimedOut) {
  RecordingWaiter soon(&log_), late(&log_);
  // Already due by the fake clock: the timer fires at once on the next loop turn.
  registry_.Park(&soon, "q", clock_.NowMillis());
  registry_.Park(&late, "q", clock_.NowMillis() + 3'600'000);
  uv_run(&loop_, UV_RUN_NOWAIT);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_EQ(log_[0].first, &soon);
  EXPECT_TRUE(log_[0].second);
  EXPECT_TRUE(registry_.HasWaiters("q"));
  registry_.Unpark(&late);
}

TEST_F(LongPollTest, ParkingAgainMovesTheWaiter) {
  RecordingWaiter a(&log_);
  registry_.Park(&a, "q1", clock_.NowMillis() + 1000);
  registry_.Park(&a, "q2", clock_.NowMillis() + 1000);
  EXPECT_EQ(registry_.parked_count(), 1u);
  EXPECT_FALSE(registry_.HasWaiters("q1"));
  registry_.WakeQueue("q2", 1);
  EXPECT_EQ(log_.size(), 1u);
}

}  // namespace
}  // namespace sluice::server
