// `certd check-config --online` against the real simulator process: it
// names every site condition one poll cycle meets (the demo school's
// SWIM-L4 without completion criteria, its student without an e-mail
// address, a function left out of the service), each with what to do
// when the adapter says, exits 0 with warnings, and writes nothing: no
// store is created, an existing store and its cursor stay as they were.
// Also the report writer alone: escaping, grouping, the token.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/config_check.hpp"
#include "app/online_check.hpp"
#include "app/terminal_text.hpp"
#include "app/run_certd.hpp"
#include "app/runtime.hpp"
#include "connector/cursor_store.hpp"
#include "core/clock.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

namespace fs = std::filesystem;
using connector::SiteCondition;

constexpr const char* k_token = "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e";  // the simulator's demo token

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every file under `dir` with its bytes ("" when `dir` does not exist).
std::map<std::string, std::string> snapshot_of(const fs::path& dir) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files[entry.path().string()] = read_all(entry.path());
  return files;
}

class OnlineCheck : public ::testing::Test {
 protected:
  // The demo school, with `site_extra` added under its `site:` key, its
  // rules and `extra_rules` (a rule file's text, when not empty). No
  // completions report: each course is read on its own, as by default.
  void start(const std::string& site_extra = "", const std::string& extra_rules = "") {
    ::setenv("CERTD_LMS_TOKEN", k_token, 1);
    m_root = fs::temp_directory_path() / ("certd-online-check-" + std::to_string(::getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_root);
    fs::create_directories(m_root / "rules");
    std::string school = read_all("examples/school.yaml");
    std::size_t site = school.find("\nsite:\n");
    ASSERT_NE(site, std::string::npos);
    school.insert(site + 7, site_extra);
    std::ofstream(m_root / "school.yaml") << school;
    for (const auto& entry : fs::directory_iterator("examples/rules"))
      fs::copy_file(entry.path(), m_root / "rules" / entry.path().filename());
    if (!extra_rules.empty()) std::ofstream(m_root / "rules" / "extra.yaml") << extra_rules;
    int port = testing::free_port();
    m_lms = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        certd_path(), "simulate-lms", "--port", std::to_string(port), "--data", (m_root / "school.yaml").string()});
    ASSERT_TRUE(testing::wait_for_port(port));
    std::ofstream(config()) << "lms:\n  url: http://127.0.0.1:" << port << "\n  token_env: CERTD_LMS_TOKEN\n"
                            << "  max_requests_per_second: 1000\n"
                            << "  courses: [SWIM-L3, SWIM-L4, FA-101]\n"
                            << "  guardian_email_field: guardian_email\n"
                            << "portal:\n  listen: 127.0.0.1:0\n  public_url: https://certs.riverside.example\n"
                            << "issuer:\n  name: Riverside Swim School\n  email: office@riverside.example\n"
                            << "data_dir: " << data_dir().string() << "\n"
                            << "rules_dir: " << (m_root / "rules").string() << "\n"
                            << "templates_dir: " << fs::absolute("examples/templates").string() << "\n";
  }
  void TearDown() override {
    m_lms.reset();
    fs::remove_all(m_root);
  }

  std::string config() const { return (m_root / "certd.yaml").string(); }
  fs::path data_dir() const { return m_root / "data"; }

  // What the adapter itself reports for one fresh cycle, asked directly
  // (not through online_check), with the same config and rules.
  std::vector<SiteCondition> adapter_conditions() {
    CheckedSchool school;
    CheckReport report = check_everything(config(), &school);
    EXPECT_TRUE(report.errors.empty());
    SystemClock clock;
    auto lms = make_lms(school.config, &school.rules, clock);
    EXPECT_TRUE(lms);
    if (!lms) return {};
    connector::MemoryCursorStore cursors;
    auto result = (*lms)->poll_changes(cursors);
    EXPECT_TRUE(result) << result.error().message();
    if (!result) return {};
    std::vector<SiteCondition> conditions = result->conditions_started;
    for (const SiteCondition& condition : (*lms)->conditions()) conditions.push_back(condition);
    return conditions;
  }

  static const SiteCondition* find(const std::vector<SiteCondition>& conditions, const std::string& key) {
    for (const SiteCondition& condition : conditions)
      if (condition.key == key) return &condition;
    return nullptr;
  }

  // The condition's block: its detail line, then "what to do" when the
  // adapter gives advice (checked only then: advice is the adapter's).
  static std::string block(const SiteCondition& condition) {
    std::string text = "  - " + terminal_safe(condition.detail) + "\n";
    if (!condition.advice.empty()) text += "    what to do: " + terminal_safe(condition.advice) + "\n";
    return text;
  }

  // Every condition the adapter reports is in the output, under its subject.
  void expect_every_condition_named(const std::string& output, const std::vector<SiteCondition>& conditions) {
    for (const SiteCondition& condition : conditions) {
      EXPECT_NE(output.find("\n" + terminal_safe(condition.subject) + "\n"), std::string::npos)
          << condition.key << "\n" << output;
      EXPECT_NE(output.find(block(condition)), std::string::npos) << condition.key << "\n" << output;
    }
  }

  fs::path m_root;
  std::unique_ptr<testing::ChildProcess> m_lms;
};

// A level 4 certificate that also needs the course completed: SWIM-L4,
// which has no completion criteria, can never give it.
const char* const k_completion_rule = R"(version: 1
rules:
  - id: swim-level-4-completed
    course: SWIM-L4
    when:
      all:
        - course_completed: true
        - all_skills_proficient: { framework: "Swim Skills", level: "Level 4" }
    issue: pending
    template: swim-level
)";

TEST_F(OnlineCheck, NamesTheDemoSchoolsConditionsExitsZeroAndCreatesNoStore) {
  ASSERT_NO_FATAL_FAILURE(start("", k_completion_rule));
  std::vector<SiteCondition> conditions = adapter_conditions();
  const SiteCondition* no_criteria = find(conditions, "course:SWIM-L4/nocriteriaset");
  const SiteCondition* no_email = find(conditions, "student:75/no-email");
  ASSERT_NE(no_criteria, nullptr) << "the demo school's SWIM-L4 has no completion criteria";
  ASSERT_NE(no_email, nullptr) << "the demo school's student 75 has no e-mail address";
  std::set<std::string> keys;
  for (const SiteCondition& condition : conditions) keys.insert(condition.key);

  CommandRun run = run_certd("check-config --online --config " + config());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("\ncourse SWIM-L4\n" + block(*no_criteria)), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("\nstudent 75\n" + block(*no_email)), std::string::npos) << run.output;
  expect_every_condition_named(run.output, conditions);
  std::string summary = ": OK with " + std::to_string(keys.size()) + " warnings\n";
  EXPECT_NE(run.output.find(summary), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("One poll cycle, read only (nothing saved): "), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find(k_token), std::string::npos) << "the token never appears";
  EXPECT_EQ(run.output.find('\x1b'), std::string::npos);

  EXPECT_FALSE(fs::exists(data_dir())) << "check-config opens no store and writes no file";
}

// The demo rules read SWIM-L4's skills only: its missing criteria skip
// nothing, so the cycle (asking only what the rules read) does not warn.
TEST_F(OnlineCheck, ACourseWhoseRulesDoNotReadCompletionIsNotWarnedAbout) {
  ASSERT_NO_FATAL_FAILURE(start());
  CommandRun run = run_certd("check-config --online --config " + config());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.find("nocriteriaset"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("\nstudent 75\n"), std::string::npos) << run.output;
}

TEST_F(OnlineCheck, LeavesAnExistingStoreAndItsCursorAsTheyWere) {
  ASSERT_NO_FATAL_FAILURE(start());
  fs::create_directories(data_dir());
  const std::string cursor = "v1 1795000000 0 0";
  {
    auto store = store::open_sqlite_store((data_dir() / "certd.sqlite").string());
    ASSERT_TRUE(store) << store.error().message();
    ASSERT_TRUE((*store)->set_state("moodle.poll", cursor));
  }
  std::map<std::string, std::string> before = snapshot_of(data_dir());

  CommandRun run = run_certd("check-config --online --config " + config());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("\nstudent 75\n"), std::string::npos) << run.output;

  EXPECT_TRUE(snapshot_of(data_dir()) == before) << "no file in data_dir changed";
  auto store = store::open_sqlite_store((data_dir() / "certd.sqlite").string());
  ASSERT_TRUE(store) << store.error().message();
  auto kept = (*store)->get_state("moodle.poll");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->value_or(""), cursor);
  auto pairs = (*store)->get_state("moodle.pairs.4");
  ASSERT_TRUE(pairs);
  EXPECT_FALSE(pairs->has_value()) << "no course's pairs were saved";
}

TEST_F(OnlineCheck, NamesAFunctionLeftOutOfTheService) {
  ASSERT_NO_FATAL_FAILURE(start("  missing_functions: [gradereport_user_get_grade_items]\n"));
  std::vector<SiteCondition> conditions = adapter_conditions();
  const SiteCondition* missing = find(conditions, "site/function:gradereport_user_get_grade_items");
  ASSERT_NE(missing, nullptr);

  CommandRun run = run_certd("check-config --online --config " + config());
  EXPECT_EQ(run.exit_code, 2) << "a function missing from the service is a mistake of the service: " << run.output;
  EXPECT_NE(run.output.find("  - missing: web-service function gradereport_user_get_grade_items"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("\n" + terminal_safe(missing->subject) + "\n" + block(*missing)), std::string::npos)
      << "the cycle names what it skips: " << run.output;
  expect_every_condition_named(run.output, conditions);
  EXPECT_NE(run.output.find("1 missing in the LMS service with "), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(data_dir()));
}

TEST_F(OnlineCheck, AnLmsThatDoesNotAnswerIsAFailure) {
  ::setenv("CERTD_LMS_TOKEN", k_token, 1);
  m_root = fs::temp_directory_path() / ("certd-online-check-down-" + std::to_string(::getpid()));
  fs::create_directories(m_root);
  std::ofstream(config()) << "lms:\n  url: http://127.0.0.1:" << testing::free_port()
                          << "\n  token_env: CERTD_LMS_TOKEN\n  request_timeout: 2s\n"
                          << "data_dir: " << data_dir().string() << "\n";
  CommandRun run = run_certd("check-config --online --config " + config());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("online check: cannot use "), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find(k_token), std::string::npos);
}

// --- The report writer alone. ---

SiteCondition condition(const std::string& key, const std::string& subject, const std::string& detail,
                        const std::string& advice = "") {
  SiteCondition made;
  made.key = key;
  made.subject = subject;
  made.detail = detail;
  made.advice = advice;
  return made;
}

TEST(OnlineCheckReport, ShowsControlCharactersFromTheLmsAsInertText) {
  EXPECT_EQ(terminal_safe("Swim\x1b[2J\x07 L4\r\n"), "Swim\\x1B[2J\\x07 L4\\x0D\\x0A");
  EXPECT_EQ(terminal_safe("\xc2\x9b" "31m"), "\\xC2\\x9B31m") << "C1 CSI";
  EXPECT_EQ(terminal_safe("小明 Zoë\x7f"), "小明 Zoë\\x7F");
  EXPECT_EQ(terminal_safe("\xff"), "\\xFF");
}

TEST(OnlineCheckReport, MergesByKeyAndGroupsBySubjectServiceFirst) {
  std::vector<SiteCondition> started = {
      condition("student:75/no-email", "student 75", "no e-mail"),
      condition("course:SWIM-L4/nocriteriaset", "course SWIM-L4", "no criteria"),
      condition("site/function:f", "the web service", "f missing"),
      condition("student:75:FA-101/x", "student 75", "other"),
  };
  std::vector<SiteCondition> in_force = {condition("course:SWIM-L4/nocriteriaset", "course SWIM-L4", "no criteria"),
                                         condition("course:FA-101/requireloginerror", "course FA-101", "closed")};
  std::vector<SiteCondition> merged = merge_conditions(started, in_force);
  std::vector<std::string> keys;
  for (const SiteCondition& c : merged) keys.push_back(c.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"site/function:f", "course:SWIM-L4/nocriteriaset",
                                            "course:FA-101/requireloginerror", "student:75/no-email",
                                            "student:75:FA-101/x"}));
}

TEST(OnlineCheckReport, PrintsACourseWithAnErrorFirstAdviceAndNeverTheToken) {
  CycleFindings findings;
  findings.stats.requests = 12;
  findings.stats.changes = 3;
  findings.stats.pairs_swept = 5;
  findings.stats.pairs_total = 9;
  findings.stats.courses = {{"SWIM-L3", 7, 3, ""}, {"SWIM-L4", 2, 0, "closed to the service user\x1b[0m"}};
  findings.conditions = {
      condition("course:SWIM-L4/requireloginerror", "course SWIM-L4", "skipped: token " + std::string(k_token),
                "give the service user access to \x1b]0;x\x07 the course"),
      condition("student:75/no-email", "student 75", "has no e-mail address"),
  };
  std::ostringstream out;
  EXPECT_EQ(print_cycle(out, findings, 5, k_token), 2);
  std::string text = out.str();
  EXPECT_EQ(text.find(k_token), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_LT(text.find("  SWIM-L4: 2 requests, 0 changes\n    problem: closed to the service user\\x1B[0m\n"),
            text.find("  SWIM-L3: 7 requests, 3 changes\n"))
      << text;
  EXPECT_NE(text.find("5 of 9 student-course pairs visited (lms.sweep_budget: 5;"), std::string::npos) << text;
  EXPECT_NE(text.find("\ncourse SWIM-L4\n  - skipped: token [lms token]\n"
                      "    what to do: give the service user access to \\x1B]0;x\\x07 the course\n"),
            std::string::npos)
      << text;
  std::size_t student = text.find("\nstudent 75\n  - has no e-mail address\n");
  ASSERT_NE(student, std::string::npos) << text;
  EXPECT_EQ(text.find("what to do", student), std::string::npos) << "no advice, no line: " << text;
  EXPECT_NE(text.find("2 warnings: "), std::string::npos) << text;
}

}  // namespace
}  // namespace certd::app
