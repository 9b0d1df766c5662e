// Issue 16: `certd run` reloads on SIGHUP (systemctl reload). A rule
// changed under the running daemon decides the next certificate; a broken
// rule is refused with its file:line:column and the daemon goes on with
// the rules it had. The test plays systemd's side of sd_notify to know
// when a reload is over (RELOADING=1, then READY=1 with its status).
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/run_certd.hpp"
#include "e2e/http_post.hpp"
#include "e2e/notify_socket.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void replace_in_file(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = read_file(path);
  std::size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  text.replace(at, from.size(), to);
  // Written beside and renamed, as an editor or a deployment tool does.
  std::ofstream(path + ".new") << text;
  fs::rename(path + ".new", path);
}

class ReloadEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    m_lms_port = testing::free_port();
    m_lms = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        app::certd_path(), "simulate-lms", "--port", std::to_string(m_lms_port), "--data", "examples/school.yaml"});
    ASSERT_TRUE(testing::wait_for_port(m_lms_port));
    // The school's own copy of the demo rules, to edit under the daemon.
    m_rules = fs::temp_directory_path() / ("certd-reload-rules-" + std::to_string(::getpid()));
    fs::remove_all(m_rules);
    fs::create_directories(m_rules);
    for (const auto& entry : fs::directory_iterator("examples/rules"))
      fs::copy(entry.path(), m_rules / entry.path().filename());
    testing::SchoolDir::Options options;
    options.portal_port = testing::free_port();
    options.poll_interval = "1s";
    options.rules_dir = m_rules.string();
    m_school = std::make_unique<testing::SchoolDir>("reload", lms_url(), options);
    m_portal_port = options.portal_port;
    ASSERT_TRUE(m_systemd.bound()) << std::strerror(errno);
    ::setenv("NOTIFY_SOCKET", m_systemd.path().c_str(), 1);
    // Through a shell that execs certd, so that the pid is certd's own and
    // its log lands in a file.
    m_daemon = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        "/bin/sh", "-c",
        "exec '" + app::certd_path() + "' run --config '" + m_school->config() + "' 2>'" + log_path() + "'"});
    ::unsetenv("NOTIFY_SOCKET");
    ASSERT_TRUE(m_systemd.wait_for("READY=1", 120s)) << "certd run never said READY=1:\n" << read_file(log_path());
  }

  void TearDown() override {
    if (m_daemon) {
      EXPECT_EQ(m_daemon->stop(), 0) << read_file(log_path());
      // Ids only in the log: never a student's name (Frederik Friis's
      // message preferences refuse certd, and Moodle's refusal names him).
      const std::string log = read_file(log_path());
      for (const char* name : {"Friis", "Frederik", "Chloe", "Christensen", "Dahl", "Eriksen"})
        EXPECT_EQ(log.find(name), std::string::npos) << name << " in the log:\n" << log;
    }
    fs::remove_all(m_rules);
  }

  std::string lms_url() const { return "http://127.0.0.1:" + std::to_string(m_lms_port); }
  std::string rule_file() const { return (m_rules / "first-aid.yaml").string(); }
  std::string log_path() const { return m_school ? m_school->file("certd.log") : std::string(); }

  void control(const std::string& action, const json& body) {
    testing::HttpResult r = testing::post(lms_url() + "/_sim/" + action, body.dump());
    ASSERT_EQ(r.status, 200) << action << ": " << r.body;
  }

  // SIGHUP, then what certd told systemd when it was done.
  std::string reload() {
    ::kill(m_daemon->pid(), SIGHUP);
    std::vector<std::string> seen;
    EXPECT_TRUE(m_systemd.wait_for("RELOADING=1", 30s, &seen)) << "no RELOADING=1 after SIGHUP";
    seen.clear();
    EXPECT_TRUE(m_systemd.wait_for("READY=1", 60s, &seen)) << "no READY=1 after the reload";
    return seen.empty() ? std::string() : seen.back();
  }

  // Waits (bounded) until `student` has a certificate or a pending entry of
  // rule first-aid; returns "automatic"/"pending"/"" (nothing yet).
  std::string wait_for_outcome(const std::string& student) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    const std::string key = "rule:first-aid|student:" + student + "|course:FA-101|gen:1";
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite")) {
        auto certificate = (*store)->certificate_by_key(key);
        if (certificate && *certificate) return (*certificate)->certificate.kind;
        auto waiting = (*store)->pending_with_status(store::PendingStatus::pending);
        if (waiting) {
          for (const store::PendingRow& row : *waiting)
            if (row.pending.student_id == student && row.pending.rule_id == "first-aid") return "pending";
        }
      }
      std::this_thread::sleep_for(100ms);
    }
    return "";
  }

  int m_lms_port = 0;
  int m_portal_port = 0;
  fs::path m_rules;
  testing::NotifySocket m_systemd;
  std::unique_ptr<testing::ChildProcess> m_lms;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::ChildProcess> m_daemon;
};

TEST_F(ReloadEndToEnd, TheNextCertificateFollowsARuleChangedUnderTheRunningDaemon) {
  // Before: first aid is issued automatically (Zoë, id 20, at the first poll).
  EXPECT_EQ(wait_for_outcome("20"), "automatic");

  // The school decides first aid needs a teacher's approval from now on.
  replace_in_file(rule_file(), "issue: automatic", "issue: pending");
  std::string status = reload();
  EXPECT_NE(status.find("STATUS=running; reloaded"), std::string::npos) << status << "\n" << read_file(log_path());

  // Chloe (id 25) completes First Aid with 88%: she now waits for approval.
  control("grade", {{"username", "student05"}, {"course", "FA-101"}, {"grade", 88}});
  control("complete", {{"username", "student05"}, {"course", "FA-101"}});
  EXPECT_EQ(wait_for_outcome("25"), "pending") << read_file(log_path());
}

TEST_F(ReloadEndToEnd, ABrokenRuleIsRefusedWithItsLocationAndTheRunningRulesStay) {
  EXPECT_EQ(wait_for_outcome("20"), "automatic");

  // A typo in a condition: the reload must be refused, naming the place.
  replace_in_file(rule_file(), "min_grade: 80", "min_grade: eighty");
  std::string status = reload();
  EXPECT_NE(status.find("refused"), std::string::npos) << status;
  std::string log = read_file(log_path());
  EXPECT_NE(log.find("reload refused"), std::string::npos) << log;
  EXPECT_NE(log.find("first-aid.yaml:10:"), std::string::npos) << "the error must name file:line:column\n" << log;

  // The daemon goes on with the rules it had: student04 (id 24)
  // completes with 85% and is issued automatically.
  control("grade", {{"username", "student04"}, {"course", "FA-101"}, {"grade", 85}});
  control("complete", {{"username", "student04"}, {"course", "FA-101"}});
  EXPECT_EQ(wait_for_outcome("24"), "automatic") << read_file(log_path());

  // Mended, the next reload goes through.
  replace_in_file(rule_file(), "min_grade: eighty", "min_grade: 80");
  status = reload();
  EXPECT_NE(status.find("STATUS=running; reloaded"), std::string::npos) << status << "\n" << read_file(log_path());
}

}  // namespace
}  // namespace certd
