#include "console/csv_cells.hpp"

#include <cstdio>

namespace certd::console {
namespace {

// What a spreadsheet takes as the start of a formula, or strips before
// looking for one (OWASP, "CSV Injection").
bool starts_formula(const std::string& text, std::size_t at) {
  return at < text.size() && std::string("=+-@\t\r").find(text[at]) != std::string::npos;
}

// Control characters other than TAB, CR and LF are shown, not kept: a
// spreadsheet would drop or mangle them silently.
std::string visible_controls(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string csv_cell(const std::string& value) {
  std::string cell = visible_controls(value);
  bool formula = starts_formula(cell, 0);
  if (!formula && cell.find_first_of(",\"\r\n\t") == std::string::npos) return cell;
  std::string quoted = formula ? "\"'" : "\"";
  for (std::size_t i = 0; i < cell.size(); ++i) {
    quoted += cell[i] == '"' ? std::string("\"\"") : std::string(1, cell[i]);
    if (cell[i] == '\t' && starts_formula(cell, i + 1) && cell[i + 1] != '\t') quoted += '\'';
  }
  return quoted + "\"";
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + csv_cell(cells[i]);
  return line + "\r\n";
}

}  // namespace certd::console
