// `certd user` and `certd token` as the school office types them: the
// password from standard input (never an argument), stored as argon2id;
// a token printed once and stored as its SHA-256.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/password_hash.hpp"
#include "app/run_certd.hpp"
#include "app/school_fixture.hpp"
#include "console/sessions.hpp"

namespace certd::app {
namespace {

class UserCliTest : public SchoolFixture {
 protected:
  // certd COMMAND with `input` on standard input.
  CommandRun certd(const std::string& command, const std::string& input = "") {
    std::string input_path = (m_dir / "stdin.txt").string();
    std::ofstream(input_path) << input;
    return run_certd("--config " + (m_dir / "certd.yaml").string() + " " + command + " < " + input_path);
  }
};

TEST_F(UserCliTest, AddReadsThePasswordFromStandardInputAndStoresArgon2id) {
  CommandRun run = certd("user add office --role admin", "correct horse battery\n");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.find("correct horse battery"), std::string::npos);
  auto user = db().local_user("office");
  ASSERT_OK(user);
  ASSERT_TRUE(*user);
  EXPECT_EQ((*user)->user.role, store::Role::admin);
  EXPECT_EQ((*user)->user.password_hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(password_matches((*user)->user.password_hash, "correct horse battery"));

  CommandRun list = certd("user list");
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("office"), std::string::npos);
  EXPECT_NE(list.output.find("admin"), std::string::npos);
  EXPECT_EQ(list.output.find("$argon2id$"), std::string::npos);
}

// Accounts and tokens touch no template: a broken one, which check-config
// and certd run refuse, does not keep the office from adding an account.
TEST_F(UserCliTest, ABrokenTemplateDoesNotStopTheOffice) {
  std::filesystem::path templates = m_dir / "broken-templates";
  std::filesystem::create_directories(templates);
  std::ofstream(templates / "first-aid.yaml") << "page: [not closed\n";
  std::string config = config_text();
  const std::string key = "templates_dir: ";
  std::size_t at = config.find(key);
  ASSERT_NE(at, std::string::npos);
  config.replace(at, config.find('\n', at) - at, key + templates.string());
  std::ofstream(m_dir / "certd.yaml") << config;

  EXPECT_EQ(certd("check-config").exit_code, 2) << "the template is broken";
  CommandRun added = certd("user add office --role admin", "correct horse battery\n");
  EXPECT_EQ(added.exit_code, 0) << added.output;
  EXPECT_EQ(certd("token create office --label nightly").exit_code, 0);
  EXPECT_NE(certd("user list").output.find("office"), std::string::npos);
}

TEST_F(UserCliTest, ATeacherNeedsCoursesAndAPasswordOfTwelveCharacters) {
  EXPECT_EQ(certd("user add jo --role teacher", "correct horse battery\n").exit_code, 2);
  CommandRun short_one = certd("user add jo --role teacher --courses SWIM-L3", "short\n");
  EXPECT_EQ(short_one.exit_code, 2) << short_one.output;
  EXPECT_NE(short_one.output.find("at least 12 characters"), std::string::npos) << short_one.output;
  EXPECT_EQ(certd("user add jo --role student --courses SWIM-L3", "correct horse battery\n").exit_code, 2);
  EXPECT_EQ(certd("user add 'j o' --role admin", "correct horse battery\n").exit_code, 2);
  CommandRun made = certd("user add jo --role teacher --courses SWIM-L3,FA-101", "correct horse battery\n");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  auto user = db().local_user("jo");
  ASSERT_OK(user);
  ASSERT_TRUE(*user);
  EXPECT_EQ((*user)->user.courses, (std::vector<std::string>{"SWIM-L3", "FA-101"}));
  EXPECT_EQ(certd("user add jo --role admin", "correct horse battery\n").exit_code, 1) << "exists already";
}

TEST_F(UserCliTest, PasswdAndDisableChangeTheAccount) {
  ASSERT_EQ(certd("user add jo --role teacher --courses SWIM-L3", "correct horse battery\n").exit_code, 0);
  ASSERT_EQ(certd("user passwd jo", "a brand new password\n").exit_code, 0);
  auto user = db().local_user("jo");
  ASSERT_OK(user);
  EXPECT_TRUE(password_matches((*user)->user.password_hash, "a brand new password"));
  EXPECT_FALSE(password_matches((*user)->user.password_hash, "correct horse battery"));
  ASSERT_EQ(certd("user disable jo").exit_code, 0);
  user = db().local_user("jo");
  ASSERT_OK(user);
  EXPECT_TRUE((*user)->disabled);
  EXPECT_NE(certd("user list").output.find("disabled"), std::string::npos);
  EXPECT_EQ(certd("user disable nobody").exit_code, 1);
  EXPECT_EQ(certd("user passwd nobody", "a brand new password\n").exit_code, 1);
}

TEST_F(UserCliTest, ATokenIsPrintedOnceAndStoredAsItsHash) {
  ASSERT_EQ(certd("user add office --role admin", "correct horse battery\n").exit_code, 0);
  EXPECT_EQ(certd("token create nobody --label x").exit_code, 1);
  CommandRun made = certd("token create office --label 'nightly export'");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::string token = made.output.substr(0, made.output.find('\n'));
  EXPECT_EQ(token.rfind("certd_", 0), 0u) << made.output;
  auto tokens = db().api_tokens("office");
  ASSERT_OK(tokens);
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ((*tokens)[0].token.token_hash, console::token_hash(token));
  EXPECT_EQ((*tokens)[0].token.label, "nightly export");

  CommandRun list = certd("token list");
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("nightly export"), std::string::npos);
  EXPECT_EQ(list.output.find(token), std::string::npos) << "never shown again";
  std::string id = std::to_string((*tokens)[0].id);
  EXPECT_EQ(certd("token revoke " + id).exit_code, 0);
  EXPECT_EQ(certd("token revoke " + id).exit_code, 1) << "revoked already";
  EXPECT_NE(certd("token list office").output.find("revoked"), std::string::npos);
}

}  // namespace
}  // namespace certd::app
