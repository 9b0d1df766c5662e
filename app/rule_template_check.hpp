#pragma once
// "Can every rule be printed?": for each rule, the placeholders its
// template prints in fields that are not `optional`, set against what
// that rule's way of issuing really supplies (EventProcessor::job_for_rule,
// approve_pending, issue_now, issue_adhoc). A field left empty refuses the
// certificate at issue time; this finds it when the config is checked.
// Pure: rules, template specs and config values in, located findings out.

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "render/template.hpp"
#include "rules/rule.hpp"

namespace certd::app {

// How a certificate comes to be issued; each way supplies other values.
enum class Issuance {
  automatic,  // `issue: automatic` (also after the monthly quota): no one approves it
  approved,   // `issue: pending`, then `certd pending approve` (--notes is optional)
  forced,     // "issue now" on any rule: a teacher; the conditions are skipped
  adhoc,      // `certd issue`: no rule; teacher given, --notes and --course optional
};
const char* to_string(Issuance issuance);

// The issuance of a rule's own issue mode.
Issuance issuance_of(const rules::Rule& rule);

// The configuration values that reach a certificate.
struct IssuerFacts {
  std::string issuer_name;  // issuer.name: {{issuer.name}}
  std::string signatory;    // issuer.signatory: the teacher of automatic certificates
  // lms.teacher_roles is not empty: Moodle may name the teacher (the rater,
  // else the course's teacher), so a missing signatory is a note, not an error.
  bool teacher_from_lms = false;
};

// The placeholders that have a value on EVERY certificate issued this
// way, for every student. `rule` is null for ad-hoc.
std::set<render::Placeholder> supplied_placeholders(Issuance issuance, const rules::Rule* rule,
                                                    const IssuerFacts& facts);

struct RuleTemplateFindings {
  // The rule's own issue mode leaves a printed field empty: one error per
  // field and placeholder, at the rule's `template:`, with the way out.
  std::vector<Error> errors;
  // "Issue now" skips the conditions, so a field the mode fills (a grade,
  // the level's skills) may be empty for some students: said, not wrong.
  std::vector<Error> notes;
};

using TemplateSpecs = std::map<std::string, const render::TemplateSpec*, std::less<>>;

// Every rule is checked; a rule whose template is not in `templates` (it
// failed to load, and is reported already) is skipped.
RuleTemplateFindings check_rule_templates(const std::deque<rules::Rule>& rules, const TemplateSpecs& templates,
                                          const IssuerFacts& facts);

}  // namespace certd::app
