// `certd check-config` and `certd run` through the real executable: a
// minimal config passes, and a rule whose template prints what the rule
// cannot supply is refused by both, with the same located errors; so is
// each secret or key `certd run` would refuse at start.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app/issuer_key.hpp"
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
  // A secret file with `mode` (0600: as certd wants it).
  std::string write_secret(const std::string& name, const std::string& text, fs::perms mode = fs::perms(0600)) const {
    std::string path = write(name, text + "\n");
    fs::permissions(path, mode);
    return path;
  }
  std::string path(const std::string& name) const { return (m_root / name).string(); }

 private:
  fs::path m_root;
};

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

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
  folder.write_secret("token", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e");
  std::string config = folder.write("certd.yaml", "lms:\n  url: https://moodle.example.org\n  token_file: token\n");
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
  folder.write_secret("token", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e");
  std::string config = folder.write("certd.yaml",
                                    "lms:\n  url: https://moodle.example.org\n  token_file: token\n"
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
  folder.write_secret("token", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e");
  std::string lms = "lms:\n  url: http://127.0.0.1:9\n  token_file: token\n";
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

// --- What `certd run` would refuse at start fails check-config (exit 2),
// each problem at its key and never with the secret's value. ---

constexpr const char* k_token = "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e";
constexpr const char* k_webhook_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// A school whose secrets are all right until a test spoils one: the token
// and each webhook source's secret in files of their own, mode 0600.
std::string secrets_school(const Folder& folder, const std::string& token = "  token_file: token\n") {
  folder.write_secret("token", k_token);
  folder.write_secret("moodle.secret", k_webhook_secret);
  folder.write_secret("lti.secret", "whsec_c2Vjb25kIHNvdXJjZSBzZWNyZXQgb2YgMzIgYnl0ZXM=");
  return folder.write("certd.yaml",
                      "lms:\n  url: https://moodle.example.org\n" + token +
                          "webhooks:\n  sources:\n"
                          "    moodle: { secret_file: moodle.secret }\n"
                          "    lti: { secret_file: lti.secret }\n"
                          "data_dir: data\n");
}

TEST(CheckConfigCli, ASchoolWhoseSecretsAreRightPasses) {
  Folder folder("secrets-right");
  CommandRun check = run_certd("check-config --config " + secrets_school(folder));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("note: issuer.key_file: " + folder.path("data/issuer.key") +
                              " does not exist yet; certd run creates it (mode 0600)"),
            std::string::npos)
      << check.output;
  EXPECT_FALSE(fs::exists(folder.path("data"))) << "check-config creates nothing";
}

TEST(CheckConfigCli, ASecretFileOthersMayReadFailsCheckConfigAsItFailsRun) {
  Folder folder("secret-0644");
  std::string config = secrets_school(folder);
  std::string token = folder.write_secret("token", k_token, fs::perms(0644));
  std::string expected = config + ":3:15: lms.token: secret file " + token + " is readable by others; chmod 600 it";

  CommandRun check = run_certd("check-config --config " + config);
  EXPECT_EQ(check.exit_code, 2) << check.output;
  EXPECT_EQ(lines_starting_with(check.output, config + ":"), std::vector<std::string>{expected}) << check.output;
  EXPECT_EQ(check.output.find(k_token), std::string::npos) << "never the secret";

  CommandRun run = run_certd("run --once --config " + config);
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("certd run: " + expected), std::string::npos) << run.output;
}

TEST(CheckConfigCli, AWebhookSecretThatIsNotAStandardWebhooksSecretFailsCheckConfig) {
  Folder folder("short-whsec");
  std::string config = secrets_school(folder);
  folder.write_secret("moodle.secret", "whsec_c2hvcnQ=");  // base64 of "short"
  folder.write_secret("lti.secret", "whsec_not base64 at all, but long enough");
  CommandRun check = run_certd("check-config --config " + config);
  EXPECT_EQ(check.exit_code, 2) << check.output;
  const std::string why = " webhook secret must be whsec_ followed by base64 of 24 to 64 bytes";
  EXPECT_EQ(lines_starting_with(check.output, config + ":"),
            (std::vector<std::string>{config + ":6:28: webhooks.sources.moodle.secret:" + why,
                                      config + ":7:25: webhooks.sources.lti.secret:" + why}))
      << check.output;
  EXPECT_EQ(check.output.find("c2hvcnQ"), std::string::npos) << "never the secret";
  EXPECT_EQ(check.output.find("not base64"), std::string::npos) << "never the secret";
}

// Two sources with one secret would accept each other's requests.
TEST(CheckConfigCli, TwoWebhookSourcesWithOneSecretFailCheckConfig) {
  Folder folder("shared-whsec");
  std::string config = secrets_school(folder);
  folder.write_secret("lti.secret", k_webhook_secret);
  CommandRun check = run_certd("check-config --config " + config);
  EXPECT_EQ(check.exit_code, 2) << check.output;
  EXPECT_EQ(lines_starting_with(check.output, config + ":"),
            std::vector<std::string>{config + ":7:25: webhooks.sources.lti.secret: the same secret as webhook source "
                                              "'moodle': a request signed for one would be accepted at the other; "
                                              "give each source its own"})
      << check.output;
}

TEST(CheckConfigCli, AnUnsetVariableFailsCheckConfig) {
  Folder folder("unset-variable");
  ::unsetenv("CERTD_TEST_NEVER_SET_TOKEN");
  std::string config = secrets_school(folder, "  token_env: CERTD_TEST_NEVER_SET_TOKEN\n");
  CommandRun check = run_certd("check-config --config " + config);
  EXPECT_EQ(check.exit_code, 2) << check.output;
  EXPECT_EQ(lines_starting_with(check.output, config + ":"),
            std::vector<std::string>{config + ":3:14: lms.token: environment variable CERTD_TEST_NEVER_SET_TOKEN is "
                                              "not set"})
      << check.output;
  EXPECT_NE(check.output.find("1 error in " + config), std::string::npos) << check.output;
}

// The issuer's private key: group or others may not read it, wherever
// it is (default place or issuer.key_file) and whatever check-config finds.
TEST(CheckConfigCli, AnIssuerKeyGroupOrOthersMayReadFailsCheckConfig) {
  Folder folder("open-key");
  std::string config = secrets_school(folder);
  std::string key = folder.path("data/issuer.key");
  ASSERT_TRUE(load_or_create_issuer_key(key));
  for (fs::perms mode : {fs::perms(0640), fs::perms(0604)}) {
    fs::permissions(key, mode);
    CommandRun check = run_certd("check-config --config " + config);
    EXPECT_EQ(check.exit_code, 2) << check.output;
    char octal[8];
    std::snprintf(octal, sizeof octal, "%03o", static_cast<unsigned>(mode));
    EXPECT_EQ(lines_starting_with(check.output, config + ":"),
              std::vector<std::string>{config + ": issuer.key_file: the issuer key " + key + " has mode " + octal +
                                       ": group or others may read it. Run: chmod 600 " + key})
        << check.output;
    EXPECT_EQ(check.output.find("PRIVATE KEY"), std::string::npos);
  }
  std::string named = folder.write("certd.yaml", *read_text(config) + "issuer:\n  key_file: issuer.key\n");
  CommandRun check = run_certd("check-config --config " + named);
  EXPECT_EQ(check.exit_code, 2) << check.output;
  EXPECT_NE(check.output.find(named + ":10:13: issuer.key_file: the issuer key " + key + " has mode 604"),
            std::string::npos)
      << check.output;

  fs::permissions(key, fs::perms(0600));
  check = run_certd("check-config --config " + named);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output.find("issuer.key_file"), std::string::npos) << "a private key is not worth a word";
}

// The console's LTI key is loaded by certd run at start, like the issuer
// key: one others may read fails both, located at lti.key_file.
TEST(CheckConfigCli, AnLtiKeyOthersMayReadFailsCheckConfig) {
  Folder folder("open-lti-key");
  std::string config = folder.write("certd.yaml", *read_text(secrets_school(folder)) +
                                                      "lti:\n  key_file: tool.key\n  platforms:\n"
                                                      "    - { issuer: https://moodle.example.org, client_id: c1, "
                                                      "deployment_ids: [\"1\"] }\n");
  CommandRun fresh = run_certd("check-config --config " + config);
  EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
  std::string key = folder.path("data/tool.key");
  EXPECT_NE(fresh.output.find("note: lti.key_file: " + key + " does not exist yet"), std::string::npos)
      << fresh.output;
  CommandRun shown = run_certd("lti show --config " + config);
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("BEGIN PUBLIC KEY"), std::string::npos) << shown.output;
  EXPECT_EQ(shown.output.find("PRIVATE KEY"), std::string::npos);
  EXPECT_NE(shown.output.find("https://moodle.example.org  client c1, deployments 1"), std::string::npos)
      << shown.output;
  EXPECT_EQ(fs::status(key).permissions() & fs::perms::all, fs::perms(0600));

  fs::permissions(key, fs::perms(0644));
  CommandRun check = run_certd("check-config --config " + config);
  EXPECT_EQ(check.exit_code, 2) << check.output;
  EXPECT_NE(check.output.find(config + ":10:13: lti.key_file: the LTI key " + key + " has mode 644"),
            std::string::npos)
      << check.output;
}

}  // namespace
}  // namespace certd::app
