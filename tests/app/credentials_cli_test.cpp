// Secrets as systemd credentials through the real executable: with
// CREDENTIALS_DIRECTORY set (as systemd sets it for LoadCredential=),
// `token_file: $CREDENTIALS_DIRECTORY/lms-token` is read from that folder;
// without it, check-config and run stop at the key, and commands that read
// no secret do not care.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "app/run_certd.hpp"

namespace certd::app {
namespace {

namespace fs = std::filesystem;

class CredentialsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root = fs::temp_directory_path() / ("certd-credentials-cli-" + std::to_string(::getpid()));
    fs::remove_all(m_root);
    fs::create_directories(m_root / "credentials");
    // Mode 0500/0400, as systemd makes the folder and its files.
    std::ofstream(m_root / "credentials" / "lms-token") << "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e\n";
    fs::permissions(m_root / "credentials" / "lms-token", fs::perms::owner_read);
    fs::permissions(m_root / "credentials", fs::perms::owner_read | fs::perms::owner_exec);
    std::ofstream(m_root / "certd.yaml") << "lms:\n"
                                            "  url: https://moodle.example.org\n"
                                            "  token_file: $CREDENTIALS_DIRECTORY/lms-token\n"
                                            "data_dir: data\n";
  }
  void TearDown() override {
    fs::permissions(m_root / "credentials", fs::perms::owner_all);
    fs::remove_all(m_root);
  }

  std::string config() const { return (m_root / "certd.yaml").string(); }
  std::string credentials() const { return (m_root / "credentials").string(); }

  fs::path m_root;
};

TEST_F(CredentialsCli, CheckConfigReadsTheTokenFromTheCredentialsFolder) {
  CommandRun run = run_command("env CREDENTIALS_DIRECTORY=" + credentials() + " " + certd_path() +
                               " check-config --config " + config());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(config() + ": OK"), std::string::npos) << run.output;
}

TEST_F(CredentialsCli, WithoutTheVariableCheckConfigAndRunStopAtTheKey) {
  const std::string expected = config() +
                               ":3:15: lms.token: token_file uses $CREDENTIALS_DIRECTORY, which systemd sets only "
                               "for a service with LoadCredential=";
  CommandRun check = run_command("env -u CREDENTIALS_DIRECTORY " + certd_path() + " check-config --config " + config());
  EXPECT_EQ(check.exit_code, 2) << check.output;
  EXPECT_NE(check.output.find(expected), std::string::npos) << check.output;

  // As for a variable of token_env that is not set: run refuses to start.
  CommandRun run = run_command("env -u CREDENTIALS_DIRECTORY " + certd_path() + " run --once --config " + config());
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("certd run: " + expected), std::string::npos) << run.output;
}

TEST_F(CredentialsCli, CommandsThatReadNoSecretWorkWithoutTheVariable) {
  // An administrator's shell has no CREDENTIALS_DIRECTORY: the config
  // still loads, and only what needs the token asks for it.
  CommandRun report =
      run_command("env -u CREDENTIALS_DIRECTORY " + certd_path() + " report certificates --config " + config());
  EXPECT_EQ(report.exit_code, 0) << report.output;
  CommandRun pending =
      run_command("env -u CREDENTIALS_DIRECTORY " + certd_path() + " pending list --config " + config());
  EXPECT_EQ(pending.exit_code, 0) << pending.output;
}

TEST_F(CredentialsCli, ACredentialTheUnitDoesNotLoadIsNamed) {
  fs::permissions(m_root / "credentials", fs::perms::owner_all);
  fs::remove(m_root / "credentials" / "lms-token");
  CommandRun check = run_command("env CREDENTIALS_DIRECTORY=" + credentials() + " " + certd_path() +
                                 " check-config --config " + config());
  EXPECT_EQ(check.exit_code, 2) << check.output;
  EXPECT_NE(check.output.find(config() + ":3:15: lms.token: no credential lms-token in $CREDENTIALS_DIRECTORY"),
            std::string::npos)
      << check.output;
}

}  // namespace
}  // namespace certd::app
