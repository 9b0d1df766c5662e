// StoreConsoleBackend: the console's "Issued certificates" of a course
// (console/issued_page.hpp) — search, one certificate with its e-mails,
// reissue, revoke, resend. The actions are the CLI's (teacher_actions.hpp,
// mail_resend.hpp); this file adds the course scoping and the audit entry.
#include <algorithm>
#include <cctype>
#include <set>

#include "app/console_backend.hpp"
#include "app/display_text.hpp"
#include "app/mail_resend.hpp"
#include "app/school.hpp"
#include "app/teacher_actions.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "rules/idempotency.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

// Every certificate row the store keeps: the store has no per-course
// query, and a school's ledger is thousands of rows, not millions.
constexpr int k_all_rows = 1'000'000;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The shortname the row's idempotency key was made for; empty when none.
std::string key_course(const store::NewCertificate& c) {
  auto key = rules::parse_idempotency_key(c.idempotency_key);
  return key ? key->course : std::string();
}

// Which certificates are of course C (a shortname), from what the store
// keeps (store/records.hpp):
//  - a row whose rule is one of the school's rules is C's when that rule's
//    course is C — rules name courses by shortname. A reissue keeps its
//    original's rule, so it stays with its course;
//  - any other row (ad-hoc, batch, or a rule since removed from the rule
//    files) is C's when its idempotency key names C (the key keeps the
//    shortname an award was made for), or when its `course` field — the
//    course's NAME as the LMS gave it, or what a teacher or CSV typed — is
//    C itself or C's name. C's names are what the rows known to be C's
//    (by rule or by key) printed as their course: the LMS's full name at
//    the time. A course whose only rows name it by a full name no other row
//    printed is not found: nothing in the store ties that name to C.
class CourseScope {
 public:
  CourseScope(const School& school, std::string course, const std::vector<store::CertificateRow>& rows)
      : m_school(school), m_course(std::move(course)) {
    m_names.insert(m_course);
    for (const store::CertificateRow& row : rows) {
      const store::NewCertificate& c = row.certificate;
      const rules::Rule* rule = rule_of(c);
      bool of_course = rule ? rule->course == m_course : key_course(c) == m_course;
      if (of_course && !c.course.empty()) m_names.insert(c.course);
    }
  }

  bool contains(const store::NewCertificate& c) const {
    if (const rules::Rule* rule = rule_of(c)) return rule->course == m_course;
    return key_course(c) == m_course || m_names.count(c.course) > 0;
  }

 private:
  const rules::Rule* rule_of(const store::NewCertificate& c) const {
    return c.rule_id.empty() ? nullptr : m_school.rules.find(c.rule_id);
  }

  const School& m_school;
  std::string m_course;
  std::set<std::string> m_names;
};

bool matches(const store::NewCertificate& c, const std::string& lowered_query) {
  if (lowered_query.empty()) return true;
  for (const std::string* text : {&c.number, &c.student_name, &c.student_id})
    if (lower(*text).find(lowered_query) != std::string::npos) return true;
  return false;
}

// The audit log's actor: the name people know and the key that is unique.
std::string actor_of(const console::ConsoleActor& teacher) {
  return teacher.display_name + " (" + teacher.user_key + ")";
}

std::string trimmed(const std::string& text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

Result<store::CertificateRow> StoreConsoleBackend::course_certificate(const std::string& course,
                                                                      const std::string& number) {
  CERTD_ASSIGN_OR_RETURN(auto found, m_store->certificate_by_number(number));
  const Error missing(ErrorCode::not_found, "No certificate " + number + " in this course");
  if (!found) return missing;
  // Rule rows are decided by their rule alone; only the others need the
  // course's name, which takes every row to learn.
  if (!found->certificate.rule_id.empty() && m_school.rules.find(found->certificate.rule_id)) {
    if (m_school.rules.find(found->certificate.rule_id)->course != course) return missing;
    return *found;
  }
  CERTD_ASSIGN_OR_RETURN(auto rows, m_store->recent_certificates(k_all_rows));
  if (!CourseScope(m_school, course, rows).contains(found->certificate)) return missing;
  return *found;
}

Result<console::CertificateList> StoreConsoleBackend::course_certificates(const std::string& course,
                                                                          const std::string& query,
                                                                          std::size_t limit) {
  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_ASSIGN_OR_RETURN(auto rows, m_store->recent_certificates(k_all_rows));  // newest first
  CourseScope scope(m_school, course, rows);
  const std::string q = lower(trimmed(query));
  console::CertificateList list;
  for (store::CertificateRow& row : rows) {
    if (!scope.contains(row.certificate) || !matches(row.certificate, q)) continue;
    ++list.matched;
    if (list.shown.size() < limit) list.shown.push_back(std::move(row));
  }
  return list;
}

Result<console::CertificateDetail> StoreConsoleBackend::certificate_detail(const std::string& course,
                                                                           const std::string& number) {
  std::lock_guard<std::mutex> lock(m_mutex);
  console::CertificateDetail detail;
  CERTD_ASSIGN_OR_RETURN(detail.row, course_certificate(course, number));
  CERTD_ASSIGN_OR_RETURN(detail.deliveries, m_store->notifications(detail.row.id, std::nullopt));
  return detail;
}

Result<std::string> StoreConsoleBackend::reissue(const std::string& course, const std::string& number,
                                                 const console::ConsoleActor& teacher) {
  CERTD_TRY(check_display_text(teacher.display_name, TextKind::name, "your name in the LMS"));
  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_TRY(course_certificate(course, number));
  Workbench bench(m_school, *m_store, *m_issuer, m_clock);
  bench.source = "console";
  CERTD_ASSIGN_OR_RETURN(IssueOutcome outcome, app::reissue(bench, number, teacher.display_name));
  // app::reissue records an event, not an audit entry: this is the one.
  // The new certificate exists whatever happens here, so a failure to
  // write the log is logged rather than reported as a failed reissue.
  Status audited = m_store->append_audit(
      {actor_of(teacher), "reissue", number, "reissued as " + outcome.number, to_unix(m_clock.now())});
  if (!audited) CERTD_LOG_ERROR("console: could not write the audit log: {}", audited.error().message());
  return outcome.number;
}

Status StoreConsoleBackend::revoke(const std::string& course, const std::string& number,
                                   store::RevocationCategory category, const std::string& reason,
                                   const console::ConsoleActor& teacher) {
  const std::string why = trimmed(reason);
  if (why.empty())
    return Error(ErrorCode::invalid_argument, "Give a reason: it is kept for the school and never shown publicly");
  CERTD_TRY(check_display_text(why, TextKind::name, "the reason"));
  CERTD_TRY(check_display_text(teacher.display_name, TextKind::name, "your name in the LMS"));
  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_TRY(course_certificate(course, number));
  Workbench bench(m_school, *m_store, *m_issuer, m_clock);
  bench.source = "console";
  // app::revoke writes the audit entry itself, naming its `teacher`.
  return app::revoke(bench, number, category, why, actor_of(teacher));
}

Result<console::ResendOutcome> StoreConsoleBackend::resend(const std::string& course, const std::string& number,
                                                           const console::ConsoleActor& teacher) {
  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_ASSIGN_OR_RETURN(store::CertificateRow row, course_certificate(course, number));
  std::int64_t now = to_unix(m_clock.now());
  CERTD_ASSIGN_OR_RETURN(MailResend resent, resend_mail(*m_store, row.id, std::nullopt, now));
  Status audited = m_store->append_audit({actor_of(teacher), "notify.resend", number,
                                          std::to_string(resent.queued) + " queued, " +
                                              std::to_string(resent.skipped) + " skipped",
                                          now});
  if (!audited) CERTD_LOG_ERROR("console: could not write the audit log: {}", audited.error().message());
  return console::ResendOutcome{resent.queued, resent.skipped};
}

}  // namespace certd::app
