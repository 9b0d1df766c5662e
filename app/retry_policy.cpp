#include "app/retry_policy.hpp"

#include <algorithm>

namespace certd::app {

std::optional<Duration> RetryPolicy::delay_after(int attempts, double random_unit) const {
  if (attempts >= max_attempts) return std::nullopt;
  // first_delay * 2^(attempts-1), computed without overflow.
  std::int64_t ceiling = first_delay.count();
  for (int i = 1; i < attempts && ceiling < max_delay.count(); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<std::int64_t>(max_delay.count()));
  // Half fixed, half jitter: never sooner than half the ceiling.
  auto delay = static_cast<std::int64_t>(static_cast<double>(ceiling) * (0.5 + 0.5 * random_unit));
  return Duration(std::max<std::int64_t>(delay, 1));
}

}  // namespace certd::app
