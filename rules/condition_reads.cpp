// Guarantees are worked out with the condition's polarity: "holds" asks
// what every way of making it true needs, "fails" what every way of
// making it false needs (what a `not` holds on). A leaf needs its fact
// only to hold: a missing grade makes min_grade false, never true.

#include "rules/condition_reads.hpp"

#include <algorithm>

namespace certd::rules {
namespace {

using Kind = Condition::Kind;

// Whether every way of giving the condition `value` passes through a
// leaf for which `needs` is true.
template <typename Leaf>
bool always_needs(const Condition& c, bool value, const Leaf& needs) {
  auto child_needs = [&](const Condition& child) { return always_needs(child, value, needs); };
  switch (c.kind) {
    case Kind::all:
      // all holds: every child holds, so one needing child is enough.
      // all fails: any one child may fail, so each must need it.
      if (c.children.empty()) return false;
      return value ? std::any_of(c.children.begin(), c.children.end(), child_needs)
                   : std::all_of(c.children.begin(), c.children.end(), child_needs);
    case Kind::any:
      if (c.children.empty()) return false;
      return value ? std::all_of(c.children.begin(), c.children.end(), child_needs)
                   : std::any_of(c.children.begin(), c.children.end(), child_needs);
    case Kind::negation:
      return !c.children.empty() && always_needs(c.children.front(), !value, needs);
    default:
      return value && needs(c);
  }
}

}  // namespace

const Condition* certified_level(const Condition& c) {
  if (c.kind == Kind::all_skills_proficient) return &c;
  if (c.kind == Kind::negation) return nullptr;
  for (const Condition& child : c.children)
    if (const Condition* found = certified_level(child)) return found;
  return nullptr;
}

bool holds_only_with_grade(const Condition& condition) {
  return always_needs(condition, true, [](const Condition& c) { return c.kind == Kind::min_grade; });
}

bool holds_only_with_skills_of(const Condition& condition, const Condition& level) {
  return always_needs(condition, true, [&](const Condition& c) {
    return c.kind == Kind::all_skills_proficient && c.framework == level.framework && c.level == level.level;
  });
}

namespace {

void collect(const Condition& c, FactsRead& read) {
  switch (c.kind) {
    case Kind::all:
    case Kind::any:
    case Kind::negation:
      for (const Condition& child : c.children) collect(child, read);
      return;
    case Kind::course_completed:
    case Kind::completed_between:
      read.completion = true;
      return;
    case Kind::min_grade:
      read.grades = true;
      return;
    case Kind::all_skills_proficient:
    case Kind::skills_proficient:
      read.skills = true;
      return;
    case Kind::profile_field_equals:
      return;
  }
}

}  // namespace

FactsRead facts_read(const Condition& condition) {
  FactsRead read;
  collect(condition, read);
  return read;
}

}  // namespace certd::rules
