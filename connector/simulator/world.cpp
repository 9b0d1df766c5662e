// The simulator's control operations: what a teacher or a student would
// do in Moodle's own pages, done directly on the school.
#include <algorithm>

#include "connector/simulator/world.hpp"

namespace certd::connector::simulator {
namespace {

Error unknown(const std::string& what, const std::string& name) {
  return Error(ErrorCode::not_found, "simulator: no " + what + " '" + name + "'");
}

}  // namespace

Status World::complete_course(const std::string& username, const std::string& course_name,
                              std::optional<TimePoint> at) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const User* user = m_school.user_named(username);
  const Course* course = m_school.course_named(course_name);
  if (!user) return unknown("user", username);
  if (!course) return unknown("course", course_name);
  if (!course->enrolment(user->id)) return Error(ErrorCode::invalid_argument, username + " is not enrolled in " + course_name);
  std::int64_t time = at ? to_unix(*at) : now();
  m_school.completions[{user->id, course->id}] = time;
  for (const Activity& activity : course->activities)
    if (activity.criterion) m_school.activity_states[{user->id, activity.cmid}] = ActivityState{1, time, std::nullopt};
  return ok();
}

Status World::rate_skill(const std::string& username, const std::string& course_name, const std::string& skill,
                         int grade, std::optional<TimePoint> at) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const User* user = m_school.user_named(username);
  const Course* course = m_school.course_named(course_name);
  const Competency* competency = m_school.competency_named(skill);
  if (!user) return unknown("user", username);
  if (!course) return unknown("course", course_name);
  if (!competency) return unknown("skill", skill);
  if (std::find(course->competencies.begin(), course->competencies.end(), competency->id) == course->competencies.end())
    return Error(ErrorCode::invalid_argument, skill + " is not a competency of " + course_name);
  Id teacher = 0;
  for (const Enrolment& enrolment : course->enrolments)
    if (enrolment.role == k_teacher_role) teacher = enrolment.user;
  m_school.ratings[{user->id, course->id, competency->id}] = Rating{grade, at ? to_unix(*at) : now(), teacher};
  return ok();
}

Status World::set_grade(const std::string& username, const std::string& course_name, double grade,
                        std::optional<TimePoint> at) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const User* user = m_school.user_named(username);
  const Course* course = m_school.course_named(course_name);
  if (!user) return unknown("user", username);
  if (!course) return unknown("course", course_name);
  m_school.grades[{user->id, course->id}] = Grade{grade, at ? to_unix(*at) : now()};
  return ok();
}

Status World::suspend(const std::string& username, const std::string& course_name, bool suspended) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const User* user = m_school.user_named(username);
  Course* course = m_school.course_named(course_name);
  if (!user) return unknown("user", username);
  if (!course) return unknown("course", course_name);
  for (Enrolment& enrolment : course->enrolments)
    if (enrolment.user == user->id) {
      enrolment.suspended = suspended;
      return ok();
    }
  return Error(ErrorCode::invalid_argument, username + " is not enrolled in " + course_name);
}

Status World::mark_issue_now(const std::string& username, const std::string& course_name, const std::string& teacher,
                             std::optional<TimePoint> at) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const User* user = m_school.user_named(username);
  const User* marker = m_school.user_named(teacher);
  const Course* course = m_school.course_named(course_name);
  if (!user) return unknown("user", username);
  if (!marker) return unknown("teacher", teacher);
  if (!course) return unknown("course", course_name);
  for (const Activity& activity : course->activities)
    if (!activity.visible && activity.completion == 1 && activity.name.find("issue now") != std::string::npos) {
      // What the activity completion report does for the teacher: an
      // override to complete, by the teacher, now (docs/moodle-api.md §8).
      m_school.activity_states[{user->id, activity.cmid}] = ActivityState{1, at ? to_unix(*at) : now(), marker->id};
      return ok();
    }
  return Error(ErrorCode::invalid_argument, course_name + " has no hidden \"issue now\" activity");
}

void World::set_capability(const std::string& capability, bool allowed) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (allowed) m_removed_capabilities.erase(capability);
  else m_removed_capabilities.insert(capability);
}

void World::set_function(const std::string& function, bool allowed) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (allowed) m_removed_functions.erase(function);
  else m_removed_functions.insert(function);
}

void World::set_debug(bool debug) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_debug = debug;
}

ServerStats World::stats() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_stats;
}

School World::school() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_school;
}

}  // namespace certd::connector::simulator
