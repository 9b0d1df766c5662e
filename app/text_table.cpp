#include "app/text_table.hpp"

#include <algorithm>

#include "app/csv_writer.hpp"
#include "app/terminal_text.hpp"

namespace certd::app {
namespace {

// East Asian wide characters take two terminal columns (the main blocks
// of Unicode's EastAsianWidth W/F; enough for names).
bool is_wide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    char32_t c = lead < 0x80 ? lead : lead & (0x3F >> (length - 1));
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
      c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    width += is_wide(c) ? 2 : 1;
    i += length;
  }
  return width;
}

}  // namespace

// Every cell goes through terminal_safe here, so no command that prints
// stored data (names, reasons, file names, LMS errors) can forget it.
std::string TextTable::render() const {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(m_rows.size());
  for (const auto& row : m_rows) {
    rows.emplace_back();
    for (const std::string& cell : row) rows.back().push_back(terminal_safe(cell));
  }
  std::vector<std::size_t> widths(m_header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  };
  measure(m_header);
  for (const auto& row : rows) measure(row);
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(widths[i] - display_width(row[i]) + 2, ' ');
    }
    out += "\n";
  };
  line(m_header);
  for (const auto& row : rows) line(row);
  return out;
}

std::string TextTable::csv() const {
  std::string out = csv_line(m_header);
  for (const auto& row : m_rows) out += csv_line(row);
  return out;
}

}  // namespace certd::app
