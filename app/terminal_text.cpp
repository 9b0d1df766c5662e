#include "app/terminal_text.hpp"

#include <cstdio>

namespace certd::app {
namespace {

enum class Breaks { escape, keep };

// The length of the well-formed UTF-8 sequence at `i` (Unicode's table 3-7:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
std::size_t sequence_length(const std::string& text, std::size_t i, char32_t& code_point) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  std::size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                       : lead >= 0xE0 && lead <= 0xEF ? 3
                       : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                      : 0;
  if (length == 0 || i + length > text.size()) return 0;
  code_point = lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(k) & 0x3F);
  }
  bool overlong = (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
  if (overlong || (code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) return 0;
  return length;
}

bool inert(char32_t c, Breaks breaks) {
  if (breaks == Breaks::keep && (c == '\t' || c == '\r' || c == '\n')) return true;
  bool control = c < 0x20 || (c >= 0x7F && c <= 0x9F);
  bool bidi = (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
  bool separator = c == 0x2028 || c == 0x2029;  // line and paragraph separators
  return !control && !bidi && !separator;
}

std::string escape(const std::string& text, Breaks breaks) {
  std::string out;
  out.reserve(text.size());
  char escaped[8];
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    std::size_t length = sequence_length(text, i, c);
    if (length > 0 && inert(c, breaks)) {
      out.append(text, i, length);
      i += length;
      continue;
    }
    // Every byte of a refused sequence is escaped, so none of it reaches
    // the reader raw.
    for (std::size_t end = i + (length > 0 ? length : 1); i < end; ++i) {
      std::snprintf(escaped, sizeof escaped, "\\x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[i])));
      out += escaped;
    }
  }
  return out;
}

}  // namespace

std::string terminal_safe(const std::string& text) { return escape(text, Breaks::escape); }

std::string terminal_safe_keeping_breaks(const std::string& text) { return escape(text, Breaks::keep); }

}  // namespace certd::app
