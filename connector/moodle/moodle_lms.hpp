#pragma once
// The Moodle 4.5 adapter behind connector::Lms, over the REST web services
// with a token (docs/moodle-api.md). It needs a service holding the functions
// listed there (§11); check_site() names whatever is missing.
//
// Finding progress cheaply, per poll cycle (poll_changes):
// - completions: the report-builder report `completions_report` filtered
//   to "completed since <last poll - lookback>" (requests ~ changes), or,
//   without one, a per-course sweep of completion status (~ students);
// - grades: one gradebook call per course (userid=0), compared by time;
// - suspensions: one call per course (onlysuspended);
// - "issue now" marks and skill ratings have no bulk or "since" form in
//   Moodle (docs/moodle-api.md §6, §8): a round-robin sweep visits `sweep_budget`
//   (student, course) pairs per cycle (0 = all), so their latency is
//   pairs / budget cycles while a cycle's cost stays bounded.
// Every observation is kept per (student, course) in the cursor store, so
// a change is reported once, also across restarts.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "connector/lms.hpp"
#include "connector/moodle/http_transport.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace certd::connector::moodle {

struct MoodleOptions {
  std::string url;    // the site, e.g. https://moodle.example.edu
  std::string token;  // the web-service token (a secret: never logged)
  std::chrono::seconds request_timeout{30};
  std::string ca_file;
  int max_connections = 4;              // also the sweep's concurrency
  double max_requests_per_second = 20;  // 0: unlimited
  // The pause before a failed read is tried again (then 4 times, then 9
  // times as long; docs/style.md §4); the fuzzer sets 0.
  std::chrono::milliseconds retry_pause{50};
  std::vector<std::string> courses;     // shortnames watched by poll_changes
  long long completions_report = 0;     // report-builder report id; 0: sweep
  std::string issue_now_activity = "Certificate: issue now";
  std::string guardian_email_field = "guardian_email";
  int sweep_budget = 200;               // (student, course) pairs per cycle; 0: all
  std::chrono::seconds completion_lookback{7 * 24 * 3600};  // late (cron) completions
  int report_page_size = 500;
  int users_page_size = 1000;
  bool watch_grades = true;
  // Course roles whose holders count as the course's teacher, in order of
  // preference (Moodle role shortnames); see CourseProgress::teacher_name.
  std::vector<std::string> teacher_roles = {"editingteacher", "teacher"};
};

// Errors: invalid_argument for a malformed url.
Result<std::unique_ptr<Lms>> make_moodle_lms(MoodleOptions options, const Clock& clock);
// Over any transport (tests: recorded answers). `options.url` is unused.
std::unique_ptr<Lms> make_moodle_lms(MoodleOptions options, std::unique_ptr<HttpTransport> transport,
                                     const Clock& clock);

// The functions the adapter calls; check_site() reports each one the
// service lacks.
const std::vector<std::string>& required_functions();

}  // namespace certd::connector::moodle
