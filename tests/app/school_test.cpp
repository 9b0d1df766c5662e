#include "app/school.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/school_fixture.hpp"
#include "render/signing.hpp"

namespace certd::app {
namespace {

class SchoolTest : public SchoolFixture {};

TEST_F(SchoolTest, LoadsTheDemoTemplatesRulesAndAnIssuerKey) {
  EXPECT_EQ(school().template_ids, (std::set<std::string>{"encouragement", "first-aid", "swim-level"}));
  EXPECT_NE(school().rules.find("swim-level-3"), nullptr);
  EXPECT_NE(school().rules.find("first-aid"), nullptr);
  ASSERT_TRUE(school().signer);
  EXPECT_TRUE(std::filesystem::exists(school().config.issuer.key_file));
}

TEST_F(SchoolTest, ReloadingKeepsTheIssuerKey) {
  auto again = load_school((m_dir / "certd.yaml").string());
  ASSERT_OK(again);
  EXPECT_EQ(again->signer->public_key().key_id(), school().signer->public_key().key_id());
}

TEST_F(SchoolTest, RuleNamingAMissingTemplateRefusesTheSchool) {
  std::filesystem::path rules = m_dir / "rules";
  std::filesystem::create_directories(rules);
  std::ofstream(rules / "bad.yaml") << "version: 1\nrules:\n  - id: r\n    course: C\n    when: { course_completed: true }\n"
                                       "    issue: automatic\n    template: no-such-template\n";
  std::string text = config_text();
  text.replace(text.find("rules_dir: "), std::string::npos, "rules_dir: " + rules.string() + "\n");
  std::ofstream(m_dir / "bad.yaml") << text;

  auto loaded = load_school((m_dir / "bad.yaml").string());

  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), ErrorCode::invalid_argument);
  EXPECT_NE(loaded.error().message().find("no-such-template"), std::string::npos) << loaded.error().message();
}

}  // namespace
}  // namespace certd::app
