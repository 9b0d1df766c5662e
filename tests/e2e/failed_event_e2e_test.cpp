// "Nothing earned is lost", with the real certd and simulator processes:
// a template that cannot draw a student's name (only an issue shows it;
// check-config cannot know the names) fails that student's event; it is
// kept, listed with its reason, and once the template is fixed the next
// `certd run --once` issues the certificate, with no change in the LMS,
// exactly once.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/run_certd.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

namespace fs = std::filesystem;

// The end of the bold text's fallback list: its CJK and Korean faces.
constexpr const char* k_fallback = "thai-bold, cjk-bold, korean-bold]";
constexpr const char* k_without = "thai-bold]";

class FailedEventEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    int port = testing::free_port();
    m_lms = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        app::certd_path(), "simulate-lms", "--port", std::to_string(port), "--data", "examples/school.yaml"});
    ASSERT_TRUE(testing::wait_for_port(port));
    m_root = fs::temp_directory_path() / ("certd-e2e-failed-" + std::to_string(::getpid()));
    fs::remove_all(m_root);
    fs::create_directories(m_root / "templates");
    for (const auto& entry : fs::directory_iterator("examples/templates"))
      if (entry.path().extension() == ".yaml") fs::copy_file(entry.path(), m_root / "templates" / entry.path().filename());
    fs::create_directory_symlink(fs::absolute("examples/assets"), m_root / "assets");  // ../assets of the templates
    std::ofstream(config()) << "lms:\n  url: http://127.0.0.1:" << port << "\n  token_env: CERTD_LMS_TOKEN\n"
                            << "  max_requests_per_second: 1000\n"
                            << "portal:\n  listen: 127.0.0.1:0\n  public_url: https://certs.riverside.example\n"
                            << "issuer:\n  name: Riverside Swim School\n  email: office@riverside.example\n"
                            << "data_dir: " << (m_root / "data").string() << "\n"
                            << "rules_dir: " << fs::absolute("examples/rules").string() << "\n"
                            << "templates_dir: " << (m_root / "templates").string() << "\n";
  }
  void TearDown() override {
    m_lms.reset();
    fs::remove_all(m_root);
  }

  std::string config() const { return (m_root / "certd.yaml").string(); }

  // The first-aid template with its fallback fonts (CJK, Korean) or without.
  void first_aid_fallback(bool present) {
    fs::path file = m_root / "templates" / "first-aid.yaml";
    std::stringstream text;
    text << std::ifstream(file).rdbuf();
    std::string yaml = text.str();
    std::string from = present ? std::string(k_without) + "\n" : std::string(k_fallback) + "\n";
    std::string to = present ? std::string(k_fallback) + "\n" : std::string(k_without) + "\n";
    auto at = yaml.find(from);
    ASSERT_NE(at, std::string::npos);
    yaml.replace(at, from.size(), to);
    std::ofstream(file) << yaml;
  }

  // First-aid certificates of 小明 王 (student02, LMS id 22).
  int first_aid_certificates_of_student02() {
    auto store = store::open_sqlite_store((m_root / "data" / "certd.sqlite").string());
    EXPECT_TRUE(store);
    auto rows = (*store)->certificates_for_student("22");
    EXPECT_TRUE(rows);
    int n = 0;
    for (const store::CertificateRow& row : *rows) n += row.certificate.rule_id == "first-aid";
    return n;
  }

  fs::path m_root;
  std::unique_ptr<testing::ChildProcess> m_lms;
};

TEST_F(FailedEventEndToEnd, AFixedTemplateIssuesTheFailedCertificateOnTheNextRunExactlyOnce) {
  ASSERT_NO_FATAL_FAILURE(first_aid_fallback(false));
  app::CommandRun check = app::run_certd("check-config --config " + config());
  ASSERT_EQ(check.exit_code, 0) << "the broken template passes the start checks: " << check.output;

  app::CommandRun broken = app::run_certd("run --once --config " + config());
  ASSERT_EQ(broken.exit_code, 0) << broken.output;
  EXPECT_EQ(broken.output.find("events: 0 failed"), std::string::npos) << broken.output;
  EXPECT_EQ(first_aid_certificates_of_student02(), 0);

  app::CommandRun listed = app::run_certd("events list --failed --config " + config());
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("小明"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("FA-101"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("no font of the template can draw"), std::string::npos) << listed.output;
  app::CommandRun as_json = app::run_certd("events list --failed --json --config " + config() + " 2>/dev/null");
  ASSERT_EQ(as_json.exit_code, 0) << as_json.output;
  auto failed = nlohmann::json::parse(as_json.output, nullptr, false);
  ASSERT_TRUE(failed.is_array()) << as_json.output;
  // The poll saw this student's completion and grade in FA-101: each
  // event fails alone; no other student's event does.
  ASSERT_FALSE(failed.empty());
  for (const auto& event : failed) {
    EXPECT_EQ(event["course"], "FA-101");
    EXPECT_NE(event["student"].get<std::string>().find("(22)"), std::string::npos) << event.dump();
    EXPECT_EQ(event["attempts"], 1);
    EXPECT_EQ(event["state"], "failed");
    EXPECT_TRUE(event["next_attempt_at"].is_string()) << "the back-off named its next attempt";
  }

  // Still broken: another run does not hurry the back-off, issues nothing.
  app::CommandRun again = app::run_certd("run --once --config " + config());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(first_aid_certificates_of_student02(), 0);

  // The fix: the template's fallback fonts are back. Nothing changes in
  // the LMS; the new fingerprint makes the failed event due at once.
  ASSERT_NO_FATAL_FAILURE(first_aid_fallback(true));
  app::CommandRun fixed = app::run_certd("run --once --config " + config());
  ASSERT_EQ(fixed.exit_code, 0) << fixed.output;
  EXPECT_NE(fixed.output.find(std::to_string(failed.size()) + " retried, 0 failed kept"), std::string::npos)
      << fixed.output;
  EXPECT_EQ(first_aid_certificates_of_student02(), 1);

  app::CommandRun later = app::run_certd("run --once --config " + config());
  ASSERT_EQ(later.exit_code, 0) << later.output;
  EXPECT_EQ(first_aid_certificates_of_student02(), 1) << "exactly once";
  app::CommandRun none = app::run_certd("events list --failed --config " + config());
  EXPECT_NE(none.output.find("No failed events."), std::string::npos) << none.output;
}

}  // namespace
}  // namespace certd
