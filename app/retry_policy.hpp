#pragma once
// When to try an outbox item again: exponential back-off with full jitter
// (so a recovering LMS is not hit by every worker at the same second),
// capped, and a limit after which the failure is final.

#include <cstdint>
#include <optional>

#include "core/duration.hpp"

namespace certd::app {

struct RetryPolicy {
  Duration first_delay{5};
  Duration max_delay{3600};
  int max_attempts = 15;  // about a day of retries with the defaults

  // The delay before attempt `attempts + 1`, or nullopt to give up.
  // `random_unit` in [0, 1) supplies the jitter (passed in for tests).
  std::optional<Duration> delay_after(int attempts, double random_unit) const;
};

}  // namespace certd::app
