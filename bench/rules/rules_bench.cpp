// Rule evaluation speed (issue #5): 100 rules over 100,000 students' facts,
// and loading 1,000 rule files from text. Figures are printed, never
// asserted; the goals are >= 1,000,000 evaluations per second per core
// and 1,000 files in under a second. Single-threaded, so per core.

#include <benchmark/benchmark.h>

#include <random>

#include "core/time_format.hpp"
#include "rules/evaluator.hpp"
#include "rules/rule_set.hpp"

namespace certd::rules {
namespace {

constexpr int k_rule_count = 100;
constexpr int k_student_count = 100000;
constexpr int k_skills_per_level = 5;
const std::set<std::string> k_templates = {"swim-level", "first-aid"};

// One rule of each shape in turn, with thresholds that vary, so the
// students below meet some and miss others (about a third issue).
std::string rule_yaml(int i) {
  const std::string id = "rule-" + std::to_string(i);
  const std::string head = "  - id: " + id + "\n    course: C\n    template: first-aid\n    issue: " +
                           std::string(i % 2 ? "automatic" : "pending") + "\n";
  const int grade = 50 + i % 40;
  const int level = 1 + i % 4;
  switch (i % 6) {
    case 0: return head + "    when:\n      all:\n        - course_completed: true\n        - min_grade: " +
                   std::to_string(grade) + "\n    expires_after: 2y\n";
    case 1: return head + "    when: {all_skills_proficient: {framework: Swim Skills, level: Level " +
                   std::to_string(level) + "}}\n    progression: {next_course: D}\n";
    case 2: return head + "    when: {skills_proficient: [L" + std::to_string(level) + " skill 1, L" +
                   std::to_string(level) + " skill 3]}\n";
    case 3: return head + "    when: {completed_between: {from: 2025-0" + std::to_string(1 + i % 9) +
                   "-01, to: 2026-06-30}}\n";
    case 4: return head + "    when:\n      any:\n        - min_grade: 90\n        - profile_field_equals: "
                          "{field: membership, value: gold}\n";
    default:
      return head + "    when:\n      all:\n        - course_completed: true\n        - not: {profile_field_equals: "
                    "{field: status, value: on hold}}\n        - min_grade: " +
             std::to_string(grade) + "\n";
  }
}

std::string rules_file(int first, int count) {
  std::string text = "version: 1\nrules:\n";
  for (int i = first; i < first + count; ++i) text += rule_yaml(i);
  return text;
}

StudentFacts make_student(int n, std::mt19937& random) {
  std::uniform_real_distribution<double> unit(0, 1);
  StudentFacts facts;
  facts.student_id = std::to_string(100000 + n);
  facts.student_name = "Student " + std::to_string(n);
  facts.course = "C";
  facts.enrolment = unit(random) < 0.95 ? Enrolment::active : Enrolment::suspended;
  facts.completed = unit(random) < 0.7;
  if (facts.completed) facts.completed_at = from_unix(1735689600 + static_cast<std::int64_t>(unit(random) * 5e7));
  if (unit(random) < 0.9) facts.grade_percent = 40 + unit(random) * 60;
  for (int level = 1; level <= 4; ++level) {
    SkillLevel entry{"Swim Skills", "Level " + std::to_string(level), {}};
    for (int s = 1; s <= k_skills_per_level; ++s)
      entry.skills.push_back({"L" + std::to_string(level) + " skill " + std::to_string(s), unit(random) < 0.93});
    facts.skills.push_back(std::move(entry));
  }
  facts.profile_fields["membership"] = unit(random) < 0.3 ? "gold" : "silver";
  if (unit(random) < 0.1) facts.profile_fields["status"] = "on hold";
  return facts;
}

struct School {
  RuleSet rules;
  std::vector<StudentFacts> students;
  std::vector<IssuedHistory> issued;  // per student: a few rules done
};

const School& school() {
  static const School k_school = [] {
    School s;
    RuleSetResult loaded = load_rule_set({{"bench.yaml", rules_file(0, k_rule_count)}}, k_templates);
    if (!loaded.ok()) std::abort();
    s.rules = std::move(loaded.rules);
    std::mt19937 random(5);
    for (int n = 0; n < k_student_count; ++n) {
      s.students.push_back(make_student(n, random));
      IssuedHistory history;
      for (int k = 0; k < 3; ++k)
        if (random() % 4 == 0) history.push_back({"rule-" + std::to_string(random() % k_rule_count), "C", 1,
                                                   "N-" + std::to_string(n), from_unix(1750000000), {}, false});
      s.issued.push_back(std::move(history));
    }
    return s;
  }();
  return k_school;
}

// Every rule for every student: 10,000,000 decisions per iteration, with
// the teacher-readable reasons of every not-yet built as the daemon would.
void BM_EvaluateAllRulesForAllStudents(benchmark::State& state) {
  const School& s = school();
  const TimePoint now = from_unix(1795000000);
  std::int64_t outcomes[4] = {};
  for (auto _ : state) {
    for (std::size_t n = 0; n < s.students.size(); ++n)
      for (const Rule& rule : s.rules.rules()) {
        Decision decision = evaluate(rule, s.students[n], s.issued[n], now);
        ++outcomes[static_cast<int>(decision.outcome)];
        benchmark::DoNotOptimize(decision);
      }
  }
  const double total = static_cast<double>(outcomes[0] + outcomes[1] + outcomes[2] + outcomes[3]);
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
  state.counters["issue%"] = 100 * outcomes[0] / total;
  state.counters["pending%"] = 100 * outcomes[1] / total;
  state.counters["not_yet%"] = 100 * outcomes[2] / total;
  state.counters["already%"] = 100 * outcomes[3] / total;
}
BENCHMARK(BM_EvaluateAllRulesForAllStudents)->Unit(benchmark::kMillisecond)->Iterations(3);

// The conditions alone (no decision, no reasons): the walk's own cost.
void BM_ConditionsOnly(benchmark::State& state) {
  const School& s = school();
  std::int64_t held = 0, count = 0;
  for (auto _ : state) {
    for (const StudentFacts& facts : s.students)
      for (const Rule& rule : s.rules.rules()) held += conditions_hold(rule.when, facts), ++count;
    benchmark::DoNotOptimize(held);
  }
  state.SetItemsProcessed(count);
}
BENCHMARK(BM_ConditionsOnly)->Unit(benchmark::kMillisecond)->Iterations(3);

// 1,000 rule files of one rule each, parsed and merged from memory.
void BM_Load1000RuleFiles(benchmark::State& state) {
  std::vector<RuleFile> files;
  for (int i = 0; i < 1000; ++i) files.push_back({"rules/" + std::to_string(i) + ".yaml", rules_file(i, 1)});
  for (auto _ : state) {
    RuleSetResult loaded = load_rule_set(files, k_templates);
    if (!loaded.ok() || loaded.rules.size() != 1000) state.SkipWithError("rule files did not load");
    benchmark::DoNotOptimize(loaded);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1000);
}
BENCHMARK(BM_Load1000RuleFiles)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace certd::rules

BENCHMARK_MAIN();
