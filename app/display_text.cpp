#include "app/display_text.hpp"

#include <cstdio>
#include <vector>

#include "app/terminal_text.hpp"
#include "render/utf8.hpp"

namespace certd::app {
namespace {

// How much of a refused text the message shows (escaped).
constexpr std::size_t k_shown_bytes = 60;

std::string code_point_name(char32_t c) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(c));
  return hex;
}

// White space and invisible spaces: a name of only these is blank.
bool blank(char32_t c) {
  return c == ' ' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
}

// Why `c` may not appear in text of `kind`, or nullptr.
const char* refusal(char32_t c, TextKind kind) {
  if (kind == TextKind::notes && (c == '\n' || c == '\r')) return nullptr;
  if (c == 0) return "a NUL character";
  if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return "a control character";
  if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) return "a bidirectional control character";
  if (kind == TextKind::name && (c == 0x2028 || c == 0x2029)) return "a line break";
  return nullptr;
}

std::string shown(const std::string& text) {
  std::string cut = text.substr(0, k_shown_bytes);
  return "\"" + terminal_safe(cut) + (cut.size() < text.size() ? "\"..." : "\"");
}

Error refused(const std::string& what, const std::string& problem, const std::string& text) {
  return Error(ErrorCode::invalid_argument, what + " " + problem + ": " + shown(text));
}

}  // namespace

Status check_display_text(const std::string& text, TextKind kind, const std::string& what) {
  auto decoded = render::decode_utf8(text);
  if (!decoded) return refused(what, "is not valid UTF-8 (" + decoded.error().message() + ")", text);
  const std::vector<char32_t>& code_points = *decoded;
  for (std::size_t i = 0; i < code_points.size(); ++i)
    if (const char* why = refusal(code_points[i], kind))
      return refused(what, std::string("contains ") + why + " (" + code_point_name(code_points[i]) + ") at character " +
                               std::to_string(i + 1),
                     text);
  bool all_blank = true;
  for (char32_t c : code_points) all_blank = all_blank && (blank(c) || c == '\n' || c == '\r');
  if (all_blank) return Error(ErrorCode::invalid_argument, what + " is empty");
  std::size_t cap = kind == TextKind::name ? k_max_name_length : k_max_notes_length;
  if (code_points.size() > cap)
    return refused(what, "is " + std::to_string(code_points.size()) + " characters long; at most " +
                             std::to_string(cap),
                   text);
  return ok();
}

}  // namespace certd::app
