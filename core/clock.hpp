#pragma once
// The one source of "now" (docs/style.md §4): pure code takes a time point,
// services take a Clock so tests can move time by hand.

#include <chrono>
#include <cstdint>

namespace certd {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

// Unix seconds <-> TimePoint, the form the store and the LMS use.
inline std::int64_t to_unix(TimePoint t) {
  return std::chrono::duration_cast<Seconds>(t.time_since_epoch()).count();
}
inline TimePoint from_unix(std::int64_t seconds) { return TimePoint(Seconds(seconds)); }

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
