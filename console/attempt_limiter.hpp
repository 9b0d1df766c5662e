#pragma once
// Counts attempts per key (a client address, a name) in memory: the
// `max_attempts`th within `window_seconds` of the first blocks the key for
// `window_seconds` from then; callers do not count a blocked key. Sign-in uses it for its per-address limit and
// to lock names that have no account exactly as the store locks real
// ones (local_sign_in.cpp). The table is bounded: when it is full of live
// entries a new key is not counted, so a flood cannot grow memory.
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace certd::console {

class AttemptLimiter {
 public:
  AttemptLimiter(int max_attempts, std::int64_t window_seconds, std::size_t max_entries = 10'000);

  // Whether `key` is blocked at `now`.
  bool blocked(const std::string& key, std::int64_t now) const;
  // Counts one attempt of `key`; true when it is blocked from now on.
  bool count(const std::string& key, std::int64_t now);

 private:
  struct Entry {
    int attempts = 0;
    std::int64_t window_start = 0;
  };
  void forget_expired(std::int64_t now);

  const int m_max_attempts;
  const std::int64_t m_window;
  const std::size_t m_max_entries;
  mutable std::mutex m_mutex;
  std::map<std::string, Entry> m_entries;  // Guarded by m_mutex.
};

}  // namespace certd::console
