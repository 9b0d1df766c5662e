#pragma once
// The one check for text that someone else typed and certd prints: a
// student's or teacher's name, notes, a reason. It runs where the text
// comes in (a CSV batch, the LMS, the command line), so a bad name is
// refused there, saying where it came from, instead of failing at render
// time or reaching a report or a terminal raw. Pure; thread-safe.

#include <cstddef>
#include <string>

#include "core/result.hpp"

namespace certd::app {

enum class TextKind {
  name,   // one line: a person's name, a teacher, a reason
  notes,  // may break lines (LF, CR)
};

// Caps in code points. A name longer than this fits no certificate line
// and is almost certainly something else pasted into the field.
inline constexpr std::size_t k_max_name_length = 200;
inline constexpr std::size_t k_max_notes_length = 2000;

// ok, or invalid_argument when the text is not valid UTF-8, holds a NUL
// or another control character (C0, DEL, C1; for notes LF and CR are
// allowed), a bidi override or isolate (U+202A..U+202E, U+2066..U+2069),
// a line or paragraph separator in a name, is empty or blank once
// trimmed, or is longer than the cap. The message starts with `what`
// ("name", "--teacher"), says what is wrong and at which character, and
// shows the text escaped (terminal_safe) and cut short: never its raw
// bytes.
Status check_display_text(const std::string& text, TextKind kind, const std::string& what);

}  // namespace certd::app
