#include "app/teacher_actions.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <utility>
#include <nlohmann/json.hpp>

#include "app/display_text.hpp"
#include "app/event_processor.hpp"
#include "app/progress_codec.hpp"
#include "connector/lms.hpp"
#include "core/log.hpp"
#include "core/random_token.hpp"
#include "render/template.hpp"
#include "rules/evaluator.hpp"
#include "rules/idempotency.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

// An action id nobody else will pick: 12 random bytes as hex.
Result<std::string> random_id() { return random_token_hex(12); }

// Every teacher action is an event row first: the audit trail, and the
// id that makes an ad-hoc award issue once however often it is retried.
Result<store::Id> record_action(const Workbench& runtime, const std::string& id, const std::string& kind, const json& details) {
  CERTD_ASSIGN_OR_RETURN(store::Inserted event, runtime.store.record_event({runtime.source, id, kind, details.dump(),
                                                                             to_unix(runtime.clock.now())}));
  return event.id;
}

Status finish_action(const Workbench& runtime, store::Id event, const Status& outcome) {
  CERTD_TRY(runtime.store.set_event_status(event, outcome ? store::EventStatus::processed : store::EventStatus::failed,
                                            outcome ? "" : outcome.error().message()));
  return outcome;
}

Result<IssueOutcome> single(const Workbench& runtime, const IssueJob& job) {
  CERTD_ASSIGN_OR_RETURN(auto outcomes, runtime.issuer.issue({job}));
  const IssueOutcome& outcome = outcomes.front();
  if (outcome.status == IssueStatus::failed) return Error(ErrorCode::invalid_argument, outcome.error);
  return outcome;
}

Result<IssueJob> job_for_pending(const EventProcessor& jobs, const store::PendingRow& row, const std::string& teacher) {
  CERTD_ASSIGN_OR_RETURN(connector::CourseProgress progress, progress_from_json(row.pending.facts));
  CERTD_ASSIGN_OR_RETURN(IssueJob job, jobs.job_for_rule(row.pending.rule_id, progress, "approved", teacher));
  CERTD_ASSIGN_OR_RETURN(job.key, rules::parse_idempotency_key(row.pending.idempotency_key));
  return job;
}

Result<connector::CourseProgress> fetch(connector::Lms& lms, const std::string& course, const std::string& student) {
  char* end = nullptr;
  long long id = std::strtoll(student.c_str(), &end, 10);
  if (student.empty() || *end != '\0' || id <= 0)
    return Error(ErrorCode::invalid_argument, "--student must be the LMS user id (a number), not '" + student + "'");
  CERTD_ASSIGN_OR_RETURN(auto courses, lms.courses({course}));
  if (courses.empty()) return Error(ErrorCode::not_found, "no course " + course + " in the LMS");
  return lms.progress(courses.front(), id);
}

// (address, role) of everyone a certificate's e-mail went or was queued
// to go to: a certificate reissued before its mail went out is revoked,
// so its queued mail is never sent.
Result<std::vector<std::pair<std::string, std::string>>> recipients_of(store::Store& store, store::Id certificate) {
  std::vector<std::pair<std::string, std::string>> recipients;
  CERTD_ASSIGN_OR_RETURN(auto notified, store.notifications(certificate, std::nullopt));
  for (const store::NotificationRow& n : notified) recipients.emplace_back(n.recipient, n.role);
  CERTD_ASSIGN_OR_RETURN(auto queued, store.outbox_with_status(store::OutboxStatus::queued));
  for (const store::OutboxRow& row : queued) {
    if (row.certificate_id != certificate || row.item.kind != "email") continue;
    json payload = json::parse(row.item.payload, nullptr, /*allow_exceptions=*/false);
    if (payload.is_object()) recipients.emplace_back(payload.value("recipient", ""), payload.value("role", "guardian"));
  }
  return recipients;
}

// The LMS user and course the certificate's write-backs went to, as its
// issue queued them ("who" in its lms.* outbox rows). None when it had no
// write-back (a CSV batch, an ad-hoc award without course): its reissue
// then has none either. A reissue is rare, so reading the outbox is fine.
Result<std::optional<json>> lms_target_of(store::Store& store, store::Id certificate) {
  for (store::OutboxStatus status : {store::OutboxStatus::queued, store::OutboxStatus::done,
                                     store::OutboxStatus::failed, store::OutboxStatus::cancelled}) {
    CERTD_ASSIGN_OR_RETURN(auto rows, store.outbox_with_status(status));
    for (const store::OutboxRow& row : rows) {
      if (row.certificate_id != certificate || row.item.kind.rfind("lms.", 0) != 0) continue;
      json payload = json::parse(row.item.payload, nullptr, /*allow_exceptions=*/false);
      if (!payload.is_object() || !payload.contains("who") || !payload["who"].is_object()) continue;
      const json& who = payload["who"];
      if (who.contains("student") && who["student"].is_number_integer()) return std::optional<json>(who);
    }
  }
  return std::optional<json>();
}

// The certificate a chain of reissues started from: the one a rule or a
// teacher earned, whose facts decided what it printed.
Result<store::CertificateRow> earned_certificate(store::Store& store, store::CertificateRow row) {
  while (row.certificate.kind == "reissue") {
    auto key = rules::parse_idempotency_key(row.certificate.idempotency_key);
    if (!key || key->generation <= 1) break;
    --key->generation;
    CERTD_ASSIGN_OR_RETURN(auto previous, store.certificate_by_key(key->to_string()));
    if (!previous) break;
    row = std::move(*previous);
  }
  return row;
}

bool has_grade_or_skills(const store::NewCertificate& c) { return !c.grade.empty() || !c.skills.empty(); }

void copy_from_row(const store::NewCertificate& c, IssueJob& job) {
  job.grade = c.grade;
  job.skills = c.skills;
}

// Rows written before schema version 9 do not keep grade and skills. The
// facts snapshot they came from is kept when the certificate waited in
// the pending queue (a teacher's approval, the monthly quota), under the
// same key: the same rule over the same snapshot gives the same values,
// with no new read of the LMS (whose facts may have moved on). Older
// automatic and "issue now" certificates keep no such snapshot: theirs
// stay empty.
Status grade_and_skills_from_snapshot(const Workbench& runtime, const store::CertificateRow& earned,
                                      const std::string& reissued_number, IssueJob& job) {
  if (earned.certificate.rule_id.empty()) return ok();
  CERTD_ASSIGN_OR_RETURN(auto decided, runtime.store.pending_with_status(store::PendingStatus::approved));
  for (const store::PendingRow& row : decided) {
    if (row.pending.idempotency_key != earned.certificate.idempotency_key) continue;
    CERTD_ASSIGN_OR_RETURN(connector::CourseProgress progress, progress_from_json(row.pending.facts));
    EventProcessor jobs(runtime.school, runtime.store, runtime.issuer, nullptr, runtime.clock);
    auto from_snapshot = jobs.job_for_rule(row.pending.rule_id, progress, job.kind, job.requested_by);
    if (!from_snapshot) {
      // The rule is gone from the configuration: reissue what is known.
      CERTD_LOG_WARN("reissue of {}: grade and skills not recovered: {}", reissued_number,
                     from_snapshot.error().message());
      return ok();
    }
    job.grade = from_snapshot->grade;
    job.skills = from_snapshot->skills;
    return ok();
  }
  return ok();
}

// The grade and skills the reissued certificate printed: from its own row
// (every row since schema version 9, a reissue's included, keeps them),
// else from the certificate it was earned as, else from the pending
// queue's snapshot. Empty on a row may also mean the certificate printed
// none; the fallbacks then find none either, or the same values.
Status copy_grade_and_skills(const Workbench& runtime, const store::CertificateRow& reissued, IssueJob& job) {
  if (has_grade_or_skills(reissued.certificate)) {
    copy_from_row(reissued.certificate, job);
    return ok();
  }
  CERTD_ASSIGN_OR_RETURN(store::CertificateRow earned, earned_certificate(runtime.store, reissued));
  if (has_grade_or_skills(earned.certificate)) {
    copy_from_row(earned.certificate, job);
    return ok();
  }
  return grade_and_skills_from_snapshot(runtime, earned, reissued.certificate.number, job);
}

}  // namespace

Result<std::string> teacher_name(const std::string& given) {
  if (!given.empty()) {
    CERTD_TRY(check_display_text(given, TextKind::name, "--teacher"));
    return given;
  }
  // A login name is a fair default for who acted, but "root" must never
  // be printed on a child's certificate.
  const char* user = std::getenv("USER");
  if (user && *user && std::string(user) != "root") {
    CERTD_TRY(check_display_text(user, TextKind::name, "$USER (give --teacher NAME instead)"));
    return std::string(user);
  }
  return Error(ErrorCode::invalid_argument, "give --teacher NAME: it is printed on the certificate");
}

Result<ApprovalResult> approve_pending(const Workbench& runtime, connector::Lms* lms, const std::vector<store::Id>& ids,
                                       bool all, const std::string& notes, const std::string& teacher) {
  CERTD_ASSIGN_OR_RETURN(auto open, runtime.store.pending_with_status(store::PendingStatus::pending));
  CERTD_ASSIGN_OR_RETURN(auto held, runtime.store.pending_with_status(store::PendingStatus::held));
  open.insert(open.end(), held.begin(), held.end());
  EventProcessor jobs(runtime.school, runtime.store, runtime.issuer, lms, runtime.clock);
  ApprovalResult result;
  for (const store::Id id : ids) {
    bool known = std::any_of(open.begin(), open.end(), [&](const store::PendingRow& r) { return r.id == id; });
    if (!known) result.failed.push_back("pending #" + std::to_string(id) + ": not in the queue");
  }
  for (const store::PendingRow& row : open) {
    bool named = std::find(ids.begin(), ids.end(), row.id) != ids.end();
    // --all takes the open entries; held ones stay queued until named.
    if (!named && !(all && row.status == store::PendingStatus::pending)) continue;
    // One entry that cannot be issued is reported; the others go ahead.
    auto job = job_for_pending(jobs, row, teacher);
    if (!job) {
      result.failed.push_back("pending #" + std::to_string(row.id) + ": " + job.error().message());
      continue;
    }
    job->notes = notes;
    job->teacher = teacher;
    auto outcome = single(runtime, *job);
    if (!outcome) {
      result.failed.push_back("pending #" + std::to_string(row.id) + ": " + outcome.error().message());
      continue;
    }
    // Issued first, then the queue entry closes: a crash between the two
    // leaves an entry whose approval finds the certificate already issued.
    CERTD_TRY(runtime.store.decide_pending(row.id, store::PendingStatus::approved, notes, teacher, to_unix(runtime.clock.now())));
    result.issued.push_back(outcome->number);
  }
  return result;
}

Status hold_pending(const Workbench& runtime, const std::vector<store::Id>& ids, const std::string& teacher) {
  for (store::Id id : ids)
    CERTD_TRY(runtime.store.decide_pending(id, store::PendingStatus::held, "", teacher, to_unix(runtime.clock.now())));
  return ok();
}

namespace {

// The student's certificates of `rule_id`, as the rules read them: what
// "Issue now" refuses to issue a second time.
Result<rules::IssuedHistory> rule_history(store::Store& store, const std::string& student_id,
                                          const std::string& rule_id) {
  CERTD_ASSIGN_OR_RETURN(auto rows, store.certificates_for_student(student_id));
  rules::IssuedHistory history;
  for (const store::CertificateRow& row : rows) {
    auto key = rules::parse_idempotency_key(row.certificate.idempotency_key);
    if (key && key->origin == rules::Origin::rule && key->source_id == rule_id)
      history.push_back({rule_id, key->course, key->generation, row.certificate.number,
                         from_unix(row.certificate.issued_at), std::nullopt,
                         row.status == store::CertificateStatus::revoked});
  }
  return history;
}

}  // namespace

Result<IssueNowCheck> check_issue_now(const Workbench& runtime, connector::Lms& lms, const std::string& student_id,
                                      const std::string& rule_id) {
  const rules::Rule* rule = runtime.school.rules.find(rule_id);
  if (!rule) return Error(ErrorCode::invalid_argument, "no rule " + rule_id);
  IssueNowCheck check;
  CERTD_ASSIGN_OR_RETURN(check.progress, fetch(lms, rule->course, student_id));
  rules::StudentFacts facts = facts_from_progress(check.progress);
  CERTD_ASSIGN_OR_RETURN(rules::IssuedHistory history, rule_history(runtime.store, facts.student_id, rule_id));
  // Asked first: issue_now refuses such a student with a conflict whose
  // words a page cannot link from.
  if (const rules::IssuedCertificate* last = rules::latest_issued(*rule, history)) {
    check.existing_number = last->number;
    return check;
  }
  CERTD_ASSIGN_OR_RETURN(rules::Decision decision, rules::force_issue(runtime.school.rules, rule_id, facts, history));
  check.unmet = std::move(decision.unmet);
  return check;
}

Result<IssueOutcome> issue_now(const Workbench& runtime, connector::Lms& lms, const std::string& student_id,
                               const std::string& rule_id, const std::string& teacher) {
  const rules::Rule* rule = runtime.school.rules.find(rule_id);
  if (!rule) return Error(ErrorCode::invalid_argument, "no rule " + rule_id);
  CERTD_ASSIGN_OR_RETURN(std::string action_id, random_id());
  CERTD_ASSIGN_OR_RETURN(store::Id event, record_action(runtime, action_id, "teacher.issue_now",
                                                        {{"student", student_id}, {"rule", rule_id}, {"teacher", teacher}}));
  auto issue = [&]() -> Result<IssueOutcome> {
    CERTD_ASSIGN_OR_RETURN(connector::CourseProgress progress, fetch(lms, rule->course, student_id));
    rules::StudentFacts facts = facts_from_progress(progress);
    CERTD_ASSIGN_OR_RETURN(rules::IssuedHistory history, rule_history(runtime.store, facts.student_id, rule_id));
    CERTD_ASSIGN_OR_RETURN(rules::Decision decision, rules::force_issue(runtime.school.rules, rule_id, facts, history));
    EventProcessor jobs(runtime.school, runtime.store, runtime.issuer, &lms, runtime.clock);
    CERTD_ASSIGN_OR_RETURN(IssueJob job, jobs.job_for_rule(rule_id, progress, "forced", teacher));
    job.key = decision.key;
    job.teacher = teacher;  // templates print the instructor: the one who forced it
    job.skipped_conditions = decision.unmet;
    return single(runtime, job);
  };
  auto outcome = issue();
  CERTD_TRY(finish_action(runtime, event, outcome ? ok() : Status(outcome.error())));
  return outcome;
}

namespace {

// An ad-hoc award without a title of its own is called by its template
// ("Encouragement award"), never by the course it was given in.
std::string template_name(const Workbench& runtime, const std::string& template_id) {
  auto found = runtime.school.templates.find(template_id);
  return found == runtime.school.templates.end() ? template_id : found->second->spec().name;
}

}  // namespace

Result<IssueOutcome> issue_adhoc(const Workbench& runtime, connector::Lms* lms, AdhocDetails details) {
  if (details.request.request_id.empty()) {
    CERTD_ASSIGN_OR_RETURN(details.request.request_id, random_id());
  }
  CERTD_ASSIGN_OR_RETURN(rules::AdhocIssue checked, rules::check_adhoc(details.request, runtime.school.template_ids));
  const rules::AdhocRequest& r = checked.request;
  CERTD_ASSIGN_OR_RETURN(store::Id event, record_action(runtime, r.request_id, "teacher.adhoc",
                                                        {{"student", r.student_id}, {"template", r.template_id},
                                                         {"course", r.course}, {"title", details.title},
                                                         {"teacher", r.teacher},
                                                         {"notes", r.notes}}));
  auto issue = [&]() -> Result<IssueOutcome> {
    IssueJob job;
    job.key = checked.key;
    job.kind = "adhoc";
    job.template_id = r.template_id;
    job.student_id = r.student_id;
    job.student_name = details.student_name;
    job.student_email = details.student_email;
    job.course = r.course;
    job.course_name = r.course;
    job.title = details.title.empty() ? template_name(runtime, r.template_id) : details.title;
    job.teacher = r.teacher;
    job.notes = r.notes;
    job.requested_by = r.teacher;
    if (lms && !r.course.empty() && details.student_name.empty()) {
      CERTD_ASSIGN_OR_RETURN(connector::CourseProgress progress, fetch(*lms, r.course, r.student_id));
      // The LMS's name is checked like a typed one (app/display_text.hpp).
      CERTD_TRY(check_display_text(progress.student.fullname, TextKind::name,
                                   "the LMS's name for student " + r.student_id));
      job.student_name = progress.student.fullname;
      job.student_email = progress.student.email;
      job.guardian_emails = progress.student.guardian_emails;
      job.notify_guardians = true;
      job.course_name = progress.course.fullname;
    }
    if (job.student_name.empty())
      return Error(ErrorCode::invalid_argument, "the student's name is unknown: give --name, or --course to read it from the LMS");
    return single(runtime, job);
  };
  auto outcome = issue();
  CERTD_TRY(finish_action(runtime, event, outcome ? ok() : Status(outcome.error())));
  return outcome;
}

Result<IssueOutcome> reissue(const Workbench& runtime, const std::string& number, const std::string& teacher) {
  CERTD_ASSIGN_OR_RETURN(auto found, runtime.store.certificate_by_number(number));
  if (!found) return Error(ErrorCode::not_found, "no certificate " + number);
  const store::NewCertificate& old = found->certificate;
  CERTD_ASSIGN_OR_RETURN(rules::IdempotencyKey key, rules::parse_idempotency_key(old.idempotency_key));
  CERTD_ASSIGN_OR_RETURN(store::Id event, record_action(runtime, "reissue:" + number, "teacher.reissue",
                                                        {{"number", number}, {"teacher", teacher}}));
  IssueJob job;
  job.key = rules::reissue_key(key);
  job.kind = "reissue";
  job.rule_id = old.rule_id;
  job.template_id = old.template_id;
  job.student_id = old.student_id;
  job.student_name = old.student_name;
  job.course = key.course;
  job.course_name = old.course;
  job.title = old.title;  // a reissue is called what the original was
  job.notes = old.notes;
  job.teacher = old.teacher.empty() ? teacher : old.teacher;
  job.requested_by = teacher;
  job.batch_id = old.batch_id;
  // The level is in the signed payload the row keeps.
  json payload = json::parse(old.payload, nullptr, /*allow_exceptions=*/false);
  if (payload.is_object() && payload.contains("level") && payload["level"].is_string()) job.level = payload["level"];
  CERTD_TRY(copy_grade_and_skills(runtime, *found, job));
  // A reissue restates the same achievement (a corrected name, a lost
  // file); it is not a renewal. So it keeps the original's expiry date:
  // reissuing a two-year first-aid certificate must not extend it. Only
  // the renewal the rule grants after expiry starts a new period.
  if (old.expires_at) job.expires_at = from_unix(*old.expires_at);
  // The LMS hears of the new number as it heard of the old one: a note
  // naming both, the profile field (outbox_handlers), queued with the
  // certificate in one transaction by the issuer.
  CERTD_ASSIGN_OR_RETURN(std::optional<json> who, lms_target_of(runtime.store, found->id));
  if (who) {
    job.lms_student_id = (*who)["student"].get<std::int64_t>();
    if ((*who).contains("course_id") && (*who)["course_id"].is_number_integer())
      job.lms_course_id = (*who)["course_id"].get<std::int64_t>();
  }
  // Whoever the old one was for gets the new one.
  CERTD_ASSIGN_OR_RETURN(auto recipients, recipients_of(runtime.store, found->id));
  job.notify_student = false;
  for (const auto& [address, role] : recipients) {
    if (address.empty() || address == job.student_email ||
        std::find(job.guardian_emails.begin(), job.guardian_emails.end(), address) != job.guardian_emails.end())
      continue;
    if (role == "student") {
      job.student_email = address;
      job.notify_student = true;
    } else {
      job.guardian_emails.push_back(address);
      job.notify_guardians = true;
    }
  }
  auto outcome = single(runtime, job);
  if (outcome && found->status == store::CertificateStatus::issued)
    CERTD_TRY(runtime.store.revoke_certificate(number, store::RevocationCategory::replaced,
                                                "reissued as " + outcome->number, to_unix(runtime.clock.now())));
  CERTD_TRY(finish_action(runtime, event, outcome ? ok() : Status(outcome.error())));
  return outcome;
}

Status revoke(const Workbench& runtime, const std::string& number, store::RevocationCategory category,
              const std::string& reason, const std::string& teacher) {
  if (reason.empty())
    return Error(ErrorCode::invalid_argument, "a reason is required; it is kept for the school, never shown publicly");
  std::int64_t now = to_unix(runtime.clock.now());
  CERTD_TRY(runtime.store.revoke_certificate(number, category, reason, now));
  return runtime.store.append_audit({teacher, "revoke", number, std::string(to_string(category)) + ": " + reason, now});
}

}  // namespace certd::app
