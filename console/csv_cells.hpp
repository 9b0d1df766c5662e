#pragma once
// CSV files the console offers for download (reports_page.cpp), written
// as the CLI writes its reports (app/csv_writer.hpp; console cannot use
// app): RFC 4180 quoting, and a cell a spreadsheet would run as a
// formula neutralised as OWASP recommends ("CSV Injection") — students'
// names and e-mail servers' replies are typed by strangers. Pure.

#include <string>
#include <vector>

namespace certd::console {

// One cell. A cell beginning with '=', '+', '-', '@', TAB or CR gets a
// leading "'" and is quoted, so it reads as text, and so does such a
// character right after a TAB inside the cell (a paste splits cells
// there); a cell holding a comma, a quote, a TAB or a line break is
// quoted, its quotes doubled. Other control characters become "\xNN".
std::string csv_cell(const std::string& value);

// The cells joined by commas, ending in CRLF.
std::string csv_line(const std::vector<std::string>& cells);

}  // namespace certd::console
