#pragma once
// The adapter's memory of site conditions across poll cycles, so a
// course without completion criteria is logged once when it is first
// seen and once when it is fixed, not every cycle (lms.hpp SiteCondition).
//
// A condition belongs to a scope ("course:SWIM-L4", "pair:FA-101:42",
// "site"). Each cycle marks the scopes it examined; at the end, the
// conditions of an examined scope that were not raised again have ended.
// Scopes not examined (a pair the sweep did not reach) keep theirs.

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "connector/lms.hpp"

namespace certd::connector::moodle {

// Thread-safe.
class ConditionTracker {
 public:
  // Starts a cycle: nothing examined, nothing raised.
  void begin_cycle();
  // This cycle looked at `scope` (its conditions are raised again if they hold).
  void examined(const std::string& scope);
  // `scope` has condition `kind`; logs it and returns true if new. The
  // key is "<scope>/<kind>". `advice` tells the school's Moodle admin what
  // to change, and where in Moodle (SiteCondition::advice).
  bool raise(const std::string& scope, const std::string& kind, const std::string& subject,
             const std::string& detail, const std::string& lms_code, const std::string& advice, TimePoint now);
  // Ends the cycle: logs, forgets and returns the conditions that ended.
  std::vector<SiteCondition> end_cycle();
  bool active(const std::string& scope, const std::string& kind) const;
  std::vector<SiteCondition> current() const;

 private:
  mutable std::mutex m_mutex;
  std::map<std::string, SiteCondition> m_active;  // Guarded by m_mutex; by key.
  std::map<std::string, std::string> m_scope_of;  // Guarded by m_mutex; key -> scope.
  std::set<std::string> m_examined;               // Guarded by m_mutex; this cycle.
  std::set<std::string> m_raised;                 // Guarded by m_mutex; keys, this cycle.
};

// What the school's Moodle admin can do about a condition, in plain words
// naming the place in Moodle (SiteCondition::advice).
namespace advice {
std::string no_criteria();
std::string tracking_off();
std::string course_closed(const std::string& lms_code);
std::string course_not_found();
std::string function_missing(const std::string& function);
std::string report_gone();
std::string student_not_found();
std::string no_email();
std::string account_suspended();
std::string never_logged_in();
std::string empty_level(const std::string& framework, const std::string& level);
std::string service_unavailable();
// For any other refusal, by Moodle's error code and certd's error class.
std::string for_error(const std::string& lms_code, ErrorCode code, const std::string& function);
}  // namespace advice

}  // namespace certd::connector::moodle
