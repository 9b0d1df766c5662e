#pragma once
// Decides, for one student and one rule, whether to issue, queue for
// approval, wait, or do nothing because it was issued already. Pure and
// thread-safe: values in, a Decision out; `now` is a parameter.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "rules/decision.hpp"
#include "rules/facts.hpp"
#include "rules/rule.hpp"

namespace certd::rules {

// In order:
// 1. already_issued if `issued` holds a certificate of this rule and
//    course, revoked or not (a revoked certificate comes back only by an
//    explicit reissue). Exception: an expired one is renewed (the next
//    generation) once the student completed the course again after it
//    was issued.
// 2. not_yet if the facts are not about the rule's course or the student
//    is not enrolled there with active access.
// 3. issue or pending (the rule's issue mode) if the conditions hold,
//    with the level change when the rule has a progression.
// 4. not_yet otherwise, with every unmet condition in words.
// Allocates only for its result: reasons are built for not_yet alone.
// Requires: `rule` outlives the returned Decision.
Decision evaluate(const Rule& rule, const StudentFacts& facts, const IssuedHistory& issued, TimePoint now);

// Whether the rule's conditions hold (step 3 without the rest).
bool conditions_hold(const Condition& condition, const StudentFacts& facts);

// The unmet conditions of `condition` in a teacher's words; empty when
// it holds.
std::vector<std::string> unmet_conditions(const Condition& condition, const StudentFacts& facts);

// The latest generation of this rule's certificate for its course in
// `issued`, or nullptr.
const IssuedCertificate* latest_issued(const Rule& rule, const IssuedHistory& issued);

// When a certificate issued at `issued_at` under `rule` expires, if ever.
std::optional<TimePoint> expiry_of(const Rule& rule, TimePoint issued_at);

}  // namespace certd::rules
