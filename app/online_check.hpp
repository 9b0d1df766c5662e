#pragma once
// `certd check-config --online`, after the offline checks: what the LMS
// service lacks (Lms::check_site) and every site condition that makes a
// poll cycle skip part of its work (connector::SiteCondition), written
// for a school's IT person: grouped by subject, one condition per block,
// with what to do when the adapter says.
//
// The poll cycle is the daemon's own (same adapter, same rules, same
// sweep budget) against cursors kept in memory: the store is not opened,
// so the daemon's cursors do not move and nothing is written.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "connector/lms.hpp"
#include "core/result.hpp"

namespace certd::app {

// What one cycle found, for the report.
struct CycleFindings {
  connector::PollStats stats;
  // Each condition once (by key), the service first, then courses, then
  // students; in the adapter's order within each.
  std::vector<connector::SiteCondition> conditions;
};

// Runs one poll cycle of `lms` from empty in-memory cursors (as a first
// start would) and collects the conditions it started and those the
// adapter keeps in force. Errors: the cycle's own (unavailable: the LMS
// did not answer; permission_denied: the token was refused).
Result<CycleFindings> poll_once(connector::Lms& lms);

// `started` then `in_force`, each key once, ordered as CycleFindings says.
std::vector<connector::SiteCondition> merge_conditions(const std::vector<connector::SiteCondition>& started,
                                                       const std::vector<connector::SiteCondition>& in_force);

// The report writers. Every text that came from the LMS goes through
// terminal_safe (app/terminal_text.hpp); `secret` (the LMS token) is replaced wherever it would
// appear. Each returns how many lines of its kind it wrote: missing
// items, warnings.
int print_site_check(std::ostream& out, const connector::SiteCheck& check, const std::string& secret);
int print_cycle(std::ostream& out, const CycleFindings& findings, int sweep_budget, const std::string& secret);

}  // namespace certd::app
