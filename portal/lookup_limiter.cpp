#include "portal/lookup_limiter.hpp"

namespace certd::portal {

LookupLimiter::LookupLimiter(std::int64_t window_seconds, std::size_t max_entries)
    : m_window(window_seconds), m_max_entries(max_entries) {}

bool LookupLimiter::should_record(const std::string& client, const std::string& number, std::int64_t now) {
  std::lock_guard<std::mutex> lock(m_mutex);
  std::string key = client + '\n' + number;
  auto it = m_last.find(key);
  if (it != m_last.end()) {
    if (now - it->second < m_window) return false;
    it->second = now;
    return true;
  }
  if (m_last.size() >= m_max_entries) forget_expired(now);
  if (m_last.size() >= m_max_entries) return false;
  m_last.emplace(std::move(key), now);
  return true;
}

void LookupLimiter::forget_expired(std::int64_t now) {
  for (auto it = m_last.begin(); it != m_last.end();) {
    if (now - it->second >= m_window) it = m_last.erase(it);
    else ++it;
  }
}

std::size_t LookupLimiter::size() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_last.size();
}

}  // namespace certd::portal
