#include <gtest/gtest.h>

#include "sluice/http/query.h"

namespace sluice::http {
namespace {

TEST(HttpQueryTest, PercentDecode) {
  EXPECT_EQ(PercentDecode("raw%2Fdt%3D2026-01-15%2Fa.json", false), "raw/dt=2026-01-15/a.json");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%G1", false), std::nullopt);
}

TEST(HttpQueryTest, QueryParameter) {
  EXPECT_EQ(QueryParameter("bucket=payments&key=raw%2Fa", "key"), "raw/a");
  EXPECT_EQ(QueryParameter("bucket=payments&key=raw%2Fa", "bucket"), "payments");
  EXPECT_EQ(QueryParameter("bucket=payments", "key"), std::nullopt);
  EXPECT_EQ(QueryParameter("flag&x=1", "flag"), "");
  EXPECT_EQ(QueryParameter("keys=1&key=2", "key"), "2");
  EXPECT_EQ(QueryParameter("key=%zz", "key"), std::nullopt);
  EXPECT_EQ(QueryParameter("", "key"), std::nullopt);
}

}  // namespace
}  // namespace sluice::http
