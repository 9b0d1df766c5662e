#include "connector/lms.hpp"

#include <algorithm>

#include "connector/cursor_store.hpp"

namespace certd::connector {

const char* to_string(Enrolment enrolment) {
  switch (enrolment) {
    case Enrolment::active: return "active";
    case Enrolment::suspended: return "suspended";
    case Enrolment::not_enrolled: return "not enrolled";
  }
  return "?";
}

const char* to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::course_completed: return "course-completed";
    case ChangeKind::grade_changed: return "grade";
    case ChangeKind::skills_changed: return "skills";
    case ChangeKind::issue_now: return "issue-now";
    case ChangeKind::enrolment_suspended: return "suspended";
  }
  return "?";
}

bool SkillLevel::all_proficient() const {
  return !skills.empty() &&
         std::all_of(skills.begin(), skills.end(), [](const Skill& skill) { return skill.proficient; });
}

std::string IssueNowMark::key() const {
  return "moodle:issue-now:" + std::to_string(student) + ":" + std::to_string(activity) + ":" +
         std::to_string(to_unix(marked_at));
}

const CourseProgress* PollResult::snapshot(UserId student, CourseId course) const {
  for (const CourseProgress& progress : snapshots)
    if (progress.student.id == student && progress.course.id == course) return &progress;
  return nullptr;
}

std::string lms_error_code(const Error& error) {
  const std::string& message = error.message();
  if (message.size() < 3 || message[0] != '[') return {};
  std::size_t end = message.find(']');
  if (end == std::string::npos) return {};
  return message.substr(1, end - 1);
}

Result<std::optional<std::string>> MemoryCursorStore::get(const std::string& key) {
  std::lock_guard<std::mutex> lock(m_mutex);
  auto it = m_values.find(key);
  if (it == m_values.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryCursorStore::set(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_values[key] = value;
  return ok();
}

std::size_t MemoryCursorStore::size() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_values.size();
}

}  // namespace certd::connector
