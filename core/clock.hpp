#pragma once
// The one source of "now" (docs/style.md §4): pure code takes a time point,
// services take a Clock so tests can move time by hand.

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace certd {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

// Unix seconds <-> TimePoint, the form the store and the LMS use.
inline std::int64_t to_unix(TimePoint t) {
  return std::chrono::duration_cast<Seconds>(t.time_since_epoch()).count();
}
// Saturates at the ends of TimePoint's range (1677..2262 for libstdc++'s
// nanoseconds): seconds from outside (an LMS answer, a stored payload) can
// be any number, and converting one beyond the range would overflow
// (found by fuzz_batch_csv and fuzz_rules under UBSan).
inline TimePoint from_unix(std::int64_t seconds) {
  constexpr std::int64_t k_latest = std::chrono::duration_cast<Seconds>(TimePoint::max().time_since_epoch()).count();
  constexpr std::int64_t k_earliest = std::chrono::duration_cast<Seconds>(TimePoint::min().time_since_epoch()).count();
  return TimePoint(Seconds(std::clamp(seconds, k_earliest, k_latest)));
}

// Thread-safe: implementations must allow calls from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace certd
