#include "rules/parser.hpp"

#include <gtest/gtest.h>

#include "core/time_format.hpp"

namespace certd::rules {
namespace {

const std::set<std::string> k_templates = {"first-aid", "swim-level"};

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> messages;
  for (const Error& error : parse_rules(text, "r.yaml", k_templates).errors) messages.push_back(error.to_string());
  return messages;
}

using Messages = std::vector<std::string>;

// The example of docs/architecture.md, verbatim.
const char* const k_design_example = R"(version: 1
rules:
  - id: swim-level-3
    course: SWIM-L3                 # LMS course shortname
    when:
      all_skills_proficient: { framework: "Swim Skills", level: "Level 3" }
    issue: pending                  # automatic | pending
    template: swim-level
    progression: { next_course: SWIM-L4 }   # optional level change
    notify: [student, guardians]
  - id: first-aid
    course: FA-101
    when:
      all:
        - course_completed: true
        - min_grade: 80             # percent
    issue: automatic
    template: first-aid
    expires_after: 2y
    notify: [student]
)";

TEST(RuleParser, ReadsTheDesignExample) {
  ParseResult parsed = parse_rules(k_design_example, "r.yaml", k_templates);
  ASSERT_TRUE(parsed.ok()) << parsed.errors.front().to_string();
  ASSERT_EQ(parsed.rules.size(), 2u);
  const Rule& swim = parsed.rules[0];
  EXPECT_EQ(swim.id, "swim-level-3");
  EXPECT_EQ(swim.course, "SWIM-L3");
  EXPECT_EQ(swim.where.to_string(), "r.yaml:3:9");
  EXPECT_EQ(swim.when.kind, Condition::Kind::all_skills_proficient);
  EXPECT_EQ(swim.when.framework, "Swim Skills");
  EXPECT_EQ(swim.when.level, "Level 3");
  EXPECT_EQ(swim.issue, IssueMode::pending);
  EXPECT_EQ(swim.template_id, "swim-level");
  ASSERT_TRUE(swim.progression);
  EXPECT_EQ(swim.progression->next_course, "SWIM-L4");
  EXPECT_EQ(swim.notify, (std::vector<NotifyTarget>{NotifyTarget::student, NotifyTarget::guardians}));
  EXPECT_FALSE(swim.expires_after);

  const Rule& aid = parsed.rules[1];
  EXPECT_EQ(aid.when.kind, Condition::Kind::all);
  ASSERT_EQ(aid.when.children.size(), 2u);
  EXPECT_EQ(aid.when.children[0].kind, Condition::Kind::course_completed);
  EXPECT_TRUE(aid.when.children[0].completed);
  EXPECT_EQ(aid.when.children[1].kind, Condition::Kind::min_grade);
  EXPECT_EQ(aid.when.children[1].min_grade, 80);
  EXPECT_EQ(aid.when.children[1].where.to_string(), "r.yaml:16:11");
  EXPECT_EQ(aid.issue, IssueMode::automatic);
  EXPECT_EQ(aid.expires_after, Duration(2 * 365 * 86400));
  EXPECT_EQ(aid.notify, (std::vector<NotifyTarget>{NotifyTarget::student}));
  EXPECT_FALSE(aid.progression);
}

TEST(RuleParser, ReadsEveryConditionKind) {
  ParseResult parsed = parse_rules(R"(version: 1
rules:
  - id: every-kind
    course: C
    when:
      any:
        - not: { course_completed: false }
        - skills_proficient: [Dive, "Tread water"]
        - completed_between: { from: 2026-01-01, to: 2026-06-30 }
        - completed_between: { to: "2026-03-01T12:00:00Z" }
        - profile_field_equals: { field: membership, value: gold }
    issue: pending
    template: first-aid
)", "r.yaml", k_templates);
  ASSERT_TRUE(parsed.ok()) << parsed.errors.front().to_string();
  const Condition& any = parsed.rules.at(0).when;
  ASSERT_EQ(any.children.size(), 5u);
  EXPECT_EQ(any.children[0].kind, Condition::Kind::negation);
  EXPECT_FALSE(any.children[0].children.at(0).completed);
  EXPECT_EQ(any.children[1].skills, (std::vector<std::string>{"Dive", "Tread water"}));
  const Condition& range = any.children[2];
  EXPECT_EQ(format_iso8601(*range.from), "2026-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(*range.to), "2026-06-30T23:59:59Z") << "a bare `to` date covers its whole day";
  EXPECT_FALSE(any.children[3].from);
  EXPECT_EQ(format_iso8601(*any.children[3].to), "2026-03-01T12:00:00Z") << "a time is taken as given";
  EXPECT_EQ(any.children[4].field, "membership");
  EXPECT_EQ(any.children[4].value, "gold");
  EXPECT_EQ(parsed.rules[0].notify, (std::vector<NotifyTarget>{NotifyTarget::student})) << "default recipient";
}

// One row per mistake: the file and every error it must produce, exactly.
struct ErrorCase {
  const char* name;
  const char* text;
  Messages expected;
};

// Columns count from 1 at the start of each line. An empty value is
// reported at its key (`when:`) or, in a list, at the list (yaml-cpp
// places a null at the next token, which would point at the wrong line).
const ErrorCase k_error_cases[] = {
    {"unknown key",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {course_completed: true}\n    issue: automatic\n"
     "    template: first-aid\n    colour: blue\n",
     {"r.yaml:8:5: unknown key 'rules[0].colour' (known keys: id, course, when, issue, template, progression, "
      "notify, expires_after)"}},
    {"wrong type for a grade",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {min_grade: eighty}\n    issue: automatic\n"
     "    template: first-aid\n",
     {"r.yaml:5:23: rules[0].when.min_grade: expected a number, found 'eighty'"}},
    {"grade out of range",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when:\n      min_grade: 101\n    issue: automatic\n"
     "    template: first-aid\n",
     {"r.yaml:6:18: rules[0].when.min_grade: 101 is outside 0..100"}},
    {"wrong type for a list",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {course_completed: true}\n    issue: automatic\n"
     "    template: first-aid\n    notify: student\n",
     {"r.yaml:8:13: rules[0].notify: expected a list, found 'student'"}},
    {"unknown template",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {course_completed: true}\n    issue: automatic\n"
     "    template: swim-levle\n",
     {"r.yaml:7:15: rules[0].template: unknown template 'swim-levle' (known: first-aid, swim-level)"}},
    {"duplicate id",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {course_completed: true}\n    issue: automatic\n"
     "    template: first-aid\n  - id: a\n    course: D\n    when: {course_completed: true}\n"
     "    issue: pending\n    template: first-aid\n",
     {"r.yaml:8:9: duplicate rule id 'a' (first defined at r.yaml:3:9)"}},
    {"bad duration",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {course_completed: true}\n    issue: automatic\n"
     "    template: first-aid\n    expires_after: 2 years\n",
     {"r.yaml:8:20: rules[0].expires_after: bad duration '2 years' (use a number and a unit: 30s, 5m, 2h, 7d, 6mo, "
      "2y)"}},
    {"zero duration",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {course_completed: true}\n    issue: automatic\n"
     "    template: first-aid\n    expires_after: 0d\n",
     {"r.yaml:8:20: rules[0].expires_after: must be longer than zero (leave it out for no expiry)"}},
    {"bad date",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when:\n      completed_between:\n        from: 2026-02-30\n"
     "        to: 2026-06-30\n    issue: automatic\n    template: first-aid\n",
     {"r.yaml:7:15: rules[0].when.completed_between.from: bad date '2026-02-30' (use YYYY-MM-DD or "
      "YYYY-MM-DDTHH:MM:SSZ)"}},
    {"dates in the wrong order",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when:\n      completed_between:\n        from: 2026-06-30\n"
     "        to: 2026-01-01\n    issue: automatic\n    template: first-aid\n",
     {"r.yaml:8:13: rules[0].when.completed_between.to: 2026-01-01 is before from 2026-06-30"}},
    {"date range without dates",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {completed_between: {}}\n    issue: automatic\n"
     "    template: first-aid\n",
     {"r.yaml:5:31: rules[0].when.completed_between: give from, to or both (dates, inclusive)"}},
    {"unknown issue mode",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {course_completed: true}\n    issue: auto\n"
     "    template: first-aid\n",
     {"r.yaml:6:12: rules[0].issue: unknown value 'auto' (expected one of: automatic, pending)"}},
    {"empty when",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when:\n    issue: automatic\n    template: first-aid\n",
     {"r.yaml:5:5: rules[0].when: is empty; give a condition such as course_completed: true"}},
    {"when as an empty map",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {}\n    issue: automatic\n    template: first-aid\n",
     {"r.yaml:5:11: rules[0].when: is empty; give a condition such as course_completed: true"}},
    {"missing when",
     "version: 1\nrules:\n  - id: a\n    course: C\n    issue: automatic\n    template: first-aid\n",
     {"r.yaml:3:5: rules[0].when: required key is missing"}},
    {"empty all",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when:\n      all: []\n    issue: automatic\n"
     "    template: first-aid\n",
     {"r.yaml:6:12: rules[0].when.all: needs at least one condition"}},
    {"empty condition inside all",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when:\n      all:\n        - course_completed: true\n"
     "        -\n    issue: automatic\n    template: first-aid\n",
     {"r.yaml:7:9: rules[0].when.all[1]: is empty; give a condition such as course_completed: true"}},
    {"unknown condition",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when:\n      any:\n        - course_completed: true\n"
     "        - attendance: 90\n    issue: automatic\n    template: first-aid\n",
     {"r.yaml:8:11: rules[0].when.any[1]: unknown condition 'attendance' (known: all, any, not, course_completed, "
      "min_grade, all_skills_proficient, skills_proficient, completed_between, profile_field_equals)"}},
    {"two conditions in one map",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when:\n      course_completed: true\n      min_grade: 80\n"
     "    issue: automatic\n    template: first-aid\n",
     {"r.yaml:7:7: rules[0].when: one condition per map; combine 'course_completed' and 'min_grade' under all: or "
      "any:"}},
    {"skills level without its framework",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when:\n      all_skills_proficient: {level: Level 3, lvl: 2}\n"
     "    issue: pending\n    template: swim-level\n",
     {"r.yaml:6:30: rules[0].when.all_skills_proficient.framework: required key is missing",
      "r.yaml:6:47: unknown key 'rules[0].when.all_skills_proficient.lvl' (known keys: framework, level)"}},
    {"course_completed is not a yes/no word",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {course_completed: yes}\n    issue: automatic\n"
     "    template: first-aid\n",
     {"r.yaml:5:30: rules[0].when.course_completed: expected true or false, found 'yes'"}},
    {"profile field without a value",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {profile_field_equals: {field: membership}}\n"
     "    issue: automatic\n    template: first-aid\n",
     {"r.yaml:5:34: rules[0].when.profile_field_equals.value: required key is missing"}},
    {"empty skill list",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {skills_proficient: []}\n    issue: automatic\n"
     "    template: first-aid\n",
     {"r.yaml:5:31: rules[0].when.skills_proficient: needs one or more skill names"}},
    {"bad id and missing course",
     "version: 1\nrules:\n  - id: swim level 3\n    when: {course_completed: true}\n    issue: automatic\n"
     "    template: first-aid\n",
     {"r.yaml:3:9: rules[0].id: 'swim level 3' is not a valid rule id (1 to 64 letters, digits, '.', '_' or '-')",
      "r.yaml:3:5: rules[0].course: required key is missing"}},
    {"progression to the same course",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {course_completed: true}\n    issue: automatic\n"
     "    template: first-aid\n    progression: {next_course: C, level: 4}\n",
     {"r.yaml:8:32: rules[0].progression.next_course: is the rule's own course; a progression moves to another "
      "course",
      "r.yaml:8:35: unknown key 'rules[0].progression.level' (known keys: next_course)"}},
    {"unknown notify target",
     "version: 1\nrules:\n  - id: a\n    course: C\n    when: {course_completed: true}\n    issue: automatic\n"
     "    template: first-aid\n    notify: [student, parents]\n",
     {"r.yaml:8:13: rules[0].notify: unknown recipient 'parents' (expected student or guardians)"}},
    {"unsupported version",
     "version: 2\nrules: []\n", {"r.yaml:1:10: version: 2 is not supported (this certd reads version 1)"}},
    {"missing version and rules",
     "rule: []\n",
     {"r.yaml:1:1: version: required key is missing", "r.yaml:1:1: rules: required key is missing",
      "r.yaml:1:1: unknown key 'rule' (known keys: version, rules)"}},
    {"rule that is not a map", "version: 1\nrules:\n  - swim-level-3\n",
     {"r.yaml:3:5: rules[0] must be a map of keys, not 'swim-level-3'"}},
    {"syntax error", "version: 1\nrules:\n  - id: [a\n", {"r.yaml:4:1: YAML syntax error: end of sequence flow not found"}},
    {"alias", "version: 1\nrules:\n  - id: a\n    course: &c C\n    template: *c\n",
     {"r.yaml:4:13: YAML anchors (&name) are not allowed here"}},
    {"duplicate key", "version: 1\nrules:\n  - id: a\n    id: b\n", {"r.yaml:4:5: duplicate key 'id'"}},
};

TEST(RuleParser, ReportsEachMistakeWithItsLineAndColumn) {
  for (const ErrorCase& c : k_error_cases) EXPECT_EQ(errors_of(c.text), c.expected) << c.name;
}

TEST(RuleParser, ReportsEveryMistakeOfAFileAtOnceAndKeepsTheGoodRules) {
  ParseResult parsed = parse_rules(R"(version: 1
rules:
  - id: good
    course: C
    when: {course_completed: true}
    issue: automatic
    template: first-aid
  - id: bad
    course: C
    when: {min_grade: high}
    issue: sometimes
    template: nowhere
    expires_after: soon
)", "r.yaml", k_templates);
  ASSERT_EQ(parsed.rules.size(), 1u);
  EXPECT_EQ(parsed.rules[0].id, "good");
  std::vector<std::string> lines;
  for (const Error& e : parsed.errors) lines.push_back(e.where().to_string());
  EXPECT_EQ(lines, (Messages{"r.yaml:10:23", "r.yaml:11:12", "r.yaml:12:15", "r.yaml:13:20"}));
}

std::string nested_nots(int depth) {
  std::string when;
  for (int i = 0; i < depth; ++i) when += "{not: ";
  when += "{course_completed: true}";
  for (int i = 0; i < depth; ++i) when += "}";
  return "version: 1\nrules:\n  - id: a\n    course: C\n    when: " + when + "\n    issue: automatic\n"
         "    template: first-aid\n";
}

TEST(RuleParser, BoundsConditionNesting) {
  EXPECT_EQ(errors_of(nested_nots(k_max_condition_depth - 1)), Messages{}) << "16 levels are fine";
  std::string path = "rules[0].when";
  for (int i = 0; i < k_max_condition_depth; ++i) path += ".not";
  const int column = 11 + 6 * k_max_condition_depth;  // "    when: " then "{not: " per level
  EXPECT_EQ(errors_of(nested_nots(k_max_condition_depth)),
            Messages{"r.yaml:5:" + std::to_string(column) + ": " + path + ": conditions nest deeper than 16 levels"});
}

TEST(RuleParser, RefusesHostileFilesWithoutCrashing) {
  std::string big = "version: 1\nrules: []\n# " + std::string(2 << 20, 'x') + "\n";
  EXPECT_EQ(errors_of(big), Messages{"r.yaml: file is " + std::to_string(big.size()) + " bytes; the limit is 1048576"});
  const char* bomb = "version: 1\nrules:\n  - &a [x, x, x, x]\n  - [*a, *a, *a, *a]\n";
  EXPECT_EQ(errors_of(bomb), Messages{"r.yaml:3:5: YAML anchors (&name) are not allowed here"});
  std::string deep = "version: 1\nrules: " + std::string(40, '[') + std::string(40, ']') + "\n";
  EXPECT_EQ(errors_of(deep), Messages{"r.yaml:2:39: nesting deeper than 32 levels"});
  EXPECT_EQ(errors_of(""), Messages{"r.yaml: the file must be a map of keys, not nothing"});
}

TEST(RuleParser, StopsAfterTooManyErrors) {
  std::string text = "version: 1\nrules:\n";
  for (int i = 0; i < 200; ++i) text += "  - nonsense\n";
  std::vector<std::string> errors = errors_of(text);
  ASSERT_EQ(errors.size(), k_max_errors_per_file + 1);
  EXPECT_EQ(errors.back(), "r.yaml:103:5: too many errors; the rest of this file was not checked");
}

}  // namespace
}  // namespace certd::rules
