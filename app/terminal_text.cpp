#include "app/terminal_text.hpp"

#include <cstdio>

namespace certd::app {

std::string terminal_safe(const std::string& text) {
  std::string out;
  char escaped[8];
  for (std::size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 0;
    bool valid = length > 0 && i + length <= text.size() && !(length == 2 && lead < 0xC2);
    for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    // C1 controls (U+0080..U+009F) are two bytes: C2 80..C2 9F.
    bool c1 = valid && length == 2 && lead == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
    if (!valid || c1 || (length == 1 && (lead < 0x20 || lead == 0x7F))) {
      std::snprintf(escaped, sizeof escaped, "\\x%02X", static_cast<unsigned>(lead));
      out += escaped;
      ++i;
      continue;
    }
    out.append(text, i, length);
    i += length;
  }
  return out;
}

}  // namespace certd::app
