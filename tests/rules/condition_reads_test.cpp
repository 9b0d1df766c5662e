// Which facts a rule's condition guarantees (rules/condition_reads.hpp),
// one row per shape of condition. The answers are cross-checked against
// the evaluator: when a row says "only with a grade", no student without
// a grade satisfies the condition.

#include "rules/condition_reads.hpp"

#include <gtest/gtest.h>

#include "rules/evaluator.hpp"
#include "rules/parser.hpp"

namespace certd::rules {
namespace {

Condition condition_of(const std::string& when) {
  std::string text = "version: 1\nrules:\n  - id: r\n    course: C\n    when: " + when +
                     "\n    issue: automatic\n    template: t\n";
  ParseResult parsed = parse_rules(text, "r.yaml", {"t"});
  EXPECT_TRUE(parsed.ok()) << when << ": " << (parsed.ok() ? "" : parsed.errors.front().to_string());
  return parsed.ok() ? parsed.rules.front().when : Condition{};
}

const char* const k_l3 = "{all_skills_proficient: {framework: Swim, level: L3}}";

struct Row {
  std::string when;
  bool grade;             // holds only with a grade
  const char* level;      // the certified level, or nullptr
  bool skills;            // holds only with that level's skills
};

const Row k_rows[] = {
    {"{course_completed: true}", false, nullptr, false},
    {"{min_grade: 80}", true, nullptr, false},
    {"{all: [{course_completed: true}, {min_grade: 80}]}", true, nullptr, false},
    {"{any: [{course_completed: true}, {min_grade: 80}]}", false, nullptr, false},
    {"{any: [{min_grade: 80}, {all: [{min_grade: 50}, {course_completed: true}]}]}", true, nullptr, false},
    {"{not: {min_grade: 50}}", false, nullptr, false},
    {"{not: {not: {min_grade: 50}}}", true, nullptr, false},
    // not (a or b) = (not a) and (not b): fails-side of any.
    {"{not: {any: [{course_completed: false}, {not: {min_grade: 50}}]}}", true, nullptr, false},
    {"{skills_proficient: [Backstroke]}", false, nullptr, false},
    {k_l3, false, "L3", true},
    {std::string("{all: [{course_completed: true}, ") + k_l3 + "]}", false, "L3", true},
    {std::string("{any: [{course_completed: true}, ") + k_l3 + "]}", false, "L3", false},
    {std::string("{not: ") + k_l3 + "}", false, nullptr, false},
    {std::string("{all: [{not: {all_skills_proficient: {framework: Swim, level: L2}}}, ") + k_l3 + "]}", false, "L3",
     true},
    // The first level found is the one printed; the second one holding
    // says nothing about the first one's skills.
    {std::string("{all: [{any: [") + k_l3 + ", {course_completed: true}]}, " +
         "{all_skills_proficient: {framework: Swim, level: L4}}]}",
     false, "L3", false},
};

TEST(ConditionReads, EachShapeOfCondition) {
  for (const Row& row : k_rows) {
    Condition when = condition_of(row.when);
    EXPECT_EQ(holds_only_with_grade(when), row.grade) << row.when;
    const Condition* level = certified_level(when);
    if (!row.level) {
      EXPECT_EQ(level, nullptr) << row.when;
      continue;
    }
    ASSERT_NE(level, nullptr) << row.when;
    EXPECT_EQ(level->level, row.level) << row.when;
    EXPECT_EQ(holds_only_with_skills_of(when, *level), row.skills) << row.when;
  }
}

// A student with no grade and every other fact that could help: a row
// that says "only with a grade" must not hold for them.
TEST(ConditionReads, NoStudentWithoutAGradeSatisfiesAConditionThatNeedsOne) {
  for (const Row& row : k_rows) {
    Condition when = condition_of(row.when);
    StudentFacts facts;
    facts.course = "C";
    facts.completed = true;
    facts.skills = {{"Swim", "L3", {{"Backstroke", true}}}, {"Swim", "L4", {{"Dive", true}}}};
    facts.skills.push_back({"Swim", "L2", {{"Float", false}}});
    if (row.grade) {
      EXPECT_FALSE(conditions_hold(when, facts)) << row.when;
    }
  }
  // The converse for two rows: they do hold without a grade.
  StudentFacts facts;
  facts.completed = true;
  EXPECT_TRUE(conditions_hold(condition_of("{any: [{course_completed: true}, {min_grade: 80}]}"), facts));
  EXPECT_TRUE(conditions_hold(condition_of("{not: {min_grade: 50}}"), facts));
}

// What the LMS must be asked for: every fact the tree mentions, under a
// `not` too (evaluating `not: {min_grade: 50}` needs the grade).
struct ReadRow {
  std::string when;
  bool completion, grades, skills;
};

const ReadRow k_read_rows[] = {
    {"{course_completed: true}", true, false, false},
    {"{completed_between: {from: 2026-01-01}}", true, false, false},
    {"{min_grade: 80}", false, true, false},
    {k_l3, false, false, true},
    {"{skills_proficient: [Float]}", false, false, true},
    {"{profile_field_equals: {field: house, value: Red}}", false, false, false},
    {"{not: {min_grade: 50}}", false, true, false},
    {"{any: [{course_completed: true}, {all: [{min_grade: 50}, " + std::string(k_l3) + "]}]}", true, true, true},
};

TEST(ConditionReads, FactsReadAreEveryFactTheTreeMentions) {
  for (const ReadRow& row : k_read_rows) {
    FactsRead read = facts_read(condition_of(row.when));
    EXPECT_EQ(read.completion, row.completion) << row.when;
    EXPECT_EQ(read.grades, row.grades) << row.when;
    EXPECT_EQ(read.skills, row.skills) << row.when;
  }
}

}  // namespace
}  // namespace certd::rules
