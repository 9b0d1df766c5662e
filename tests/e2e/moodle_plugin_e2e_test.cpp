// Issue 15: the Moodle plugin (moodle/local_certd) against the real certd.
// Its PHP passes `php -l`; its own test runner passes, alone and against a
// running `certd run`; and the webhooks its own code builds and signs
// (tests/moodle_plugin/sign_webhook.php over classes/payload.php) become
// certificates at once, with the LMS poll an hour away: a teacher's
// issue-now mark is forced and cleared, a completion issues automatically,
// a retried webhook-id issues nothing twice, and the test event is answered
// without being stored. Needs php-cli (scripts/setup.sh test installs it):
// without it these tests fail, they do not skip.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/run_certd.hpp"
#include "core/clock.hpp"
#include "e2e/http_post.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* k_reports_secret = "whsec_c2Vjb25kIHNvdXJjZSBzZWNyZXQgb2YgMzIgYnl0ZXM=";
constexpr const char* k_no_php = "php is missing: scripts/setup.sh test installs php-cli";

using ShellRun = app::CommandRun;
const auto shell = app::run_command;

bool have_php() { return shell("command -v php").exit_code == 0; }

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

TEST(MoodlePluginPhp, EveryFilePassesPhpLint) {
  ASSERT_TRUE(have_php()) << k_no_php;
  int files = 0;
  for (const char* root : {"moodle/local_certd", "tests/moodle_plugin"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".php") continue;
      ++files;
      ShellRun lint = shell("php -l " + quoted(entry.path().string()));
      EXPECT_EQ(lint.exit_code, 0) << lint.output;
    }
  }
  EXPECT_GE(files, 15) << "the plugin's files were not found (run from the repository root)";
}

TEST(MoodlePluginPhp, PayloadRunnerPassesWithoutCertd) {
  ASSERT_TRUE(have_php()) << k_no_php;
  ShellRun checks = shell("php tests/moodle_plugin/run_payload_tests.php");
  EXPECT_EQ(checks.exit_code, 0) << checks.output;
  EXPECT_EQ(checks.output.find("not ok"), std::string::npos) << checks.output;
  EXPECT_NE(checks.output.find(" checks, 0 failed"), std::string::npos) << checks.output;
}

class MoodlePluginEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_php()) << k_no_php;
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    ::setenv("CERTD_WEBHOOK_SECRET", k_secret, 1);
    ::setenv("CERTD_REPORTS_WEBHOOK_SECRET", k_reports_secret, 1);
    m_lms_port = testing::free_port();
    m_portal_port = testing::free_port();
    // The demo school, on a Moodle that has the plugin installed.
    m_site = ::testing::TempDir() + "certd-plugin-school-" + std::to_string(::getpid()) + ".yaml";
    std::ifstream in("examples/school.yaml");
    std::stringstream text;
    text << in.rdbuf();
    std::string school = text.str();
    auto site = school.find("\nsite:\n");
    ASSERT_NE(site, std::string::npos);
    school.insert(site + 7, "  local_certd_plugin: true\n");
    std::ofstream(m_site) << school;
    m_lms = std::make_unique<testing::ChildProcess>(
        args({"simulate-lms", "--port", std::to_string(m_lms_port), "--data", m_site}));
    ASSERT_TRUE(testing::wait_for_port(m_lms_port, std::chrono::seconds(60)));
    // Webhooks make the poll a safety net: an hour apart, as the README says.
    m_school = std::make_unique<testing::SchoolDir>(
        "plugin", lms_url(),
        testing::SchoolDir::Options{m_portal_port, "1h", true, "", "", "https://certs.riverside.example", "", ""});
    m_daemon = std::make_unique<testing::ChildProcess>(args({"run", "--config", m_school->config()}));
    ASSERT_TRUE(testing::wait_for_port(m_portal_port, std::chrono::seconds(90))) << "certd run did not open its portal";
  }

  void TearDown() override { std::filesystem::remove(m_site); }

  std::vector<std::string> args(std::initializer_list<std::string> list) {
    std::vector<std::string> argv{app::certd_path()};
    argv.insert(argv.end(), list);
    return argv;
  }
  std::string lms_url() const { return "http://127.0.0.1:" + std::to_string(m_lms_port); }
  std::string portal_url() const { return "http://127.0.0.1:" + std::to_string(m_portal_port); }

  void control(const std::string& action, const json& body) {
    testing::HttpResult r = testing::post(lms_url() + "/_sim/" + action, body.dump());
    ASSERT_EQ(r.status, 200) << action << ": " << r.body;
  }

  long long sim_calls(const std::string& function) {
    json stats = json::parse(testing::post(lms_url() + "/_sim/stats", "{}").body, nullptr, false);
    return stats.is_object() ? stats["calls"].value(function, 0LL) : -1;
  }

  // The webhook the plugin's code makes of these arguments, signed now.
  json plugin_webhook(const std::vector<std::string>& arguments) {
    std::string command = "php tests/moodle_plugin/sign_webhook.php " + quoted(k_secret);
    for (const std::string& a : arguments) command += " " + quoted(a);
    ShellRun signed_request = shell(command);
    EXPECT_EQ(signed_request.exit_code, 0) << signed_request.output;
    return json::parse(signed_request.output, nullptr, false);
  }

  // Posts it as the plugin's sender does: those headers, that body.
  testing::HttpResult send(const json& webhook) {
    std::vector<std::string> headers;
    for (const json& h : webhook.value("headers", json::array()))
      if (h.get<std::string>().rfind("Content-Type:", 0) != 0) headers.push_back(h.get<std::string>());
    return testing::post(portal_url() + "/hooks/moodle", webhook.value("body", ""), headers);
  }

  std::unique_ptr<store::Store> open_store() {
    auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
    return store ? std::move(*store) : nullptr;
  }

  std::optional<store::CertificateRow> wait_for_certificate(const std::string& key, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto store = open_store()) {
        auto row = store->certificate_by_key(key);
        if (row && *row) return **row;
      }
      std::this_thread::sleep_for(50ms);
    }
    return std::nullopt;
  }

  std::vector<store::EventRow> events_from(const std::string& source) {
    std::vector<store::EventRow> found;
    auto store = open_store();
    if (!store) return found;
    auto rows = store->recent_events(std::nullopt, 1000);
    if (rows)
      for (store::EventRow& row : *rows)
        if (row.event.source == source) found.push_back(std::move(row));
    return found;
  }

  std::string m_site;
  int m_lms_port = 0;
  int m_portal_port = 0;
  std::unique_ptr<testing::ChildProcess> m_lms;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::ChildProcess> m_daemon;
};

TEST_F(MoodlePluginEndToEnd, PayloadRunnerPassesAgainstCertdRun) {
  ShellRun live =
      shell("php tests/moodle_plugin/run_payload_tests.php " + quoted(portal_url()) + " " + quoted(k_secret));
  EXPECT_EQ(live.exit_code, 0) << live.output;
  EXPECT_EQ(live.output.find("not ok"), std::string::npos) << live.output;
  EXPECT_NE(live.output.find("ok - live: the same webhook-id again is answered as duplicate"), std::string::npos)
      << "the live checks ran: " << live.output;
}

TEST_F(MoodlePluginEndToEnd, ThePluginsWebhooksBecomeCertificatesWithoutAPoll) {
  // The first poll (at start) issues what the school already shows; the
  // next one is an hour away, so whatever follows came by webhook.
  ASSERT_TRUE(wait_for_certificate("rule:first-aid|student:20|course:FA-101|gen:1", 30s));

  // 1. The plugin's test event: answered, signature checked, not stored.
  json ping = plugin_webhook({"ping", "https://moodle.riverside.example"});
  testing::HttpResult pong = send(ping);
  ASSERT_EQ(pong.status, 200) << pong.body;
  EXPECT_EQ(json::parse(pong.body)["status"], "pong");
  json forged_ping = ping;
  forged_ping["headers"][3] = "webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  EXPECT_EQ(send(forged_ping).status, 401) << "a ping is signature-checked too";

  // 2. A teacher ticks "Certificate: issue now" for Bob (id 24, 64%, not
  //    completed: no rule would issue); the plugin sends issue-now.
  std::int64_t now = to_unix(std::chrono::system_clock::now());
  control("issue-now", {{"username", "student04"}, {"course", "FA-101"}, {"teacher", "teacher1"}, {"time", now}});
  auto sent_at = std::chrono::steady_clock::now();
  json mark = plugin_webhook({"issue-now", "24", "3", "FA-101", "9001", std::to_string(now),
                              R"({"cmid":7,"activity":"Certificate: issue now"})"});
  testing::HttpResult accepted = send(mark);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body)["status"], "accepted");
  auto bob = wait_for_certificate("rule:first-aid|student:24|course:FA-101|gen:1", 20s);
  ASSERT_TRUE(bob) << "no certificate for the issue-now mark without a poll";
  EXPECT_LT(std::chrono::steady_clock::now() - sent_at, 20s);
  EXPECT_EQ(bob->certificate.kind, "forced");
  EXPECT_NE(bob->certificate.requested_by.find("Tina Teacher"), std::string::npos) << bob->certificate.requested_by;
  // The mark is cleared in Moodle by the outbox.
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (sim_calls("core_completion_override_activity_completion_status") < 1 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(sim_calls("core_completion_override_activity_completion_status"), 1) << "the mark was cleared";

  // 3. Chloe (id 25) completes First Aid with 88%; the plugin sends
  //    course-completed, and sends it again (a retry after a lost answer).
  control("grade", {{"username", "student05"}, {"course", "FA-101"}, {"grade", 88}});
  control("complete", {{"username", "student05"}, {"course", "FA-101"}});
  json completed = plugin_webhook({"course-completed", "25", "3", "FA-101", "4242", std::to_string(now)});
  testing::HttpResult first = send(completed);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(json::parse(first.body)["status"], "accepted");
  json retry = plugin_webhook({"course-completed", "25", "3", "FA-101", "4242", std::to_string(now)});
  ASSERT_EQ(retry["id"], completed["id"]) << "the plugin's id is stable across retries";
  testing::HttpResult again = send(retry);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["status"], "duplicate");
  auto chloe = wait_for_certificate("rule:first-aid|student:25|course:FA-101|gen:1", 20s);
  ASSERT_TRUE(chloe);
  EXPECT_EQ(chloe->certificate.kind, "automatic");

  // 4. Some cycles later, stopped as systemd does: one certificate each,
  //    the mark handled once, nothing failed, the ping never an event.
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(m_daemon->stop(), 0);
  auto store = open_store();
  ASSERT_TRUE(store);
  for (const char* student : {"24", "25"}) {
    auto history = store->certificates_for_student(student);
    ASSERT_TRUE(history);
    EXPECT_EQ(history->size(), 1u) << "student " << student;
  }
  EXPECT_EQ(sim_calls("core_completion_override_activity_completion_status"), 1) << "cleared once";
  auto failed = store->count_events(store::EventStatus::failed);
  ASSERT_TRUE(failed);
  EXPECT_EQ(*failed, 0);
  std::vector<std::string> webhook_ids;
  for (const store::EventRow& row : events_from("webhook:moodle")) webhook_ids.push_back(row.event.source_event_id);
  std::sort(webhook_ids.begin(), webhook_ids.end());
  std::vector<std::string> expected{completed["id"].get<std::string>(), mark["id"].get<std::string>()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(webhook_ids, expected) << "the ping is not an event; the retry is the same event";
  int marks = 0;
  for (const store::EventRow& row : events_from("moodle"))
    marks += row.event.source_event_id.rfind("moodle:issue-now:24:", 0) == 0;
  EXPECT_EQ(marks, 1) << "the mark is the poll's own event, recorded once";

  // 5. check-config --online sees the plugin.
  app::CommandRun check = app::run_certd("check-config --online --config " + m_school->config());
  EXPECT_NE(check.output.find("note: Moodle plugin local_certd: installed (release 1.0.0)"), std::string::npos)
      << check.output;
}

}  // namespace
}  // namespace certd
