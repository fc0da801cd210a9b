#include "sluice/cli/table.h"

#include <algorithm>

namespace sluice::cli {

std::string EscapeCell(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          out += "\\x";
          out += kHex[byte >> 4];
          out += kHex[byte & 15];
        } else {
          out += c;
        }
    }
  }
  return out;
}

size_t DisplayWidth(std::string_view text) {
  // Count every byte that is not a UTF-8 continuation byte (10xxxxxx).
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (std::string& cell : cells) cell = EscapeCell(cell);
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<size_t> widths(columns_.size(), 0);
  for (size_t i = 0; i < columns_.size(); ++i) {
    widths[i] = DisplayWidth(columns_[i].header);
    for (const auto& row : rows_) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }

  std::string out;
  auto append_line = [&](auto cell_at) {
    // Blanks are held back until something visible follows them, so a line
    // never ends in padding (but a cell's own trailing blanks survive).
    size_t pending_blanks = 0;
    auto put = [&](const std::string& text) {
      if (text.empty()) return;
      out.append(pending_blanks, ' ');
      pending_blanks = 0;
      out += text;
    };
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::string& cell = cell_at(i);
      size_t pad = widths[i] - DisplayWidth(cell);
      if (i > 0) pending_blanks += 2;
      if (columns_[i].align == Align::kRight) {
        pending_blanks += pad;
        put(cell);
      } else {
        put(cell);
        pending_blanks += pad;
      }
    }
    out += '\n';
  };
  append_line([&](size_t i) -> const std::string& { return columns_[i].header; });
  for (const auto& row : rows_) {
    append_line([&](size_t i) -> const std::string& { return row[i]; });
  }
  return out;
}

}  // namespace sluice::cli
