// certd run as a process, the simulator as another, talking real HTTP:
// polls find progress, signed webhooks wake the daemon (each source with a
// secret of its own), a teacher's "issue now" mark in Moodle forces a
// certificate and is cleared, and what certd writes is private.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
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
// The second source's (SchoolDir's "reports"): base64 of 32 bytes.
constexpr const char* k_reports_secret = "whsec_c2Vjb25kIHNvdXJjZSBzZWNyZXQgb2YgMzIgYnl0ZXM=";

using testing::HttpResult;
using testing::post;

class DaemonEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    ::setenv("CERTD_WEBHOOK_SECRET", k_secret, 1);
    ::setenv("CERTD_REPORTS_WEBHOOK_SECRET", k_reports_secret, 1);
    // The usual umask, which would leave new files readable by all: what
    // certd writes must be private whatever it is.
    m_umask = ::umask(022);
    m_lms_port = testing::free_port();
    m_portal_port = testing::free_port();
    m_lms = std::make_unique<testing::ChildProcess>(
        args({"simulate-lms", "--port", std::to_string(m_lms_port), "--data", "examples/school.yaml"}));
    ASSERT_TRUE(testing::wait_for_port(m_lms_port));
    m_school = std::make_unique<testing::SchoolDir>("daemon", lms_url(),
                                                    testing::SchoolDir::Options{m_portal_port, "1s", true, "", "", "https://certs.riverside.example", "", ""});
    m_daemon = std::make_unique<testing::ChildProcess>(args({"run", "--config", m_school->config()}));
    ASSERT_TRUE(testing::wait_for_port(m_portal_port)) << "certd run did not open its portal";
  }

  void TearDown() override { ::umask(m_umask); }

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

  // A webhook signed with `source`'s secret, posted to /hooks/`to`
  // (default: the same source).
  HttpResult webhook(const std::string& id, const std::string& body, std::int64_t timestamp,
                     const std::string& source = "moodle", const std::string& to = "") {
    portal::WebhookVerifier signer(Duration(300));
    EXPECT_TRUE(signer.add_source("moodle", k_secret));
    EXPECT_TRUE(signer.add_source("reports", k_reports_secret));
    return post(portal_url() + "/hooks/" + (to.empty() ? source : to), body,
                {"webhook-id: " + id, "webhook-timestamp: " + std::to_string(timestamp),
                 "webhook-signature: " + signer.sign(source, id, timestamp, body)});
  }

  // The events the daemon recorded from `source` ("webhook:moodle").
  std::vector<std::string> event_ids(const std::string& source) {
    std::vector<std::string> ids;
    auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
    if (!store) return ids;
    auto rows = (*store)->recent_events(std::nullopt, 1000);
    if (!rows) return ids;
    for (const store::EventRow& row : *rows)
      if (row.event.source == source) ids.push_back(row.event.source_event_id);
    return ids;
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

  mode_t m_umask = 022;
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

// Each /hooks/{source} has a secret of its own: a webhook captured on its
// way to one source and replayed, byte for byte, at another is refused
// there and becomes no second event; a source that is not configured is 404.
TEST_F(DaemonEndToEnd, AWebhookSignedForOneSourceIsRefusedAtAnother) {
  std::int64_t now = to_unix(std::chrono::system_clock::now());
  std::string body = R"({"type":"progress","data":{"user_id":25,"course":"FA-101"}})";
  HttpResult accepted = webhook("msg_replayed", body, now);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body)["status"], "accepted");

  HttpResult replayed = webhook("msg_replayed", body, now, "moodle", /*to=*/"reports");
  EXPECT_EQ(replayed.status, 401) << replayed.body;
  EXPECT_EQ(json::parse(replayed.body)["error"]["status"], 401);
  HttpResult unknown = webhook("msg_replayed", body, now, "moodle", /*to=*/"canvas");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(json::parse(unknown.body)["error"]["message"], "no such webhook source");

  HttpResult own = webhook("msg_reports_1", body, now, "reports");
  EXPECT_EQ(own.status, 200) << "a source accepts what is signed with its own secret: " << own.body;

  EXPECT_EQ(event_ids("webhook:moodle"), std::vector<std::string>{"msg_replayed"});
  EXPECT_EQ(event_ids("webhook:reports"), std::vector<std::string>{"msg_reports_1"}) << "no replayed event";
  EXPECT_TRUE(event_ids("webhook:canvas").empty());
}

// Under umask 022, everything certd made is its own: folders 0700, files
// 0600 (the store and its WAL, PDFs, e-mails, the key); only the public
// key beside the private one is for everyone.
TEST_F(DaemonEndToEnd, EverythingItWritesIsPrivateWhateverTheUmask) {
  ASSERT_TRUE(wait_for_certificate("rule:first-aid|student:20|course:FA-101|gen:1"));
  const std::filesystem::path data = m_school->data();
  auto deadline = std::chrono::steady_clock::now() + 30s;
  auto has_mail = [&] {
    std::error_code ec;
    return std::filesystem::exists(data / "outbox", ec) && !std::filesystem::is_empty(data / "outbox", ec);
  };
  while (!has_mail() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(has_mail()) << "the certificate's e-mail was written";
  EXPECT_EQ(m_daemon->stop(), 0);

  auto mode_of = [](const std::filesystem::path& path) {
    return static_cast<unsigned>(std::filesystem::status(path).permissions() & std::filesystem::perms::all);
  };
  std::set<std::string> kinds;
  EXPECT_EQ(mode_of(data), 0700u) << data;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data)) {
    const std::filesystem::path& path = entry.path();
    if (path.filename() == "issuer.key.pub") {
      EXPECT_EQ(mode_of(path), 0644u) << path;
      continue;
    }
    EXPECT_EQ(mode_of(path), entry.is_directory() ? 0700u : 0600u) << path;
    kinds.insert(entry.is_directory() ? path.filename().string() : path.extension().string());
  }
  for (const char* kind : {"pdf", "outbox", "cache", ".pdf", ".eml", ".sqlite", ".key"})
    EXPECT_EQ(kinds.count(kind), 1u) << kind << " was checked";
}

}  // namespace
}  // namespace certd
