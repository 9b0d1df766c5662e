#pragma once
// What the rules decide for one (student, rule).

#include <optional>
#include <string>
#include <vector>

#include "rules/idempotency.hpp"
#include "rules/rule.hpp"

namespace certd::rules {

enum class Outcome {
  issue,           // conditions hold and the rule issues automatically
  pending,         // conditions hold; queue for a teacher's approval
  not_yet,         // some condition does not hold (see Decision::unmet)
  already_issued,  // a certificate exists under this rule's key
};
const char* to_string(Outcome outcome);

// The level change a progression rule asks a person to action.
struct LevelChange {
  std::string student_id;
  std::string from_course;
  std::string to_course;
};

struct Decision {
  Outcome outcome = Outcome::not_yet;
  const Rule* rule = nullptr;  // not owned; points into the caller's rules
  // issue, pending: the key to issue under (generation > 1 renews an
  // expired certificate); already_issued: the existing certificate's key.
  IdempotencyKey key;
  // not_yet: each unmet condition in a teacher's words, e.g. "2 of 5
  // Level 3 skills not proficient (Backstroke 25m, Treading water 1 min)".
  // A forced issue lists here the conditions it skipped.
  std::vector<std::string> unmet;
  bool forced = false;                      // "Issue now"
  std::optional<LevelChange> level_change;  // issue, pending: rule has a progression
  std::string existing_number;              // already_issued

  // One line for a teacher or a log: "issue", "pending approval",
  // "not yet: course not completed; grade 75% is below 80%",
  // "already issued (SWL3-7K4M-9QXA)".
  std::string summary() const;
};

}  // namespace certd::rules
