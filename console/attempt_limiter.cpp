#include "console/attempt_limiter.hpp"

namespace certd::console {

AttemptLimiter::AttemptLimiter(int max_attempts, std::int64_t window_seconds, std::size_t max_entries)
    : m_max_attempts(max_attempts), m_window(window_seconds), m_max_entries(max_entries) {}

bool AttemptLimiter::blocked(const std::string& key, std::int64_t now) const {
  std::lock_guard<std::mutex> lock(m_mutex);
  auto it = m_entries.find(key);
  return it != m_entries.end() && now - it->second.window_start < m_window &&
         it->second.attempts >= m_max_attempts;
}

bool AttemptLimiter::count(const std::string& key, std::int64_t now) {
  std::lock_guard<std::mutex> lock(m_mutex);
  auto it = m_entries.find(key);
  if (it == m_entries.end()) {
    if (m_entries.size() >= m_max_entries) forget_expired(now);
    if (m_entries.size() >= m_max_entries) return false;
    it = m_entries.emplace(key, Entry{0, now}).first;
  }
  Entry& e = it->second;
  if (now - e.window_start >= m_window) e = Entry{0, now};
  if (++e.attempts < m_max_attempts) return false;
  // The block lasts a whole window from the attempt that caused it, as
  // the store's lock of an account does.
  e.window_start = now;
  return true;
}

void AttemptLimiter::forget_expired(std::int64_t now) {
  for (auto it = m_entries.begin(); it != m_entries.end();) {
    if (now - it->second.window_start >= m_window) it = m_entries.erase(it);
    else ++it;
  }
}

}  // namespace certd::console
