#pragma once
// Plain-text tables and CSV for command output (not logging).

#include <string>
#include <vector>

namespace certd::app {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : m_header(std::move(header)) {}
  void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
  bool empty() const { return m_rows.empty(); }
  // Columns padded to their widest cell (counting UTF-8 characters); every
  // cell is printed through terminal_safe (app/terminal_text.hpp).
  std::string render() const;
  // RFC 4180 with formula cells neutralised (app/csv_writer.hpp).
  std::string csv() const;

 private:
  std::vector<std::string> m_header;
  std::vector<std::vector<std::string>> m_rows;
};

}  // namespace certd::app
