// Real sites, with the real processes: `certd run` polls `certd
// simulate-lms` over HTTP while a test flips one condition of a real
// Moodle site (a course without completion criteria, a hidden course, a
// deleted or suspended student, a function taken out of the service...).
// For each condition:
//   - the poll skips what it concerns and carries on: a student elsewhere
//     still gets their certificate;
//   - `certd status --json` (another process, reading the store) shows it
//     while it holds and drops it once it is gone;
//   - the daemon's log says so once when it starts and once when it ends,
//     not every cycle.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/run_certd.hpp"
#include "e2e/http_post.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// What a condition does to the school, and how the test knows the rest
// goes on. Students of the demo school (examples/school.yaml) are
// studentNN with Moodle id 20 + NN.
struct Condition {
  const char* name;
  std::vector<std::pair<const char*, json>> start;  // /_sim/ controls that make it hold
  std::vector<std::pair<const char*, json>> end;    // ... and that undo it
  const char* key;  // the condition key `certd status` shows (a prefix of it), "" for none
  // A student elsewhere earns a certificate meanwhile: "fa" completes
  // First Aid (automatic), "l3" masters the Level 3 skills (pending).
  const char* probe;
  // The student the condition concerns, and whether their First Aid
  // certificate goes out all the same ("" when no student is concerned).
  const char* student = "";
  bool student_certified = false;
  int l3_grade = 3;  // the scale value the "l3" probe rates with
  // The config reads completions from the report-builder report instead
  // of asking course by course.
  bool completions_report = false;
};

const json k_l3_skills = json::array({"L3-BACKSTROKE-25", "L3-TREAD-1MIN", "L3-CRAWL-50", "L3-SURFACE-DIVE",
                                      "L3-SAFETY-ENTRY"});

// gtest names the failing case by its name, not its bytes.
void PrintTo(const Condition& condition, std::ostream* out) { *out << condition.name; }

// A string member of a JSON object, "" when absent, null or not a string.
std::string text(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

std::vector<Condition> conditions() {
  auto course = [](const char* shortname, const char* key, json value) {
    return json{{"course", shortname}, {key, std::move(value)}};
  };
  auto user = [](const char* username, const char* key, json value) {
    return json{{"username", username}, {key, std::move(value)}};
  };
  return {
      {"course_without_completion_criteria",
       {{"course", course("FA-101", "completion_criteria", false)}},
       {{"course", course("FA-101", "completion_criteria", true)}},
       "course:FA-101/nocriteriaset",
       "l3"},
      {"course_without_completion_criteria_read_from_the_report",
       {{"course", course("FA-101", "completion_criteria", false)}},
       {{"course", course("FA-101", "completion_criteria", true)}},
       "course:FA-101/nocriteriaset",
       "l3",
       "",
       false,
       3,
       true},
      {"course_with_completion_tracking_off",
       {{"course", course("FA-101", "completion_tracking", false)}},
       {{"course", course("FA-101", "completion_tracking", true)}},
       "course:FA-101/",
       "l3"},
      {"hidden_course_the_service_cannot_open",
       {{"capability", {{"name", "moodle/course:viewhiddencourses"}, {"allowed", false}}},
        {"course", course("FA-101", "visible", false)}},
       {{"course", course("FA-101", "visible", true)},
        {"capability", {{"name", "moodle/course:viewhiddencourses"}, {"allowed", true}}}},
       "course:FA-101/",
       "l3"},
      {"course_the_service_user_cannot_see",
       {{"course", course("SWIM-L3", "service_can_see", false)}},
       {{"course", course("SWIM-L3", "service_can_see", true)}},
       "course:SWIM-L3/",
       "fa"},
      {"student_without_email",
       {{"user", user("student10", "email", "")}, {"grade", {{"username", "student10"}, {"course", "FA-101"}, {"grade", 95}}},
        {"complete", {{"username", "student10"}, {"course", "FA-101"}}}},
       {{"user", user("student10", "email", "student10@riverside-swim.example")}},
       "student:30/no-email",
       "l3",
       "30",
       true},
      {"suspended_account",
       {{"user", user("student16", "suspended", true)}, {"grade", {{"username", "student16"}, {"course", "FA-101"}, {"grade", 95}}},
        {"complete", {{"username", "student16"}, {"course", "FA-101"}}}},
       {{"user", user("student16", "suspended", false)}},
       "student:36/account-suspended",
       "l3",
       "36",
       false},
      {"never_logged_in_account",
       {{"user", user("student22", "never_logged_in", true)}, {"grade", {{"username", "student22"}, {"course", "FA-101"}, {"grade", 95}}},
        {"complete", {{"username", "student22"}, {"course", "FA-101"}}}},
       {{"user", user("student22", "never_logged_in", false)}},
       "student:42/never-logged-in",
       "l3",
       "42",
       true},
      {"deleted_account",
       {{"grade", {{"username", "student28"}, {"course", "FA-101"}, {"grade", 95}}},
        {"complete", {{"username", "student28"}, {"course", "FA-101"}}},
        {"user", user("student28", "deleted", true)}},
       {{"user", user("student28", "deleted", false)}},
       "",  // Moodle leaves a deleted user out of every list: nothing to see, nothing to skip
       "l3",
       "48",
       false},
      {"empty_guardian_field",
       {{"user", user("student34", "guardian_email", "")}, {"grade", {{"username", "student34"}, {"course", "FA-101"}, {"grade", 95}}},
        {"complete", {{"username", "student34"}, {"course", "FA-101"}}}},
       {},
       "",
       "l3",
       "54",
       true},
      {"framework_with_a_custom_scale",
       {{"scale", {{"framework", "Swim Skills"}, {"id", 9}, {"values", {"Beginning", "Developing", "Secure", "Mastered"}},
                   {"proficient", {3, 4}}, {"default", 4}}}},
       {},
       "",
       "l3",
       "",
       false,
       4},
      {"level_without_competencies",
       {{"level", {{"level", "SWIM-L4"}, {"empty", true}}}},
       {{"level", {{"level", "SWIM-L4"}, {"empty", false}}}},
       "levels:SWIM-L4/empty-level",
       "fa"},
      {"completions_report_that_no_longer_exists",
       {{"site", {{"completions_report_gone", true}}}},
       {{"site", {{"completions_report_gone", false}}}},
       "site/completions-report",
       "fa",
       "",
       false,
       3,
       true},
      {"function_missing_from_the_service",
       {{"function", {{"name", "report_competency_data_for_report"}, {"allowed", false}}}},
       {{"function", {{"name", "report_competency_data_for_report"}, {"allowed", true}}}},
       "site/function:report_competency_data_for_report",
       "fa"},
  };
}

class SiteConditionEndToEnd : public ::testing::TestWithParam<Condition> {
 protected:
  void SetUp() override {
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    m_lms_port = testing::free_port();
    m_lms = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        app::certd_path(), "simulate-lms", "--port", std::to_string(m_lms_port), "--data", "examples/school.yaml"});
    ASSERT_TRUE(testing::wait_for_port(m_lms_port));
    m_school = std::make_unique<testing::SchoolDir>(
        std::string("cond-") + GetParam().name, lms_url(),
        testing::SchoolDir::Options{0, "1s", false, GetParam().completions_report ? "  completions_report: 1\n" : "", "", "https://certs.riverside.example", "", ""});
  }

  void start_daemon() {
    // exec: the shell becomes certd, so the stop signal reaches certd itself.
    m_daemon = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        "/bin/sh", "-c", "exec " + app::certd_path() + " run --config " + m_school->config() + " 2>" + log_path()});
  }

  std::string lms_url() const { return "http://127.0.0.1:" + std::to_string(m_lms_port); }
  std::string log_path() const { return m_school->file("certd.log"); }

  void control(const char* action, const json& body) {
    testing::HttpResult r = testing::post(lms_url() + "/_sim/" + action, body.dump());
    ASSERT_EQ(r.status, 200) << action << " " << body.dump() << ": " << r.body;
  }

  json status() {
    app::CommandRun run = app::run_certd("status --json --config " + m_school->config());
    if (run.exit_code != 0) return json();
    // stdout and stderr come together: the document is the last {...} block.
    auto open = run.output.find("{\n");
    if (open == std::string::npos) open = run.output.find('{');
    json parsed = json::parse(run.output.substr(open), nullptr, /*allow_exceptions=*/false);
    return parsed.is_discarded() ? json() : parsed;
  }

  // Waits (bounded) until `ready` holds for `certd status --json`.
  json wait_for_status(const std::function<bool(const json&)>& ready, const char* what) {
    auto deadline = std::chrono::steady_clock::now() + 120s;  // a bound, not a goal: a sanitized build on a busy machine is slow
    json last;
    while (std::chrono::steady_clock::now() < deadline) {
      last = status();
      if (!last.is_null() && ready(last)) return last;
      // Once per poll interval: each look is a certd process, which under
      // the sanitizers costs about half a second of CPU.
      std::this_thread::sleep_for(1s);
    }
    ADD_FAILURE() << "timed out waiting for " << what << "; last status: " << last.dump(2) << "\nlog:\n" << log();
    return last;
  }

  static bool has_condition(const json& status, const std::string& key) {
    for (const json& c : status.value("conditions", json::array()))
      if (text(c, "key").rfind(key, 0) == 0) return true;
    return false;
  }

  // Cycles that finished since `after` (the poll's last_cycle_at changes each cycle).
  void wait_cycles(int cycles) {
    for (int i = 0; i < cycles; ++i) {
      std::string before = text(status()["poll"], "last_cycle_at");
      wait_for_status([&](const json& s) { return text(s["poll"], "last_cycle_at") != before; }, "a poll cycle");
    }
  }

  std::string log() const {
    std::stringstream text;
    text << std::ifstream(log_path()).rdbuf();
    return text.str();
  }

  std::unique_ptr<store::Store> open_store() {
    auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
    return store ? std::move(*store) : nullptr;
  }

  // What the probe's student earned: a First Aid certificate for
  // student04 (id 24), or the Level 3 certificate of student03 (id 23)
  // waiting in the teacher's queue.
  void probe(const std::string& kind) {
    if (kind == "fa") {
      control("grade", {{"username", "student04"}, {"course", "FA-101"}, {"grade", 91}});
      control("complete", {{"username", "student04"}, {"course", "FA-101"}});
    } else {
      for (const json& skill : k_l3_skills)
        control("rate", {{"username", "student03"}, {"course", "SWIM-L3"}, {"skill", skill},
                         {"grade", GetParam().l3_grade}});
    }
  }
  bool probe_earned(const std::string& kind) {
    auto store = open_store();
    if (!store) return false;
    if (kind == "fa") {
      auto row = store->certificate_by_key("rule:first-aid|student:24|course:FA-101|gen:1");
      return row && *row;
    }
    auto pending = store->pending_with_status(store::PendingStatus::pending);
    if (!pending) return false;
    for (const store::PendingRow& row : *pending)
      if (row.pending.student_id == "23" && row.pending.rule_id == "swim-level-3") return true;
    return false;
  }

  int m_lms_port = 0;
  std::unique_ptr<testing::ChildProcess> m_lms;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::ChildProcess> m_daemon;
};

int count_lines_with(const std::string& text, const std::string& a, const std::string& b) {
  int count = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.find(a) != std::string::npos && line.find(b) != std::string::npos) ++count;
  return count;
}

TEST_P(SiteConditionEndToEnd, ThePollSkipsWhatItConcernsShowsItAndCarriesOn) {
  const Condition& condition = GetParam();
  start_daemon();
  // The school as it is: one full cycle, and the demo's own SWIM-L4 (no
  // completion criteria; its rule reads skills only) is never asked about
  // completion, so it raises nothing.
  json first = wait_for_status([](const json& s) { return !text(s["poll"], "last_cycle_at").empty(); },
                               "the first poll");
  EXPECT_TRUE(first["poll"].value("ok", false)) << first.dump(2);
  EXPECT_FALSE(has_condition(first, "course:SWIM-L4/nocriteriaset")) << first.dump(2);

  for (const auto& [action, body] : condition.start) control(action, body);
  probe(condition.probe);

  if (*condition.key) {
    json shown = wait_for_status([&](const json& s) { return has_condition(s, condition.key); }, condition.key);
    for (const json& c : shown["conditions"])
      if (text(c, "key").rfind(condition.key, 0) == 0) {
        EXPECT_FALSE(text(c, "detail").empty()) << c.dump();
        EXPECT_FALSE(text(c, "advice").empty()) << "what to do: " << c.dump();
      }
  }
  // The rest goes on: the probe's student gets what they earned.
  auto deadline = std::chrono::steady_clock::now() + 45s;
  while (!probe_earned(condition.probe) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(probe_earned(condition.probe)) << "log:\n" << log();

  if (*condition.student) {
    wait_cycles(2);
    auto store = open_store();
    ASSERT_TRUE(store);
    auto history = store->certificates_for_student(condition.student);
    ASSERT_TRUE(history);
    EXPECT_EQ(history->size(), condition.student_certified ? 1u : 0u)
        << "student " << condition.student << "\nlog:\n" << log();
  }

  // A few more cycles while it holds: still one line in the log.
  wait_cycles(3);
  json during = status();
  EXPECT_TRUE(during["poll"].value("ok", false)) << "one condition never fails the cycle: " << during.dump(2);
  EXPECT_EQ(during["events"].value("failed", -1), 0) << during.dump(2);
  if (*condition.key) {
    std::string key = condition.key;
    std::string subject = key.substr(0, key.find('/'));
    for (const json& c : during["conditions"])
      if (text(c, "key").rfind(condition.key, 0) == 0) {
        std::string detail = text(c, "detail");
        std::string words = detail.substr(0, std::min<std::size_t>(detail.size(), 40));
        EXPECT_EQ(count_lines_with(log(), words, "no longer"), 0) << log();
        EXPECT_EQ(count_lines_with(log(), text(c, "subject"), words), 1)
            << "logged once when it starts, not every cycle:\n" << log();
      }
  }

  if (!condition.end.empty()) {
    for (const auto& [action, body] : condition.end) control(action, body);
    if (*condition.key) {
      wait_for_status([&](const json& s) { return !has_condition(s, condition.key); }, "the condition to end");
      EXPECT_GE(count_lines_with(log(), "no longer", ""), 1) << "its end is logged:\n" << log();
    }
  }
  if (*condition.student && !condition.student_certified) {
    // Nothing earned is dropped: once the account is back, what waited goes out.
    std::string key = std::string("rule:first-aid|student:") + condition.student + "|course:FA-101|gen:1";
    auto until = std::chrono::steady_clock::now() + 45s;
    bool issued = false;
    while (!issued && std::chrono::steady_clock::now() < until) {
      if (auto store = open_store()) {
        auto row = store->certificate_by_key(key);
        issued = row && *row;
      }
      if (!issued) std::this_thread::sleep_for(300ms);
    }
    EXPECT_TRUE(issued) << key << " after the account came back\nlog:\n" << log();
  }
  EXPECT_EQ(m_daemon->stop(), 0) << log();
}

INSTANTIATE_TEST_SUITE_P(RealSites, SiteConditionEndToEnd, ::testing::ValuesIn(conditions()),
                         [](const ::testing::TestParamInfo<Condition>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace certd
