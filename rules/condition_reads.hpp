#pragma once
// What a rule's `when` tells about the facts behind a certificate: the
// level it certifies, and which facts must exist whenever it holds. The
// app prints these ({{level}}, {{skills}}, {{grade}}), so check-config
// can tell a template that prints a fact no student of the rule has.
// Pure queries over the condition tree.

#include "rules/rule.hpp"

namespace certd::rules {

// The level a certificate of this condition names: the first
// all_skills_proficient in the tree that is not under a `not` (a level
// the student must NOT master is not what the certificate is for).
// nullptr when there is none.
const Condition* certified_level(const Condition& condition);

// True when the condition can only hold for a student who has a grade: a
// min_grade that every way of satisfying it goes through (`not` flips the
// question: `not: {min_grade: 50}` holds without any grade).
bool holds_only_with_grade(const Condition& condition);

// True when the condition can only hold for a student whose facts list
// the skills of `level` (an all_skills_proficient): that level's
// all_skills_proficient (same framework and level) is on every way of
// satisfying it; it needs one or more skills to hold.
bool holds_only_with_skills_of(const Condition& condition, const Condition& level);

// The kinds of facts a condition may look at, anywhere in its tree (under
// a `not` too): what the LMS must be asked for to evaluate it.
struct FactsRead {
  bool completion = false;  // course_completed, completed_between
  bool grades = false;      // min_grade
  bool skills = false;      // all_skills_proficient, skills_proficient
};
FactsRead facts_read(const Condition& condition);

}  // namespace certd::rules
