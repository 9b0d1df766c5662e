#pragma once
// Decides which certificate look-ups are written to the store
// (`certd report verifications`). Strangers choose the numbers, so the
// store would otherwise grow with every request: a number is recorded at
// most once per client address per window, and the table that remembers
// this is bounded. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace certd::portal {

class LookupLimiter {
 public:
  LookupLimiter(std::int64_t window_seconds = 60, std::size_t max_entries = 10'000);

  // True if (client, number) was not recorded in the last window; then
  // remembers it. When the table is full of entries still inside their
  // window, answers false: a flood loses its own look-ups, not the store.
  bool should_record(const std::string& client, const std::string& number, std::int64_t now);

  std::size_t size() const;

 private:
  void forget_expired(std::int64_t now);

  const std::int64_t m_window;
  const std::size_t m_max_entries;
  mutable std::mutex m_mutex;
  std::map<std::string, std::int64_t> m_last;  // client '\n' number -> time recorded
};

}  // namespace certd::portal
