#include "sluice/cli/table.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

TEST(CliTable, AlignsColumnsToTheWidestCellWithoutTrailingBlanks) {
  Table table({{"NAME"}, {"VISIBLE", Align::kRight}, {"DLQ"}});
  table.AddRow({"orders", "12", "orders-dlq"});
  table.AddRow({"a", "3", "-"});
  EXPECT_EQ(table.Render(),
            "NAME    VISIBLE  DLQ\n"
            "orders       12  orders-dlq\n"
            "a             3  -\n");
}

TEST(CliTable, HeaderAloneWhenThereAreNoRows) {
  Table table({{"ID"}, {"BODY"}});
  EXPECT_EQ(table.rows(), 0u);
  EXPECT_EQ(table.Render(), "ID  BODY\n");
}

TEST(CliTable, EmptyTrailingCellsLeaveNoBlanksButCellBlanksSurvive) {
  Table table({{"A"}, {"B"}});
  table.AddRow({"long value", ""});
  table.AddRow({"x", "ends with blank "});
  EXPECT_EQ(table.Render(),
            "A           B\n"
            "long value\n"
            "x           ends with blank \n");
}

TEST(CliTable, MissingCellsAreEmptyAndExtraCellsDropped) {
  Table table({{"A"}, {"B", Align::kRight}});
  table.AddRow({"only"});
  table.AddRow({"1", "2", "ignored"});
  EXPECT_EQ(table.Render(),
            "A     B\n"
            "only\n"
            "1     2\n");
}

TEST(CliTable, ControlCharactersAreEscapedSoARowStaysOneLine) {
  Table table({{"ID"}, {"BODY"}});
  table.AddRow({"m1", "line one\nline two\ttab\r\x07"});
  EXPECT_EQ(table.Render(),
            "ID  BODY\n"
            "m1  line one\\nline two\\ttab\\r\\x07\n");
}

TEST(CliTable, WidthCountsUtf8CodePointsNotBytes) {
  EXPECT_EQ(DisplayWidth("caf\xC3\xA9"), 4u);  // "café"
  Table table({{"NAME"}, {"N", Align::kRight}});
  table.AddRow({"caf\xC3\xA9", "1"});
  table.AddRow({"abcde", "22"});
  EXPECT_EQ(table.Render(),
            "NAME    N\n"
            "caf\xC3\xA9    1\n"
            "abcde  22\n");
}

}  // namespace
}  // namespace sluice::cli
