// Readable aligned tables for the admin commands' default output:
//
//   NAME      VISIBLE  IN FLIGHT  DELAYED  DLQ
//   orders         12          3        0  orders-dlq
//
// Columns are separated by two spaces and padded to their widest cell,
// counted in UTF-8 code points; the last column is never padded, so lines
// have no trailing blanks. Control characters in cells (a body's newlines,
// tabs) are shown escaped ("\n", "\t", "\x07") so that one row stays one line.
//
// Threads: a value; no shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::cli {

enum class Align { kLeft, kRight };

struct Column {
  std::string header;
  Align align = Align::kLeft;
};

class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

  // Missing cells are empty; extra cells are dropped.
  void AddRow(std::vector<std::string> cells);

  size_t rows() const { return rows_.size(); }

  // Header line then one line per row, each ending in '\n'.
  std::string Render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;  // already escaped
};

// Escapes control characters as described above.
std::string EscapeCell(std::string_view text);

// Display width of UTF-8 text: its number of code points.
size_t DisplayWidth(std::string_view text);

}  // namespace sluice::cli
