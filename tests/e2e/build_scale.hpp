#pragma once
// How many batch rows the kill tests issue. A plain build issues the full
// count; under AddressSanitizer and UndefinedBehaviorSanitizer
// (CERTD_SANITIZED=1, set by scripts/test.sh) a certificate costs about ten
// times the CPU, and 2,000 rows took more than ten minutes of CI's
// ninety, so a fifth of them is issued there. The kills still land in the
// middle of the batch (they come within seconds of each start), and the
// checks are the same: each row once, each e-mail once.
#include <cstdlib>

namespace certd::testing {

inline int rows_for_this_build(int full) { return std::getenv("CERTD_SANITIZED") != nullptr ? full / 5 : full; }

}  // namespace certd::testing
