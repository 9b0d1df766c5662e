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
};

}  // namespace certd::console
