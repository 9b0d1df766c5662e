// What the poll leaves for `certd status` (app/poll_status.cpp) and the
// report built from it (app/status_report.cpp), on a real store; the
// daemon's run --once path records through the same function.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/daemon.hpp"
#include "app/poll_status.hpp"
#include "app/school_fixture.hpp"
#include "app/status_report.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

connector::SiteCondition no_criteria_condition(TimePoint since) {
  connector::SiteCondition condition;
  condition.key = "course:SWIM-L4/nocriteriaset";
  condition.subject = "course SWIM-L4";
  condition.detail = "the course has no completion criteria: completions are not read";
  condition.advice = "set completion criteria in the course";
  condition.lms_code = "nocriteriaset";
  condition.since = since;
  return condition;
}

connector::PollStats two_course_stats() {
  connector::PollStats stats;
  stats.requests = 12;
  stats.changes = 2;
  stats.courses = {{"SWIM-L3", 5, 2, ""}, {"SWIM-L4", 3, 0, "no completion criteria"}};
  return stats;
}

// An LMS whose poll answers what the test sets, or fails.
class ScriptedLms final : public connector::Lms {
 public:
  connector::PollResult next;
  std::vector<connector::SiteCondition> in_force;
  bool fail = false;

  Result<connector::SiteCheck> check_site() override { return connector::SiteCheck{}; }
  Result<std::vector<connector::Course>> courses(const std::vector<std::string>&) override {
    return std::vector<connector::Course>{};
  }
  Result<std::vector<connector::EnrolledStudent>> enrolled_students(const connector::Course&) override {
    return std::vector<connector::EnrolledStudent>{};
  }
  Result<connector::CourseProgress> progress(const connector::Course&, connector::UserId) override {
    return Error(ErrorCode::not_found, "no student");
  }
  Result<std::optional<connector::IssueNowMark>> issue_now_mark(const connector::Course&, connector::UserId) override {
    return std::optional<connector::IssueNowMark>();
  }
  Result<connector::PollResult> poll_changes(connector::CursorStore&) override {
    if (fail) return Error(ErrorCode::unavailable, "HTTP 503: the LMS is in maintenance");
    return next;
  }
  std::vector<connector::SiteCondition> conditions() const override { return in_force; }
  Status add_note(const connector::NoteRequest&) override { return ok(); }
  Result<connector::MessageOutcome> send_message(const connector::MessageRequest&) override {
    return connector::MessageOutcome{};
  }
  Status set_profile_field(connector::UserId, const std::string&, const std::string&) override { return ok(); }
  Status complete_activity(const connector::Course&, const std::string&, connector::UserId) override { return ok(); }
  Status clear_issue_now(const connector::IssueNowMark&) override { return ok(); }
  Result<connector::EnrolOutcome> enrol(const connector::EnrolRequest&) override {
    return connector::EnrolOutcome::enrolled;
  }
};

class StatusRecordTest : public SchoolFixture {
 protected:
  std::optional<PollStatus> stored() {
    auto status = read_poll_status(db());
    EXPECT_TRUE(status) << status.error().to_string();
    return status ? *status : std::nullopt;
  }
};

TEST_F(StatusRecordTest, AFailedCycleKeepsTheCoursesOfTheLastGoodOneAndRecordsItsError) {
  TimePoint first = m_clock.now();
  ASSERT_OK(record_poll(db(), nullptr, "", {}, first - std::chrono::hours(1)));  // a failure before any good cycle
  connector::PollStats stats = two_course_stats();
  ASSERT_OK(record_poll(db(), &stats, "", {no_criteria_condition(first - std::chrono::hours(2))}, first));
  auto good = stored();
  ASSERT_TRUE(good);
  EXPECT_TRUE(good->ok());
  EXPECT_EQ(good->requests, 12);
  EXPECT_EQ(good->changes, 2);

  TimePoint later = first + std::chrono::minutes(5);
  ASSERT_OK(record_poll(db(), nullptr, "HTTP 503: the LMS is in maintenance", {}, later));
  auto failed = stored();
  ASSERT_TRUE(failed);
  EXPECT_FALSE(failed->ok());
  EXPECT_EQ(failed->error, "HTTP 503: the LMS is in maintenance");
  EXPECT_EQ(failed->last_cycle_at, to_unix(later));
  EXPECT_EQ(failed->requests, 0);
  ASSERT_EQ(failed->courses.size(), 2u);
  EXPECT_EQ(failed->courses[0].shortname, "SWIM-L3");
  EXPECT_EQ(failed->courses[0].polled_at, to_unix(first)) << "a course keeps the time it was last polled";
  EXPECT_EQ(failed->courses[0].requests, 5);
  EXPECT_EQ(failed->courses[0].changes, 2);
  EXPECT_EQ(failed->courses[1].error, "no completion criteria");
  ASSERT_EQ(failed->conditions.size(), 1u);
  EXPECT_EQ(failed->conditions[0].key, "course:SWIM-L4/nocriteriaset");
  EXPECT_EQ(failed->conditions[0].advice, "set completion criteria in the course");
  EXPECT_EQ(to_unix(failed->conditions[0].since), to_unix(first - std::chrono::hours(2)));

  // The next good cycle replaces the courses and clears the error.
  connector::PollStats one;
  one.requests = 4;
  one.courses = {{"SWIM-L3", 4, 0, ""}};
  ASSERT_OK(record_poll(db(), &one, "", {}, later + std::chrono::minutes(5)));
  auto again = stored();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->ok());
  ASSERT_EQ(again->courses.size(), 1u);
  EXPECT_EQ(again->courses[0].polled_at, to_unix(later + std::chrono::minutes(5)));
  EXPECT_TRUE(again->conditions.empty());
}

TEST_F(StatusRecordTest, RunOnceRecordsGoodAndFailedCyclesForStatus) {
  ScriptedLms lms;
  lms.next.stats = two_course_stats();
  lms.in_force = {no_criteria_condition(m_clock.now())};
  DaemonOptions options;
  options.serve_portal = false;
  Daemon daemon(school(), &lms, m_notifier, m_clock, options);
  ASSERT_OK(daemon.start());
  ASSERT_OK(daemon.run_once());
  TimePoint first = m_clock.now();
  auto good = stored();
  ASSERT_TRUE(good) << "run --once records its poll";
  EXPECT_TRUE(good->ok());
  EXPECT_EQ(good->requests, 12);
  ASSERT_EQ(good->courses.size(), 2u);
  ASSERT_EQ(good->conditions.size(), 1u);
  EXPECT_EQ(good->conditions[0].lms_code, "nocriteriaset");

  m_clock.advance(600);
  lms.fail = true;
  auto stats = daemon.run_once();
  ASSERT_OK(stats);
  EXPECT_FALSE(stats->poll_error.empty());
  auto failed = stored();
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->error, "HTTP 503: the LMS is in maintenance");
  EXPECT_EQ(failed->last_cycle_at, to_unix(m_clock.now()));
  ASSERT_EQ(failed->courses.size(), 2u);
  EXPECT_EQ(failed->courses[1].polled_at, to_unix(first));
  EXPECT_EQ(failed->conditions.size(), 1u);
}

TEST_F(StatusRecordTest, AGarbledOrForeignValueReadsAsNeverPolled) {
  for (const char* text : {"", "{", "null", "[]", "42", "{\"version\": 99, \"last_cycle_at\": 1772442000}",
                           "{\"last_cycle_at\": 1772442000}", "{\"version\": 1, \"last_cycle_at\": \"yesterday\"}",
                           "{\"version\": \"1\", \"last_cycle_at\": 1772442000}"}) {
    ASSERT_OK(db().set_state(k_poll_status_key, text));
    EXPECT_FALSE(stored()) << text;
    auto report = gather_status(db(), school(), m_clock.now());
    ASSERT_OK(report);
    EXPECT_FALSE(report->poll) << text;
    EXPECT_NE(status_text(*report).find("never polled"), std::string::npos) << text;
    json document = json::parse(status_json(*report));
    EXPECT_TRUE(document["poll"]["last_cycle_at"].is_null()) << text;
    EXPECT_TRUE(document["conditions"].empty()) << text;
  }
}

TEST_F(StatusRecordTest, OddFieldsInARecordOfThisVersionReadAsTheirDefaults) {
  ASSERT_OK(db().set_state(k_poll_status_key,
                           "{\"version\": 1, \"last_cycle_at\": 1772442000, \"error\": 7, \"requests\": \"many\", "
                           "\"courses\": [{\"shortname\": \"SWIM-L3\", \"requests\": 2.5}, 3, null], "
                           "\"conditions\": {\"not\": \"a list\"}}"));
  auto status = stored();
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->ok());
  EXPECT_EQ(status->requests, 0);
  ASSERT_EQ(status->courses.size(), 1u);
  EXPECT_EQ(status->courses[0].shortname, "SWIM-L3");
  EXPECT_EQ(status->courses[0].polled_at, 0);
  EXPECT_TRUE(status->conditions.empty());
  auto report = gather_status(db(), school(), m_clock.now());
  ASSERT_OK(report);
  EXPECT_NE(status_text(*report).find("unknown"), std::string::npos) << "a course without a time";
}

TEST_F(StatusRecordTest, TheScreenShowsOutsideTextWithoutItsControlCharacters) {
  connector::SiteCondition condition = no_criteria_condition(m_clock.now() - std::chrono::minutes(3));
  condition.subject = "course \x1b[2JSWIM-L4";
  condition.detail = "line one\nline two \xc2\x9b" "31m red";
  connector::PollStats stats = two_course_stats();
  stats.courses[1].error = "\x1b]0;owned\x07";
  ASSERT_OK(record_poll(db(), &stats, "", {condition}, m_clock.now()));
  auto report = gather_status(db(), school(), m_clock.now() + std::chrono::minutes(3));
  ASSERT_OK(report);
  std::string text = status_text(*report);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << text;
  EXPECT_NE(text.find("course \\x1B[2JSWIM-L4"), std::string::npos) << text;
  EXPECT_NE(text.find("line one\\x0Aline two"), std::string::npos) << text;
  EXPECT_NE(text.find("3 min ago"), std::string::npos) << text;
  EXPECT_NE(text.find("6 min ago"), std::string::npos) << "the condition's since\n" << text;
  // JSON keeps the text as it is, escaped by JSON.
  json document = json::parse(status_json(*report));
  EXPECT_EQ(document["conditions"][0]["subject"], "course \x1b[2JSWIM-L4");
}

TEST(PollStatusCodec, ARecordReadsBackAsItWasWritten) {
  PollStatus status = after_good_poll(two_course_stats(), {no_criteria_condition(from_unix(k_start - 60))},
                                      from_unix(k_start));
  auto read = decode_poll_status(encode_poll_status(status));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->last_cycle_at, k_start);
  EXPECT_EQ(read->requests, 12);
  ASSERT_EQ(read->courses.size(), 2u);
  EXPECT_EQ(read->courses[1].shortname, "SWIM-L4");
  EXPECT_EQ(read->courses[1].requests, 3);
  EXPECT_EQ(read->courses[1].error, "no completion criteria");
  ASSERT_EQ(read->conditions.size(), 1u);
  EXPECT_EQ(read->conditions[0].subject, "course SWIM-L4");
  EXPECT_EQ(read->conditions[0].detail, no_criteria_condition({}).detail);
  EXPECT_EQ(to_unix(read->conditions[0].since), k_start - 60);
}

}  // namespace
}  // namespace certd::app
