#include "rules/requests.hpp"

#include "rules/evaluator.hpp"

namespace certd::rules {
namespace {

Error refusal(ErrorCode code, std::string message) { return Error(code, std::move(message)); }

Status check_enrolment(const Rule& rule, const StudentFacts& facts) {
  const std::string who = "student " + facts.student_id;
  if (facts.course != rule.course || facts.enrolment == Enrolment::not_enrolled)
    return refusal(ErrorCode::invalid_argument,
                   "cannot issue now: " + who + " is not enrolled in " + rule.course + " (rule '" + rule.id + "')");
  if (facts.enrolment == Enrolment::suspended)
    return refusal(ErrorCode::invalid_argument,
                   "cannot issue now: " + who + " has no active access to " + rule.course + " (suspended)");
  return ok();
}

Status require(const std::string& value, const char* what) {
  if (value.empty()) return refusal(ErrorCode::invalid_argument, std::string("ad-hoc certificate: ") + what + " is required");
  return ok();
}

}  // namespace

Result<Decision> force_issue(const RuleSet& rules, std::string_view rule_id, const StudentFacts& facts,
                             const IssuedHistory& issued) {
  const Rule* rule = rules.find(rule_id);
  if (!rule) return refusal(ErrorCode::not_found, "cannot issue now: there is no rule '" + std::string(rule_id) + "'");
  CERTD_TRY(check_enrolment(*rule, facts));
  // Expired or revoked, an existing certificate comes back only through
  // an explicit reissue (its next generation), never a second "first".
  if (const IssuedCertificate* last = latest_issued(*rule, issued))
    return refusal(ErrorCode::conflict, "cannot issue now: rule '" + rule->id + "' was already issued to student " +
                                            facts.student_id + " as " + last->number +
                                            "; reissue that certificate instead");
  Decision decision;
  decision.outcome = Outcome::issue;
  decision.rule = rule;
  decision.forced = true;
  decision.key = rule_key(rule->id, facts.student_id, rule->course);
  decision.unmet = unmet_conditions(rule->when, facts);
  if (rule->progression)
    decision.level_change = LevelChange{facts.student_id, rule->course, rule->progression->next_course};
  return decision;
}

Result<AdhocIssue> check_adhoc(AdhocRequest request, const std::set<std::string>& template_ids) {
  CERTD_TRY(require(request.request_id, "a request id"));
  CERTD_TRY(require(request.student_id, "a student"));
  CERTD_TRY(require(request.template_id, "a template"));
  CERTD_TRY(require(request.teacher, "a teacher"));
  if (template_ids.count(request.template_id) == 0)
    return refusal(ErrorCode::invalid_argument, "ad-hoc certificate: unknown template '" + request.template_id + "'");
  if (request.notes.size() > k_max_notes_length)
    return refusal(ErrorCode::invalid_argument, "ad-hoc certificate: notes are " + std::to_string(request.notes.size()) +
                                                    " characters; at most " + std::to_string(k_max_notes_length) +
                                                    " fit on a certificate");
  IdempotencyKey key{Origin::adhoc, request.request_id, request.student_id, request.course, 1};
  return AdhocIssue{std::move(request), std::move(key)};
}

}  // namespace certd::rules
