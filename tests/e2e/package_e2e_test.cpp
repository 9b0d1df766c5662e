// Issue 16: the Debian package. cpack builds it from this build folder; it
// is unpacked into a scratch root (dpkg-deb -x: no root rights needed, and
// nothing of the machine changes) and certd runs from there, in a folder
// with no examples/ in it, as an installed certd would: `certd demo` and
// `certd simulate-lms` find the demo school under share/certd/examples.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/run_certd.hpp"
#include "process_util.hpp"

namespace certd {
namespace {

namespace fs = std::filesystem;

using app::run_command;

class Package : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new fs::path(fs::temp_directory_path() / ("certd-package-" + std::to_string(::getpid())));
    fs::remove_all(*s_dir);
    fs::create_directories(*s_dir / "root");
    s_build = new app::CommandRun(run_command("cpack -G DEB --config " + fs::path(app::certd_path()).parent_path().string() + "/CPackConfig.cmake -B " +
                                        (*s_dir / "out").string()));
    for (const auto& entry : fs::directory_iterator(*s_dir / "out"))
      if (entry.path().extension() == ".deb") s_deb = new std::string(entry.path().string());
    if (s_deb) s_unpack = new app::CommandRun(run_command("dpkg-deb -x " + *s_deb + " " + (*s_dir / "root").string()));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*s_dir);
    delete s_dir;
    delete s_build;
    delete s_deb;
    delete s_unpack;
  }
  void SetUp() override {
    ASSERT_EQ(s_build->exit_code, 0) << s_build->output;
    ASSERT_NE(s_deb, nullptr) << "cpack made no .deb:\n" << s_build->output;
    ASSERT_EQ(s_unpack->exit_code, 0) << s_unpack->output;
  }

  static fs::path root() { return *s_dir / "root"; }
  static std::string certd() { return (root() / "usr/bin/certd").string(); }
  // A folder without examples/: only the installed layout can help.
  static std::string in_scratch(const std::string& command) { return "cd " + s_dir->string() + " && " + command; }

  static fs::path* s_dir;
  static app::CommandRun* s_build;
  static std::string* s_deb;
  static app::CommandRun* s_unpack;
};

fs::path* Package::s_dir = nullptr;
app::CommandRun* Package::s_build = nullptr;
std::string* Package::s_deb = nullptr;
app::CommandRun* Package::s_unpack = nullptr;

TEST_F(Package, LaysOutTheProgramItsDataAndItsConfig) {
  for (const char* file : {"usr/bin/certd", "usr/share/certd/examples/certd.yaml", "usr/share/certd/examples/school.yaml",
                           "usr/share/certd/examples/templates/first-aid.yaml",
                           "usr/share/certd/examples/assets/first-aid-background.jpg", "usr/share/certd/FONTS.md",
                           "usr/share/doc/certd/README.md", "usr/share/doc/certd/configuration.md",
                           "etc/certd/certd.yaml", "etc/certd/rules/first-aid.yaml",
                           "lib/systemd/system/certd.service"})
    EXPECT_TRUE(fs::exists(root() / file)) << file;
  EXPECT_FALSE(fs::exists(root() / "usr/share/certd/examples/assets/make_backgrounds.py"));

  // Runtime dependencies come from dpkg-shlibdeps, not a hand-kept list.
  app::CommandRun depends = run_command("dpkg-deb -f " + *s_deb + " Depends");
  EXPECT_NE(depends.output.find("libhpdf"), std::string::npos) << depends.output;
  EXPECT_NE(depends.output.find("libqpdf"), std::string::npos) << depends.output;
  EXPECT_NE(depends.output.find("adduser"), std::string::npos) << depends.output;
  EXPECT_NE(depends.output.find("libsystemd0"), std::string::npos) << depends.output;
  // The config survives upgrades; postinst makes the user and the state folder.
  app::CommandRun conffiles = run_command("dpkg-deb -I " + *s_deb + " conffiles");
  EXPECT_NE(conffiles.output.find("/etc/certd/certd.yaml"), std::string::npos) << conffiles.output;
  app::CommandRun postinst = run_command("dpkg-deb -I " + *s_deb + " postinst");
  EXPECT_NE(postinst.output.find("adduser --system"), std::string::npos) << postinst.output;
  EXPECT_NE(postinst.output.find("/var/lib/certd"), std::string::npos) << postinst.output;
}

// The lines of `text` that are not comments.
std::vector<std::string> active_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    const auto start = line.find_first_not_of(" \t");
    if (start != std::string::npos && line[start] != '#') lines.push_back(line.substr(start));
  }
  return lines;
}

std::string file_text(const fs::path& path) {
  std::ostringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

// Secrets come as systemd credentials: each one the packaged config reads
// must be loaded by the unit (or certd stops at its key), and each one the
// unit loads must be read (a credential file that is missing stops the start).
TEST_F(Package, TheServiceLoadsTheCredentialsTheConfigReads) {
  const std::string prefix = "$CREDENTIALS_DIRECTORY/";
  std::set<std::string> read;
  for (const std::string& line : active_lines(file_text(root() / "etc/certd/certd.yaml")))
    if (auto at = line.find(prefix); at != std::string::npos)
      read.insert(line.substr(at + prefix.size(), line.find_first_of(" \t,}\"'", at) - at - prefix.size()));
  std::set<std::string> loaded;
  for (const std::string& line : active_lines(file_text(root() / "lib/systemd/system/certd.service"))) {
    if (line.rfind("LoadCredential=", 0) != 0) continue;
    const std::string value = line.substr(std::string("LoadCredential=").size());
    const std::string name = value.substr(0, value.find(':'));
    EXPECT_EQ(value, name + ":/etc/certd/credentials/" + name) << "credentials live in /etc/certd/credentials";
    loaded.insert(name);
  }
  EXPECT_EQ(read, std::set<std::string>{"lms-token"});
  EXPECT_EQ(loaded, read);
  app::CommandRun postinst = run_command("dpkg-deb -I " + *s_deb + " postinst");
  EXPECT_NE(postinst.output.find("install -d -o root -g root -m 0700 /etc/certd/credentials"), std::string::npos)
      << postinst.output;
}

TEST_F(Package, TheInstalledProgramRunsTheDemo) {
  const fs::path out = *s_dir / "demo";
  app::CommandRun run = run_command(in_scratch(certd() + " demo --json --students 20 --out " + out.string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto summary = nlohmann::json::parse(run.output.substr(run.output.find('{')), nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << run.output;
  ASSERT_GT(summary["issued_count"].get<int>(), 0) << run.output;
  const std::string pdf = summary["issued"][0]["pdf"].get<std::string>();
  app::CommandRun verify = run_command(certd() + " verify " + pdf + " --config " + (out / "certd.yaml").string());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("VALID"), std::string::npos) << verify.output;
}

TEST_F(Package, TheInstalledSimulatorServesTheDemoSchool) {
  const int port = testing::free_port();
  testing::ChildProcess simulator(
      {"/bin/sh", "-c", in_scratch("exec " + certd() + " simulate-lms --port " + std::to_string(port) + " >/dev/null")});
  ASSERT_TRUE(testing::wait_for_port(port)) << "certd simulate-lms did not start from the package";
  // The demo school's token and course; a generated school has neither.
  app::CommandRun course = run_command("curl -s http://127.0.0.1:" + std::to_string(port) +
                                 "/webservice/rest/server.php -d wstoken=c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e"
                                 " -d wsfunction=core_course_get_courses_by_field -d moodlewsrestformat=json"
                                 " -d field=shortname -d value=FA-101");
  simulator.stop();
  EXPECT_NE(course.output.find("\"shortname\":\"FA-101\""), std::string::npos) << course.output;
}

}  // namespace
}  // namespace certd
