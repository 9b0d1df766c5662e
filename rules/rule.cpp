#include "rules/rule.hpp"

namespace certd::rules {

const char* to_string(IssueMode mode) {
  switch (mode) {
    case IssueMode::automatic: return "automatic";
    case IssueMode::pending: return "pending";
  }
  return "unknown";
}

const char* to_string(NotifyTarget target) {
  switch (target) {
    case NotifyTarget::student: return "student";
    case NotifyTarget::guardians: return "guardians";
  }
  return "unknown";
}

}  // namespace certd::rules
