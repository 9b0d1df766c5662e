#pragma once
// The one way the CLI writes CSV (reports today): RFC 4180 quoting, and
// cells that a spreadsheet would run as a formula neutralised as OWASP
// recommends ("CSV Injection"). Pure; thread-safe.

#include <string>
#include <vector>

namespace certd::app {

// One cell. Control characters other than TAB, CR and LF, bidi controls
// and bytes that are not UTF-8 become "\xNN" (terminal_safe_keeping_breaks),
// since people open these files. A cell beginning with '=', '+', '-',
// '@', TAB or CR gets a leading "'" and is quoted, so it reads as text,
// and so does such a character right after a TAB inside the cell (a
// paste splits cells there); a cell holding a comma, a quote, a TAB or a
// line break is quoted, its quotes doubled.
std::string csv_cell(const std::string& value);

// The cells joined by commas, ending in CRLF.
std::string csv_line(const std::vector<std::string>& cells);

}  // namespace certd::app
