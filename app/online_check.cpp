#include "app/online_check.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "app/terminal_text.hpp"
#include "connector/cursor_store.hpp"

namespace certd::app {
namespace {

using connector::SiteCondition;

// The service first (it concerns everything), then courses, then students
// and the rest, as keys are made in connector/moodle/moodle_poll.cpp.
int rank(const SiteCondition& condition) {
  const std::string& key = condition.key;
  if (key.rfind("site/", 0) == 0) return 0;
  if (key.rfind("course:", 0) == 0) return 1;
  if (key.rfind("student:", 0) == 0) return 2;
  return 3;
}

// A token shorter than this could match ordinary words; real ones are 32.
constexpr std::size_t k_min_secret = 8;

// `text` with every occurrence of `secret` replaced. Nothing certd prints
// should hold the token; this keeps it so if an LMS echoes it back.
std::string redacted(std::string text, const std::string& secret) {
  if (secret.size() < k_min_secret) return text;
  for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
    text.replace(at, secret.size(), "[lms token]");
  return text;
}

void write(std::ostream& out, const std::ostringstream& text, const std::string& secret) {
  out << redacted(text.str(), secret);
}

std::string seconds(std::chrono::milliseconds elapsed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(elapsed.count()) / 1000.0);
  return buffer;
}

std::string count(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

void print_totals(std::ostream& out, const connector::PollStats& stats, int sweep_budget) {
  out << "\nOne poll cycle, read only (nothing saved): " << count(stats.requests, "request", "requests")
      << " to the LMS, " << count(stats.changes, "change", "changes") << " found, " << seconds(stats.elapsed)
      << "\n";
  if (!stats.completions_from.empty())
    out << "  completions read "
        << (stats.completions_from == "report" ? "from the completions report (lms.completions_report)"
                                               : "by asking about each student (no completions report)")
        << "\n";
  if (stats.pairs_total > 0) {
    out << "  \"issue now\" marks and skill ratings: " << stats.pairs_swept << " of " << stats.pairs_total
        << " student-course pairs visited";
    if (stats.pairs_swept < stats.pairs_total)
      out << " (lms.sweep_budget: " << sweep_budget << "; the daemon visits the rest in its next cycles)";
    out << "\n";
  }
}

// A course with an error first: that is what needs reading.
void print_courses(std::ostream& out, std::vector<connector::CoursePoll> courses) {
  if (courses.empty()) return;
  std::stable_partition(courses.begin(), courses.end(),
                        [](const connector::CoursePoll& course) { return !course.error.empty(); });
  out << "Courses:\n";
  for (const connector::CoursePoll& course : courses) {
    out << "  " << terminal_safe(course.shortname) << ": " << count(course.requests, "request", "requests") << ", "
        << count(course.changes, "change", "changes") << "\n";
    if (!course.error.empty()) out << "    problem: " << terminal_safe(course.error) << "\n";
  }
}

void print_conditions(std::ostream& out, const std::vector<SiteCondition>& conditions) {
  if (conditions.empty()) {
    out << "Nothing in the LMS makes certd skip any of its work.\n";
    return;
  }
  out << "\n"
      << count(static_cast<int>(conditions.size()), "warning", "warnings")
      << ": the LMS has what makes certd skip part of its work.\n"
      << "These are the school's data in the LMS, not mistakes in the configuration;\n"
      << "certd goes on with everything else and notices by itself when one is fixed.\n";
  std::string subject;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    const SiteCondition& condition = conditions[i];
    if (i == 0 || condition.subject != subject) {
      subject = condition.subject;
      out << "\n" << terminal_safe(subject) << "\n";
    } else {
      out << "\n";
    }
    out << "  - " << terminal_safe(condition.detail) << "\n";
    if (!condition.advice.empty()) out << "    what to do: " << terminal_safe(condition.advice) << "\n";
  }
}

}  // namespace

Result<CycleFindings> poll_once(connector::Lms& lms) {
  // Fresh cursors, as on a first start: the cycle looks at everything the
  // rules read, so it names every condition, not only those of recent
  // changes. poll_changes only reads the store it is given.
  connector::MemoryCursorStore cursors;
  CERTD_ASSIGN_OR_RETURN(connector::PollResult result, lms.poll_changes(cursors));
  CycleFindings findings;
  findings.stats = std::move(result.stats);
  findings.conditions = merge_conditions(result.conditions_started, lms.conditions());
  return findings;
}

std::vector<SiteCondition> merge_conditions(const std::vector<SiteCondition>& started,
                                            const std::vector<SiteCondition>& in_force) {
  std::vector<SiteCondition> merged;
  std::set<std::string> keys;
  for (const auto* list : {&started, &in_force})
    for (const SiteCondition& condition : *list)
      if (keys.insert(condition.key).second) merged.push_back(condition);
  std::stable_sort(merged.begin(), merged.end(),
                   [](const SiteCondition& a, const SiteCondition& b) { return rank(a) < rank(b); });
  // Group by subject, each group where its subject first appears.
  std::map<std::string, std::size_t> first;
  for (std::size_t i = 0; i < merged.size(); ++i) first.emplace(merged[i].subject, i);
  std::stable_sort(merged.begin(), merged.end(), [&](const SiteCondition& a, const SiteCondition& b) {
    return first.at(a.subject) < first.at(b.subject);
  });
  return merged;
}


int print_site_check(std::ostream& out, const connector::SiteCheck& check, const std::string& secret) {
  std::ostringstream text;
  text << "LMS: " << terminal_safe(check.site_name) << " (Moodle " << terminal_safe(check.release)
       << "), service user " << terminal_safe(check.service_user) << "\n";
  for (const std::string& note : check.notes) text << "note: " << terminal_safe(note) << "\n";
  if (!check.missing.empty()) {
    text << "Missing in the LMS service (certd cannot work fully until these are fixed):\n";
    for (const std::string& missing : check.missing) text << "  - missing: " << terminal_safe(missing) << "\n";
  }
  write(out, text, secret);
  return static_cast<int>(check.missing.size());
}

int print_cycle(std::ostream& out, const CycleFindings& findings, int sweep_budget, const std::string& secret) {
  std::ostringstream text;
  print_totals(text, findings.stats, sweep_budget);
  print_courses(text, findings.stats.courses);
  print_conditions(text, findings.conditions);
  write(out, text, secret);
  return static_cast<int>(findings.conditions.size());
}

}  // namespace certd::app
