#pragma once
// Shared by the rules tests: rules from inline YAML and a student whose
// facts satisfy every test rule, for rows to change one fact at a time.

#include <gtest/gtest.h>

#include "core/time_format.hpp"
#include "rules/facts.hpp"
#include "rules/rule_set.hpp"

namespace certd::rules {

inline TimePoint at(const char* iso8601) {
  auto time = parse_iso8601(iso8601);
  EXPECT_TRUE(time) << iso8601;
  return time.value_or(TimePoint());
}

inline const char* const k_test_rules = R"(version: 1
rules:
  - id: aid
    course: C
    when:
      all:
        - course_completed: true
        - min_grade: 80
    issue: automatic
    template: first-aid
    expires_after: 2y
  - id: swim3
    course: C
    when: {all_skills_proficient: {framework: Swim Skills, level: Level 3}}
    issue: pending
    template: swim-level
    progression: {next_course: C2}
  - id: term
    course: C
    when: {completed_between: {from: 2026-01-01, to: 2026-06-30}}
    issue: automatic
    template: first-aid
  - id: skills
    course: C
    when: {skills_proficient: [Dive, Float]}
    issue: automatic
    template: first-aid
  - id: member
    course: C
    when: {profile_field_equals: {field: membership, value: gold}}
    issue: automatic
    template: first-aid
  - id: unfinished
    course: C
    when: {not: {course_completed: true}}
    issue: automatic
    template: first-aid
  - id: either
    course: C
    when:
      any:
        - min_grade: 90
        - profile_field_equals: {field: membership, value: gold}
    issue: pending
    template: first-aid
)";

inline RuleSet test_rules() {
  RuleSetResult loaded = load_rule_set({{"test.yaml", k_test_rules}}, {"first-aid", "swim-level"});
  EXPECT_TRUE(loaded.ok()) << loaded.errors.front().to_string();
  return std::move(loaded.rules);
}

// Meets every rule of k_test_rules except `unfinished`.
inline StudentFacts good_student() {
  StudentFacts facts;
  facts.student_id = "42";
  facts.student_name = "Ada Lovelace";
  facts.course = "C";
  facts.enrolment = Enrolment::active;
  facts.completed = true;
  facts.completed_at = at("2026-03-15T10:00:00Z");
  facts.grade_percent = 85;
  facts.skills = {
      {"Swim Skills",
       "Level 3",
       {{"Front crawl 25m", true},
        {"Backstroke 25m", true},
        {"Treading water 1 min", true},
        {"Dive", true},
        {"Float", true}}},
      {"Swim Skills", "Level 4", {{"Front crawl 50m", false}}},
  };
  facts.profile_fields = {{"membership", "gold"}, {"guardian_email", "family@example.org"}};
  return facts;
}

}  // namespace certd::rules
