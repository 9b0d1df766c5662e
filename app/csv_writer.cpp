#include "app/csv_writer.hpp"

#include "app/terminal_text.hpp"

namespace certd::app {
namespace {

// What a spreadsheet takes as the start of a formula, or strips before
// looking for one (OWASP, "CSV Injection").
bool starts_formula(const std::string& text, std::size_t at) {
  return at < text.size() && std::string("=+-@\t\r").find(text[at]) != std::string::npos;
}

}  // namespace

std::string csv_cell(const std::string& value) {
  std::string cell = terminal_safe_keeping_breaks(value);
  bool formula = starts_formula(cell, 0);
  if (!formula && cell.find_first_of(",\"\r\n\t") == std::string::npos) return cell;
  std::string quoted = formula ? "\"'" : "\"";
  for (std::size_t i = 0; i < cell.size(); ++i) {
    quoted += cell[i] == '"' ? std::string("\"\"") : std::string(1, cell[i]);
    // Pasted into a sheet, a TAB starts a new cell: what follows it is
    // neutralised the same way.
    if (cell[i] == '\t' && starts_formula(cell, i + 1) && cell[i + 1] != '\t') quoted += '\'';
  }
  return quoted + "\"";
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + csv_cell(cells[i]);
  return line + "\r\n";
}

}  // namespace certd::app
