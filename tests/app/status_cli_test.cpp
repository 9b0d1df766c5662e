// `certd status` as an operator runs it: the real executable against a
// school whose store holds events, pending entries, outbox rows,
// certificates and a recorded poll. No LMS token is set.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/poll_status.hpp"
#include "app/run_certd.hpp"
#include "app/school_fixture.hpp"
#include "core/time_format.hpp"
#include "render/signing.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

class StatusCliTest : public SchoolFixture {
 protected:
  std::string extra_config() const override { return "quota: { per_month: 500 }\n"; }

  std::string config_arg() const { return " --config " + (m_dir / "certd.yaml").string(); }

  // The command reads the wall clock: certificates for "this month" are
  // issued now, one of 2020 must not count.
  static std::int64_t wall_now() { return to_unix(std::chrono::system_clock::now()); }

  void add_certificate(const std::string& number, std::int64_t issued_at) {
    store::NewCertificate c;
    c.number = number;
    c.idempotency_key = "key-" + number;
    c.template_id = "swim-level";
    c.student_id = "7";
    c.student_name = "Ana";
    c.course = "SWIM-L3";
    c.kind = "adhoc";
    c.issued_at = issued_at;
    c.claim_token = "token-" + number;
    ASSERT_OK(db().insert_certificate(c, {}));
  }

  store::Id add_pending(const std::string& key, store::PendingWait wait) {
    store::NewPending p{key, "swim-l3", "7", "Ana", "SWIM-L3", "waits", "{}", k_start, wait};
    auto added = db().add_pending(p);
    EXPECT_TRUE(added) << added.error().to_string();
    return added ? added->id : 0;
  }

  void seed() {
    // Events: two new, one failed (kept for a retry).
    store::Id last = 0;
    for (const char* id : {"e1", "e2", "e3"}) {
      auto recorded = db().record_event({"moodle", id, "lms.change", "{}", k_start});
      ASSERT_OK(recorded);
      last = recorded->id;
    }
    ASSERT_OK(db().fail_event(last, "template missing", k_start + 60));
    // Pending: one waits for a teacher, one was held, one waits for the quota.
    add_pending("p1", store::PendingWait::approval);
    store::Id held = add_pending("p2", store::PendingWait::approval);
    add_pending("p3", store::PendingWait::quota);
    ASSERT_OK(db().decide_pending(held, store::PendingStatus::held, "", "Ms Jones", k_start));
    // Outbox: one retrying, one failed for good, one done, then one queued.
    for (const char* key : {"retry", "fail", "done"}) ASSERT_OK(db().enqueue({"email", key, "{}"}, std::nullopt, k_start));
    auto claimed = db().claim_due(k_start, k_start + 300, 10, "test");
    ASSERT_OK(claimed);
    ASSERT_EQ(claimed->size(), 3u);
    ASSERT_OK(db().fail_outbox((*claimed)[0].id, "SMTP 451", k_start + 60, k_start));
    ASSERT_OK(db().fail_outbox((*claimed)[1].id, "SMTP 550", std::nullopt, k_start));
    ASSERT_OK(db().complete_outbox((*claimed)[2].id, k_start));
    ASSERT_OK(db().enqueue({"email", "queued", "{}"}, std::nullopt, k_start));
    // Quota: three this month, one long ago.
    for (const char* number : {"A-1", "A-2", "A-3"}) add_certificate(number, wall_now() - 1);
    add_certificate("OLD-1", 1577836800);  // 2020-01-01
    // The poll as the daemon recorded it: SWIM-L4 is skipped.
    connector::PollStats stats;
    stats.requests = 12;
    stats.changes = 3;
    stats.courses = {{"SWIM-L3", 5, 3, ""}, {"SWIM-L4", 2, 0, "no completion criteria"}};
    connector::SiteCondition condition;
    condition.key = "course:SWIM-L4/nocriteriaset";
    condition.subject = "course SWIM-L4 \x1b[31mred";
    condition.detail = "completions are not read";
    condition.advice = "set completion criteria";
    condition.lms_code = "nocriteriaset";
    condition.since = from_unix(k_start - 3600);
    ASSERT_OK(record_poll(db(), &stats, "", {condition}, from_unix(k_start)));
  }
};

TEST_F(StatusCliTest, JsonCountsWhatTheStoreHolds) {
  ASSERT_NO_FATAL_FAILURE(seed());
  CommandRun run = run_certd("status --json" + config_arg());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  json status = json::parse(run.output, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(status.is_object()) << run.output;
  EXPECT_EQ(status["issuer"]["name"], "Riverside Swim School");
  EXPECT_EQ(status["issuer"]["key_fingerprint"], school().signer->public_key().key_id());
  EXPECT_EQ(status["events"], json({{"new", 2}, {"failed", 1}}));
  EXPECT_EQ(status["pending"], json({{"approval", 2}, {"quota", 1}}));
  EXPECT_EQ(status["outbox"], json({{"queued", 1}, {"retrying", 1}, {"failed", 1}}));
  EXPECT_EQ(status["quota"]["used"], 3);
  EXPECT_EQ(status["quota"]["per_month"], 500);
  EXPECT_EQ(status["quota"]["month"], format_date(from_unix(wall_now())).substr(0, 7));
  const json& poll = status["poll"];
  EXPECT_EQ(poll["last_cycle_at"], "2026-03-02T09:00:00Z");
  EXPECT_EQ(poll["ok"], true);
  EXPECT_EQ(poll["error"], "");
  EXPECT_EQ(poll["requests"], 12);
  EXPECT_EQ(poll["changes"], 3);
  ASSERT_EQ(poll["courses"].size(), 2u);
  EXPECT_EQ(poll["courses"][0], json({{"shortname", "SWIM-L3"}, {"polled_at", "2026-03-02T09:00:00Z"},
                                      {"requests", 5}, {"changes", 3}, {"error", ""}}));
  EXPECT_EQ(poll["courses"][1]["error"], "no completion criteria");
  ASSERT_EQ(status["conditions"].size(), 1u);
  EXPECT_EQ(status["conditions"][0],
            json({{"key", "course:SWIM-L4/nocriteriaset"}, {"subject", "course SWIM-L4 \x1b[31mred"},
                  {"detail", "completions are not read"}, {"advice", "set completion criteria"},
                  {"lms_code", "nocriteriaset"}, {"since", "2026-03-02T08:00:00Z"}}));
  EXPECT_TRUE(status["generated_at"].is_string());
  EXPECT_EQ(run.output.find('\x1b'), std::string::npos) << "JSON escapes control characters";
}

TEST_F(StatusCliTest, TheScreenHasEverySectionAndNoEscapeByte) {
  ASSERT_NO_FATAL_FAILURE(seed());
  CommandRun run = run_certd("status" + config_arg());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* section : {"Issuer", "Last poll", "Courses", "Conditions", "Events", "Pending", "Outbox", "Quota"})
    EXPECT_NE(("\n" + run.output).find(std::string("\n") + section + " "), std::string::npos) << section << "\n"
                                                                                           << run.output;
  EXPECT_EQ(run.output.find('\x1b'), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("course SWIM-L4 \\x1B[31mred"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("SWIM-L4"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("no completion criteria"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("set completion criteria"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("2 new, 1 failed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("certd events list --failed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("2 waiting for a teacher (1 held), 1 waiting for the monthly quota"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("1 queued, 1 retrying, 1 failed for good"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("3 of 500"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(school().signer->public_key().key_id()), std::string::npos) << run.output;
}

TEST_F(StatusCliTest, AStoreNeverPolledSaysSo) {
  CommandRun run = run_certd("status" + config_arg());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("never polled"), std::string::npos) << run.output;
  CommandRun json_run = run_certd("status --json" + config_arg());
  ASSERT_EQ(json_run.exit_code, 0) << json_run.output;
  json status = json::parse(json_run.output, nullptr, false);
  ASSERT_TRUE(status.is_object()) << json_run.output;
  EXPECT_TRUE(status["poll"]["last_cycle_at"].is_null());
  EXPECT_EQ(status["pending"], json({{"approval", 0}, {"quota", 0}}));
}

TEST_F(StatusCliTest, AConfigErrorExitsTwoAndAStoreThatCannotOpenExitsOne) {
  auto bad = m_dir / "bad.yaml";
  std::ofstream(bad) << config_text() << "colour: blue\n";
  EXPECT_EQ(run_certd("status --config " + bad.string()).exit_code, 2);

  m_runtime.reset();  // closes the fixture's connection
  std::filesystem::remove(data_dir() + "/certd.sqlite");
  std::filesystem::remove(data_dir() + "/certd.sqlite-wal");
  std::filesystem::remove(data_dir() + "/certd.sqlite-shm");
  std::filesystem::create_directories(data_dir() + "/certd.sqlite");  // not a database file
  CommandRun run = run_certd("status" + config_arg());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("cannot open the SQLite store"), std::string::npos) << run.output;
}

// Status reads the store and the settings, not the templates: it answers
// while a template is broken (which is when it is needed) and does not cut
// fonts on every call of a script that polls it.
TEST_F(StatusCliTest, ABrokenTemplateDoesNotHideTheStatus) {
  std::filesystem::path templates = m_dir / "broken-templates";
  std::filesystem::create_directories(templates);
  std::ofstream(templates / "swim-level.yaml") << "name: Swim level\npage: { size: a5 }\n";
  auto config = m_dir / "broken.yaml";
  std::string text = config_text();
  std::string line = "templates_dir: " + std::filesystem::absolute("examples/templates").string();
  ASSERT_NE(text.find(line), std::string::npos);
  text.replace(text.find(line), line.size(), "templates_dir: " + templates.string());
  std::ofstream(config) << text;
  ASSERT_NE(run_certd("check-config --config " + config.string()).exit_code, 0) << "the template is broken";

  CommandRun run = run_certd("status --json --config " + config.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  json status = json::parse(run.output, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(status.is_object()) << run.output;
  EXPECT_EQ(status["issuer"]["key_fingerprint"], school().signer->public_key().key_id());
}

TEST(StatusCli, HelpListsStatus) {
  CommandRun run = run_certd("--help");
  EXPECT_NE(run.output.find("  status "), std::string::npos) << run.output;
  CommandRun help = run_certd("status --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--json"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("--config"), std::string::npos) << help.output;
}

}  // namespace
}  // namespace certd::app
