#include "rules/evaluator.hpp"

#include <cstdio>

#include "core/time_format.hpp"

namespace certd::rules {
namespace {

// Grades often arrive as points * 100 / maximum, where 24 / 30 * 100 is
// 79.99999999999999; an inclusive minimum of 80 must accept that.
constexpr double k_grade_tolerance = 1e-9;

// "80", "79.5", "66.67": what a teacher would write.
std::string percent(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  std::string s = text;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s + "%";
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

bool grade_at_least(const StudentFacts& facts, double minimum) {
  return facts.grade_percent && *facts.grade_percent >= minimum - k_grade_tolerance;
}

bool completed_in_range(const Condition& c, const StudentFacts& facts) {
  if (!facts.completed || !facts.completed_at) return false;
  return (!c.from || *facts.completed_at >= *c.from) && (!c.to || *facts.completed_at <= *c.to);
}

// The first entry for `name` across the facts' frameworks and levels.
const Skill* find_skill(const StudentFacts& facts, const std::string& name) {
  for (const SkillLevel& level : facts.skills)
    for (const Skill& skill : level.skills)
      if (skill.name == name) return &skill;
  return nullptr;
}

bool level_proficient(const Condition& c, const StudentFacts& facts) {
  const SkillLevel* level = facts.find_level(c.framework, c.level);
  if (!level || level->skills.empty()) return false;
  for (const Skill& skill : level->skills)
    if (!skill.proficient) return false;
  return true;
}

bool skills_proficient(const Condition& c, const StudentFacts& facts) {
  for (const std::string& name : c.skills) {
    const Skill* skill = find_skill(facts, name);
    if (!skill || !skill->proficient) return false;
  }
  return true;
}

bool profile_field_equals(const Condition& c, const StudentFacts& facts) {
  auto found = facts.profile_fields.find(c.field);
  return found != facts.profile_fields.end() && found->second == c.value;
}

// The condition in words, as something that holds ("grade at least 80%");
// used to explain an unmet `not`.
std::string describe(const Condition& c);

std::string describe_children(const Condition& c, const char* separator) {
  std::vector<std::string> parts;
  for (const Condition& child : c.children) parts.push_back(describe(child));
  return parts.size() == 1 ? parts.front() : "(" + join(parts, separator) + ")";
}

std::string describe_range(const Condition& c) {
  if (c.from && c.to) return "between " + format_date(*c.from) + " and " + format_date(*c.to);
  if (c.from) return "on or after " + format_date(*c.from);
  return "on or before " + format_date(*c.to);
}

std::string describe(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::all: return describe_children(c, " and ");
    case Condition::Kind::any: return describe_children(c, " or ");
    case Condition::Kind::negation: return "not " + describe(c.children.front());
    case Condition::Kind::course_completed: return c.completed ? "course completed" : "course not completed";
    case Condition::Kind::min_grade: return "grade at least " + percent(c.min_grade);
    case Condition::Kind::all_skills_proficient: return "all " + c.level + " skills proficient";
    case Condition::Kind::skills_proficient: return "skills proficient: " + join(c.skills, ", ");
    case Condition::Kind::completed_between: return "completed " + describe_range(c);
    case Condition::Kind::profile_field_equals: return "profile field " + quoted(c.field) + " is " + quoted(c.value);
  }
  return "?";
}

void explain(const Condition& c, const StudentFacts& facts, std::vector<std::string>& out);

void explain_level(const Condition& c, const StudentFacts& facts, std::vector<std::string>& out) {
  const SkillLevel* level = facts.find_level(c.framework, c.level);
  if (!level || level->skills.empty()) {
    out.push_back("no " + c.level + " skills of " + c.framework + " recorded");
    return;
  }
  std::vector<std::string> missing;
  for (const Skill& skill : level->skills)
    if (!skill.proficient) missing.push_back(skill.name);
  out.push_back(std::to_string(missing.size()) + " of " + std::to_string(level->skills.size()) + " " + c.level +
                " skills not proficient (" + join(missing, ", ") + ")");
}

void explain_skills(const Condition& c, const StudentFacts& facts, std::vector<std::string>& out) {
  std::vector<std::string> missing;
  for (const std::string& name : c.skills) {
    const Skill* skill = find_skill(facts, name);
    if (!skill) missing.push_back(name + ": not assessed");
    else if (!skill->proficient) missing.push_back(name);
  }
  out.push_back(std::to_string(missing.size()) + " of " + std::to_string(c.skills.size()) +
                " skills not proficient (" + join(missing, ", ") + ")");
}

void explain_grade(const Condition& c, const StudentFacts& facts, std::vector<std::string>& out) {
  if (!facts.grade_percent) out.push_back("no grade yet (" + percent(c.min_grade) + " needed)");
  else out.push_back("grade " + percent(*facts.grade_percent) + " is below " + percent(c.min_grade));
}

void explain_range(const Condition& c, const StudentFacts& facts, std::vector<std::string>& out) {
  if (!facts.completed) out.push_back("course not completed");
  else if (!facts.completed_at) out.push_back("completion date unknown (must be " + describe_range(c) + ")");
  else out.push_back("completed on " + format_date(*facts.completed_at) + ", not " + describe_range(c));
}

void explain_field(const Condition& c, const StudentFacts& facts, std::vector<std::string>& out) {
  auto found = facts.profile_fields.find(c.field);
  if (found == facts.profile_fields.end() || found->second.empty())
    out.push_back("profile field " + quoted(c.field) + " is not set (must be " + quoted(c.value) + ")");
  else
    out.push_back("profile field " + quoted(c.field) + " is " + quoted(found->second) + ", not " + quoted(c.value));
}

void explain_any(const Condition& c, const StudentFacts& facts, std::vector<std::string>& out) {
  std::vector<std::string> reasons;
  for (const Condition& child : c.children) explain(child, facts, reasons);
  out.push_back(c.children.size() == 1 ? join(reasons, "; ") : "none of these holds: " + join(reasons, " / "));
}

// Appends why `c` does not hold; nothing if it holds.
void explain(const Condition& c, const StudentFacts& facts, std::vector<std::string>& out) {
  if (conditions_hold(c, facts)) return;
  switch (c.kind) {
    case Condition::Kind::all:
      if (c.children.empty()) out.push_back("the rule has no conditions");
      for (const Condition& child : c.children) explain(child, facts, out);
      return;
    case Condition::Kind::any: return explain_any(c, facts, out);
    case Condition::Kind::negation: out.push_back("must not be: " + describe(c.children.front())); return;
    case Condition::Kind::course_completed:
      out.push_back(c.completed ? "course not completed" : "course already completed");
      return;
    case Condition::Kind::min_grade: return explain_grade(c, facts, out);
    case Condition::Kind::all_skills_proficient: return explain_level(c, facts, out);
    case Condition::Kind::skills_proficient: return explain_skills(c, facts, out);
    case Condition::Kind::completed_between: return explain_range(c, facts, out);
    case Condition::Kind::profile_field_equals: return explain_field(c, facts, out);
  }
}

// An expired certificate is renewed once the course was completed again
// after it was issued (a first-aid refresher); a revoked one never is.
bool renewable(const IssuedCertificate& last, const StudentFacts& facts, TimePoint now) {
  return !last.revoked && last.expires_at && *last.expires_at <= now && facts.completed && facts.completed_at &&
         *facts.completed_at > last.issued_at;
}

std::optional<std::string> enrolment_problem(const Rule& rule, const StudentFacts& facts) {
  if (facts.course != rule.course || facts.enrolment == Enrolment::not_enrolled)
    return "not enrolled in " + rule.course;
  if (facts.enrolment == Enrolment::suspended) return "access to " + rule.course + " is suspended";
  return std::nullopt;
}

Decision already_issued(const Rule& rule, const StudentFacts& facts, const IssuedCertificate& last) {
  Decision decision;
  decision.outcome = Outcome::already_issued;
  decision.rule = &rule;
  decision.key = rule_key(rule.id, facts.student_id, rule.course, last.generation);
  decision.existing_number = last.number;
  return decision;
}

Decision not_yet(const Rule& rule, std::vector<std::string> unmet) {
  Decision decision;
  decision.rule = &rule;
  decision.unmet = std::move(unmet);
  return decision;
}

Decision to_issue(const Rule& rule, const StudentFacts& facts, int generation) {
  Decision decision;
  decision.outcome = rule.issue == IssueMode::automatic ? Outcome::issue : Outcome::pending;
  decision.rule = &rule;
  decision.key = rule_key(rule.id, facts.student_id, rule.course, generation);
  if (rule.progression)
    decision.level_change = LevelChange{facts.student_id, rule.course, rule.progression->next_course};
  return decision;
}

}  // namespace

bool conditions_hold(const Condition& c, const StudentFacts& facts) {
  switch (c.kind) {
    case Condition::Kind::all:
      // Never vacuously true: a rule built without conditions must not
      // issue to everyone (the parser refuses an empty `all` anyway).
      if (c.children.empty()) return false;
      for (const Condition& child : c.children)
        if (!conditions_hold(child, facts)) return false;
      return true;
    case Condition::Kind::any:
      for (const Condition& child : c.children)
        if (conditions_hold(child, facts)) return true;
      return false;
    case Condition::Kind::negation: return !conditions_hold(c.children.front(), facts);
    case Condition::Kind::course_completed: return facts.completed == c.completed;
    case Condition::Kind::min_grade: return grade_at_least(facts, c.min_grade);
    case Condition::Kind::all_skills_proficient: return level_proficient(c, facts);
    case Condition::Kind::skills_proficient: return skills_proficient(c, facts);
    case Condition::Kind::completed_between: return completed_in_range(c, facts);
    case Condition::Kind::profile_field_equals: return profile_field_equals(c, facts);
  }
  return false;
}

std::vector<std::string> unmet_conditions(const Condition& condition, const StudentFacts& facts) {
  std::vector<std::string> reasons;
  explain(condition, facts, reasons);
  return reasons;
}

Decision evaluate(const Rule& rule, const StudentFacts& facts, const IssuedHistory& issued, TimePoint now) {
  const IssuedCertificate* last = latest_issued(rule, issued);
  if (last && !renewable(*last, facts, now)) return already_issued(rule, facts, *last);
  if (auto problem = enrolment_problem(rule, facts)) return not_yet(rule, {std::move(*problem)});
  if (!conditions_hold(rule.when, facts)) return not_yet(rule, unmet_conditions(rule.when, facts));
  return to_issue(rule, facts, last ? last->generation + 1 : 1);
}

const IssuedCertificate* latest_issued(const Rule& rule, const IssuedHistory& issued) {
  const IssuedCertificate* latest = nullptr;
  for (const IssuedCertificate& certificate : issued)
    if (certificate.rule_id == rule.id && certificate.course == rule.course &&
        (!latest || certificate.generation > latest->generation))
      latest = &certificate;
  return latest;
}

std::optional<TimePoint> expiry_of(const Rule& rule, TimePoint issued_at) {
  if (!rule.expires_after) return std::nullopt;
  return add_calendar_duration(issued_at, *rule.expires_after);
}

}  // namespace certd::rules
