#pragma once
// A clock that moves only when a test says so. Thread-safe.

#include <atomic>

#include "core/clock.hpp"

namespace certd::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t unix_seconds) : m_now(unix_seconds) {}
  TimePoint now() const override { return from_unix(m_now.load()); }
  void advance(std::int64_t seconds) { m_now += seconds; }
  void set(std::int64_t unix_seconds) { m_now = unix_seconds; }

 private:
  std::atomic<std::int64_t> m_now;
};

}  // namespace certd::testing
