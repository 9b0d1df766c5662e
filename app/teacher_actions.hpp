#pragma once
// What a teacher does from the CLI (and later the console): approve or
// hold pending certificates, "Issue now", ad-hoc awards, reissue and
// revoke. Each action is recorded as an event first (docs/architecture.md: every
// input becomes an event row) and is safe to repeat.

#include <string>
#include <vector>

#include "app/issue_job.hpp"
#include "app/runtime.hpp"
#include "rules/requests.hpp"
#include "store/revocation.hpp"

namespace certd::app {

struct ApprovalResult {
  std::vector<std::string> issued;  // numbers
  std::vector<std::string> failed;  // "pending #3: why"
};

// Issues the selected pending entries (all open ones when `ids` is empty
// and `all`), with `notes` on each certificate; the rest stay queued.
Result<ApprovalResult> approve_pending(Runtime& runtime, connector::Lms* lms, const std::vector<store::Id>& ids,
                                       bool all, const std::string& notes, const std::string& teacher);
Status hold_pending(Runtime& runtime, const std::vector<store::Id>& ids, const std::string& teacher);

// "Issue now": the rule's certificate whatever the student's progress.
Result<IssueOutcome> issue_now(Runtime& runtime, connector::Lms& lms, const std::string& student_id,
                               const std::string& rule_id, const std::string& teacher);

struct AdhocDetails {
  rules::AdhocRequest request;
  std::string student_name;  // required unless the LMS provides it
  std::string student_email;
  std::string title;  // what the award is called; empty: the template's name
};

Result<IssueOutcome> issue_adhoc(Runtime& runtime, connector::Lms* lms, AdhocDetails details);

// Revokes `number` with reason "reissued as NEW" and issues it again (next
// generation of its key, a new number) with what the original printed:
// student, course, level, teacher, notes, its expiry date, grade and
// skills (kept on the row; for rows from before schema version 9, only
// when the facts they came from were kept: see teacher_actions.cpp).
// The LMS gets a note naming both numbers and the profile field, if the
// original was written back. Returns the new certificate.
Result<IssueOutcome> reissue(Runtime& runtime, const std::string& number, const std::string& teacher);
// Revokes `number`. The verification page says it was revoked, when, and
// `category` (issued in error, replaced, withdrawn); `reason` is the
// issuer's own note (reports, certd verify, the audit log), required and
// never shown publicly.
Status revoke(Runtime& runtime, const std::string& number, store::RevocationCategory category,
              const std::string& reason, const std::string& teacher);

// Who is acting: `given`, else $USER; invalid_argument when neither
// names a person (no $USER, or root) or the name is not printable text
// (check_display_text, app/display_text.hpp).
Result<std::string> teacher_name(const std::string& given);

}  // namespace certd::app
