#pragma once
// What a teacher does from the CLI (and later the console): approve or
// hold pending certificates, "Issue now", ad-hoc awards, reissue and
// revoke. Each action is recorded as an event first (docs/architecture.md: every
// input becomes an event row) and is safe to repeat.

#include <string>
#include <vector>

#include "app/issue_job.hpp"
#include "app/runtime.hpp"
#include "connector/lms.hpp"
#include "rules/requests.hpp"
#include "store/revocation.hpp"

namespace certd::app {

// What a teacher action works with: the school, a store connection and an
// issuer over it. A command's Runtime is one; the daemon's console builds
// its own (app/console_backend.hpp). Thread-safety is the store's and the
// issuer's: one action at a time per Workbench.
struct Workbench {
  const School& school;
  store::Store& store;
  Issuer& issuer;
  const Clock& clock;
  std::string source = "cli";  // the source of the event each action records first

  Workbench(const School& s, store::Store& st, Issuer& i, const Clock& c) : school(s), store(st), issuer(i), clock(c) {}
  // A Runtime is a Workbench (implicit, so commands pass theirs as is).
  Workbench(Runtime& runtime)  // NOLINT(google-explicit-constructor)
      : school(runtime.school), store(*runtime.store), issuer(*runtime.issuer), clock(runtime.clock) {}
};

struct ApprovalResult {
  std::vector<std::string> issued;  // numbers
  std::vector<std::string> failed;  // "pending #3: why"
};

// Issues the selected pending entries (all open ones when `ids` is empty
// and `all`), with `notes` on each certificate; the rest stay queued.
Result<ApprovalResult> approve_pending(const Workbench& runtime, connector::Lms* lms, const std::vector<store::Id>& ids,
                                       bool all, const std::string& notes, const std::string& teacher);
Status hold_pending(const Workbench& runtime, const std::vector<store::Id>& ids, const std::string& teacher);

// "Issue now": the rule's certificate whatever the student's progress.
Result<IssueOutcome> issue_now(const Workbench& runtime, connector::Lms& lms, const std::string& student_id,
                               const std::string& rule_id, const std::string& teacher);

// What issue_now would do, without doing it (the console shows it before a
// teacher confirms): the student as the LMS has them, and either the
// rule's conditions they have not met, in a teacher's words (the ones the
// certificate would skip; empty: all are met), or the number the rule's
// certificate was already issued as (issue_now then refuses with
// conflict: reissue that one). Errors: those of issue_now before it
// issues (invalid_argument for an unknown rule, a student id that is not
// a number or a student not enrolled with active access; the LMS's).
struct IssueNowCheck {
  connector::CourseProgress progress;
  std::vector<std::string> unmet;
  std::string existing_number;
};
Result<IssueNowCheck> check_issue_now(const Workbench& runtime, connector::Lms& lms, const std::string& student_id,
                                      const std::string& rule_id);

struct AdhocDetails {
  rules::AdhocRequest request;
  std::string student_name;  // required unless the LMS provides it
  std::string student_email;
  std::string title;  // what the award is called; empty: the template's name
};

Result<IssueOutcome> issue_adhoc(const Workbench& runtime, connector::Lms* lms, AdhocDetails details);

// Revokes `number` with reason "reissued as NEW" and issues it again (next
// generation of its key, a new number) with what the original printed:
// student, course, level, teacher, notes, its expiry date, grade and
// skills (kept on the row; for rows from before schema version 9, only
// when the facts they came from were kept: see teacher_actions.cpp).
// The LMS gets a note naming both numbers and the profile field, if the
// original was written back. Returns the new certificate.
Result<IssueOutcome> reissue(const Workbench& runtime, const std::string& number, const std::string& teacher);
// Revokes `number`. The verification page says it was revoked, when, and
// `category` (issued in error, replaced, withdrawn); `reason` is the
// issuer's own note (reports, certd verify, the audit log), required and
// never shown publicly.
Status revoke(const Workbench& runtime, const std::string& number, store::RevocationCategory category,
              const std::string& reason, const std::string& teacher);

// Who is acting: `given`, else $USER; invalid_argument when neither
// names a person (no $USER, or root) or the name is not printable text
// (check_display_text, app/display_text.hpp).
Result<std::string> teacher_name(const std::string& given);

}  // namespace certd::app
