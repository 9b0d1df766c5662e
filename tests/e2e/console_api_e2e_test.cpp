// The console's JSON API end to end: the school office adds an account
// and a token with the CLI, then a script (curl) reads the demo school's
// swim level 3 queue from a running `certd run` and approves two
// entries; a bad token is 401 and a teacher's token on another course
// is 403, both as JSON. A second script issues a certificate now (after
// its preview), revokes it and finds it revoked in the list, then imports
// a small CSV batch and polls it until the daemon has issued it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "app/run_certd.hpp"
#include "e2e/http_post.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// curl GET with headers; the status code comes last on its own line.
testing::HttpResult http_get(const std::string& url, const std::vector<std::string>& headers = {}) {
  std::string command = "curl -s -o - -w '\\n%{http_code}'";
  for (const std::string& h : headers) command += " -H '" + h + "'";
  command += " '" + url + "' 2>/dev/null";
  std::string text;
  FILE* pipe = ::popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) text.append(buffer.data(), n);
  ::pclose(pipe);
  auto newline = text.rfind('\n');
  if (newline == std::string::npos) return {0, text};
  return {std::atoi(text.c_str() + newline + 1), text.substr(0, newline)};
}

class ConsoleApiEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    m_lms_port = testing::free_port();
    m_portal_port = testing::free_port();
    m_lms = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        app::certd_path(), "simulate-lms", "--port", std::to_string(m_lms_port), "--data", "examples/school.yaml"});
    ASSERT_TRUE(testing::wait_for_port(m_lms_port, 60s));
    testing::SchoolDir::Options options;
    options.portal_port = m_portal_port;
    options.poll_interval = "1s";
    options.public_url = api("");
    m_school = std::make_unique<testing::SchoolDir>("console-api", "http://127.0.0.1:" + std::to_string(m_lms_port),
                                                    options);
    m_daemon = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{app::certd_path(), "run", "--config", m_school->config()});
    ASSERT_TRUE(testing::wait_for_port(m_portal_port, 90s)) << "certd run did not open its portal";
  }

  std::string api(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(m_portal_port) + path; }

  // certd COMMAND with `input` on standard input.
  app::CommandRun certd(const std::string& command, const std::string& input = "") {
    std::string input_path = m_school->file("stdin.txt");
    std::ofstream(input_path) << input;
    return app::run_certd("--config " + m_school->config() + " " + command + " < " + input_path);
  }

  // A new account with a token; returns the token.
  std::string account_with_token(const std::string& add_options) {
    app::CommandRun added = certd("user add " + add_options, "a long enough password\n");
    EXPECT_EQ(added.exit_code, 0) << added.output;
    std::string name = add_options.substr(0, add_options.find(' '));
    app::CommandRun made = certd("token create " + name + " --label 'e2e script'");
    EXPECT_EQ(made.exit_code, 0) << made.output;
    return made.output.substr(0, made.output.find('\n'));
  }

  std::size_t swim_queue_size() {
    auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
    if (!store) return 0;
    auto rows = (*store)->pending_with_status(store::PendingStatus::pending);
    if (!rows) return 0;
    return std::count_if(rows->begin(), rows->end(), [](const store::PendingRow& r) { return r.pending.course == "SWIM-L3"; });
  }

  // Events not processed yet (-1: the store cannot be read).
  std::int64_t new_events() {
    auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
    if (!store) return -1;
    auto count = (*store)->count_events(store::EventStatus::new_);
    return count ? *count : -1;
  }

  int m_lms_port = 0;
  int m_portal_port = 0;
  std::unique_ptr<testing::ChildProcess> m_lms;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::ChildProcess> m_daemon;
};

TEST_F(ConsoleApiEndToEnd, AScriptApprovesTwoEntriesWithAToken) {
  // The first poll's events all processed and the queue the same size for
  // a second: a queue still filling would miscount the rows that stay.
  auto deadline = std::chrono::steady_clock::now() + 120s;
  std::size_t size = swim_queue_size();
  auto stable_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    std::size_t now = swim_queue_size();
    if (now != size || new_events() != 0) {
      size = now;
      stable_since = std::chrono::steady_clock::now();
    } else if (size >= 3 && std::chrono::steady_clock::now() - stable_since >= 1s) {
      break;
    }
  }
  ASSERT_GE(swim_queue_size(), 3u) << "the demo school queues swim level 3 for approval";
  const std::string office = account_with_token("office --role admin");
  const std::string teacher = account_with_token("jo --role teacher --courses FA-101");
  ASSERT_EQ(office.rfind("certd_", 0), 0u) << office;

  testing::HttpResult listed = http_get(api("/api/v1/courses/SWIM-L3/queue"), {"Authorization: Bearer " + office});
  ASSERT_EQ(listed.status, 200) << listed.body;
  json queue = json::parse(listed.body);
  ASSERT_GE(queue["entries"].size(), 3u) << listed.body;
  json ids = json::array({queue["entries"][0]["id"], queue["entries"][1]["id"]});

  testing::HttpResult approved =
      testing::post(api("/api/v1/courses/SWIM-L3/queue/approve"),
                    json{{"ids", ids}, {"notes", "Great effort this term"}}.dump(), {"Authorization: Bearer " + office});
  ASSERT_EQ(approved.status, 200) << approved.body;
  json outcome = json::parse(approved.body);
  ASSERT_EQ(outcome["issued"].size(), 2u) << approved.body;
  EXPECT_TRUE(outcome["failed"].empty()) << approved.body;
  for (const json& number : outcome["issued"]) {
    testing::HttpResult verified = http_get(api("/v/" + number.get<std::string>()));
    EXPECT_EQ(verified.status, 200) << number;
  }
  EXPECT_EQ(json::parse(http_get(api("/api/v1/courses/SWIM-L3/queue"), {"Authorization: Bearer " + office}).body)
                ["entries"].size(),
            queue["entries"].size() - 2);

  testing::HttpResult bad = http_get(api("/api/v1/courses/SWIM-L3/queue"), {"Authorization: Bearer certd_nottherealone"});
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(json::parse(bad.body, nullptr, false)["error"]["status"], 401) << bad.body;

  testing::HttpResult other = http_get(api("/api/v1/courses/SWIM-L3/queue"), {"Authorization: Bearer " + teacher});
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(json::parse(other.body, nullptr, false)["error"]["status"], 403) << other.body;

  testing::HttpResult document = http_get(api("/api/v1/openapi.json"));
  EXPECT_EQ(document.status, 200);
  EXPECT_EQ(json::parse(document.body, nullptr, false)["openapi"], "3.1.0");
}

TEST_F(ConsoleApiEndToEnd, AScriptIssuesNowRevokesAndRunsABatch) {
  const std::string office = account_with_token("office --role admin");
  const std::vector<std::string> auth{"Authorization: Bearer " + office};
  const std::string course = api("/api/v1/courses/SWIM-L3");

  testing::HttpResult previewed = http_get(course + "/issue-now/preview?student=21&rule=swim-level-3", auth);
  ASSERT_EQ(previewed.status, 200) << previewed.body;
  json preview = json::parse(previewed.body);
  EXPECT_FALSE(preview["unmet"].empty()) << "student01 has not met swim level 3";
  EXPECT_TRUE(preview["existing_number"].is_null());
  testing::HttpResult issued =
      testing::post(course + "/issue-now", json{{"student", "21"}, {"rule", "swim-level-3"}}.dump(), auth);
  ASSERT_EQ(issued.status, 200) << issued.body;
  const std::string number = json::parse(issued.body)["number"];
  EXPECT_FALSE(json::parse(issued.body)["already_issued"].get<bool>());

  EXPECT_EQ(testing::post(course + "/certificates/" + number + "/revoke", R"({"category":"error"})", auth).status, 400)
      << "a reason is required";
  testing::HttpResult revoked = testing::post(course + "/certificates/" + number + "/revoke",
                                              R"({"category":"error","reason":"Issued by mistake"})", auth);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  testing::HttpResult listed = http_get(course + "/certificates?q=" + number, auth);
  ASSERT_EQ(listed.status, 200) << listed.body;
  json found = json::parse(listed.body)["certificates"];
  ASSERT_EQ(found.size(), 1u) << listed.body;
  EXPECT_EQ(found[0]["status"], "revoked");
  EXPECT_EQ(found[0]["revoke_category"], "error");

  // A batch of FA-101: one bad row skipped, two issued by the daemon.
  const std::string first_aid = api("/api/v1/courses/FA-101");
  json templates = json::parse(http_get(first_aid + "/batch-templates", auth).body)["templates"];
  ASSERT_FALSE(templates.empty());
  const std::string csv =
      "student,name,course\npupil1@families.example,Pupil 1,FA-101\npupil2@families.example,Pupil 2,SWIM-L3\n"
      "pupil3@families.example,Pupil 3,FA-101\n";
  json upload{{"file_name", "api.csv"}, {"template", templates[0]["id"]}, {"csv", csv}, {"skip_bad", true}};
  testing::HttpResult checked = testing::post(first_aid + "/batches", upload.dump(), auth);
  ASSERT_EQ(checked.status, 200) << checked.body;
  json check = json::parse(checked.body);
  ASSERT_EQ(check["errors"].size(), 1u) << checked.body;
  EXPECT_EQ(check["errors"][0]["line"], 3);
  EXPECT_EQ(check["good_rows"], 2);
  ASSERT_TRUE(check["ticket"].is_string()) << checked.body;
  testing::HttpResult started =
      testing::post(first_aid + "/batches/start", json{{"ticket", check["ticket"]}}.dump(), auth);
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string batch = std::to_string(json::parse(started.body)["batch"].get<std::int64_t>());
  json progress;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    progress = json::parse(http_get(first_aid + "/batches/" + batch, auth).body, nullptr, false);
    if (progress.is_object() && progress["status"] == "done") break;
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_EQ(progress["status"], "done") << progress;
  EXPECT_EQ(progress["issued"], 2) << progress;

  // Each action is in the audit log, naming the account.
  auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
  ASSERT_TRUE(store);
  auto audit = (*store)->recent_audit(100);
  ASSERT_TRUE(audit);
  auto by_office = [&](const std::string& action) {
    return std::count_if(audit->begin(), audit->end(), [&](const store::AuditRow& row) {
      return row.entry.action == action && row.entry.actor.find("local:office") != std::string::npos;
    });
  };
  EXPECT_EQ(by_office("console.issue_now"), 1);
  EXPECT_EQ(by_office("revoke"), 1);
  EXPECT_EQ(by_office("console.batch_start"), 1);
}

}  // namespace
}  // namespace certd
