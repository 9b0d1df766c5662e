// What each way of issuing supplies mirrors the code that fills the
// IssueJob: job_for_rule (student, course, level, grade, skills, expiry;
// issuer.signatory as the teacher), approve_pending and issue_now (the
// acting teacher; --notes is optional), issue_adhoc (no rule, no facts).
// Only what is there for every student counts: a grade exists on every
// certificate only when the conditions cannot hold without one.

#include "app/rule_template_check.hpp"

#include "rules/condition_reads.hpp"

namespace certd::app {
namespace {

using render::Placeholder;

std::string quoted(const std::string& text) { return "'" + text + "'"; }

std::string braces(Placeholder p) { return std::string("{{") + render::to_string(p) + "}}"; }

// Why `issuance` of `rule` leaves `p` empty, and the ways out.
std::string why_missing(Placeholder p, Issuance issuance, const rules::Rule& rule) {
  switch (p) {
    case Placeholder::teacher_name:
      return "no teacher approves an automatic certificate; set issuer.signatory (printed as the teacher), make "
             "the field optional, or change the rule to issue: pending";
    case Placeholder::notes:
      return std::string(issuance == Issuance::automatic ? "automatic certificates have no notes"
                                                         : "an approval may come without --notes") +
             "; make the field optional (only ad-hoc awards and approvals given --notes have notes)";
    case Placeholder::expires_on:
      return "the rule has no expires_after; add one (e.g. expires_after: 2y) or make the field optional";
    case Placeholder::grade:
      return "its conditions do not require a grade (min_grade), so a student may have none; add a min_grade "
             "condition or make the field optional";
    case Placeholder::level:
      return "its conditions name no level (all_skills_proficient outside a not:); add one or make the field "
             "optional";
    case Placeholder::skills:
      if (const rules::Condition* level = rules::certified_level(rule.when))
        return "the skills of " + quoted(level->level) +
               " are known only when its all_skills_proficient must hold, not as one choice of an any: or under "
               "a not:; make the field optional";
      return "its conditions name no level (all_skills_proficient) whose skills would be printed; add one or make "
             "the field optional";
    case Placeholder::issuer_name:
      return "issuer.name is not set; set it in the config or make the field optional";
    // Supplied by every way of issuing (supplied_placeholders); named so
    // that a new placeholder is a -Wswitch error here until its gap is
    // explained.
    case Placeholder::student_name:
    case Placeholder::course_name:
    case Placeholder::title:
    case Placeholder::certificate_number:
    case Placeholder::issued_on: break;
  }
  return "make the field optional";
}

void add_rule_values(const rules::Rule& rule, Issuance issuance, std::set<Placeholder>& supplied) {
  supplied.insert(Placeholder::course_name);  // the LMS's full name, else the shortname
  if (rule.expires_after) supplied.insert(Placeholder::expires_on);
  const rules::Condition* level = rules::certified_level(rule.when);
  if (level) supplied.insert(Placeholder::level);  // from the rule itself, whatever the facts
  // "Issue now" skips the conditions: it has whatever facts the student has.
  if (issuance == Issuance::forced) return;
  if (rules::holds_only_with_grade(rule.when)) supplied.insert(Placeholder::grade);
  if (level && rules::holds_only_with_skills_of(rule.when, *level)) supplied.insert(Placeholder::skills);
}

struct Check {
  const rules::Rule& rule;
  const render::TemplateSpec& spec;
  Issuance issuance;
};

// Each placeholder in `missing` that a field that is not optional prints,
// once per field.
template <typename Report>
void each_printed(const render::TemplateSpec& spec, const std::set<Placeholder>& missing, const Report& report) {
  for (const render::TextField& field : spec.fields) {
    if (field.optional) continue;
    std::set<Placeholder> reported;
    for (const render::TextPiece& piece : field.text)
      if (piece.placeholder && missing.count(*piece.placeholder) && reported.insert(*piece.placeholder).second)
        report(field, *piece.placeholder);
  }
}

// The placeholders of `all` that are not in `have`.
std::set<Placeholder> minus(const std::set<Placeholder>& all, const std::set<Placeholder>& have) {
  std::set<Placeholder> rest;
  for (Placeholder p : all)
    if (have.count(p) == 0) rest.insert(p);
  return rest;
}

std::string prefix(const Check& check, const render::TextField& field, Placeholder p) {
  return "rule " + quoted(check.rule.id) + ": template " + quoted(check.spec.id) + " field " + quoted(field.name) +
         " prints " + braces(p);
}

}  // namespace

const char* to_string(Issuance issuance) {
  switch (issuance) {
    case Issuance::automatic: return "automatic";
    case Issuance::approved: return "approved";
    case Issuance::forced: return "issue now";
    case Issuance::adhoc: return "ad-hoc";
  }
  return "unknown";
}

Issuance issuance_of(const rules::Rule& rule) {
  return rule.issue == rules::IssueMode::automatic ? Issuance::automatic : Issuance::approved;
}

std::set<Placeholder> supplied_placeholders(Issuance issuance, const rules::Rule* rule, const IssuerFacts& facts) {
  // Every certificate: the student's name (from the LMS, or --name for
  // ad-hoc), its number, its date and its title (a rule's course name or
  // shortname; an ad-hoc award's --title, else its template's name).
  std::set<Placeholder> supplied{Placeholder::student_name, Placeholder::certificate_number, Placeholder::issued_on,
                                 Placeholder::title};
  if (!facts.issuer_name.empty()) supplied.insert(Placeholder::issuer_name);
  // Approvals, "issue now" and ad-hoc all need --teacher or $USER.
  if (issuance != Issuance::automatic || !facts.signatory.empty()) supplied.insert(Placeholder::teacher_name);
  if (rule && issuance != Issuance::adhoc) add_rule_values(*rule, issuance, supplied);
  return supplied;
}

RuleTemplateFindings check_rule_templates(const std::deque<rules::Rule>& rules, const TemplateSpecs& templates,
                                          const IssuerFacts& facts) {
  RuleTemplateFindings findings;
  for (const rules::Rule& rule : rules) {
    auto found = templates.find(rule.template_id);
    if (found == templates.end() || !found->second) continue;
    const Check own{rule, *found->second, issuance_of(rule)};
    const std::set<Placeholder> all(render::all_placeholders().begin(), render::all_placeholders().end());
    const std::set<Placeholder> supplied = supplied_placeholders(own.issuance, &rule, facts);
    // The teacher of an automatic certificate may come from Moodle; only a
    // student whose course names nobody waits (its event fails, is kept
    // and retried), which is worth saying, not wrong.
    const bool teacher_maybe = own.issuance == Issuance::automatic && facts.teacher_from_lms && facts.signatory.empty();
    std::set<Placeholder> lacking = minus(all, supplied);
    if (teacher_maybe && lacking.erase(Placeholder::teacher_name))
      each_printed(own.spec, {Placeholder::teacher_name}, [&](const render::TextField& field, Placeholder p) {
        findings.notes.emplace_back(ErrorCode::invalid_argument,
                                    prefix(own, field, p) + ": the teacher comes from Moodle (who rated the "
                                    "skills, else the course's teacher by lms.teacher_roles); a student whose "
                                    "course names nobody waits until issuer.signatory is set",
                                    rule.template_where);
      });
    each_printed(own.spec, lacking, [&](const render::TextField& field, Placeholder p) {
      findings.errors.emplace_back(ErrorCode::invalid_argument,
                                   prefix(own, field, p) + ", which this rule (issue: " +
                                       rules::to_string(rule.issue) + ") cannot supply: " +
                                       why_missing(p, own.issuance, rule),
                                   rule.template_where);
    });
    // Only what "issue now" lacks beyond the mode's own gaps, which are
    // errors above already.
    const std::set<Placeholder> forced_lacks =
        minus(supplied, supplied_placeholders(Issuance::forced, &rule, facts));
    each_printed(own.spec, forced_lacks, [&](const render::TextField& field, Placeholder p) {
      findings.notes.emplace_back(ErrorCode::invalid_argument,
                                  prefix(own, field, p) + ", which \"issue now\" (it skips the conditions) leaves "
                                  "empty for a student without it, and such a certificate is refused; make the "
                                  "field optional to allow it",
                                  rule.template_where);
    });
  }
  return findings;
}

}  // namespace certd::app
