// The console's "Issue now" (console/console_backend.hpp) over the LMS and
// the teacher actions the CLI runs: the unmet conditions come from the
// rules' own words (check_issue_now), and the certificate from issue_now.
#include <algorithm>
#include <cctype>

#include "app/console_backend.hpp"
#include "app/display_text.hpp"
#include "app/school.hpp"
#include "app/teacher_actions.hpp"
#include "connector/lms.hpp"
#include "render/template.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

// What a rule's certificate is called: its template's name, as in the
// queue.
std::string certificate_name(const School& school, const rules::Rule& rule) {
  auto found = school.templates.find(rule.template_id);
  return found == school.templates.end() ? rule.id : found->second->spec().name;
}

// The rule `rule_id` of `course`; another course's rule is refused like
// an unknown one: the page's course decides, not the form.
Result<const rules::Rule*> rule_of(const School& school, const std::string& course, const std::string& rule_id) {
  for (const rules::Rule* rule : school.rules.for_course(course))
    if (rule->id == rule_id) return rule;
  return Error(ErrorCode::invalid_argument, "that certificate is not one of " + course + "'s");
}

// LMS errors keep their code; a transient one says where it came from,
// since the page shows the message.
Error from_lms(const Error& e) {
  if (e.code() != ErrorCode::unavailable) return e;
  return Error(ErrorCode::unavailable, "The LMS did not answer (" + e.message() + "). Try again in a minute");
}

Result<connector::Course> lms_course(connector::Lms* lms, const std::string& course) {
  if (!lms)
    return Error(ErrorCode::unavailable,
                 "certd has no connection to the LMS (see lms in certd.yaml), and Issue now reads the students there");
  auto courses = lms->courses({course});
  if (!courses) return from_lms(courses.error());
  if (courses->empty()) return Error(ErrorCode::not_found, "the LMS has no course " + course);
  return courses->front();
}

// The course's students with active access, by name.
Result<std::vector<connector::Student>> active_students(connector::Lms* lms, const std::string& course) {
  CERTD_ASSIGN_OR_RETURN(connector::Course found, lms_course(lms, course));
  auto enrolled = lms->enrolled_students(found);
  if (!enrolled) return from_lms(enrolled.error());
  std::vector<connector::Student> students;
  for (const connector::EnrolledStudent& e : *enrolled)
    if (e.enrolment == connector::Enrolment::active) students.push_back(e.student);
  std::sort(students.begin(), students.end(),
            [](const connector::Student& a, const connector::Student& b) { return a.fullname < b.fullname; });
  return students;
}

// `student_id` among the course's students with active access, whatever
// the form said: anyone else is not found.
Result<connector::Student> enrolled_student(connector::Lms* lms, const std::string& course,
                                            const std::string& student_id) {
  if (student_id.empty() || student_id.size() > 18 ||
      !std::all_of(student_id.begin(), student_id.end(), [](unsigned char c) { return std::isdigit(c); }))
    return Error(ErrorCode::invalid_argument, "choose a student from the list");
  CERTD_ASSIGN_OR_RETURN(auto students, active_students(lms, course));
  for (const connector::Student& s : students)
    if (std::to_string(s.id) == student_id) return s;
  return Error(ErrorCode::not_found, "that student is not enrolled in " + course + " with active access");
}

}  // namespace

Result<console::IssueNowChoices> StoreConsoleBackend::issue_now_choices(const std::string& course) {
  console::IssueNowChoices choices;
  const auto& rules = m_school.rules.for_course(course);
  for (const rules::Rule* rule : rules) {
    std::string name = certificate_name(m_school, *rule);
    // Two rules of one course may print the same template: the rule's id
    // then tells them apart in the list.
    bool shared = std::count_if(rules.begin(), rules.end(), [&](const rules::Rule* other) {
                    return certificate_name(m_school, *other) == name;
                  }) > 1;
    choices.rules.push_back({rule->id, shared ? name + " (" + rule->id + ")" : name});
  }
  // The LMS is safe to call from several threads: it is read without the
  // store's lock, so a slow LMS does not stall other teachers' pages.
  CERTD_ASSIGN_OR_RETURN(auto students, active_students(m_lms, course));
  for (const connector::Student& s : students) choices.students.push_back({std::to_string(s.id), s.fullname});
  return choices;
}

Result<console::IssueNowPreview> StoreConsoleBackend::preview_issue_now(const std::string& course,
                                                                         const std::string& student_id,
                                                                         const std::string& rule_id) {
  CERTD_ASSIGN_OR_RETURN(const rules::Rule* rule, rule_of(m_school, course, rule_id));
  CERTD_ASSIGN_OR_RETURN(connector::Student student, enrolled_student(m_lms, course, student_id));
  std::lock_guard<std::mutex> lock(m_mutex);
  Workbench bench(m_school, *m_store, *m_issuer, m_clock);
  bench.source = "console";
  auto check = check_issue_now(bench, *m_lms, student_id, rule_id);
  if (!check) return from_lms(check.error());
  console::IssueNowPreview preview;
  preview.student_name = student.fullname;
  preview.certificate = certificate_name(m_school, *rule);
  preview.unmet = std::move(check->unmet);
  preview.existing_number = std::move(check->existing_number);
  return preview;
}

Result<console::IssueNowDone> StoreConsoleBackend::issue_now(const std::string& course, const std::string& student_id,
                                                             const std::string& rule_id, const std::string& teacher) {
  CERTD_TRY(check_display_text(teacher, TextKind::name, "your name in the LMS"));
  CERTD_ASSIGN_OR_RETURN(const rules::Rule* rule, rule_of(m_school, course, rule_id));
  CERTD_ASSIGN_OR_RETURN(connector::Student student, enrolled_student(m_lms, course, student_id));
  console::IssueNowDone done;
  done.student_name = student.fullname;
  done.certificate = certificate_name(m_school, *rule);
  // One confirm at a time: a second click (or a second tab) finds the
  // first one's certificate instead of a conflict.
  std::lock_guard<std::mutex> lock(m_mutex);
  Workbench bench(m_school, *m_store, *m_issuer, m_clock);
  bench.source = "console";
  auto check = check_issue_now(bench, *m_lms, student_id, rule_id);
  if (!check) return from_lms(check.error());
  if (!check->existing_number.empty()) {
    done.number = check->existing_number;
    done.already_issued = true;
    return done;
  }
  auto outcome = app::issue_now(bench, *m_lms, student_id, rule_id, teacher);
  if (!outcome) {
    // The daemon's processor may have issued it meanwhile (its own store
    // connection): then that one is the answer.
    if (outcome.error().code() != ErrorCode::conflict) return from_lms(outcome.error());
    auto again = check_issue_now(bench, *m_lms, student_id, rule_id);
    if (!again || again->existing_number.empty()) return outcome.error();
    done.number = again->existing_number;
    done.already_issued = true;
    return done;
  }
  done.number = outcome->number;
  done.already_issued = outcome->status == IssueStatus::already_issued;
  return done;
}

}  // namespace certd::app
