// `certd issue` as a teacher types it: text that would be printed on a
// certificate and in reports is checked before anything is recorded, and
// a bad value is refused with exit 2 and an escaped echo (issue 12).
#include <gtest/gtest.h>

#include "app/run_certd.hpp"
#include "app/school_fixture.hpp"

namespace certd::app {
namespace {

class IssueCliTest : public SchoolFixture {
 protected:
  CommandRun issue(const std::string& options) {
    return run_certd("issue --student 42 --template encouragement " + options + " --config " +
                     (m_dir / "certd.yaml").string());
  }

  void expect_nothing_recorded() {
    EXPECT_TRUE(certificates_of(42).empty());
    auto events = db().recent_events(std::nullopt, 10);
    ASSERT_OK(events);
    EXPECT_TRUE(events->empty()) << "refused before the action is recorded";
  }
};

TEST_F(IssueCliTest, RefusesANameWithATerminalEscape) {
  CommandRun run = issue("--name '\x1b[31mred' --teacher 'Ms Jones'");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("certd issue: --name contains a control character (U+001B) at character 1: "
                            "\"\\x1B[31mred\""),
            std::string::npos)
      << run.output;
  EXPECT_EQ(run.output.find('\x1b'), std::string::npos) << "never echoed raw";
  expect_nothing_recorded();
}

TEST_F(IssueCliTest, RefusesATabBidiControlsAndBadBytesInAnyPrintedOption) {
  struct Case {
    std::string options;
    std::string message;
  };
  const Case cases[] = {
      {"--name 'Ann\t=cmd' --teacher 'Ms Jones'", "--name contains a control character (U+0009) at character 4"},
      {"--name 'Ann\xe2\x80\xae" "eviL' --teacher 'Ms Jones'",
       "--name contains a bidirectional control character (U+202E) at character 4"},
      {"--name 'Ann\xff' --teacher 'Ms Jones'", "--name is not valid UTF-8"},
      {"--name '   ' --teacher 'Ms Jones'", "--name is empty"},
      {"--name '" + std::string(201, 'a') + "' --teacher 'Ms Jones'", "--name is 201 characters long; at most 200"},
      {"--name 'Ada Lovelace' --teacher 'Ms\x1b[2J Jones'", "--teacher contains a control character (U+001B)"},
      {"--name 'Ada Lovelace' --teacher 'Ms Jones' --notes 'Well done\x1b[2J'",
       "--notes contains a control character (U+001B) at character 10"},
  };
  for (const Case& c : cases) {
    CommandRun run = issue(c.options);
    EXPECT_EQ(run.exit_code, 2) << c.options << "\n" << run.output;
    EXPECT_NE(run.output.find(c.message), std::string::npos) << c.options << "\n" << run.output;
  }
  expect_nothing_recorded();
}

TEST_F(IssueCliTest, AGoodNameIsIssued) {
  CommandRun run = issue("--name 'Zoë Ångström' --teacher 'Ms Jones' --notes 'Well done'");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  ASSERT_EQ(certificates_of(42).size(), 1u);
  EXPECT_EQ(certificates_of(42)[0].certificate.student_name, "Zoë Ångström");
}

// An ad-hoc award has its own title: --title, else the template's name;
// a course given with it is context, never the title.
TEST_F(IssueCliTest, AnAwardIsCalledByItsTitleElseByItsTemplateNeverByItsCourse) {
  CommandRun titled = issue("--name 'Анна Петрова' --title 'Star Swimmer of the Month' --teacher 'Ms Jones'");
  EXPECT_EQ(titled.exit_code, 0) << titled.output;
  ASSERT_EQ(certificates_of(42).size(), 1u);
  EXPECT_EQ(certificates_of(42)[0].certificate.title, "Star Swimmer of the Month");
  EXPECT_EQ(certificates_of(42)[0].certificate.course, "");

  CommandRun untitled = run_certd("issue --student 43 --template encouragement --name 'Bea Nguyen' --course FA-101 "
                                  "--teacher 'Ms Jones' --config " + (m_dir / "certd.yaml").string());
  EXPECT_EQ(untitled.exit_code, 0) << untitled.output;
  ASSERT_EQ(certificates_of(43).size(), 1u);
  EXPECT_EQ(certificates_of(43)[0].certificate.title, "Encouragement award");
  EXPECT_EQ(certificates_of(43)[0].certificate.course, "FA-101");

  CommandRun report = run_certd("report certificates --csv --config " + (m_dir / "certd.yaml").string());
  EXPECT_EQ(report.output.rfind("NUMBER,STUDENT,COURSE,TITLE,KIND", 0), 0u) << report.output;
  EXPECT_NE(report.output.find(",Анна Петрова,,Star Swimmer of the Month,adhoc,"), std::string::npos) << report.output;
  EXPECT_NE(report.output.find(",Bea Nguyen,FA-101,Encouragement award,adhoc,"), std::string::npos) << report.output;
}

TEST_F(IssueCliTest, RefusesATitleWithControlCharacters) {
  CommandRun run = issue("--name 'Ada Lovelace' --title 'Star\x1b[2J' --teacher 'Ms Jones'");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("--title contains a control character (U+001B) at character 5"), std::string::npos)
      << run.output;
  expect_nothing_recorded();
}

TEST_F(IssueCliTest, RevokeRefusesAReasonWithControlCharacters) {
  CommandRun run = run_certd("revoke ENC-0000-0000 --reason 'typo\x1b[2J' --teacher 'Ms Jones' --config " +
                             (m_dir / "certd.yaml").string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("--reason contains a control character (U+001B) at character 5"), std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace certd::app
