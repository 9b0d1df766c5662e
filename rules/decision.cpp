#include "rules/decision.hpp"

namespace certd::rules {

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::issue: return "issue";
    case Outcome::pending: return "pending";
    case Outcome::not_yet: return "not_yet";
    case Outcome::already_issued: return "already_issued";
  }
  return "unknown";
}

std::string Decision::summary() const {
  std::string reasons;
  for (const auto& reason : unmet) reasons += (reasons.empty() ? "" : "; ") + reason;
  switch (outcome) {
    case Outcome::issue: return forced && !reasons.empty() ? "issue now, skipping: " + reasons : "issue";
    case Outcome::pending: return "pending approval";
    case Outcome::not_yet: return "not yet: " + reasons;
    case Outcome::already_issued: return "already issued (" + existing_number + ")";
  }
  return "unknown";
}

}  // namespace certd::rules
