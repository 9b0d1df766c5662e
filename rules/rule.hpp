#pragma once
// The rule-file model (docs/architecture.md "Rule files"): plain values built by
// rules/parser.hpp and read by rules/evaluator.hpp. No behaviour here.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/duration.hpp"
#include "core/result.hpp"

namespace certd::rules {

// One node of a rule's `when` tree. A small tagged struct rather than a
// std::variant: the tree is walked millions of times a second and a
// switch over `kind` keeps that walk simple and allocation-free.
struct Condition {
  enum class Kind {
    all,                    // every child holds (one or more children)
    any,                    // at least one child holds (one or more children)
    negation,               // `not`: its one child does not hold
    course_completed,       // the course's completion equals `completed`
    min_grade,              // grade percent >= `min_grade` (inclusive)
    all_skills_proficient,  // every skill of `framework` / `level` is proficient
    skills_proficient,      // every skill named in `skills` is proficient
    completed_between,      // completion time in [from, to] (inclusive)
    profile_field_equals,   // profile field `field` equals `value` exactly
  };

  Kind kind = Kind::all;
  std::vector<Condition> children;  // all, any: >= 1; negation: exactly 1
  bool completed = true;            // course_completed
  double min_grade = 0;             // min_grade, percent 0..100
  std::string framework;            // all_skills_proficient
  std::string level;                // all_skills_proficient
  std::vector<std::string> skills;  // skills_proficient
  // completed_between, both inclusive. A bare date for `from` means that
  // day's 00:00:00 UTC; for `to`, that day's 23:59:59 UTC. Either bound
  // may be absent (open range), not both.
  std::optional<TimePoint> from;
  std::optional<TimePoint> to;
  std::string field;  // profile_field_equals
  std::string value;  // profile_field_equals
  SourceLocation where;
};

// automatic: issue as soon as the conditions hold; pending: queue for a
// teacher's approval ("Certificates to be issued").
enum class IssueMode { automatic, pending };
const char* to_string(IssueMode mode);

// The level change a certificate stands for ("Level Progressions /
// Changes to be Actioned"): the student moves on to `next_course`.
struct Progression {
  std::string next_course;
};

enum class NotifyTarget { student, guardians };
const char* to_string(NotifyTarget target);

struct Rule {
  std::string id;      // unique across all rule files; [A-Za-z0-9._-], <= 64 chars
  std::string course;  // LMS course shortname
  Condition when;
  IssueMode issue = IssueMode::pending;
  std::string template_id;
  std::optional<Progression> progression;
  std::vector<NotifyTarget> notify;  // default: student
  std::optional<Duration> expires_after;
  SourceLocation where;           // the rule's `id` entry
  SourceLocation template_where;  // its `template:` value (what the template cannot print is reported there)
};

}  // namespace certd::rules
