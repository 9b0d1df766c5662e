#pragma once
// CERTD_CHECK: an invariant that release builds must still check. A failed
// check is a bug, never bad input: it prints where and aborts.

namespace certd::detail {
[[noreturn]] void check_failed(const char* condition, const char* file, int line);
}

#define CERTD_CHECK(condition)                                            \
  do {                                                                    \
    if (!(condition)) ::certd::detail::check_failed(#condition, __FILE__, __LINE__); \
  } while (false)
