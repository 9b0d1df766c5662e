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
                         int grade, std::optional<TimePoint> at, const std::string& rater) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const User* user = m_school.user_named(username);
  const Course* course = m_school.course_named(course_name);
  const Competency* competency = m_school.competency_named(skill);
  if (!user) return unknown("user", username);
  if (!course) return unknown("course", course_name);
  if (!competency) return unknown("skill", skill);
  if (std::find(course->competencies.begin(), course->competencies.end(), competency->id) == course->competencies.end())
    return Error(ErrorCode::invalid_argument, skill + " is not a competency of " + course_name);
  Id by = m_school.default_rater(*course);
  if (!rater.empty()) {
    const User* named = m_school.user_named(rater);
    if (!named) return unknown("rater", rater);
    by = named->id;
  }
  const Framework* framework = nullptr;
  m_school.competency(competency->id, &framework);
  // Moodle stores the proficiency with the rating, by the scale of now.
  m_school.ratings[{user->id, course->id, competency->id}] =
      Rating{grade, at ? to_unix(*at) : now(), by, framework->proficient.count(grade) > 0};
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

namespace {

// Reads an optional bool switch; a wrong type is an error.
Status read_flag(const nlohmann::json& switches, const char* key, bool& target) {
  if (!switches.contains(key)) return ok();
  if (!switches[key].is_boolean()) return Error(ErrorCode::invalid_argument, std::string(key) + " must be true or false");
  target = switches[key].get<bool>();
  return ok();
}

Status read_text(const nlohmann::json& switches, const char* key, std::string& target) {
  if (!switches.contains(key)) return ok();
  if (!switches[key].is_string()) return Error(ErrorCode::invalid_argument, std::string(key) + " must be a string");
  target = switches[key].get<std::string>();
  return ok();
}

}  // namespace

Result<LaunchPerson> World::launch_person(const std::string& username, const std::string& course_name) const {
  std::lock_guard<std::mutex> lock(m_mutex);
  const User* user = m_school.user_named(username);
  const Course* course = m_school.course_named(course_name);
  // Moodle refuses the login of a deleted account as of one that never was.
  if (!user || user->deleted) return unknown("user", username);
  if (!course) return unknown("course", course_name);
  LaunchPerson person;
  person.user = *user;
  person.fullname = user->fullname(m_school.fullnamedisplay);
  person.course_id = course->id;
  person.course_shortname = course->shortname;
  person.course_fullname = course->fullname;
  if (const Enrolment* enrolment = course->enrolment(user->id)) {
    person.role = enrolment->role;
    person.enrolment_suspended = enrolment->suspended;
  }
  person.site_name = m_school.site_name;
  return person;
}

Status World::set_site(const nlohmann::json& switches) {
  std::lock_guard<std::mutex> lock(m_mutex);
  School next = m_school;
  CERTD_TRY(read_flag(switches, "service_enabled", next.service_enabled));
  CERTD_TRY(read_flag(switches, "completions_report_gone", next.report_gone));
  CERTD_TRY(read_flag(switches, "local_certd_plugin", next.local_certd_plugin));
  CERTD_TRY(read_flag(switches, "debug", m_debug));
  m_school = std::move(next);
  return ok();
}

Status World::set_course(const std::string& course_name, const nlohmann::json& switches) {
  std::lock_guard<std::mutex> lock(m_mutex);
  Course* course = m_school.course_named(course_name);
  if (!course) return unknown("course", course_name);
  Course next = *course;
  CERTD_TRY(read_flag(switches, "completion_criteria", next.completion_criteria));
  CERTD_TRY(read_flag(switches, "completion_tracking", next.completion_tracking));
  CERTD_TRY(read_flag(switches, "visible", next.visible));
  CERTD_TRY(read_flag(switches, "service_can_see", next.service_can_see));
  CERTD_TRY(read_flag(switches, "manual_enrolment", next.manual_enrolment));
  *course = std::move(next);
  return ok();
}

Status World::set_user(const std::string& username, const nlohmann::json& switches) {
  std::lock_guard<std::mutex> lock(m_mutex);
  auto user = std::find_if(m_school.users.begin(), m_school.users.end(),
                           [&](const User& u) { return u.username == username; });
  if (user == m_school.users.end()) return unknown("user", username);
  User next = *user;
  CERTD_TRY(read_flag(switches, "deleted", next.deleted));
  CERTD_TRY(read_flag(switches, "suspended", next.suspended));
  CERTD_TRY(read_flag(switches, "never_logged_in", next.never_logged_in));
  CERTD_TRY(read_text(switches, "email", next.email));
  std::string guardian = next.profile.count("guardian_email") ? next.profile["guardian_email"] : std::string();
  CERTD_TRY(read_text(switches, "guardian_email", guardian));
  if (switches.contains("guardian_email")) next.profile["guardian_email"] = guardian;  // "": the field is empty
  *user = std::move(next);
  return ok();
}

Status World::set_scale(const std::string& framework_name, const nlohmann::json& scale) {
  std::lock_guard<std::mutex> lock(m_mutex);
  auto framework = std::find_if(m_school.frameworks.begin(), m_school.frameworks.end(), [&](const Framework& f) {
    return f.shortname == framework_name || f.idnumber == framework_name;
  });
  if (framework == m_school.frameworks.end()) return unknown("framework", framework_name);
  Framework next = *framework;
  try {
    if (scale.contains("id")) next.scale_id = scale.at("id").get<Id>();
    if (scale.contains("values")) next.scale = scale.at("values").get<std::vector<std::string>>();
    if (scale.contains("proficient")) next.proficient = scale.at("proficient").get<std::set<int>>();
    if (scale.contains("default")) next.default_value = scale.at("default").get<int>();
  } catch (const nlohmann::json::exception&) {
    return Error(ErrorCode::invalid_argument, "scale: id and default are numbers, values a list of names, proficient a "
                                              "list of numbers");
  }
  if (next.proficient.empty() || next.scale.empty())
    return Error(ErrorCode::invalid_argument, "a scale needs values and at least one proficient value");
  *framework = std::move(next);
  return ok();
}

Status World::set_level_empty(const std::string& level_idnumber, bool empty) {
  std::lock_guard<std::mutex> lock(m_mutex);
  Framework* framework = nullptr;
  const Competency* level = nullptr;
  for (Framework& entry : m_school.frameworks)
    for (const Competency& competency : entry.competencies)
      if (competency.idnumber == level_idnumber && competency.parent == 0) {
        framework = &entry;
        level = &competency;
      }
  if (!level) return unknown("level", level_idnumber);
  Id level_id = level->id;
  auto emptied = m_emptied.find(level_id);
  if (empty && emptied == m_emptied.end()) {
    RemovedLevel removed;
    auto& list = framework->competencies;
    for (auto it = list.begin(); it != list.end();) {
      if (it->parent != level_id) {
        ++it;
        continue;
      }
      removed.children.push_back(*it);
      it = list.erase(it);
    }
    for (Course& course : m_school.courses) {
      std::vector<Id> taken;
      for (const Competency& child : removed.children) {
        auto linked = std::find(course.competencies.begin(), course.competencies.end(), child.id);
        if (linked == course.competencies.end()) continue;
        taken.push_back(child.id);
        course.competencies.erase(linked);
      }
      if (taken.empty()) continue;
      removed.linked[course.id] = taken;
      // The course keeps the level itself, now a node without competencies.
      if (std::find(course.competencies.begin(), course.competencies.end(), level_id) == course.competencies.end())
        course.competencies.push_back(level_id);
    }
    m_emptied[level_id] = std::move(removed);
  } else if (!empty && emptied != m_emptied.end()) {
    for (const Competency& child : emptied->second.children) framework->competencies.push_back(child);
    for (Course& course : m_school.courses) {
      auto linked = emptied->second.linked.find(course.id);
      if (linked == emptied->second.linked.end()) continue;
      course.competencies.erase(std::remove(course.competencies.begin(), course.competencies.end(), level_id),
                                course.competencies.end());
      for (Id id : linked->second) course.competencies.push_back(id);
    }
    m_emptied.erase(emptied);
  }
  return ok();
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
