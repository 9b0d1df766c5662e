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
                             const std::string& detail, const std::string& lms_code, const std::string& advice,
                             TimePoint now) {
  std::string key = scope + "/" + kind;
  std::lock_guard<std::mutex> lock(m_mutex);
  m_examined.insert(scope);
  m_raised.insert(key);
  auto it = m_active.find(key);
  if (it != m_active.end()) {
    it->second.detail = detail;  // the words may change, the condition is the same
    it->second.advice = advice;
    return false;
  }
  m_active[key] = SiteCondition{key, subject, detail, lms_code, now, advice};
  m_scope_of[key] = scope;
  if (advice.empty()) CERTD_LOG_WARN("lms: {}: {}", subject, detail);
  else CERTD_LOG_WARN("lms: {}: {} ({})", subject, detail, advice);
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

namespace advice {

namespace {
constexpr const char* k_roles = "Site administration > Users > Permissions > Define roles";
}  // namespace

std::string no_criteria() {
  return "Set completion criteria in the course (Course > Course completion), or leave it: rules of this course that "
         "read competencies still work";
}

std::string tracking_off() {
  return "Enable completion tracking in the course settings (Completion tracking: Yes), then set its completion "
         "criteria (Course > Course completion)";
}

std::string course_closed(const std::string& lms_code) {
  std::string text = "Give the service user's system role moodle/course:view and moodle/course:viewhiddencourses (" +
                     std::string(k_roles) + "), or make the course visible (Course > Settings > Course visibility: Show)";
  if (lms_code == "invalidrecord") return "The course no longer exists in Moodle: remove it from lms.courses or restore it";
  return text;
}

std::string course_not_found() {
  return "Check the short name in lms.courses against Moodle (Course > Settings > Course short name), or remove it "
         "from lms.courses";
}

std::string function_missing(const std::string& function) {
  return "Add " + function +
         " to the external service (Site administration > Server > Web services > External services > Functions)";
}

std::string report_gone() {
  return "Set lms.completions_report to an existing report id, or remove it: certd reads completions course by course "
         "meanwhile";
}

std::string student_not_found() {
  return "The account was deleted or is hidden from the service user: restore it (Site administration > Users > "
         "Browse list of users) or give the service user's role moodle/user:viewdetails; the student's changes wait "
         "meanwhile";
}

std::string no_email() {
  return "Add an e-mail address to the user's profile; the certificate is issued and can be downloaded from the "
         "portal meanwhile";
}

std::string account_suspended() {
  return "Clear \"Suspended account\" in their profile (Site administration > Users > Browse list of users > Edit "
         "profile) and what they earned is issued at the next poll; or issue it now with certd issue";
}

std::string never_logged_in() {
  return "Nothing to fix: send the student their Moodle login if they should see the note (Site administration > "
         "Users > Browse list of users)";
}

std::string empty_level(const std::string& framework, const std::string& level) {
  return "Add competencies to " + level + " of " + framework +
         " (Site administration > Competencies > Competency frameworks), or change the skill rules of this course";
}

std::string service_unavailable() {
  return "Enable the external service (Site administration > Server > Web services > External services > Edit: "
         "Enabled) and check the token belongs to it (Site administration > Server > Web services > Manage tokens)";
}

std::string for_error(const std::string& lms_code, ErrorCode code, const std::string& function) {
  if (lms_code == "accessexception" || lms_code == "servicenotavailable") return function_missing(function);
  if (lms_code == "requireloginerror" || lms_code == "errorcoursecontextnotvalid" || lms_code == "invalidrecord")
    return course_closed(lms_code);
  if (lms_code == "nocriteriaset") return no_criteria();
  if (lms_code == "invaliduser" || lms_code == "usernotenroled") return student_not_found();
  if (lms_code == "cannotviewreport")
    return "Give the service user's role report/completion:view and report/progress:view (" + std::string(k_roles) + ")";
  if (code == ErrorCode::permission_denied)
    return "Give the service user's role the capability Moodle names in the detail (" + std::string(k_roles) +
           "; docs/moodle-api.md §10 lists them)";
  if (code == ErrorCode::not_found) return "Check that it still exists in Moodle";
  return "Moodle refused the request for " + function +
         ": check the detail; if it persists, report it with the detail to certd's maintainers";
}

}  // namespace advice

}  // namespace certd::connector::moodle
