// certd run as a process, the simulator as another, talking real HTTP:
// polls find progress, signed webhooks wake the daemon, a teacher's
// "issue now" mark in Moodle forces a certificate and is cleared.
#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/run_certd.hpp"
#include "e2e/http_post.hpp"
#include "e2e/school_dir.hpp"
#include "portal/webhook_verifier.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

using testing::HttpResult;
using testing::post;

class DaemonEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    ::setenv("CERTD_WEBHOOK_SECRET", k_secret, 1);
    m_lms_port = testing::free_port();
    m_portal_port = testing::free_port();
    m_lms = std::make_unique<testing::ChildProcess>(
        args({"simulate-lms", "--port", std::to_string(m_lms_port), "--data", "examples/school.yaml"}));
    ASSERT_TRUE(testing::wait_for_port(m_lms_port));
    m_school = std::make_unique<testing::SchoolDir>("daemon", lms_url(),
                                                    testing::SchoolDir::Options{m_portal_port, "1s", true, ""});
    m_daemon = std::make_unique<testing::ChildProcess>(args({"run", "--config", m_school->config()}));
    ASSERT_TRUE(testing::wait_for_port(m_portal_port)) << "certd run did not open its portal";
  }

  std::vector<std::string> args(std::initializer_list<std::string> list) {
    std::vector<std::string> argv{app::certd_path()};
    argv.insert(argv.end(), list);
    return argv;
  }
  std::string lms_url() const { return "http://127.0.0.1:" + std::to_string(m_lms_port); }
  std::string portal_url() const { return "http://127.0.0.1:" + std::to_string(m_portal_port); }

  void control(const std::string& action, const json& body) {
    HttpResult r = post(lms_url() + "/_sim/" + action, body.dump());
    ASSERT_EQ(r.status, 200) << action << ": " << r.body;
  }

  HttpResult webhook(const std::string& id, const std::string& body, std::int64_t timestamp) {
    auto verifier = *portal::WebhookVerifier::create({k_secret}, Duration(300));
    return post(portal_url() + "/hooks/moodle", body,
                {"webhook-id: " + id, "webhook-timestamp: " + std::to_string(timestamp),
                 "webhook-signature: " + verifier.sign(id, timestamp, body)});
  }

  // The certificate under `key`, waiting (bounded) for the daemon.
  std::optional<store::CertificateRow> wait_for_certificate(const std::string& key) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite")) {
        auto row = (*store)->certificate_by_key(key);
        if (row && *row) return **row;
      }
      std::this_thread::sleep_for(100ms);
    }
    return std::nullopt;
  }

  int m_lms_port = 0;
  int m_portal_port = 0;
  std::unique_ptr<testing::ChildProcess> m_lms;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::ChildProcess> m_daemon;
};

TEST_F(DaemonEndToEnd, PollsWebhooksAndIssueNowMarksBecomeCertificatesExactlyOnce) {
  // 1. The first poll issues what the school already shows (Zoë, id 20,
  //    completed First Aid with 92%).
  auto zoe = wait_for_certificate("rule:first-aid|student:20|course:FA-101|gen:1");
  ASSERT_TRUE(zoe);
  EXPECT_EQ(zoe->certificate.kind, "automatic");

  // 2. Chloe (id 25) completes First Aid with 88%; a signed webhook says so.
  control("grade", {{"username", "student05"}, {"course", "FA-101"}, {"grade", 88}});
  control("complete", {{"username", "student05"}, {"course", "FA-101"}});
  std::int64_t now = to_unix(std::chrono::system_clock::now());
  std::string body = R"({"type":"progress","data":{"user_id":25,"course":"FA-101"}})";
  HttpResult accepted = webhook("msg_chloe_1", body, now);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body)["status"], "accepted");
  EXPECT_EQ(json::parse(webhook("msg_chloe_1", body, now).body)["status"], "duplicate");
  auto chloe = wait_for_certificate("rule:first-aid|student:25|course:FA-101|gen:1");
  ASSERT_TRUE(chloe);

  // 3. Webhooks that must not get in.
  HttpResult forged = post(portal_url() + "/hooks/moodle", body,
                           {"webhook-id: msg_x", "webhook-timestamp: " + std::to_string(now),
                            "webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="});
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(json::parse(forged.body)["error"]["status"], 401);
  EXPECT_EQ(webhook("msg_old", body, now - 600).status, 400) << "outside the 5-minute window";
  EXPECT_EQ(webhook("msg_big", std::string(300 * 1024, ' '), now).status, 413);

  // 4. A teacher ticks "Certificate: issue now" for Bob (id 24, 64%, not
  //    completed) in Moodle's completion report.
  control("issue-now", {{"username", "student04"}, {"course", "FA-101"}, {"teacher", "teacher1"}});
  auto bob = wait_for_certificate("rule:first-aid|student:24|course:FA-101|gen:1");
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->certificate.kind, "forced");
  EXPECT_NE(bob->certificate.requested_by.find("Tina Teacher"), std::string::npos) << bob->certificate.requested_by;

  // 5. Let the daemon run a few more cycles, then stop it like systemd does.
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(m_daemon->stop(), 0) << "SIGTERM ends certd run cleanly";
  auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
  ASSERT_TRUE(store);
  auto history = (*store)->certificates_for_student("24");
  ASSERT_TRUE(history);
  EXPECT_EQ(history->size(), 1u) << "the mark was handled once, across many polls";
  auto queued = (*store)->outbox_with_status(store::OutboxStatus::queued);
  ASSERT_TRUE(queued);
  EXPECT_TRUE(queued->empty()) << queued->size() << " write-backs still queued";
  auto stats = json::parse(post(lms_url() + "/_sim/stats", "{}").body);
  EXPECT_GE(stats["calls"].value("core_completion_override_activity_completion_status", 0), 1)
      << "the issue-now mark was cleared: " << stats.dump();
}

}  // namespace
}  // namespace certd
