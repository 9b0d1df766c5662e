// "Can every rule be printed?" (app/rule_template_check.hpp), pure: rules
// parsed from inline YAML, template specs built by hand. One table per
// question: what each way of issuing supplies, then the located errors.

#include "app/rule_template_check.hpp"

#include <gtest/gtest.h>

#include "rules/parser.hpp"

namespace certd::app {
namespace {

using render::Placeholder;

constexpr const char* k_completed = "{course_completed: true}";
constexpr const char* k_grade = "{all: [{course_completed: true}, {min_grade: 80}]}";
constexpr const char* k_grade_or = "{any: [{course_completed: true}, {min_grade: 80}]}";
constexpr const char* k_level = "{all_skills_proficient: {framework: Swim Skills, level: Level 3}}";
constexpr const char* k_level_or = "{any: [{course_completed: true}, {all_skills_proficient: {framework: Swim Skills, "
                                   "level: Level 3}}]}";
constexpr const char* k_named_skills = "{skills_proficient: [Backstroke 25m]}";

// One rule `r` in rules.yaml; its `template:` is on line 7, column 15.
std::deque<rules::Rule> rules_of(const std::string& body) {
  rules::ParseResult parsed = rules::parse_rules("version: 1\nrules:\n" + body, "rules.yaml", {"t", "u"});
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors.front().to_string());
  return {parsed.rules.begin(), parsed.rules.end()};
}

std::string rule_text(const std::string& id, const std::string& when, const std::string& issue,
                      const std::string& extra = "", const std::string& template_id = "t") {
  return "  - id: " + id + "\n    course: C\n    when: " + when + "\n    issue: " + issue + "\n    template: " +
         template_id + "\n" + extra;
}

rules::Rule rule(const std::string& when, const std::string& issue, const std::string& extra = "") {
  auto parsed = rules_of(rule_text("r", when, issue, extra));
  return parsed.empty() ? rules::Rule{} : parsed.front();
}

struct Row {
  const char* name;
  Issuance issuance;
  std::string when;
  std::string extra;      // more rule keys, e.g. expires_after
  std::string signatory;  // issuer.signatory
  Placeholder placeholder;
  bool supplied;
};

const Row k_rows[] = {
    // The teacher: nobody approves an automatic issue; the signatory
    // stands in when the config names one.
    {"automatic, no signatory", Issuance::automatic, k_completed, "", "", Placeholder::teacher_name, false},
    {"automatic, signatory", Issuance::automatic, k_completed, "", "Dr Ines Moreau", Placeholder::teacher_name, true},
    {"approved", Issuance::approved, k_completed, "", "", Placeholder::teacher_name, true},
    {"issue now", Issuance::forced, k_completed, "", "", Placeholder::teacher_name, true},
    {"ad-hoc", Issuance::adhoc, "", "", "", Placeholder::teacher_name, true},
    // Notes: --notes is optional everywhere, and rules have none.
    {"automatic notes", Issuance::automatic, k_completed, "", "", Placeholder::notes, false},
    {"approved notes", Issuance::approved, k_completed, "", "", Placeholder::notes, false},
    {"issue now notes", Issuance::forced, k_completed, "", "", Placeholder::notes, false},
    {"ad-hoc notes", Issuance::adhoc, "", "", "", Placeholder::notes, false},
    // Expiry: only from the rule's expires_after.
    {"expires_after", Issuance::automatic, k_completed, "    expires_after: 2y\n", "", Placeholder::expires_on, true},
    {"no expires_after", Issuance::automatic, k_completed, "", "", Placeholder::expires_on, false},
    {"approved expires_after", Issuance::approved, k_completed, "    expires_after: 1y\n", "",
     Placeholder::expires_on, true},
    {"issue now expires_after", Issuance::forced, k_completed, "    expires_after: 1y\n", "", Placeholder::expires_on,
     true},
    {"ad-hoc expiry", Issuance::adhoc, "", "", "", Placeholder::expires_on, false},
    // Grade: there whenever the conditions cannot hold without one.
    {"grade read", Issuance::automatic, k_grade, "", "", Placeholder::grade, true},
    {"grade read, approved", Issuance::approved, k_grade, "", "", Placeholder::grade, true},
    {"grade not read", Issuance::automatic, k_completed, "", "", Placeholder::grade, false},
    {"grade one choice of any", Issuance::automatic, k_grade_or, "", "", Placeholder::grade, false},
    {"grade read, issue now skips it", Issuance::forced, k_grade, "", "", Placeholder::grade, false},
    // Level: named by the rule itself; skills: that level's, when it must hold.
    {"level read", Issuance::automatic, k_level, "", "", Placeholder::level, true},
    {"level read, issue now", Issuance::forced, k_level, "", "", Placeholder::level, true},
    {"level not read", Issuance::approved, k_completed, "", "", Placeholder::level, false},
    {"level one choice of any", Issuance::approved, k_level_or, "", "", Placeholder::level, true},
    {"skills read", Issuance::approved, k_level, "", "", Placeholder::skills, true},
    {"skills one choice of any", Issuance::approved, k_level_or, "", "", Placeholder::skills, false},
    {"named skills are not printed", Issuance::approved, k_named_skills, "", "", Placeholder::skills, false},
    {"skills, issue now skips them", Issuance::forced, k_level, "", "", Placeholder::skills, false},
    {"ad-hoc level", Issuance::adhoc, "", "", "", Placeholder::level, false},
    // Always there for a rule; ad-hoc has a course only with --course.
    {"course", Issuance::automatic, k_completed, "", "", Placeholder::course_name, true},
    {"ad-hoc course", Issuance::adhoc, "", "", "", Placeholder::course_name, false},
    {"student", Issuance::adhoc, "", "", "", Placeholder::student_name, true},
    {"number", Issuance::automatic, k_completed, "", "", Placeholder::certificate_number, true},
    {"issued on", Issuance::forced, k_completed, "", "", Placeholder::issued_on, true},
    {"issuer name", Issuance::automatic, k_completed, "", "", Placeholder::issuer_name, true},
    // A course certificate is called by its course, an ad-hoc award by its
    // --title or else its template's name: every way has a title.
    {"course title", Issuance::automatic, k_completed, "", "", Placeholder::title, true},
    {"forced title", Issuance::forced, k_completed, "", "", Placeholder::title, true},
    {"ad-hoc title", Issuance::adhoc, "", "", "", Placeholder::title, true},
};

TEST(RuleTemplateCheck, WhatEachWayOfIssuingSupplies) {
  for (const Row& row : k_rows) {
    IssuerFacts facts{"Riverside Swim School", row.signatory};
    std::optional<rules::Rule> r;
    if (row.issuance != Issuance::adhoc) r = rule(row.when, "automatic", row.extra);
    auto supplied = supplied_placeholders(row.issuance, r ? &*r : nullptr, facts);
    EXPECT_EQ(supplied.count(row.placeholder) == 1, row.supplied)
        << row.name << ": {{" << render::to_string(row.placeholder) << "}}";
  }
}

TEST(RuleTemplateCheck, NoIssuerNameNoIssuerPlaceholder) {
  rules::Rule r = rule(k_completed, "pending");
  EXPECT_EQ(supplied_placeholders(Issuance::approved, &r, {"", ""}).count(Placeholder::issuer_name), 0u);
}

render::TextField field(const std::string& name, std::vector<Placeholder> placeholders, bool optional = false) {
  render::TextField f;
  f.name = name;
  for (Placeholder p : placeholders) f.text.push_back({"", p});
  f.text.push_back({" literal text", std::nullopt});
  f.optional = optional;
  return f;
}

render::TemplateSpec spec(const std::string& id, std::vector<render::TextField> fields) {
  render::TemplateSpec s;
  s.id = id;
  s.fields = std::move(fields);
  return s;
}

std::vector<std::string> texts(const std::vector<Error>& errors) {
  std::vector<std::string> out;
  for (const Error& e : errors) out.push_back(e.to_string());
  return out;
}

// The demo's designs, reduced to what they print and what is optional.
const render::TemplateSpec k_t = spec(
    "t", {field("student", {Placeholder::student_name}), field("teacher", {Placeholder::teacher_name}),
          field("expires", {Placeholder::expires_on}), field("grade", {Placeholder::grade}, /*optional=*/true),
          field("issuer", {Placeholder::issuer_name})});

TEST(RuleTemplateCheck, EveryRuleIsCheckedAndEachErrorIsAtItsTemplateKey) {
  auto rules = rules_of(rule_text("auto", k_completed, "automatic") +
                        rule_text("ok", k_completed, "pending", "    expires_after: 2y\n") +
                        rule_text("approve", k_completed, "pending"));
  ASSERT_EQ(rules.size(), 3u);
  auto findings = check_rule_templates(rules, {{"t", &k_t}}, {"School", ""});
  EXPECT_EQ(texts(findings.errors),
            (std::vector<std::string>{
                "rules.yaml:7:15: rule 'auto': template 't' field 'teacher' prints {{teacher.fullname}}, which this "
                "rule (issue: automatic) cannot supply: no teacher approves an automatic certificate; set "
                "issuer.signatory (printed as the teacher), make the field optional, or change the rule to issue: "
                "pending",
                "rules.yaml:7:15: rule 'auto': template 't' field 'expires' prints {{expires_on}}, which this rule "
                "(issue: automatic) cannot supply: the rule has no expires_after; add one (e.g. expires_after: 2y) "
                "or make the field optional",
                "rules.yaml:18:15: rule 'approve': template 't' field 'expires' prints {{expires_on}}, which this "
                "rule (issue: pending) cannot supply: the rule has no expires_after; add one (e.g. expires_after: "
                "2y) or make the field optional",
            }));
  EXPECT_TRUE(findings.notes.empty()) << "the grade field is optional";
}

TEST(RuleTemplateCheck, TheSignatoryTakesTheTeachersPlace) {
  auto rules = rules_of(rule_text("auto", k_completed, "automatic", "    expires_after: 2y\n"));
  EXPECT_TRUE(check_rule_templates(rules, {{"t", &k_t}}, {"School", "Dr Ines Moreau"}).errors.empty());
  EXPECT_EQ(check_rule_templates(rules, {{"t", &k_t}}, {"School", ""}).errors.size(), 1u);
}

TEST(RuleTemplateCheck, ATeacherMoodleMayNameIsANoteNotAnError) {
  auto rules = rules_of(rule_text("auto", k_completed, "automatic", "    expires_after: 2y\n") +
                        rule_text("approve", k_completed, "pending", "    expires_after: 2y\n"));
  auto findings = check_rule_templates(rules, {{"t", &k_t}}, {"School", "", /*teacher_from_lms=*/true});
  EXPECT_TRUE(findings.errors.empty());
  EXPECT_EQ(texts(findings.notes),
            (std::vector<std::string>{
                "rules.yaml:7:15: rule 'auto': template 't' field 'teacher' prints {{teacher.fullname}}: the teacher "
                "comes from Moodle (who rated the skills, else the course's teacher by lms.teacher_roles); a student "
                "whose course names nobody waits until issuer.signatory is set"}));
  EXPECT_TRUE(check_rule_templates(rules, {{"t", &k_t}}, {"School", "Dr Ines Moreau", true}).notes.empty());
}

TEST(RuleTemplateCheck, FactsTheConditionsDoNotReadAreErrorsWithTheWayOut) {
  const render::TemplateSpec facts = spec(
      "u", {field("line", {Placeholder::level, Placeholder::grade, Placeholder::level}), field("skills", {Placeholder::skills}),
            field("notes", {Placeholder::notes}), field("course", {Placeholder::course_name})});
  auto rules = rules_of(rule_text("plain", k_completed, "pending", "", "u"));
  auto findings = check_rule_templates(rules, {{"u", &facts}}, {"School", ""});
  std::vector<std::string> got = texts(findings.errors);
  ASSERT_EQ(got.size(), 4u) << "level once per field, grade, skills, notes; the course is always there";
  EXPECT_NE(got[0].find("field 'line' prints {{level}}, which this rule (issue: pending) cannot supply: its "
                        "conditions name no level"),
            std::string::npos)
      << got[0];
  EXPECT_NE(got[1].find("field 'line' prints {{grade}}, which this rule (issue: pending) cannot supply: its "
                        "conditions do not require a grade (min_grade), so a student may have none; add a min_grade "
                        "condition or make the field optional"),
            std::string::npos)
      << got[1];
  EXPECT_NE(got[2].find("field 'skills' prints {{skills}}"), std::string::npos) << got[2];
  EXPECT_NE(got[3].find("field 'notes' prints {{notes}}, which this rule (issue: pending) cannot supply: an "
                        "approval may come without --notes; make the field optional"),
            std::string::npos)
      << got[3];

  auto reading = rules_of(rule_text("reads", std::string("{all: [{min_grade: 50}, ") + k_level + "]}", "pending",
                                    "", "u"));
  std::vector<std::string> left = texts(check_rule_templates(reading, {{"u", &facts}}, {"School", ""}).errors);
  ASSERT_EQ(left.size(), 1u) << "grade, level and skills are read";
  EXPECT_NE(left[0].find("{{notes}}"), std::string::npos) << left[0];
}

TEST(RuleTemplateCheck, IssueNowMayLackWhatTheConditionsGuaranteeAndThatIsANote) {
  const render::TemplateSpec graded = spec("u", {field("grade", {Placeholder::grade})});
  auto rules = rules_of(rule_text("graded", k_grade, "automatic", "", "u"));
  auto findings = check_rule_templates(rules, {{"u", &graded}}, {"School", ""});
  EXPECT_TRUE(findings.errors.empty()) << texts(findings.errors).front();
  ASSERT_EQ(findings.notes.size(), 1u);
  EXPECT_EQ(findings.notes.front().where().to_string(), "rules.yaml:7:15");
  EXPECT_NE(findings.notes.front().message().find("\"issue now\""), std::string::npos);
}

TEST(RuleTemplateCheck, OptionalFieldsAndUnknownTemplatesAreLeftAlone) {
  const render::TemplateSpec optional = spec("t", {field("all", {Placeholder::notes, Placeholder::grade}, true)});
  auto rules = rules_of(rule_text("a", k_completed, "automatic") + rule_text("b", k_completed, "automatic", "", "u"));
  auto findings = check_rule_templates(rules, {{"t", &optional}}, {"", ""});
  EXPECT_TRUE(findings.errors.empty());
  EXPECT_TRUE(findings.notes.empty());
}

}  // namespace
}  // namespace certd::app
