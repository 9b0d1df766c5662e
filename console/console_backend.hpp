#pragma once
// What the teacher console needs from the rest of certd. app implements it
// over the store, the school's rules and the teacher actions (the same
// ones the CLI runs); tests use a real store with a small school.
// Implementations must be thread-safe: handlers run on the HTTP pool.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/records.hpp"
#include "store/revocation.hpp"

namespace certd::console {

// One row of "Certificates to be issued".
struct QueueEntry {
  store::Id id = 0;
  std::string student_id;
  std::string student_name;
  std::string rule_id;
  std::string certificate;  // what it will be called: the rule's template name or title
  std::int64_t since = 0;
  std::string reason;  // why it waits, in a teacher's words
  bool held = false;
};

struct ApprovalOutcome {
  std::vector<std::string> issued;  // certificate numbers
  std::vector<std::string> failed;  // "Ada Lovelace: why", one per entry not issued
};

// "Issue now": a rule's certificate for a student of the course whatever
// their progress, after the teacher has seen what they have not met.
struct IssueNowStudent {
  std::string id;  // the LMS user id
  std::string name;
};
struct IssueNowRule {
  std::string id;
  std::string certificate;  // what it is called: its template's name
};
struct IssueNowChoices {
  std::vector<IssueNowStudent> students;  // enrolled with active access, by name
  std::vector<IssueNowRule> rules;        // the rules of the course
};
struct IssueNowPreview {
  std::string student_name;
  std::string certificate;
  std::vector<std::string> unmet;  // in a teacher's words; empty: every condition is met
  std::string existing_number;     // already issued as this: nothing to issue
};
struct IssueNowDone {
  std::string number;
  std::string student_name;
  std::string certificate;
  bool already_issued = false;  // issued before (by an earlier confirm, say): not again
};

// --- Issued certificates of a course (console/issued_page.hpp) ---

// Who acts from the console, as the audit log names them.
struct ConsoleActor {
  std::string user_key;      // the session's: LMS issuer and subject, or a local name
  std::string display_name;  // printed on a reissue's request, shown in reports
};

// A course's certificates that matched a search, newest first.
struct CertificateList {
  std::vector<store::CertificateRow> shown;  // at most the limit asked for
  std::size_t matched = 0;                   // all that matched, shown or not
};

// One certificate and the e-mails sent about it.
struct CertificateDetail {
  store::CertificateRow row;
  std::vector<store::NotificationRow> deliveries;  // oldest first
};

struct ResendOutcome {
  int queued = 0;   // e-mails queued again
  int skipped = 0;  // not sent yet, claimed, or resent as often as allowed
};

// --- Ad-hoc awards of a course (console/award_page.cpp) ---

// A template an award may print, as the school's templates name it.
struct AwardTemplate {
  std::string id;
  std::string name;  // its spec().name: "Encouragement award"
};
// One award for some of a course's students, as the teacher typed it.
struct AwardRequest {
  std::string template_id;
  std::vector<std::string> student_ids;  // LMS user ids
  std::string title;  // what the award is called; empty: the template's name
  std::string notes;
  std::string request_id;  // made when the teacher previewed: the same confirm issues nothing twice
};
struct AwardIssued {
  std::string student_name;
  std::string number;
  bool already_issued = false;  // by an earlier confirm of the same preview
};
struct AwardOutcome {
  std::vector<AwardIssued> issued;
  std::vector<std::string> failed;  // "Ada Lovelace: why", one per student not issued
};

// --- CSV batches of a course (console/batches_page.cpp) ---

struct BatchTemplateChoice {
  std::string id;
  std::string name;  // what the template calls itself
};

// A batch with its progress.
struct BatchSummary {
  store::Id id = 0;
  std::string file_name;
  std::string template_id;
  std::string status;  // running | done | cancelled
  std::int64_t total = 0;
  std::int64_t issued = 0;
  std::int64_t failed = 0;
  std::int64_t cancelled = 0;
  std::int64_t created_at = 0;
  std::string created_by;
};

struct BatchFailure {
  int line = 0;  // of the CSV file
  std::string student;
  std::string name;
  std::string reason;
};

struct BatchDetail {
  BatchSummary summary;
  std::vector<BatchFailure> failed;  // every failed row, by line
};

// A CSV file a teacher uploaded, to be checked.
struct BatchUpload {
  std::string owner;  // the session's user key: only they may start it
  std::string file_name;
  std::string csv;
  std::string template_id;
  bool skip_bad = false;
};

struct BatchCheck {
  std::vector<std::string> errors;  // "line 4: why", one per bad row, by line
  int good_rows = 0;
  // Names the checked rows, kept by the backend for start_batch (for a
  // while, for the same owner); empty when nothing can start (bad rows
  // without skip_bad, or no good row).
  std::string ticket;
};

struct BatchHolder {
  store::Id batch = 0;
  std::string status;  // running | done
  int rows = 0;        // rows of the file it holds
};

struct BatchStarted {
  std::optional<store::Id> batch;    // none: every row is already in a batch
  int new_rows = 0;
  std::vector<BatchHolder> already;  // batches that hold rows of the file
};

// --- Reports of a course (console/reports_page.cpp) ---

// Rows a report holds of each kind, newest first: a school's course has
// hundreds, not tens of thousands; the totals say when more exist.
inline constexpr std::size_t k_report_rows = 10000;

// The school's monthly quota, as `certd status` counts it: certificates
// of every course issued in this calendar month (UTC).
struct MonthlyQuota {
  std::string month;           // "2026-12"
  std::int64_t used = 0;
  std::int64_t per_month = 0;  // 0: no quota
  std::int64_t left = 0;       // per_month - used, never below 0; 0 without a quota
};

// What was issued in a course, what was e-mailed about it and who checked
// it, for the Reports page and its CSV files.
struct CourseReport {
  // The course's certificates as course_certificates finds them.
  std::vector<store::CertificateRow> certificates;
  std::size_t certificates_total = 0;
  // The e-mails about those certificates ("when" is claimed_at, else sent_at).
  std::vector<store::NotificationRow> deliveries;
  std::size_t deliveries_total = 0;
  // The checks of those certificates: verification page, JSON or CLI.
  std::vector<store::VerificationRow> verifications;
  std::size_t verifications_total = 0;
  MonthlyQuota quota;
};

class ConsoleBackend {
 public:
  virtual ~ConsoleBackend() = default;

  // Sign-in plumbing (store/store.hpp has the contracts).
  virtual Status put_lti_state(const store::NewLtiState& state, std::int64_t now, std::int64_t max_live) = 0;
  virtual Result<std::optional<store::LtiStateRow>> take_lti_state(const std::string& state, std::int64_t now) = 0;
  virtual Status create_session(const store::NewSession& session) = 0;
  virtual Result<std::optional<store::SessionRow>> session(const std::string& token_hash, std::int64_t now) = 0;
  virtual Status touch_session(const std::string& token_hash, std::int64_t now, std::int64_t idle_expires_at) = 0;
  virtual Status delete_session(const std::string& token_hash) = 0;
  virtual Status audit(const store::NewAuditEntry& entry) = 0;

  // The queue of one course (shortname), open entries then held ones.
  virtual Result<std::vector<QueueEntry>> queue(const std::string& course) = 0;
  // Issues the entries `ids` of `course` with `notes`, as `teacher`; an
  // id that is not an open or held entry of that course fails alone.
  virtual Result<ApprovalOutcome> approve(const std::string& course, const std::vector<store::Id>& ids,
                                          const std::string& notes, const std::string& teacher) = 0;
  // Holds the entries `ids` of `course`: they stay, unticked, for later.
  virtual Status hold(const std::string& course, const std::vector<store::Id>& ids, const std::string& teacher) = 0;

  // A student's own certificates, newest first.
  virtual Result<std::vector<store::CertificateRow>> certificates_of(const std::string& student_id) = 0;
  virtual Result<std::optional<store::CertificateRow>> certificate(const std::string& number) = 0;
  virtual Result<std::string> pdf_bytes(const store::CertificateRow& certificate) = 0;

  // Local accounts and API tokens (local_sign_in.hpp, api.hpp; the store
  // has the contracts).
  virtual Result<std::optional<store::LocalUserRow>> local_user(const std::string& name) = 0;
  // Whether `password` matches the argon2id `password_hash`. An empty hash
  // spends the time of one check and answers false, so that an unknown
  // name takes as long as a wrong password. Slow on purpose: must not
  // hold a lock that other requests need.
  virtual bool password_matches(const std::string& password_hash, const std::string& password) = 0;
  virtual Status record_login_failure(const std::string& name, std::int64_t now, int max_failures,
                                      std::int64_t lock_seconds) = 0;
  virtual Status record_login_success(const std::string& name) = 0;
  virtual Result<std::optional<store::ApiTokenRow>> api_token(const std::string& token_hash) = 0;
  virtual Status touch_api_token(store::Id id, std::int64_t now) = 0;
  // The course shortnames the rules name, sorted: an admin's choice.
  virtual std::vector<std::string> rule_courses() = 0;

  // "Issue now" in `course`. Each call checks that the rule is one of the
  // course's (else invalid_argument) and that the student is enrolled in
  // it with active access (else not_found), whatever the form said. The
  // LMS is read each time: unavailable when it is not there or does not
  // answer (the message says which).
  virtual Result<IssueNowChoices> issue_now_choices(const std::string& course) = 0;
  virtual Result<IssueNowPreview> preview_issue_now(const std::string& course, const std::string& student_id,
                                                    const std::string& rule_id) = 0;
  // Issues it as kind "forced", once per rule, student and course: when it
  // exists already, returns that one with already_issued.
  virtual Result<IssueNowDone> issue_now(const std::string& course, const std::string& student_id,
                                         const std::string& rule_id, const std::string& teacher) = 0;

  // --- Issued certificates of a course (console/issued_page.hpp) ---
  // A certificate is of a course by its rule, else by the course it names
  // (app/console_backend_issued.cpp says exactly how); a number of another
  // course is not_found, as one never issued. `query` matches the number,
  // the student's name or id, case-insensitively; empty: everything.
  virtual Result<CertificateList> course_certificates(const std::string& course, const std::string& query,
                                                      std::size_t limit) = 0;
  virtual Result<CertificateDetail> certificate_detail(const std::string& course, const std::string& number) = 0;
  // The new certificate's number. Each action is in the audit log once,
  // naming `teacher`.
  virtual Result<std::string> reissue(const std::string& course, const std::string& number,
                                      const ConsoleActor& teacher) = 0;
  // `reason` is required: the school's own note, never shown publicly.
  virtual Status revoke(const std::string& course, const std::string& number, store::RevocationCategory category,
                        const std::string& reason, const ConsoleActor& teacher) = 0;
  // Queues the certificate's sent, unclaimed e-mails again, within the
  // same limit as `certd notify resend`.
  virtual Result<ResendOutcome> resend(const std::string& course, const std::string& number,
                                       const ConsoleActor& teacher) = 0;

  // --- CSV batches of a course (console/batches_page.cpp) ---
  // A batch is of a course when every row names it; a teacher imports for
  // their course only, so every batch started here is of its course.
  virtual Result<std::vector<BatchTemplateChoice>> batch_templates() = 0;
  // Newest first.
  virtual Result<std::vector<BatchSummary>> course_batches(const std::string& course) = 0;
  // Checks the file as `certd batch import` does (app/batch_csv.hpp) and
  // refuses, by line, a row whose course is empty or not `course`.
  // invalid_argument for an unknown template.
  virtual Result<BatchCheck> check_batch(const std::string& course, const BatchUpload& upload) = 0;
  // Starts the checked rows of `ticket` as `certd batch import` does; the
  // daemon issues them. not_found when the ticket is unknown, expired,
  // used, or not `owner`'s.
  virtual Result<BatchStarted> start_batch(const std::string& course, const std::string& ticket,
                                           const std::string& owner, const ConsoleActor& teacher) = 0;
  // A batch of another course is not_found, as one that does not exist.
  virtual Result<BatchDetail> course_batch(const std::string& course, store::Id id) = 0;
  // Cancels it as `certd batch cancel` does; returns how many certificates
  // it issued are revoked. `reason` is required.
  virtual Result<std::int64_t> cancel_batch(const std::string& course, store::Id id, const std::string& reason,
                                            const ConsoleActor& teacher) = 0;

  // --- Ad-hoc awards of a course (console/award_page.cpp) ---
  // The school's templates, by name: any of them may print an award.
  virtual Result<std::vector<AwardTemplate>> award_templates() = 0;
  // The first student's award, naming `teacher`, rendered unsigned and
  // stamped PREVIEW as `certd preview` does: never signed, never stored. Both calls check
  // what the form said: the template is the school's, each student is
  // enrolled in `course` with active access (else not_found), the title
  // and notes are printable text (else invalid_argument).
  virtual Result<std::string> award_preview_pdf(const std::string& course, const AwardRequest& request,
                                                const std::string& teacher) = 0;
  // One ad-hoc certificate (kind "adhoc") per student, `course` as its
  // context and `teacher` named on it; the request id makes it once per
  // student however often the same preview is confirmed.
  virtual Result<AwardOutcome> award(const std::string& course, const AwardRequest& request,
                                     const std::string& teacher) = 0;

  // --- Reports of a course (console/reports_page.cpp) ---
  // Each list newest first and at most k_report_rows long; the quota is
  // the month (UTC) holding `now`.
  virtual Result<CourseReport> course_report(const std::string& course, std::int64_t now) = 0;

  // --- /metrics (console/api.cpp) ---
  // The school's figures in the Prometheus text format: what the store
  // holds at `now` and what this process counted since it started.
  virtual Result<std::string> metrics_text(std::int64_t now) = 0;
};

}  // namespace certd::console
