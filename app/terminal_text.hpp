#pragma once
// Text from outside (LMS names and errors, students' names) made safe to
// print on a terminal. Pure; thread-safe.

#include <string>

namespace certd::app {

// C0 and C1 control characters (ESC sequences could rewrite the screen),
// DEL, line breaks and bytes that are not UTF-8 become "\xNN", so the
// text prints as one inert line. Valid UTF-8 otherwise stays as it is.
std::string terminal_safe(const std::string& text);

}  // namespace certd::app
