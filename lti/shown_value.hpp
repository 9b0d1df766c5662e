#pragma once
// How an error message quotes a value that came from outside (a claim, a
// kid): short printable ASCII is shown in quotes, anything else is not, so
// a crafted token cannot put a megabyte or control characters into a log.
// Private to lti/.

#include <string>
#include <string_view>

namespace certd::lti::detail {

constexpr std::size_t k_max_shown_bytes = 64;

inline std::string shown_value(std::string_view value) {
  bool printable = value.size() <= k_max_shown_bytes;
  for (char c : value)
    if (c < 0x20 || c > 0x7e) printable = false;
  return printable ? "'" + std::string(value) + "'" : "(not shown)";
}

}  // namespace certd::lti::detail
