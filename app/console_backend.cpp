#include "app/console_backend.hpp"

#include <algorithm>
#include <set>

#include "app/display_text.hpp"
#include "app/password_hash.hpp"
#include "app/school.hpp"
#include "app/store_factory.hpp"
#include "app/teacher_actions.hpp"
#include "render/template.hpp"
#include "store/store.hpp"

namespace certd::app {

StoreConsoleBackend::StoreConsoleBackend(const School& school, connector::Lms* lms, const Clock& clock)
    : m_school(school), m_lms(lms), m_clock(clock) {}

StoreConsoleBackend::~StoreConsoleBackend() = default;

Result<std::unique_ptr<StoreConsoleBackend>> StoreConsoleBackend::open(const School& school, connector::Lms* lms,
                                                                       const Clock& clock, int render_threads) {
  std::unique_ptr<StoreConsoleBackend> backend(new StoreConsoleBackend(school, lms, clock));
  CERTD_ASSIGN_OR_RETURN(backend->m_store, open_store(school.config));
  backend->m_archive = std::make_unique<PdfArchive>(school.config.data_dir);
  const config::Config& c = school.config;
  IssuerOptions options{c.issuer.name,  c.portal.public_url,   lms != nullptr, c.lms.certificate_profile_field,
                        c.lms.issued_activity, render_threads};
  backend->m_issuer = std::make_unique<Issuer>(options, school.templates, *school.signer, *backend->m_store,
                                               *backend->m_archive, clock);
  return backend;
}

Status StoreConsoleBackend::put_lti_state(const store::NewLtiState& state, std::int64_t now, std::int64_t max_live) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->put_lti_state(state, now, max_live);
}

Result<std::optional<store::LtiStateRow>> StoreConsoleBackend::take_lti_state(const std::string& state,
                                                                              std::int64_t now) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->take_lti_state(state, now);
}

Status StoreConsoleBackend::create_session(const store::NewSession& session) {
  std::lock_guard<std::mutex> lock(m_mutex);
  // Sessions end by time, not only by signing out: each new one clears
  // the expired ones, so the table holds about a day's sign-ins at most.
  CERTD_TRY(m_store->purge_sessions(session.created_at));
  return m_store->create_session(session);
}

Result<std::optional<store::SessionRow>> StoreConsoleBackend::session(const std::string& token_hash, std::int64_t now) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->session_by_hash(token_hash, now);
}

Status StoreConsoleBackend::touch_session(const std::string& token_hash, std::int64_t now,
                                          std::int64_t idle_expires_at) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->touch_session(token_hash, now, idle_expires_at);
}

Status StoreConsoleBackend::delete_session(const std::string& token_hash) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->delete_session(token_hash);
}

Status StoreConsoleBackend::audit(const store::NewAuditEntry& entry) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->append_audit(entry);
}

Result<std::vector<console::QueueEntry>> StoreConsoleBackend::queue(const std::string& course) {
  std::lock_guard<std::mutex> lock(m_mutex);
  std::vector<console::QueueEntry> entries;
  for (store::PendingStatus status : {store::PendingStatus::pending, store::PendingStatus::held}) {
    CERTD_ASSIGN_OR_RETURN(auto rows, m_store->pending_with_status(status));
    for (const store::PendingRow& row : rows) {
      if (row.pending.course != course) continue;
      // Entries waiting for room in the monthly quota are issued by
      // themselves; a teacher's approval is not what they wait for.
      if (row.pending.waits_for != store::PendingWait::approval) continue;
      console::QueueEntry e;
      e.id = row.id;
      e.student_id = row.pending.student_id;
      e.student_name = row.pending.student_name;
      e.rule_id = row.pending.rule_id;
      e.certificate = row.pending.rule_id;
      if (const rules::Rule* rule = m_school.rules.find(row.pending.rule_id)) {
        auto found = m_school.templates.find(rule->template_id);
        if (found != m_school.templates.end()) e.certificate = found->second->spec().name;
      }
      e.since = row.pending.created_at;
      e.reason = row.pending.reason;
      e.held = status == store::PendingStatus::held;
      entries.push_back(std::move(e));
    }
  }
  return entries;
}

Result<std::vector<store::PendingRow>> StoreConsoleBackend::rows_of(const std::string& course,
                                                                    const std::vector<store::Id>& ids,
                                                                    std::vector<std::string>& unknown) {
  std::vector<store::PendingRow> open;
  for (store::PendingStatus status : {store::PendingStatus::pending, store::PendingStatus::held}) {
    CERTD_ASSIGN_OR_RETURN(auto rows, m_store->pending_with_status(status));
    open.insert(open.end(), rows.begin(), rows.end());
  }
  std::vector<store::PendingRow> chosen;
  for (store::Id id : ids) {
    auto it = std::find_if(open.begin(), open.end(), [&](const store::PendingRow& r) { return r.id == id; });
    // Another course's row is reported as not there: a teacher acts on
    // the queue of the course they launched from, whatever the form says.
    if (it == open.end() || it->pending.course != course) {
      unknown.push_back("row " + std::to_string(id) + ": no longer waiting in this course (issued or removed meanwhile)");
      continue;
    }
    if (std::none_of(chosen.begin(), chosen.end(), [&](const store::PendingRow& r) { return r.id == id; }))
      chosen.push_back(*it);
  }
  return chosen;
}

Result<console::ApprovalOutcome> StoreConsoleBackend::approve(const std::string& course,
                                                              const std::vector<store::Id>& ids,
                                                              const std::string& notes, const std::string& teacher) {
  if (!notes.empty()) CERTD_TRY(check_display_text(notes, TextKind::notes, "notes"));
  CERTD_TRY(check_display_text(teacher, TextKind::name, "your name in the LMS"));
  std::lock_guard<std::mutex> lock(m_mutex);
  console::ApprovalOutcome outcome;
  CERTD_ASSIGN_OR_RETURN(auto rows, rows_of(course, ids, outcome.failed));
  Workbench bench(m_school, *m_store, *m_issuer, m_clock);
  bench.source = "console";
  // One at a time, so that each failure is told by the student's name; a
  // failure leaves that row in the queue and the others go ahead.
  for (const store::PendingRow& row : rows) {
    auto result = approve_pending(bench, m_lms, {row.id}, false, notes, teacher);
    if (!result) {
      outcome.failed.push_back(row.pending.student_name + ": " + result.error().message());
      continue;
    }
    outcome.issued.insert(outcome.issued.end(), result->issued.begin(), result->issued.end());
    for (const std::string& why : result->failed) {
      std::size_t colon = why.find(": ");
      outcome.failed.push_back(row.pending.student_name + ": " + (colon == std::string::npos ? why : why.substr(colon + 2)));
    }
  }
  return outcome;
}

Status StoreConsoleBackend::hold(const std::string& course, const std::vector<store::Id>& ids,
                                 const std::string& teacher) {
  std::lock_guard<std::mutex> lock(m_mutex);
  std::vector<std::string> unknown;
  CERTD_ASSIGN_OR_RETURN(auto rows, rows_of(course, ids, unknown));
  std::vector<store::Id> chosen;
  for (const store::PendingRow& row : rows) chosen.push_back(row.id);
  Workbench bench(m_school, *m_store, *m_issuer, m_clock);
  bench.source = "console";
  return hold_pending(bench, chosen, teacher);
}

Result<std::vector<store::CertificateRow>> StoreConsoleBackend::certificates_of(const std::string& student_id) {
  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_ASSIGN_OR_RETURN(auto rows, m_store->certificates_for_student(student_id));
  std::sort(rows.begin(), rows.end(), [](const store::CertificateRow& a, const store::CertificateRow& b) {
    return a.certificate.issued_at > b.certificate.issued_at;
  });
  return rows;
}

Result<std::optional<store::CertificateRow>> StoreConsoleBackend::certificate(const std::string& number) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->certificate_by_number(number);
}

Result<std::string> StoreConsoleBackend::pdf_bytes(const store::CertificateRow& certificate) {
  return m_archive->read(certificate.certificate.pdf_path);
}

Result<std::optional<store::LocalUserRow>> StoreConsoleBackend::local_user(const std::string& name) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->local_user(name);
}

bool StoreConsoleBackend::password_matches(const std::string& password_hash, const std::string& password) {
  // No lock: argon2 takes a good part of a second and touches no state.
  return app::password_matches(password_hash, password);
}

Status StoreConsoleBackend::record_login_failure(const std::string& name, std::int64_t now, int max_failures,
                                                 std::int64_t lock_seconds) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->record_login_failure(name, now, max_failures, lock_seconds);
}

Status StoreConsoleBackend::record_login_success(const std::string& name) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->record_login_success(name);
}

Result<std::optional<store::ApiTokenRow>> StoreConsoleBackend::api_token(const std::string& token_hash) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->api_token_by_hash(token_hash);
}

Status StoreConsoleBackend::touch_api_token(store::Id id, std::int64_t now) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->touch_api_token(id, now);
}

std::vector<std::string> StoreConsoleBackend::rule_courses() {
  std::set<std::string> courses;
  for (const rules::Rule& rule : m_school.rules.rules()) courses.insert(rule.course);
  return {courses.begin(), courses.end()};
}

}  // namespace certd::app
