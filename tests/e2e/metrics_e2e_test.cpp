// Issue 16: /metrics of a running `certd run`, read with prometheus_client's
// own parser (tests/e2e/read_metrics.py): certificates by rule and kind
// agree with the store, the render and poll histograms have counted, a
// webhook's answer is counted by source and status, and only an admin's
// token reads the page.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <fstream>
#include <map>
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

class MetricsEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    ::setenv("CERTD_WEBHOOK_SECRET", k_secret, 1);
    ::setenv("CERTD_REPORTS_WEBHOOK_SECRET", "whsec_c2Vjb25kIHNvdXJjZSBzZWNyZXQgb2YgMzIgYnl0ZXM=", 1);
    m_lms_port = testing::free_port();
    m_lms = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        app::certd_path(), "simulate-lms", "--port", std::to_string(m_lms_port), "--data", "examples/school.yaml"});
    ASSERT_TRUE(testing::wait_for_port(m_lms_port));
    testing::SchoolDir::Options options;
    options.portal_port = testing::free_port();
    options.poll_interval = "1s";
    options.webhooks = true;
    m_portal_port = options.portal_port;
    m_school = std::make_unique<testing::SchoolDir>("metrics", "http://127.0.0.1:" + std::to_string(m_lms_port),
                                                    options);
    m_daemon = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{app::certd_path(), "run", "--config", m_school->config()});
    ASSERT_TRUE(testing::wait_for_port(m_portal_port, 90s)) << "certd run did not open its portal";
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(m_portal_port) + path; }

  // A new account of `role` with a token; returns the token.
  std::string token_of(const std::string& name, const std::string& role) {
    std::string input = m_school->file("password.txt");
    std::ofstream(input) << "a long enough password\n";
    std::string courses = role == "teacher" ? " --courses FA-101" : "";
    app::CommandRun added =
        app::run_certd("--config " + m_school->config() + " user add " + name + " --role " + role + courses + " < " + input);
    EXPECT_EQ(added.exit_code, 0) << added.output;
    app::CommandRun made = app::run_certd("--config " + m_school->config() + " token create " + name + " --label metrics");
    EXPECT_EQ(made.exit_code, 0) << made.output;
    return made.output.substr(0, made.output.find('\n'));
  }

  // The page parsed by prometheus_client: name{labels} -> value, and types.
  struct Page {
    std::map<std::string, double> values;
    json types;
  };
  Page read_page(const std::string& token) {
    testing::HttpResult r = testing::get(url("/metrics"), {"Authorization: Bearer " + token});
    EXPECT_EQ(r.status, 200) << r.body;
    std::string file = m_school->file("metrics.txt");
    std::ofstream(file) << r.body;
    if (std::getenv("CERTD_SHOW_METRICS")) std::cout << r.body;
    app::CommandRun parsed = app::run_command("/usr/bin/python3 tests/e2e/read_metrics.py < " + file);
    EXPECT_EQ(parsed.exit_code, 0) << parsed.output << "\n" << r.body;
    Page page;
    json doc = json::parse(parsed.output, nullptr, false);
    if (!doc.is_object()) return page;
    page.types = doc["types"];
    for (const json& s : doc["samples"]) {
      std::string key = s["name"].get<std::string>();
      for (const auto& [label, value] : s["labels"].items()) key += "|" + label + "=" + value.get<std::string>();
      page.values[key] = s["value"].get<double>();
    }
    return page;
  }

  std::int64_t certificates_of(const std::string& rule, const std::string& kind) {
    auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
    if (!store) return -1;
    auto figures = (*store)->figures();
    if (!figures) return -1;
    for (const store::GroupCount& g : figures->certificates)
      if (g.values == std::vector<std::string>{rule, kind}) return g.count;
    return 0;
  }

  int m_lms_port = 0;
  int m_portal_port = 0;
  std::unique_ptr<testing::ChildProcess> m_lms;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::ChildProcess> m_daemon;
};

TEST_F(MetricsEndToEnd, APrometheusParserReadsTheSchoolsFiguresAndTheProcesssOwn) {
  // The first poll issues first aid to the students who have it already.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (certificates_of("first-aid", "automatic") <= 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(200ms);
  const std::int64_t issued = certificates_of("first-aid", "automatic");
  ASSERT_GT(issued, 0);

  // One good webhook and one with a bad signature, to be counted.
  const std::int64_t now = to_unix(std::chrono::system_clock::now());
  const std::string body = R"({"type":"progress","data":{"user_id":25,"course":"FA-101"}})";
  portal::WebhookVerifier signer(Duration(300));
  ASSERT_TRUE(signer.add_source("moodle", k_secret));
  EXPECT_EQ(testing::post(url("/hooks/moodle"), body,
                          {"webhook-id: msg_metrics_1", "webhook-timestamp: " + std::to_string(now),
                           "webhook-signature: " + signer.sign("moodle", "msg_metrics_1", now, body)})
                .status,
            200);
  EXPECT_EQ(testing::post(url("/hooks/moodle"), body,
                          {"webhook-id: msg_metrics_2", "webhook-timestamp: " + std::to_string(now),
                           "webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="})
                .status,
            401);
  EXPECT_EQ(testing::post(url("/hooks/nosuch"), body, {}).status, 404);

  const std::string admin = token_of("office", "admin");
  Page page = read_page(admin);
  EXPECT_EQ(page.types["certd_certificates_issued"], "counter");
  EXPECT_EQ(page.types["certd_render_seconds"], "histogram");
  EXPECT_EQ(page.values["certd_certificates_issued_total|kind=automatic|rule=first-aid"],
            static_cast<double>(certificates_of("first-aid", "automatic")));
  EXPECT_GE(page.values["certd_render_seconds_count|template=first-aid"], static_cast<double>(issued));
  EXPECT_GE(page.values["certd_poll_duration_seconds_count"], 1);
  EXPECT_GT(page.values["certd_poll_requests_total|course=FA-101"], 0);
  EXPECT_EQ(page.values["certd_webhooks_total|source=moodle|status=200"], 1);
  EXPECT_EQ(page.values["certd_webhooks_total|source=moodle|status=401"], 1);
  // The path is a stranger's text: an unknown source is one label.
  EXPECT_EQ(page.values["certd_webhooks_total|source=unknown|status=404"], 1);
  EXPECT_EQ(page.values.count("certd_webhooks_total|source=nosuch|status=404"), 0u);
  EXPECT_EQ(page.values["certd_last_poll_ok"], 1);
  EXPECT_GT(page.values["certd_quota_used"], 0);
  EXPECT_TRUE(page.values.count("certd_outbox_items|channel=email|state=done") ||
              page.values.count("certd_outbox_items|channel=email|state=queued"));

  // Not for a teacher, nor for a stranger.
  const std::string teacher = token_of("jo", "teacher");
  EXPECT_EQ(testing::get(url("/metrics"), {"Authorization: Bearer " + teacher}).status, 403);
  EXPECT_EQ(testing::get(url("/metrics")).status, 401);
}

}  // namespace
}  // namespace certd
