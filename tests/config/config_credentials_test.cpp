// Secrets from systemd credentials: `token_file: $CREDENTIALS_DIRECTORY/NAME`
// reads NAME from the folder systemd makes for LoadCredential=NAME:PATH.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "config/config.hpp"

namespace certd::config {
namespace {

namespace fs = std::filesystem;

// Line 4 names the token file: what a located error points at.
std::string config_with_token_file(const std::string& value) {
  return "lms:\n"
         "  kind: moodle\n"
         "  url: https://moodle.example.edu\n"
         "  token_file: " +
         value +
         "\n"
         "webhooks:\n"
         "  sources:\n"
         "    moodle: { secret_file: \"${CREDENTIALS_DIRECTORY}/webhook-secret\" }\n";
}

LoadResult parse_text(const std::string& text) { return parse(text, "certd.yaml", "/etc/certd"); }

// Each test gets its own credentials folder, and CREDENTIALS_DIRECTORY as
// it found it afterwards.
class Credentials : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* value = std::getenv("CREDENTIALS_DIRECTORY")) m_saved = value;
    m_folder = fs::temp_directory_path() / ("certd-credentials-" + std::to_string(::getpid()));
    fs::remove_all(m_folder);
    fs::create_directories(m_folder);
  }
  void TearDown() override {
    if (m_saved)
      ::setenv("CREDENTIALS_DIRECTORY", m_saved->c_str(), 1);
    else
      ::unsetenv("CREDENTIALS_DIRECTORY");
    fs::remove_all(m_folder);
  }

  void write_credential(const std::string& name, const std::string& value) {
    std::ofstream(m_folder / name) << value;
    fs::permissions(m_folder / name, fs::perms::owner_read | fs::perms::owner_write);
  }

  fs::path m_folder;

 private:
  std::optional<std::string> m_saved;
};

TEST_F(Credentials, AFileInTheCredentialsFolderIsReadFromTheFolderSystemdNames) {
  LoadResult result = parse_text(config_with_token_file("$CREDENTIALS_DIRECTORY/lms-token"));
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  const Secret& token = result.config.lms.token;
  EXPECT_EQ(token.source, Secret::Source::file);
  EXPECT_EQ(token.name, "$CREDENTIALS_DIRECTORY/lms-token") << "kept as written, not made relative to /etc/certd";
  ASSERT_EQ(result.config.webhooks.sources.size(), 1u);
  EXPECT_EQ(result.config.webhooks.sources[0].secret.name, "$CREDENTIALS_DIRECTORY/webhook-secret")
      << "${...} is the same variable";

  write_credential("lms-token", "token-from-systemd\n");
  write_credential("webhook-secret", "whsec_c2VjcmV0");
  ::setenv("CREDENTIALS_DIRECTORY", m_folder.c_str(), 1);
  auto value = resolve(token);
  ASSERT_TRUE(value) << value.error().to_string();
  EXPECT_EQ(*value, "token-from-systemd");
  auto secret = resolve(result.config.webhooks.sources[0].secret);
  ASSERT_TRUE(secret) << secret.error().to_string();
  EXPECT_EQ(*secret, "whsec_c2VjcmV0");
}

TEST_F(Credentials, WithoutTheVariableTheSecretIsAnErrorAtItsKey) {
  LoadResult result = parse_text(config_with_token_file("$CREDENTIALS_DIRECTORY/lms-token"));
  ASSERT_TRUE(result.ok()) << "parse reads no environment: commands that need no secret still work";
  ::unsetenv("CREDENTIALS_DIRECTORY");
  auto value = resolve(result.config.lms.token);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code(), ErrorCode::not_found);
  EXPECT_EQ(value.error().to_string(),
            "certd.yaml:4:15: lms.token: token_file uses $CREDENTIALS_DIRECTORY, which systemd sets only for a "
            "service with LoadCredential=; give certd.service LoadCredential=lms-token:PATH, or, to run certd "
            "outside the service, set CREDENTIALS_DIRECTORY to a folder holding lms-token");

  ::setenv("CREDENTIALS_DIRECTORY", "", 1);
  EXPECT_FALSE(resolve(result.config.lms.token)) << "an empty variable names no folder";
}

TEST_F(Credentials, ACredentialTheUnitDoesNotLoadIsNamed) {
  LoadResult result = parse_text(config_with_token_file("$CREDENTIALS_DIRECTORY/lms-token"));
  ASSERT_TRUE(result.ok());
  ::setenv("CREDENTIALS_DIRECTORY", m_folder.c_str(), 1);
  auto value = resolve(result.config.lms.token);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code(), ErrorCode::not_found);
  EXPECT_EQ(value.error().where().line, 4);
  EXPECT_NE(value.error().message().find("no credential lms-token in $CREDENTIALS_DIRECTORY (" + m_folder.string() +
                                         "); certd.service needs LoadCredential=lms-token:PATH"),
            std::string::npos)
      << value.error().message();
}

TEST_F(Credentials, ACredentialOthersMayReadIsRefusedLikeAnyFile) {
  LoadResult result = parse_text(config_with_token_file("$CREDENTIALS_DIRECTORY/lms-token"));
  write_credential("lms-token", "token");
  fs::permissions(m_folder / "lms-token", fs::perms::others_read, fs::perm_options::add);
  ::setenv("CREDENTIALS_DIRECTORY", m_folder.c_str(), 1);
  auto value = resolve(result.config.lms.token);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code(), ErrorCode::permission_denied);
}

TEST_F(Credentials, OtherPathsAreUnchanged) {
  ::setenv("CREDENTIALS_DIRECTORY", m_folder.c_str(), 1);
  const std::pair<const char*, const char*> cases[] = {
      {"/etc/certd/credentials/lms-token", "/etc/certd/credentials/lms-token"},
      {"lms.token", "/etc/certd/lms.token"},
      // Only this one variable, and only as the first part of the path.
      {"$HOME/lms-token", "/etc/certd/$HOME/lms-token"},
      {"$CREDENTIALS_DIRECTORY_OLD/lms-token", "/etc/certd/$CREDENTIALS_DIRECTORY_OLD/lms-token"},
      {"secrets/$CREDENTIALS_DIRECTORY/lms-token", "/etc/certd/secrets/$CREDENTIALS_DIRECTORY/lms-token"},
  };
  for (const auto& [written, read] : cases) {
    LoadResult result = parse_text(config_with_token_file(written));
    ASSERT_TRUE(result.ok()) << written << ": " << result.errors.front().to_string();
    EXPECT_EQ(result.config.lms.token.name, read) << written;
  }
}

TEST_F(Credentials, WhatFollowsTheVariableMustBeOneCredentialName) {
  for (const char* written : {"$CREDENTIALS_DIRECTORY/", "$CREDENTIALS_DIRECTORY/tokens/lms",
                              "${CREDENTIALS_DIRECTORY}/..", "$CREDENTIALS_DIRECTORY/."}) {
    LoadResult result = parse_text(config_with_token_file(std::string("\"") + written + "\""));
    ASSERT_EQ(result.errors.size(), 1u) << written;
    EXPECT_EQ(result.errors[0].to_string(),
              "certd.yaml:4:15: lms.token_file: $CREDENTIALS_DIRECTORY/ must be followed by the name of one "
              "credential, as in LoadCredential=NAME:PATH of certd.service (e.g. $CREDENTIALS_DIRECTORY/lms-token)")
        << written;
  }
}

}  // namespace
}  // namespace certd::config
