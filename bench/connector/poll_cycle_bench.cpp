// One poll cycle of the Moodle adapter over real HTTP (loopback) against a
// simulated school of 10,000 students in 20 courses with 1% changed:
// requests made, wall time, CPU time. Printed, never asserted.
//
//   bench_connector [students] [courses] [changed_percent] [sweep_budget]
//
// The simulator runs in this process, so the CPU time includes its work
// (building and serialising the answers) as well as the adapter's.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "connector/cursor_store.hpp"
#include "connector/moodle/moodle_lms.hpp"
#include "connector/simulator/server.hpp"

using namespace certd;
using namespace certd::connector;

namespace {

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Cycle {
  PollStats stats;
  double wall = 0;
  double cpu = 0;
};

Cycle measure(Lms& lms, CursorStore& cursors) {
  double cpu_before = cpu_seconds();
  auto started = std::chrono::steady_clock::now();
  Result<PollResult> result = lms.poll_changes(cursors);
  Cycle cycle;
  cycle.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  cycle.cpu = cpu_seconds() - cpu_before;
  if (!result) {
    std::fprintf(stderr, "poll failed: %s\n", result.error().to_string().c_str());
    std::exit(1);
  }
  for (const auto& [key, value] : result->cursor_updates) (void)cursors.set(key, value);
  cycle.stats = result->stats;
  return cycle;
}

void print(const char* what, const Cycle& cycle) {
  std::printf("%-44s %6d requests %6d changes %6d/%d pairs swept %8.3f s wall %8.3f s CPU\n", what,
              cycle.stats.requests, cycle.stats.changes, cycle.stats.pairs_swept, cycle.stats.pairs_total, cycle.wall,
              cycle.cpu);
}

}  // namespace

int main(int argc, char** argv) {
  simulator::GenerateOptions school;
  school.students = argc > 1 ? std::atoi(argv[1]) : 10000;
  school.courses = argc > 2 ? std::atoi(argv[2]) : 20;
  int changed_percent = argc > 3 ? std::atoi(argv[3]) : 1;
  int budget = argc > 4 ? std::atoi(argv[4]) : 200;
  auto server = simulator::Server::start(simulator::generate_school(school));
  if (!server) {
    std::fprintf(stderr, "%s\n", server.error().to_string().c_str());
    return 1;
  }
  SystemClock clock;
  moodle::MoodleOptions options;
  options.url = (*server)->url();
  options.token = (*server)->token();
  for (int c = 1; c <= school.courses; ++c) options.courses.push_back("C" + std::to_string(c));
  options.completions_report = 1;
  options.max_requests_per_second = 0;  // loopback: no politeness limit
  options.max_connections = 4;
  options.sweep_budget = budget;
  auto lms = moodle::make_moodle_lms(options, clock);
  if (!lms) return 1;
  MemoryCursorStore cursors;
  std::printf("school: %d students, %d courses, %d%% changed, sweep budget %d pairs/cycle, %d connections\n",
              school.students, school.courses, changed_percent, budget, options.max_connections);

  // The initial sync reads the whole history once (every pair swept).
  moodle::MoodleOptions full = options;
  full.sweep_budget = 0;
  auto full_lms = moodle::make_moodle_lms(full, clock);
  if (!full_lms) return 1;
  print("initial sync (whole history, every pair)", measure(**full_lms, cursors));
  print("cycle with nothing changed", measure(**lms, cursors));

  // 1% of the students complete their course with a grade.
  simulator::School world = (*server)->school();
  int changed = 0, wanted = school.students * changed_percent / 100;
  for (const simulator::Course& course : world.courses)
    for (const simulator::Enrolment& enrolment : course.enrolments) {
      if (changed >= wanted) break;
      if (enrolment.role != simulator::k_student_role || world.completions.count({enrolment.user, course.id})) continue;
      const simulator::User* user = world.user(enrolment.user);
      (void)(*server)->set_grade(user->username, course.shortname, 85);
      (void)(*server)->complete_course(user->username, course.shortname);
      ++changed;
    }
  std::printf("changed: %d students completed their course with a grade\n", changed);
  simulator::ServerStats before = (*server)->stats();
  print("cycle after the change (the measured one)", measure(**lms, cursors));
  simulator::ServerStats after = (*server)->stats();
  for (const auto& [function, count] : after.calls)
    if (count != before.calls[function])
      std::printf("    %-50s %6lld requests\n", function.c_str(), count - before.calls[function]);
  print("cycle with nothing changed", measure(**lms, cursors));
  print("reference: a full sweep of every pair", measure(**full_lms, cursors));
  (*server)->stop();
  return 0;
}
