#include "app/event_processor.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>

#include "app/display_text.hpp"
#include "app/issue_now_webhook.hpp"
#include "app/issuer.hpp"
#include "app/progress_codec.hpp"
#include "app/school.hpp"
#include "app/store_factory.hpp"
#include "app/work_claims.hpp"
#include "connector/lms.hpp"
#include "core/log.hpp"
#include "core/parallel_for.hpp"
#include "core/time_format.hpp"
#include "render/template.hpp"
#include "rules/evaluator.hpp"
#include "rules/requests.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

constexpr int k_fetch_threads = 4;

// Wall time between laps, for the cycle's log line: diagnostics only, so
// it reads the steady clock rather than the injected one.
class Stopwatch {
 public:
  double lap_ms() {
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - m_last).count();
    m_last = now;
    return ms;
  }

 private:
  std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

// The level a rule certifies, and its skills, for the certificate text.
const rules::Condition* find_level_condition(const rules::Condition& c) {
  if (c.kind == rules::Condition::Kind::all_skills_proficient) return &c;
  if (c.kind == rules::Condition::Kind::negation) return nullptr;
  for (const rules::Condition& child : c.children)
    if (const rules::Condition* found = find_level_condition(child)) return found;
  return nullptr;
}

std::string percent(double value) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", value);
  return text;
}

bool wants(const rules::Rule& rule, rules::NotifyTarget target) {
  if (rule.notify.empty()) return target == rules::NotifyTarget::student;
  return std::find(rule.notify.begin(), rule.notify.end(), target) != rule.notify.end();
}

// Names from the LMS are checked like typed ones (app/display_text.hpp):
// a bad one fails this student's event with the reason (kept, retried,
// shown by `certd events list --failed`); it never reaches a certificate,
// the pending queue or a report, and other students carry on.
Status check_lms_names(const connector::CourseProgress& p) {
  const std::string whose = " of student " + std::to_string(p.student.id) + " in the LMS";
  CERTD_TRY(check_display_text(p.student.fullname, TextKind::name, "the full name" + whose));
  if (!p.teacher_name.empty())
    CERTD_TRY(check_display_text(p.teacher_name, TextKind::name, "the teacher's name" + whose));
  if (!p.course.fullname.empty())
    CERTD_TRY(check_display_text(p.course.fullname, TextKind::name, "the course name" + whose));
  return ok();
}

Result<rules::IssuedHistory> history_of(store::Store& store, const std::string& student_id) {
  CERTD_ASSIGN_OR_RETURN(auto rows, store.certificates_for_student(student_id));
  rules::IssuedHistory history;
  for (const store::CertificateRow& row : rows) {
    if (row.certificate.rule_id.empty()) continue;
    auto key = rules::parse_idempotency_key(row.certificate.idempotency_key);
    if (!key || key->origin != rules::Origin::rule) continue;
    rules::IssuedCertificate issued;
    issued.rule_id = row.certificate.rule_id;
    issued.course = key->course;
    issued.generation = key->generation;
    issued.number = row.certificate.number;
    issued.issued_at = from_unix(row.certificate.issued_at);
    if (row.certificate.expires_at) issued.expires_at = from_unix(*row.certificate.expires_at);
    issued.revoked = row.status == store::CertificateStatus::revoked;
    history.push_back(std::move(issued));
  }
  return history;
}

}  // namespace

EventProcessor::EventProcessor(const School& school, store::Store& store, Issuer& issuer, connector::Lms* lms,
                               const Clock& clock, EventRetry retry)
    : m_school(school),
      m_store(store),
      m_issuer(issuer),
      m_lms(lms),
      m_clock(clock),
      m_retry(std::move(retry)),
      m_worker(worker_name(school.config)) {
  if (!m_retry.random_unit) {
    auto random = std::make_shared<std::mt19937_64>(std::random_device{}());
    m_retry.random_unit = [random] { return std::uniform_real_distribution<double>(0.0, 1.0)(*random); };
  }
}

// One round: every event is decided first (webhook facts are fetched from
// the LMS in parallel), then all their certificates are issued as one
// group (one syncfs, one commit), and only then are the events marked.
// A crash anywhere leaves the events "new"; replaying them issues nothing
// twice.
std::string EventProcessor::quota_reason() const {
  return std::string(k_quota_reason) + " (" + std::to_string(m_school.config.quota.per_month) +
         "); issued automatically when the quota allows, or approve it now";
}

// Certificates issued this calendar month plus those queued in this round
// stay below quota.per_month (0: no quota).
Result<bool> EventProcessor::quota_allows(const std::vector<QueuedJob>& round) const {
  if (m_school.config.quota.per_month <= 0) return true;
  auto [first, next] = month_of(m_clock.now());
  CERTD_ASSIGN_OR_RETURN(std::int64_t issued, m_store.count_certificates_issued(to_unix(first), to_unix(next)));
  return issued + static_cast<std::int64_t>(round.size()) < m_school.config.quota.per_month;
}

// Certificates that waited for the quota go out, oldest first, as soon as
// a new month (or a larger quota) makes room.
Result<int> EventProcessor::release_quota_waiters() {
  if (m_school.config.quota.per_month <= 0) return 0;
  CERTD_ASSIGN_OR_RETURN(auto waiting, m_store.pending_with_status(store::PendingStatus::pending));
  std::vector<QueuedJob> round;
  std::vector<store::Id> released;
  for (const store::PendingRow& row : waiting) {
    if (row.pending.waits_for != store::PendingWait::quota) continue;
    CERTD_ASSIGN_OR_RETURN(bool room, quota_allows(round));
    if (!room) break;
    CERTD_ASSIGN_OR_RETURN(connector::CourseProgress progress, progress_from_json(row.pending.facts));
    auto job = job_for_rule(row.pending.rule_id, progress, "automatic",
                            "rule " + row.pending.rule_id + " (after the monthly quota)");
    if (!job) {
      // One entry that cannot be issued (a name refused since it was
      // queued) stays in the teacher's queue; it must not hold up the rest
      // or the round. Approving it names the reason.
      CERTD_LOG_DEBUG("pending #{} stays queued: {}", row.id, job.error().message());
      continue;
    }
    CERTD_ASSIGN_OR_RETURN(job->key, rules::parse_idempotency_key(row.pending.idempotency_key));
    round.push_back({0, std::move(*job)});
    released.push_back(row.id);
  }
  if (round.empty()) return 0;
  std::vector<IssueJob> group;
  for (QueuedJob& queued : round) group.push_back(std::move(queued.job));
  CERTD_ASSIGN_OR_RETURN(auto issued, m_issuer.issue(group));
  int count = 0;
  for (std::size_t n = 0; n < issued.size(); ++n) {
    if (issued[n].status == IssueStatus::failed) continue;
    count += issued[n].status == IssueStatus::issued;
    CERTD_TRY(m_store.decide_pending(released[n], store::PendingStatus::approved, "", "quota", to_unix(m_clock.now())));
  }
  return count;
}

Result<ProcessStats> EventProcessor::process_new(int limit) {
  ProcessStats stats;
  CERTD_ASSIGN_OR_RETURN(stats.issued, release_quota_waiters());
  // New events and failed ones whose time has come, claimed for this
  // worker: another worker on the same store gets others.
  const std::int64_t now = to_unix(m_clock.now());
  CERTD_ASSIGN_OR_RETURN(auto events, m_store.claim_events(now, now + k_event_lease.count(), limit, m_worker));
  stats.retried = static_cast<int>(std::count_if(events.begin(), events.end(), [](const store::EventRow& row) {
    return row.status == store::EventStatus::failed;
  }));
  Stopwatch watch;
  std::vector<std::optional<Result<connector::CourseProgress>>> fetched = prefetch(events);
  stats.fetch_ms = watch.lap_ms();
  std::vector<Status> outcomes(events.size());
  std::vector<QueuedJob> jobs;
  for (std::size_t i = 0; i < events.size(); ++i) outcomes[i] = process(events[i], fetched[i], i, jobs, stats);
  stats.decide_ms = watch.lap_ms();
  if (!jobs.empty()) {
    std::vector<IssueJob> group;
    for (QueuedJob& queued : jobs) group.push_back(std::move(queued.job));
    CERTD_ASSIGN_OR_RETURN(auto issued, m_issuer.issue(group));
    for (std::size_t n = 0; n < issued.size(); ++n) {
      if (issued[n].status == IssueStatus::issued) ++stats.issued;
      Status& event_outcome = outcomes[jobs[n].event];
      if (issued[n].status == IssueStatus::failed && event_outcome)
        event_outcome = Error(ErrorCode::invalid_argument, issued[n].error);
    }
  }
  stats.issue_ms = watch.lap_ms();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Status& done = outcomes[i];
    const bool retried = events[i].status == store::EventStatus::failed;
    // Transient trouble (the LMS down): a new event stays new for next
    // time; a failed one waits for its next back-off step.
    if (!done && done.error().code() == ErrorCode::unavailable && !retried) {
      ++stats.deferred;
      CERTD_TRY(m_store.set_event_status(events[i].id, store::EventStatus::new_, ""));  // ends the claim
      continue;
    }
    ++stats.events;
    if (done) {
      if (retried)
        CERTD_LOG_INFO_F(log::Fields{{"EVENT", events[i].id}}, "event {} ({}) processed after {} failed attempts",
                         events[i].id, events[i].event.kind, events[i].attempts);
      CERTD_TRY(m_store.set_event_status(events[i].id, store::EventStatus::processed, ""));
      continue;
    }
    ++stats.failed;
    std::optional<std::int64_t> retry_at = next_attempt(events[i], done.error(), now);
    CERTD_LOG_WARN_F(log::Fields{{"EVENT", events[i].id}}, "event {} ({}) failed (attempt {}), {}: {}", events[i].id,
                     events[i].event.kind, events[i].attempts + 1,
                     retry_at ? "retried in " + std::to_string(*retry_at - now) + "s"
                              : std::string("kept until the rules, templates or config change or `certd events retry`"),
                     done.error().message());
    CERTD_TRY(m_store.fail_event(events[i].id, done.error().message(), retry_at));
  }
  stats.mark_ms = watch.lap_ms();
  return stats;
}

// An event whose payload cannot be read will not read better later; any
// other cause may go away (a template fixed, a font installed, the LMS
// back), so it is tried again with back-off until the policy gives up.
std::optional<std::int64_t> EventProcessor::next_attempt(const store::EventRow& event, const Error& error,
                                                         std::int64_t now) const {
  if (error.code() == ErrorCode::parse_error) return std::nullopt;
  auto delay = m_retry.policy.delay_after(event.attempts + 1, m_retry.random_unit());
  if (!delay) return std::nullopt;
  return now + delay->count();
}

std::vector<std::optional<Result<connector::CourseProgress>>> EventProcessor::prefetch(
    const std::vector<store::EventRow>& events) {
  std::vector<std::optional<Result<connector::CourseProgress>>> fetched(events.size());
  std::vector<std::size_t> webhooks;
  std::vector<std::pair<std::size_t, connector::CourseProgress>> renamed;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].event.source.rfind("webhook:", 0) == 0) webhooks.push_back(i);
    else if (auto stale = snapshot_with_bad_names(events[i])) renamed.emplace_back(i, std::move(*stale));
  }
  // The Lms is thread-safe and bounds its own connections; a few threads
  // keep its pool busy instead of waiting on one request at a time.
  parallel_for(webhooks.size() + renamed.size(), k_fetch_threads, [&](std::size_t n) {
    if (n < webhooks.size()) {
      fetched[webhooks[n]].emplace(fetch_progress(events[webhooks[n]].event.payload));
      return;
    }
    const auto& [index, snapshot] = renamed[n - webhooks.size()];
    fetched[index].emplace(m_lms->progress(snapshot.course, snapshot.student.id));
  });
  return fetched;
}

Status EventProcessor::process(const store::EventRow& event,
                               const std::optional<Result<connector::CourseProgress>>& fetched, std::size_t index,
                               std::vector<QueuedJob>& jobs, ProcessStats& stats) {
  if (event.event.kind == k_event_lms_change) {
    CERTD_ASSIGN_OR_RETURN(ChangeEvent change, parse_change_event(event.event.payload));
    if (fetched && *fetched) {
      change.snapshot = **fetched;
      change.snapshot_json = progress_to_json(**fetched);
    }
    if (change.change.kind == connector::ChangeKind::issue_now) return force(change.snapshot, change.change, index, jobs);
    return decide(change.snapshot, change.snapshot_json, index, jobs, stats);
  }
  if (fetched) {
    if (!*fetched) return fetched->error();
    // A teacher's mark becomes the poll's own event for it, forced next
    // round (app/issue_now_webhook.hpp); without a mark, decide as usual.
    if (event.event.kind == k_event_webhook_issue_now && m_lms) {
      CERTD_ASSIGN_OR_RETURN(bool marked, record_issue_now_mark(*m_lms, m_store, **fetched, m_clock.now()));
      if (marked) return ok();
    }
    return decide(**fetched, progress_to_json(**fetched), index, jobs, stats);
  }
  return Error(ErrorCode::parse_error, "unknown event kind " + event.event.kind);
}

// A webhook only says who and where; the facts are read fresh from the
// LMS, so a forged-but-signed or stale webhook cannot invent progress.
Result<connector::CourseProgress> EventProcessor::fetch_progress(const std::string& webhook_body) const {
  if (!m_lms) return Error(ErrorCode::invalid_argument, "webhook events need an LMS connection");
  CERTD_ASSIGN_OR_RETURN(WebhookTarget target, parse_webhook_target(webhook_body));
  CERTD_ASSIGN_OR_RETURN(auto courses, m_lms->courses({target.course}));
  if (courses.empty()) return Error(ErrorCode::not_found, "no course " + target.course);
  return m_lms->progress(courses.front(), target.student);
}

// A failed LMS change whose snapshot held a name certd refused is read
// again from the LMS when it is retried: the name may be fixed there by
// now, and the stored snapshot would fail the same way for ever.
std::optional<connector::CourseProgress> EventProcessor::snapshot_with_bad_names(const store::EventRow& event) const {
  if (!m_lms || event.status != store::EventStatus::failed || event.event.kind != k_event_lms_change)
    return std::nullopt;
  auto change = parse_change_event(event.event.payload);
  if (!change || check_lms_names(change->snapshot)) return std::nullopt;
  return std::move(change->snapshot);
}

bool EventProcessor::prints_teacher(const std::string& template_id) const {
  auto found = m_school.templates.find(template_id);
  return found != m_school.templates.end() && found->second &&
         render::required_placeholders(found->second->spec()).count(render::Placeholder::teacher_name) > 0;
}

Result<IssueJob> EventProcessor::job_for_rule(const std::string& rule_id, const connector::CourseProgress& p,
                                              const std::string& kind, const std::string& requested_by) const {
  const rules::Rule* rule = m_school.rules.find(rule_id);
  if (!rule) return Error(ErrorCode::not_found, "no rule " + rule_id);
  CERTD_TRY(check_lms_names(p));
  IssueJob job;
  job.key = rules::rule_key(rule->id, std::to_string(p.student.id), rule->course);
  job.kind = kind;
  job.rule_id = rule->id;
  job.template_id = rule->template_id;
  job.student_id = std::to_string(p.student.id);
  job.student_name = p.student.fullname;
  job.student_email = p.student.email;
  job.guardian_emails = p.student.guardian_emails;
  job.course = p.course.shortname;
  job.course_name = p.course.fullname.empty() ? p.course.shortname : p.course.fullname;
  job.lms_course_id = p.course.id;
  job.lms_student_id = p.student.id;
  job.requested_by = requested_by;
  // No one approved an automatic issue: the teacher Moodle names (who
  // rated the skills, else the course's teacher), else the configured
  // signatory. Approvals and "issue now" replace it with the acting teacher.
  job.teacher = !p.teacher_name.empty() ? p.teacher_name : m_school.config.issuer.signatory;
  if (job.teacher.empty() && kind == "automatic" && prints_teacher(rule->template_id))
    return Error(ErrorCode::invalid_argument,
                 "template '" + rule->template_id + "' prints the teacher, and nobody is known for student " +
                     job.student_id + " in " + p.course.shortname +
                     ": Moodle names no rater and no course teacher (lms.teacher_roles), and issuer.signatory is "
                     "not set; set issuer.signatory or give the course a teacher");
  if (p.grade_percent) job.grade = percent(*p.grade_percent);
  if (const rules::Condition* level = find_level_condition(rule->when)) {
    job.level = level->level;
    for (const connector::SkillLevel& l : p.skills)
      if (l.framework == level->framework && l.level == level->level)
        for (const connector::Skill& skill : l.skills) job.skills.push_back(skill.name);
  }
  job.expires_at = rules::expiry_of(*rule, m_clock.now());
  job.notify_student = wants(*rule, rules::NotifyTarget::student);
  job.notify_guardians = wants(*rule, rules::NotifyTarget::guardians);
  if (rule->progression) job.next_course = rule->progression->next_course;
  return job;
}

Status EventProcessor::decide(const connector::CourseProgress& progress, const std::string& snapshot_json,
                              std::size_t index, std::vector<QueuedJob>& jobs, ProcessStats& stats) {
  rules::StudentFacts facts = facts_from_progress(progress);
  if (facts.enrolment != rules::Enrolment::active && !m_school.rules.for_course(facts.course).empty())
    CERTD_LOG_INFO("student {} in {}: no certificate while the enrolment is not active ({})", facts.student_id,
                   facts.course, progress.enrolment_note.empty() ? connector::to_string(progress.enrolment)
                                                                 : progress.enrolment_note);
  CERTD_ASSIGN_OR_RETURN(rules::IssuedHistory history, history_of(m_store, facts.student_id));
  TimePoint now = m_clock.now();
  for (const rules::Rule* rule : m_school.rules.for_course(facts.course)) {
    rules::Decision decision = rules::evaluate(*rule, facts, history, now);
    switch (decision.outcome) {
      case rules::Outcome::issue: {
        CERTD_ASSIGN_OR_RETURN(bool room, quota_allows(jobs));
        if (!room) {
          // The month's quota is used up: the certificate waits, visibly,
          // in the teacher's queue; nothing is dropped.
          CERTD_TRY(check_lms_names(progress));
          store::NewPending waiting{decision.key.to_string(), rule->id, facts.student_id, facts.student_name,
                                    facts.course, quota_reason(), snapshot_json, to_unix(now),
                                    store::PendingWait::quota};
          CERTD_ASSIGN_OR_RETURN(store::Inserted added, m_store.add_pending(waiting));
          if (added.created) {
            ++stats.queued;
            CERTD_LOG_WARN("monthly quota of {} used up: {} waits (pending #{})", m_school.config.quota.per_month,
                           decision.key.to_string(), added.id);
          }
          break;
        }
        CERTD_ASSIGN_OR_RETURN(IssueJob job, job_for_rule(rule->id, progress, "automatic", "rule " + rule->id));
        job.key = decision.key;
        jobs.push_back({index, std::move(job)});
        break;
      }
      case rules::Outcome::pending: {
        CERTD_TRY(check_lms_names(progress));
        store::NewPending pending{decision.key.to_string(), rule->id, facts.student_id, facts.student_name,
                                  facts.course, "conditions met; waits for a teacher's approval", snapshot_json,
                                  to_unix(now)};
        CERTD_ASSIGN_OR_RETURN(store::Inserted added, m_store.add_pending(pending));
        if (added.created) {
          ++stats.queued;
          CERTD_LOG_INFO_F(log::Fields{{"STUDENT", facts.student_id}, {"RULE", rule->id}},
                           "queued {} for approval (pending #{})", decision.key.to_string(), added.id);
        }
        break;
      }
      case rules::Outcome::not_yet:
        ++stats.not_yet;
        CERTD_LOG_DEBUG("student {} rule {}: {}", facts.student_id, rule->id, decision.summary());
        break;
      case rules::Outcome::already_issued: break;
    }
  }
  return ok();
}

// The teacher's "issue now" mark inside the LMS: every rule of the course
// that has not issued yet is forced; the mark is cleared once it has.
Status EventProcessor::force(const connector::CourseProgress& progress, const connector::Change& change,
                             std::size_t index, std::vector<QueuedJob>& jobs) {
  if (!change.issue_now) return Error(ErrorCode::invalid_argument, "issue-now change without its mark");
  const connector::IssueNowMark& mark = *change.issue_now;
  rules::StudentFacts facts = facts_from_progress(progress);
  CERTD_ASSIGN_OR_RETURN(rules::IssuedHistory history, history_of(m_store, facts.student_id));
  if (!mark.teacher_name.empty())
    CERTD_TRY(check_display_text(mark.teacher_name, TextKind::name,
                                 "the name of the teacher who marked student " + std::to_string(mark.student) +
                                     " in the LMS"));
  std::string teacher = mark.teacher_name.empty() ? "teacher #" + std::to_string(mark.teacher_id) : mark.teacher_name;
  std::size_t before = jobs.size();
  std::string refusals;
  for (const rules::Rule* rule : m_school.rules.for_course(facts.course)) {
    auto decision = rules::force_issue(m_school.rules, rule->id, facts, history);
    if (!decision) {
      refusals += (refusals.empty() ? "" : "; ") + decision.error().message();
      continue;
    }
    CERTD_ASSIGN_OR_RETURN(IssueJob job, job_for_rule(rule->id, progress, "forced", teacher));
    job.key = decision->key;
    job.teacher = teacher;  // templates print the instructor: the one who forced it
    job.skipped_conditions = decision->unmet;
    job.clear_issue_now = issue_now_mark_to_json(mark);
    jobs.push_back({index, std::move(job)});
  }
  if (jobs.size() == before) {
    // Still clear the mark, or the teacher's tick would stay forever.
    store::NewOutboxItem clear{"lms.clear_issue_now", "lms.clear_issue_now:" + mark.key(),
                               json{{"mark", json::parse(issue_now_mark_to_json(mark))}}.dump()};
    CERTD_TRY(m_store.enqueue(clear, std::nullopt, to_unix(m_clock.now())));
    CERTD_LOG_WARN("issue-now for student {} in {} refused: {}", facts.student_id, facts.course, refusals);
    return Error(ErrorCode::invalid_argument, "issue now refused: " + refusals);
  }
  return ok();
}

}  // namespace certd::app
