// `certd check-config` on rule files, through the real executable: every
// mistake of every rule file with its location, and exit status 2. Also
// the demo school's rule files as they are on disk.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/run_certd.hpp"
#include "rules/rule_set.hpp"

namespace certd::rules {
namespace {

namespace fs = std::filesystem;
using app::CommandRun;
using app::run_certd;

// A school folder in /tmp: certd.yaml, rules/ with the given files and an
// empty templates/, so every template a rule names is unknown, whatever
// the template loader accepts.
class SchoolFolder {
 public:
  SchoolFolder() : m_root(fs::temp_directory_path() / ("certd-rules-cli-" + std::to_string(::getpid()))) {
    fs::remove_all(m_root);
    fs::create_directories(m_root / "rules");
    fs::create_directories(m_root / "templates");
    // check-config reads the token as `certd run` would: only the rule
    // files are wrong here.
    ::setenv("CERTD_TEST_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    std::ofstream(m_root / "certd.yaml") << "lms: {url: 'http://127.0.0.1:9000', token_env: CERTD_TEST_TOKEN}\n"
                                            "portal: {public_url: 'http://localhost:8080'}\n"
                                            "issuer: {name: School}\n"
                                            "rules_dir: rules\n"
                                            "templates_dir: templates\n";
  }
  ~SchoolFolder() { fs::remove_all(m_root); }

  void write_rule_file(const std::string& name, const std::string& text) {
    std::ofstream(m_root / "rules" / name) << text;
  }
  std::string rules_path(const std::string& name) const { return (m_root / "rules" / name).string(); }
  std::string config() const { return (m_root / "certd.yaml").string(); }
  const fs::path& root() const { return m_root; }

 private:
  fs::path m_root;
};

// The output lines that start with `prefix`, in order.
std::vector<std::string> lines_starting_with(const std::string& output, const std::string& prefix) {
  std::vector<std::string> lines;
  std::istringstream stream(output);
  for (std::string line; std::getline(stream, line);)
    if (line.rfind(prefix, 0) == 0) lines.push_back(line.substr(prefix.size()));
  return lines;
}

const char* const k_broken = R"(version: 1
rules:
  - id: swim-level-3
    course: SWIM-L3
    when:
      all_skills_proficient: { framework: "Swim Skills", levl: "Level 3" }
    issue: sometimes
    template: swim-level
    expires_after: 2 years
  - id: first-aid
    course: FA-101
    when: {}
    issue: automatic
)";

TEST(CheckRulesCli, ListsEveryRuleFileErrorWithItsLocationAndExitsTwo) {
  SchoolFolder school;
  school.write_rule_file("broken.yml", k_broken);
  school.write_rule_file("README.txt", "not a rule file: ignored\n");
  CommandRun run = run_certd("check-config --config " + school.config());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_EQ(lines_starting_with(run.output, school.rules_path("broken.yml")),
            (std::vector<std::string>{
                ":6:30: rules[0].when.all_skills_proficient.level: required key is missing",
                ":6:58: unknown key 'rules[0].when.all_skills_proficient.levl' (known keys: framework, level)",
                ":7:12: rules[0].issue: unknown value 'sometimes' (expected one of: automatic, pending)",
                ":8:15: rules[0].template: unknown template 'swim-level' (no templates are loaded)",
                ":9:20: rules[0].expires_after: bad duration '2 years' (use a number and a unit: 30s, 5m, 2h, 7d, "
                "6mo, 2y)",
                ":12:11: rules[1].when: is empty; give a condition such as course_completed: true",
                ":10:5: rules[1].template: required key is missing",
            }))
      << run.output;
  EXPECT_NE(run.output.find("7 errors in " + school.config()), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("README"), std::string::npos) << "only *.yaml and *.yml are rule files";
}

// The config file names the folder (line 4), so its absence is an error
// there; the default folder may be missing (tests/app/minimal_config_cli_test).
TEST(CheckRulesCli, AMissingRulesFolderTheConfigNamesIsAnErrorAtItsKey) {
  SchoolFolder school;
  fs::remove_all(school.root() / "rules");
  CommandRun run = run_certd("check-config --config " + school.config());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(school.config() + ":4:12: rules_dir: " + (school.root() / "rules").string() +
                            " does not exist"),
            std::string::npos)
      << run.output;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The demo school's rule files, with the template ids docs/architecture.md's demo
// uses (independent of how far template loading has got).
TEST(CheckRulesCli, TheDemoSchoolsRulesLoad) {
  RuleSetResult loaded = load_rule_set({{"first-aid.yaml", read_text("examples/rules/first-aid.yaml")},
                                        {"swim-levels.yaml", read_text("examples/rules/swim-levels.yaml")}},
                                       {"swim-level", "first-aid", "encouragement"});
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().to_string();
  ASSERT_EQ(loaded.rules.size(), 3u);
  const Rule* level3 = loaded.rules.find("swim-level-3");
  ASSERT_NE(level3, nullptr);
  EXPECT_EQ(level3->course, "SWIM-L3");
  EXPECT_EQ(level3->when.level, "Level 3");
  EXPECT_EQ(level3->issue, IssueMode::pending);
  ASSERT_TRUE(level3->progression);
  EXPECT_EQ(level3->progression->next_course, "SWIM-L4");
  EXPECT_EQ(level3->notify, (std::vector<NotifyTarget>{NotifyTarget::student, NotifyTarget::guardians}));
  const Rule* level4 = loaded.rules.find("swim-level-4");
  ASSERT_NE(level4, nullptr);
  EXPECT_EQ(level4->when.level, "Level 4");
  EXPECT_FALSE(level4->progression);
  const Rule* aid = loaded.rules.find("first-aid");
  ASSERT_NE(aid, nullptr);
  EXPECT_EQ(aid->issue, IssueMode::automatic);
  EXPECT_EQ(aid->expires_after, Duration(2 * 365 * 86400));
  EXPECT_EQ(aid->when.children.at(1).min_grade, 80);
}

}  // namespace
}  // namespace certd::rules
