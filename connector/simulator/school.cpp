#include "connector/simulator/school.hpp"

#include <algorithm>
#include <cstring>
#include <random>

namespace certd::connector::simulator {

const char* role_shortname(int role) {
  if (role == k_teacher_role) return "editingteacher";
  if (role == k_non_editing_teacher_role) return "teacher";
  return "student";
}

std::string User::fullname(const std::string& fullnamedisplay) const {
  if (fullnamedisplay.empty() || fullnamedisplay == "language") return firstname + " " + lastname;
  std::string name = fullnamedisplay;
  for (const auto& [word, value] : {std::pair<const char*, const std::string*>{"lastname", &lastname},
                                    std::pair<const char*, const std::string*>{"firstname", &firstname}})
    for (std::size_t at = name.find(word); at != std::string::npos; at = name.find(word, at + value->size()))
      name.replace(at, std::strlen(word), *value);
  std::string tidy;
  for (char c : name)
    if (c != ' ' || (!tidy.empty() && tidy.back() != ' ')) tidy += c;
  while (!tidy.empty() && tidy.back() == ' ') tidy.pop_back();
  return tidy.empty() ? firstname : tidy;
}

Id School::default_rater(const Course& course) const {
  Id best = 0;
  int best_role = 0;
  for (const Enrolment& enrolment : course.enrolments) {
    if (enrolment.role != k_teacher_role && enrolment.role != k_non_editing_teacher_role) continue;
    bool better = best == 0 || (enrolment.role == k_teacher_role && best_role != k_teacher_role) ||
                  (enrolment.role == best_role && enrolment.user < best);
    if (better) {
      best = enrolment.user;
      best_role = enrolment.role;
    }
  }
  return best;
}

const Enrolment* Course::enrolment(Id user) const {
  for (const Enrolment& entry : enrolments)
    if (entry.user == user) return &entry;
  return nullptr;
}

const User* School::user(Id id) const {
  if (m_indexed_users != users.size()) {
    m_user_index.clear();
    for (std::size_t i = 0; i < users.size(); ++i) m_user_index[users[i].id] = i;
    m_indexed_users = users.size();
  }
  auto it = m_user_index.find(id);
  return it == m_user_index.end() || users[it->second].id != id ? nullptr : &users[it->second];
}

const User* School::user_named(std::string_view username) const {
  for (const User& entry : users)
    if (entry.username == username) return &entry;
  return nullptr;
}

const Course* School::course(Id id) const {
  for (const Course& entry : courses)
    if (entry.id == id) return &entry;
  return nullptr;
}

const Course* School::course_named(std::string_view shortname) const {
  for (const Course& entry : courses)
    if (entry.shortname == shortname) return &entry;
  return nullptr;
}

Course* School::course_named(std::string_view shortname) {
  for (Course& entry : courses)
    if (entry.shortname == shortname) return &entry;
  return nullptr;
}

const Competency* School::competency(Id id, const Framework** framework) const {
  for (const Framework& entry : frameworks)
    for (const Competency& competency : entry.competencies)
      if (competency.id == id) {
        if (framework) *framework = &entry;
        return &competency;
      }
  return nullptr;
}

const Competency* School::competency_named(std::string_view idnumber) const {
  for (const Framework& entry : frameworks)
    for (const Competency& competency : entry.competencies)
      if (competency.idnumber == idnumber) return &competency;
  return nullptr;
}

const Activity* School::activity(Id cmid, const Course** course) const {
  for (const Course& entry : courses)
    for (const Activity& activity : entry.activities)
      if (activity.cmid == cmid) {
        if (course) *course = &entry;
        return &activity;
      }
  return nullptr;
}

Id School::next_user_id() const {
  Id next = service_user + 1;
  for (const User& entry : users) next = std::max(next, entry.id + 1);
  return next;
}

School generate_school(const GenerateOptions& options) {
  School school;
  std::mt19937 random(options.seed);
  Framework framework;
  framework.id = 1;
  framework.shortname = "Swim Skills";
  framework.idnumber = "SWIM-SKILLS";
  framework.scale = {"Not yet", "Partially", "Proficient"};
  Id next_competency = 1;
  framework.competencies.push_back({next_competency++, 0, "Level 3", "SWIM-L3", "", 0});
  const char* const skills[] = {"Backstroke 25m", "Treading water 1 min", "Front crawl 50m", "Surface dive"};
  for (int i = 0; i < 4; ++i)
    framework.competencies.push_back({next_competency++, 1, skills[i], "L3-SKILL-" + std::to_string(i + 1), "", i});
  school.frameworks.push_back(framework);
  User teacher{4, "teacher1", "Tina", "Teacher", "teacher1@example.com", "T-001", {}, true};
  school.users.push_back(teacher);
  Id next_cmid = 1;
  for (int c = 0; c < options.courses; ++c) {
    Course course;
    course.id = 2 + c;
    course.shortname = "C" + std::to_string(c + 1);
    course.fullname = "Course " + std::to_string(c + 1);
    course.activities.push_back({next_cmid++, 1, "Assessment", "assign", true, 2, true, true});
    course.activities.push_back({next_cmid++, 2, "Certificate: issue now", "page", false, 1, false, false});
    for (const Competency& competency : framework.competencies)
      if (competency.parent != 0) course.competencies.push_back(competency.id);
    course.enrolments.push_back({teacher.id, k_teacher_role, false});
    school.courses.push_back(course);
  }
  for (int s = 0; s < options.students; ++s) {
    User student;
    student.id = 10 + s;
    student.username = "s" + std::to_string(s + 1);
    student.firstname = "Student";
    student.lastname = std::to_string(s + 1);
    student.email = student.username + "@example.com";
    student.idnumber = "S-" + std::to_string(100000 + s);
    if (s % 2 == 0) student.profile["guardian_email"] = "guardian." + student.username + "@example.com";
    school.users.push_back(student);
    Course& course = school.courses[static_cast<std::size_t>(s % options.courses)];
    course.enrolments.push_back({student.id, k_student_role, false});
    if (static_cast<int>(random() % 100) < options.completed_percent) {
      std::int64_t time = options.base_time - static_cast<std::int64_t>(random() % 86400);
      school.completions[{student.id, course.id}] = time;
      school.grades[{student.id, course.id}] = Grade{60.0 + static_cast<double>(random() % 40), time};
      for (Id competency : course.competencies)
        school.ratings[{student.id, course.id, competency}] = Rating{3, time, teacher.id, true};
    }
  }
  return school;
}

}  // namespace certd::connector::simulator
