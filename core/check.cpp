#include "core/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace certd::detail {

void check_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "certd: internal check failed: %s at %s:%d\n", condition, file, line);
  std::abort();
}

}  // namespace certd::detail
