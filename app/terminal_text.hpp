#pragma once
// Text from outside (LMS names and errors, students' names, what a client
// put in a URL) made safe to print on a terminal or to open in a
// spreadsheet. Pure; thread-safe.

#include <string>

namespace certd::app {

// C0 and C1 control characters (ESC and CSI sequences could rewrite the
// screen), DEL, line breaks (U+2028 and U+2029 too), bidi overrides and
// isolates (they reorder what follows on the line) and bytes that are not
// UTF-8 (overlong forms and surrogates included) become "\xNN", one
// escape per byte, so the text prints as one inert line. Valid UTF-8
// otherwise stays as it is.
std::string terminal_safe(const std::string& text);

// The same, except that TAB, CR and LF stay: for a CSV cell, which quotes
// them (app/csv_writer.hpp), and whose line breaks are part of the value.
std::string terminal_safe_keeping_breaks(const std::string& text);

}  // namespace certd::app
