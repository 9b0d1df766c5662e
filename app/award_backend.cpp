// The console's ad-hoc awards (console/console_backend.hpp): the preview is
// `certd preview`'s drawing (render_preview: unsigned, stamped PREVIEW,
// never stored) with the award's own values, and the certificates come
// from issue_adhoc, the action `certd issue` runs.
#include <algorithm>
#include <cctype>
#include <map>

#include "app/console_backend.hpp"
#include "app/display_text.hpp"
#include "app/school.hpp"
#include "app/teacher_actions.hpp"
#include "connector/lms.hpp"
#include "render/certificate_data.hpp"
#include "render/renderer.hpp"
#include "render/template.hpp"
#include "rules/requests.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

// More would hold the store (and the LMS) for minutes in one request.
constexpr std::size_t k_max_award_students = 200;
constexpr std::size_t k_max_request_id = 64;

// What the teacher typed is printed on the certificate and shown in
// reports, and the template and notes must be ones check_adhoc accepts:
// refused before anything is rendered or recorded.
Status check_request(const School& school, const console::AwardRequest& r, const std::string& course,
                     const std::string& teacher) {
  CERTD_TRY(check_display_text(teacher, TextKind::name, "your name in the LMS"));
  if (!r.title.empty()) CERTD_TRY(check_display_text(r.title, TextKind::name, "the title"));
  if (!r.notes.empty()) CERTD_TRY(check_display_text(r.notes, TextKind::notes, "the notes"));
  if (r.student_ids.empty()) return Error(ErrorCode::invalid_argument, "choose at least one student");
  if (r.student_ids.size() > k_max_award_students)
    return Error(ErrorCode::invalid_argument,
                 "choose at most " + std::to_string(k_max_award_students) + " students at a time");
  auto checked = rules::check_adhoc({"check", r.student_ids.front(), r.template_id, course, teacher, r.notes},
                                    school.template_ids);
  if (!checked) return Error(ErrorCode::invalid_argument, checked.error().message());
  return ok();
}

// The chosen students as the LMS lists the course's active ones, in the
// order chosen, each once; anyone else fails the whole request: the
// page's course decides, not the form.
Result<std::vector<console::IssueNowStudent>> chosen_students(const std::vector<console::IssueNowStudent>& enrolled,
                                                              const std::vector<std::string>& ids,
                                                              const std::string& course) {
  std::vector<console::IssueNowStudent> chosen;
  for (const std::string& id : ids) {
    auto found = std::find_if(enrolled.begin(), enrolled.end(),
                              [&](const console::IssueNowStudent& s) { return s.id == id; });
    if (found == enrolled.end())
      return Error(ErrorCode::not_found, "a chosen student is not enrolled in " + course + " with active access");
    if (std::none_of(chosen.begin(), chosen.end(), [&](const console::IssueNowStudent& s) { return s.id == id; }))
      chosen.push_back(*found);
  }
  return chosen;
}

bool valid_request_id(const std::string& id) {
  return !id.empty() && id.size() <= k_max_request_id && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_';
  });
}

std::string award_title(const School& school, const console::AwardRequest& r) {
  if (!r.title.empty()) return r.title;
  auto found = school.templates.find(r.template_id);
  return found == school.templates.end() ? r.template_id : found->second->spec().name;
}

}  // namespace

Result<std::vector<console::AwardTemplate>> StoreConsoleBackend::award_templates() {
  std::vector<console::AwardTemplate> templates;
  for (const auto& [id, loaded] : m_school.templates) templates.push_back({id, loaded->spec().name});
  std::sort(templates.begin(), templates.end(),
            [](const console::AwardTemplate& a, const console::AwardTemplate& b) { return a.name < b.name; });
  return templates;
}

Result<std::string> StoreConsoleBackend::award_preview_pdf(const std::string& course,
                                                           const console::AwardRequest& request,
                                                           const std::string& teacher) {
  CERTD_TRY(check_request(m_school, request, course, teacher));
  // The LMS is read without the store's lock (as issue_now_choices does).
  CERTD_ASSIGN_OR_RETURN(console::IssueNowChoices choices, issue_now_choices(course));
  CERTD_ASSIGN_OR_RETURN(auto chosen, chosen_students(choices.students, {request.student_ids.front()}, course));
  CERTD_TRY(check_display_text(chosen.front().name, TextKind::name, "the LMS's name for the student"));
  auto courses = m_lms->courses({course});
  std::string course_name = courses && !courses->empty() ? courses->front().fullname : course;

  const render::Template& loaded = *m_school.templates.at(request.template_id);
  render::CertificateData data = render::sample_certificate_data(loaded.spec().number_prefix);
  data.student_name = chosen.front().name;
  data.course_name = course_name;
  data.title = award_title(m_school, request);
  data.teacher_name = teacher;
  data.notes = request.notes;
  data.level.clear();
  data.grade.clear();
  data.skills.clear();
  data.issued_at = m_clock.now();
  data.expires_at.reset();
  if (!m_school.config.issuer.name.empty()) data.issuer_name = m_school.config.issuer.name;
  data.verify_url = render::make_verify_url(m_school.config.portal.public_url, data.number);
  data.rule_id.clear();
  CERTD_ASSIGN_OR_RETURN(render::RenderedCertificate rendered, render::render_preview(loaded, data));
  return std::move(rendered.pdf);
}

Result<console::AwardOutcome> StoreConsoleBackend::award(const std::string& course,
                                                         const console::AwardRequest& request,
                                                         const std::string& teacher) {
  CERTD_TRY(check_request(m_school, request, course, teacher));
  if (!valid_request_id(request.request_id))
    return Error(ErrorCode::invalid_argument, "this form has no valid request id: preview the award again");
  CERTD_ASSIGN_OR_RETURN(console::IssueNowChoices choices, issue_now_choices(course));
  CERTD_ASSIGN_OR_RETURN(auto chosen, chosen_students(choices.students, request.student_ids, course));
  console::AwardOutcome outcome;
  std::lock_guard<std::mutex> lock(m_mutex);
  Workbench bench(m_school, *m_store, *m_issuer, m_clock);
  bench.source = "console";
  for (const console::IssueNowStudent& student : chosen) {
    // One request id per student, derived from the preview's: confirming
    // the same preview again finds each certificate issued (its event
    // and idempotency key are the same) instead of issuing another.
    AdhocDetails details{{"award-" + request.request_id + "-" + student.id, student.id, request.template_id, course,
                          teacher, request.notes},
                         "",  // read from the LMS with the e-mail and course name, as `certd issue --course`
                         "",
                         request.title};
    auto issued = issue_adhoc(bench, m_lms, details);
    if (!issued) {
      outcome.failed.push_back(student.name + ": " + issued.error().message());
      continue;
    }
    outcome.issued.push_back({student.name, issued->number, issued->status == IssueStatus::already_issued});
  }
  return outcome;
}

}  // namespace certd::app
