#pragma once
// Teacher requests that bypass the normal rule flow: "Issue now" (a
// rule's certificate regardless of progress) and ad-hoc certificates
// (no rule at all). Each returns what to issue, or a refusal whose
// message can be shown to the teacher as it is.

#include <set>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "rules/decision.hpp"
#include "rules/facts.hpp"
#include "rules/idempotency.hpp"
#include "rules/rule_set.hpp"

namespace certd::rules {

// Notes longer than this are refused: they must fit on a certificate.
inline constexpr std::size_t k_max_notes_length = 500;

// "Issue now" for `rule_id` and the student of `facts`. Skips unmet
// conditions (listed in Decision::unmet, for the record) and the rule's
// approval step, but still requires the rule, its course, and the student
// enrolled there with active access. The decision's outcome is `issue`
// and `forced` is true.
// Errors: not_found (no such rule), invalid_argument (facts of another
// course, not enrolled, access suspended), conflict (already issued:
// reissue it instead).
Result<Decision> force_issue(const RuleSet& rules, std::string_view rule_id, const StudentFacts& facts,
                             const IssuedHistory& issued);

struct AdhocRequest {
  std::string request_id;  // unique per teacher action (e.g. its event id)
  std::string student_id;
  std::string template_id;
  std::string course;   // optional: printed on the certificate
  std::string teacher;  // named on the certificate
  std::string notes;    // printed if the template has a notes field
};

struct AdhocIssue {
  AdhocRequest request;
  IdempotencyKey key;  // origin adhoc, source id = request id
};

// Checks an ad-hoc certificate request; needs no rule.
// Errors: invalid_argument (missing request id, student, template or
// teacher; unknown template; notes too long), each message naming it.
Result<AdhocIssue> check_adhoc(AdhocRequest request, const std::set<std::string>& template_ids);

}  // namespace certd::rules
