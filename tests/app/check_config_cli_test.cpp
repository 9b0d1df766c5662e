// `certd check-config` and `certd run` through the real executable: a
// minimal config passes, and a rule whose template prints what the rule
// cannot supply is refused by both, with the same located errors.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/run_certd.hpp"

namespace certd::app {
namespace {

namespace fs = std::filesystem;

class Folder {
 public:
  explicit Folder(const std::string& name)
      : m_root(fs::temp_directory_path() / ("certd-check-config-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(m_root);
    fs::create_directories(m_root);
  }
  ~Folder() { fs::remove_all(m_root); }

  std::string write(const std::string& name, const std::string& text) const {
    fs::create_directories((m_root / name).parent_path());
    std::ofstream(m_root / name) << text;
    return (m_root / name).string();
  }
  std::string path(const std::string& name) const { return (m_root / name).string(); }

 private:
  fs::path m_root;
};

// Lines of `output` that start with `prefix`.
std::vector<std::string> lines_starting_with(const std::string& output, const std::string& prefix) {
  std::vector<std::string> lines;
  std::istringstream stream(output);
  for (std::string line; std::getline(stream, line);)
    if (line.rfind(prefix, 0) == 0) lines.push_back(line);
  return lines;
}

TEST(CheckConfigCli, AMinimalConfigPasses) {
  Folder folder("minimal");
  std::string config = folder.write("certd.yaml", "lms:\n  url: https://moodle.example.org\n  token_env: CERTD_LMS_TOKEN\n");
  CommandRun run = run_certd("check-config --config " + config);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(config + ": OK"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("note: no rules_dir folder " + folder.path("rules") +
                            " (the default, next to the config file): certd will issue nothing until rules are added"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("note: no templates_dir folder " + folder.path("templates")), std::string::npos)
      << run.output;
}

TEST(CheckConfigCli, ATemplatesFolderTheConfigNamesMustExist) {
  Folder folder("named");
  std::string config = folder.write("certd.yaml",
                                    "lms:\n  url: https://moodle.example.org\n  token_env: CERTD_LMS_TOKEN\n"
                                    "templates_dir: designs\n");
  CommandRun run = run_certd("check-config --config " + config);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(config + ":4:16: templates_dir: " + folder.path("designs") + " does not exist"),
            std::string::npos)
      << run.output;
}

// Prints the teacher and the expiry date, neither optional.
const char* const k_template = R"(version: 1
name: Course certificate
number_prefix: CC
page: { size: A4, orientation: landscape }
fonts:
  sans: /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
fields:
  - name: student
    text: "{{student.fullname}}"
    font: sans
    size: 30
    x: 100
    y: 200
  - name: teacher
    text: "Teacher: {{teacher.fullname}}"
    font: sans
    size: 12
    x: 100
    y: 260
  - name: expires
    text: "Valid until {{expires_on}}"
    font: sans
    size: 12
    x: 100
    y: 300
qr: { x: 700, y: 450, size: 90 }
)";

const char* const k_rules = R"(version: 1
rules:
  - id: completed
    course: C1
    when: { course_completed: true }
    issue: automatic
    template: course
  - id: approved
    course: C1
    when: { course_completed: true }
    issue: pending
    template: course
    expires_after: 1y
)";

// `teacher_roles: []`: Moodle never names the teacher, so only the
// signatory can fill {{teacher.fullname}} on an automatic certificate.
std::string school(const Folder& folder, const std::string& issuer, const std::string& teacher_roles = "[]") {
  folder.write("templates/course.yaml", k_template);
  folder.write("rules/course.yaml", k_rules);
  std::string lms = "lms:\n  url: http://127.0.0.1:9\n  token_env: CERTD_TEST_UNSET\n";
  if (!teacher_roles.empty()) lms += "  teacher_roles: " + teacher_roles + "\n";
  return folder.write("certd.yaml", lms + issuer + "data_dir: data\n");
}

TEST(CheckConfigCli, ARuleThatCannotPrintItsTemplateIsRefusedByCheckConfigAndRun) {
  Folder folder("unprintable");
  std::string config = school(folder, "");
  std::string at = folder.path("rules/course.yaml") + ":7:15: rule 'completed': template 'course' field ";
  std::vector<std::string> expected = {
      at + "'teacher' prints {{teacher.fullname}}, which this rule (issue: automatic) cannot supply: no teacher "
           "approves an automatic certificate; set issuer.signatory (printed as the teacher), make the field "
           "optional, or change the rule to issue: pending",
      at + "'expires' prints {{expires_on}}, which this rule (issue: automatic) cannot supply: the rule has no "
           "expires_after; add one (e.g. expires_after: 2y) or make the field optional",
  };

  CommandRun check = run_certd("check-config --config " + config);
  EXPECT_EQ(check.exit_code, 2) << check.output;
  EXPECT_EQ(lines_starting_with(check.output, folder.path("rules/course.yaml")), expected) << check.output;
  EXPECT_NE(check.output.find("2 errors in " + config), std::string::npos) << check.output;

  CommandRun run = run_certd("run --once --config " + config);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  ASSERT_EQ(run.output.rfind("certd run: ", 0), 0u) << run.output;
  EXPECT_EQ(lines_starting_with(run.output.substr(std::string("certd run: ").size()),
                                folder.path("rules/course.yaml")),
            expected)
      << run.output;
  EXPECT_FALSE(fs::exists(folder.path("data/certd.sqlite"))) << "refused before anything was opened";
}

TEST(CheckConfigCli, TheSignatoryAndAnExpiryMakeItPrintable) {
  Folder folder("printable");
  std::string config = school(folder, "issuer:\n  signatory: Dr Ines Moreau\n");
  folder.write("rules/course.yaml", std::string(k_rules).replace(std::string(k_rules).find("    template: course\n"),
                                                                   21, "    template: course\n    expires_after: 2y\n"));
  CommandRun check = run_certd("check-config --config " + config);
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

// With the default lms.teacher_roles the teacher may come from Moodle: no
// signatory is a note (a student whose course names nobody waits), not an error.
TEST(CheckConfigCli, WithoutASignatoryTheTeacherMayComeFromMoodle) {
  Folder folder("teacher-from-moodle");
  std::string config = school(folder, "", /*teacher_roles=*/"");
  folder.write("rules/course.yaml", std::string(k_rules).replace(std::string(k_rules).find("    template: course\n"),
                                                                   21, "    template: course\n    expires_after: 2y\n"));
  CommandRun check = run_certd("check-config --config " + config);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("rule 'completed': template 'course' field 'teacher' prints {{teacher.fullname}}: the "
                              "teacher comes from Moodle"),
            std::string::npos)
      << check.output;
}

}  // namespace
}  // namespace certd::app
