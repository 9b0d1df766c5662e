#include "connector/moodle/conditions.hpp"

#include "core/log.hpp"

namespace certd::connector::moodle {

void ConditionTracker::begin_cycle() {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_examined.clear();
  m_raised.clear();
}

void ConditionTracker::examined(const std::string& scope) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_examined.insert(scope);
}

bool ConditionTracker::raise(const std::string& scope, const std::string& kind, const std::string& subject,
                             const std::string& detail, const std::string& lms_code, TimePoint now) {
  std::string key = scope + "/" + kind;
  std::lock_guard<std::mutex> lock(m_mutex);
  m_examined.insert(scope);
  m_raised.insert(key);
  auto it = m_active.find(key);
  if (it != m_active.end()) {
    it->second.detail = detail;  // the words may change, the condition is the same
    return false;
  }
  m_active[key] = SiteCondition{key, subject, detail, lms_code, now, {}};
  m_scope_of[key] = scope;
  CERTD_LOG_WARN("lms: {}: {}", subject, detail);
  return true;
}

std::vector<SiteCondition> ConditionTracker::end_cycle() {
  std::vector<SiteCondition> ended;
  std::lock_guard<std::mutex> lock(m_mutex);
  for (auto it = m_active.begin(); it != m_active.end();) {
    const std::string& scope = m_scope_of[it->first];
    if (m_examined.count(scope) && !m_raised.count(it->first)) {
      CERTD_LOG_INFO("lms: {}: no longer: {}", it->second.subject, it->second.detail);
      ended.push_back(it->second);
      m_scope_of.erase(it->first);
      it = m_active.erase(it);
    } else {
      ++it;
    }
  }
  return ended;
}

bool ConditionTracker::active(const std::string& scope, const std::string& kind) const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_active.count(scope + "/" + kind) > 0;
}

std::vector<SiteCondition> ConditionTracker::current() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  std::vector<SiteCondition> out;
  for (const auto& [key, condition] : m_active) out.push_back(condition);
  return out;
}

}  // namespace certd::connector::moodle
