#pragma once
// What the rules see of one student in one course, and what was already
// issued to that student. The app gathers these from the LMS and the
// store; rules only read them.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace certd::rules {

enum class Enrolment { active, suspended, not_enrolled };

struct Skill {
  std::string name;
  bool proficient = false;
};

// The skills of one level of one competency framework, e.g.
// "Swim Skills" / "Level 3" with "Backstroke 25m", "Treading water 1 min".
struct SkillLevel {
  std::string framework;
  std::string level;
  std::vector<Skill> skills;
};

struct StudentFacts {
  std::string student_id;  // LMS user id
  std::string student_name;
  std::string course;  // the course these facts are about (shortname)
  Enrolment enrolment = Enrolment::not_enrolled;
  bool completed = false;
  std::optional<TimePoint> completed_at;
  std::optional<double> grade_percent;  // 0..100; absent: not graded yet
  std::vector<SkillLevel> skills;       // one entry per (framework, level)
  std::map<std::string, std::string, std::less<>> profile_fields;

  // The entry for (framework, level), or nullptr.
  const SkillLevel* find_level(std::string_view framework, std::string_view level) const;
};

// One certificate already issued to the student under a rule: the latest
// generation of its idempotency key (rules/idempotency.hpp).
struct IssuedCertificate {
  std::string rule_id;
  std::string course;
  int generation = 1;
  std::string number;
  TimePoint issued_at;
  std::optional<TimePoint> expires_at;
  bool revoked = false;
};

// The student's rule certificates; order does not matter.
using IssuedHistory = std::vector<IssuedCertificate>;

}  // namespace certd::rules
