// The Moodle adapter over HTTP against a simulated school with the
// conditions of real sites: each one skips only what it concerns (a
// course, a student, a function), the other courses' and students'
// progress is still reported, and each condition is recorded once when
// it starts and once when it ends (PollResult, Lms::conditions()).
#include <gtest/gtest.h>

#include <algorithm>

#include "connector/moodle/moodle_lms.hpp"
#include "connector/poller.hpp"
#include "connector/simulator/server.hpp"
#include "fakes/manual_clock.hpp"

namespace certd::connector {
namespace {

// FA-101 is the healthy course; the others carry one condition each.
const char* const k_school = R"(
site: { token: aaaabbbbccccddddeeeeffff00001111, completions_report: 1 }
frameworks:
  - id: 1
    shortname: Swim Skills
    scale: { id: 4, values: [Beginner, Improving, Confident, Expert], proficient: [3, 4], default: 3 }
    levels:
      - shortname: Level 3
        idnumber: SWIM-L3
        skills:
          - { shortname: Backstroke 25m, idnumber: L3-BACK }
      - { shortname: Level 9, idnumber: SWIM-L9 }
courses:
  - shortname: FA-101
    activities:
      - { name: CPR, completion: automatic, criterion: true }
  - { shortname: NO-CRIT, completion_criteria: false }
  - { shortname: UNTRACKED, completion_tracking: false }
  - { shortname: CLOSED, service_can_see: false }
  - shortname: HIDDEN
    visible: false
    activities:
      - { name: "Certificate: issue now", visible: false, completion: manual }
  - { shortname: SWIM-L3, skills: [SWIM-L3] }
students:
  - username: zoe
    firstname: Zoe
    lastname: Z
    courses:
      FA-101: { completed: 2026-11-20T10:00:00Z }
      NO-CRIT: { grade: 75 }
      UNTRACKED: {}
      CLOSED: { grade: 90 }
      HIDDEN: { completed: 2026-11-19T10:00:00Z }
      SWIM-L3: { skills: { L3-BACK: 4 } }
  - username: nomail
    firstname: No
    lastname: Mail
    email: ""
    never_logged_in: true
    courses:
      FA-101: { completed: 2026-11-21T10:00:00Z }
      NO-CRIT: {}
  - username: ghost
    firstname: Gone
    lastname: Away
    deleted: true
    courses:
      FA-101: { completed: 2026-11-21T11:00:00Z }
)";

class MoodleConditionsTest : public ::testing::Test {
 protected:
  void start(const std::string& site_extra = "") {
    std::string text = k_school;
    if (!site_extra.empty()) {
      std::string at = "completions_report: 1";
      text.replace(text.find(at), at.size(), at + ", " + site_extra);
    }
    Result<simulator::School> school = simulator::load_school(text, "conditions.yaml");
    ASSERT_TRUE(school) << school.error().to_string();
    auto server = simulator::Server::start(std::move(*school));
    ASSERT_TRUE(server) << server.error().to_string();
    m_server = std::move(*server);
  }

  void connect(std::vector<std::string> courses, long long report = 0) {
    moodle::MoodleOptions o;
    o.url = m_server->url();
    o.token = m_server->token();
    o.courses = std::move(courses);
    o.completions_report = report;
    o.request_timeout = std::chrono::seconds(2);
    o.max_requests_per_second = 0;
    o.sweep_budget = 0;
    auto lms = moodle::make_moodle_lms(std::move(o), m_clock);
    ASSERT_TRUE(lms) << lms.error().to_string();
    m_lms = std::move(*lms);
    m_cursors = std::make_unique<MemoryCursorStore>();  // a fresh daemon
    m_poller = std::make_unique<Poller>(*m_lms, *m_cursors);
  }

  PollResult poll() {
    Result<PollResult> result = m_poller->poll();
    EXPECT_TRUE(result) << (result ? "" : result.error().to_string());
    if (!result) return PollResult();
    EXPECT_TRUE(m_poller->commit(*result));
    m_clock.advance(60);
    return std::move(*result);
  }

  UserId user(const std::string& username) {
    for (const simulator::User& u : m_server->school().users)
      if (u.username == username) return u.id;
    return 0;
  }

  long long calls(const std::string& function) {
    auto stats = m_server->stats();
    auto it = stats.calls.find(function);
    return it == stats.calls.end() ? 0 : it->second;
  }

  static const Change* find(const PollResult& result, ChangeKind kind, UserId student, const std::string& course) {
    for (const Change& change : result.changes)
      if (change.kind == kind && change.student == student && change.course.shortname == course) return &change;
    return nullptr;
  }

  static bool has(const std::vector<SiteCondition>& conditions, const std::string& key) {
    return std::any_of(conditions.begin(), conditions.end(), [&](const SiteCondition& c) { return c.key == key; });
  }

  certd::testing::ManualClock m_clock{1795500000};  // the simulator uses the real clock
  std::unique_ptr<MemoryCursorStore> m_cursors;
  std::unique_ptr<simulator::Server> m_server;
  std::unique_ptr<Lms> m_lms;
  std::unique_ptr<Poller> m_poller;
};

TEST_F(MoodleConditionsTest, ACourseWithoutCriteriaStopsNothingAndIsRecordedOnce) {
  for (long long report : {0LL, 1LL}) {
    SCOPED_TRACE(report ? "completions from the report" : "completions by sweep");
    start();
    connect({"NO-CRIT", "UNTRACKED", "FA-101"}, report);
    PollResult first = poll();
    EXPECT_NE(find(first, ChangeKind::course_completed, user("zoe"), "FA-101"), nullptr);
    EXPECT_NE(find(first, ChangeKind::course_completed, user("nomail"), "FA-101"), nullptr);
    const Change* graded = find(first, ChangeKind::grade_changed, user("zoe"), "NO-CRIT");
    ASSERT_NE(graded, nullptr);  // its other facts are still read
    const CourseProgress* snapshot = first.snapshot(user("zoe"), graded->course.id);
    ASSERT_NE(snapshot, nullptr);
    EXPECT_FALSE(snapshot->completed);
    EXPECT_EQ(snapshot->enrolment, Enrolment::active);
    if (report == 0) {  // the report lists no completion of these courses, so only the sweep meets them
      EXPECT_TRUE(has(first.conditions_started, "course:NO-CRIT/nocriteriaset"));
      EXPECT_TRUE(has(first.conditions_started, "course:UNTRACKED/nocriteriaset"));
    }

    long long before = calls("core_completion_get_course_completion_status");
    PollResult second = poll();
    EXPECT_TRUE(second.changes.empty());
    EXPECT_TRUE(second.conditions_started.empty());  // logged once, not every cycle
    EXPECT_TRUE(second.conditions_ended.empty());
    if (report == 0) {
      EXPECT_TRUE(has(m_lms->conditions(), "course:NO-CRIT/nocriteriaset"));
      // One probe per course without criteria, one call per FA-101 student.
      EXPECT_EQ(calls("core_completion_get_course_completion_status") - before, 1 + 1 + 2);
    }
  }
}

TEST_F(MoodleConditionsTest, CoursesThatAreGoneHiddenOrClosedAreSkippedTheOthersPolled) {
  start();
  connect({"NOPE", "CLOSED", "HIDDEN", "FA-101"});
  PollResult first = poll();
  EXPECT_NE(find(first, ChangeKind::course_completed, user("zoe"), "FA-101"), nullptr);
  // The service holds moodle/course:viewhiddencourses: a hidden course is polled.
  EXPECT_NE(find(first, ChangeKind::course_completed, user("zoe"), "HIDDEN"), nullptr);
  EXPECT_TRUE(has(first.conditions_started, "course:NOPE/not-found"));
  EXPECT_TRUE(has(first.conditions_started, "course:CLOSED/requireloginerror"));
  EXPECT_EQ(find(first, ChangeKind::grade_changed, user("zoe"), "CLOSED"), nullptr);

  m_server->set_capability("moodle/course:viewhiddencourses", false);
  ASSERT_TRUE(m_server->complete_course("nomail", "FA-101", from_unix(1795500100)));
  PollResult second = poll();
  EXPECT_NE(find(second, ChangeKind::course_completed, user("nomail"), "FA-101"), nullptr);
  bool hidden_started = std::any_of(second.conditions_started.begin(), second.conditions_started.end(),
                                    [](const SiteCondition& c) { return c.key.rfind("course:HIDDEN/", 0) == 0; });
  EXPECT_TRUE(hidden_started);
  for (const SiteCondition& started : second.conditions_started)  // the course's, not one per student
    EXPECT_NE(started.key.rfind("student:", 0), 0u) << started.key;
  EXPECT_FALSE(has(second.conditions_started, "course:NOPE/not-found"));  // still in force, not logged again
  EXPECT_TRUE(has(m_lms->conditions(), "course:NOPE/not-found"));
  EXPECT_TRUE(has(m_lms->conditions(), "course:CLOSED/requireloginerror"));
}

TEST_F(MoodleConditionsTest, AMissingFunctionStopsOnlyItsFeatureAndItsReturnIsNoticed) {
  start("missing_functions: [gradereport_user_get_grade_items]");
  connect({"FA-101", "NO-CRIT"});
  PollResult first = poll();
  EXPECT_NE(find(first, ChangeKind::course_completed, user("zoe"), "FA-101"), nullptr);
  EXPECT_EQ(find(first, ChangeKind::grade_changed, user("zoe"), "NO-CRIT"), nullptr);
  EXPECT_TRUE(has(first.conditions_started, "site/function:gradereport_user_get_grade_items"));
  EXPECT_EQ(calls("gradereport_user_get_grade_items"), 0);  // not even asked

  EXPECT_TRUE(poll().conditions_started.empty());
  m_server->set_function("gradereport_user_get_grade_items", true);
  PollResult back = poll();
  // The school file's switch stays: the function is still missing.
  EXPECT_TRUE(back.conditions_ended.empty());

  m_server->set_function("core_completion_get_course_completion_status", false);
  PollResult without = poll();
  EXPECT_TRUE(has(without.conditions_started, "site/function:core_completion_get_course_completion_status"));
  m_server->set_function("core_completion_get_course_completion_status", true);
  PollResult restored = poll();
  EXPECT_TRUE(has(restored.conditions_ended, "site/function:core_completion_get_course_completion_status"));
  EXPECT_FALSE(has(m_lms->conditions(), "site/function:core_completion_get_course_completion_status"));
}

TEST_F(MoodleConditionsTest, AReportThatIsGoneFallsBackToTheSweep) {
  start("completions_report_gone: true");
  connect({"FA-101"}, /*report=*/1);
  PollResult first = poll();
  EXPECT_EQ(first.stats.completions_from, "sweep");
  EXPECT_NE(find(first, ChangeKind::course_completed, user("zoe"), "FA-101"), nullptr);
  EXPECT_TRUE(has(first.conditions_started, "site/completions-report"));
  EXPECT_TRUE(poll().conditions_started.empty());
}

TEST_F(MoodleConditionsTest, StudentsWithoutEmailOrDeletedNeverStopTheOthers) {
  start();
  connect({"FA-101"}, /*report=*/1);  // the report still lists the deleted account's completion
  PollResult first = poll();
  const Change* zoe = find(first, ChangeKind::course_completed, user("zoe"), "FA-101");
  const Change* nomail = find(first, ChangeKind::course_completed, user("nomail"), "FA-101");
  ASSERT_NE(zoe, nullptr);
  ASSERT_NE(nomail, nullptr);
  const CourseProgress* snapshot = first.snapshot(user("nomail"), nomail->course.id);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->student.email, "");
  EXPECT_EQ(snapshot->student.fullname, "No Mail");
  EXPECT_TRUE(has(first.conditions_started, "student:" + std::to_string(user("nomail")) + "/no-email"));
  EXPECT_EQ(find(first, ChangeKind::course_completed, user("ghost"), "FA-101"), nullptr);
  EXPECT_TRUE(poll().conditions_started.empty());
}

TEST_F(MoodleConditionsTest, OnlyTheFactsTheRulesReadAreAsked) {
  start();
  connect({"SWIM-L3", "FA-101"});
  m_lms->set_facts_needed({{"SWIM-L3", FactsNeeded{/*completion=*/false, /*grades=*/false, /*skills=*/true}}});
  PollResult first = poll();
  const Change* skills = find(first, ChangeKind::skills_changed, user("zoe"), "SWIM-L3");
  ASSERT_NE(skills, nullptr);
  ASSERT_EQ(skills->skills.size(), 1u);
  EXPECT_TRUE(skills->skills[0].all_proficient());  // 4 of a custom scale whose proficient values are 3 and 4
  EXPECT_NE(find(first, ChangeKind::course_completed, user("zoe"), "FA-101"), nullptr);
  // FA-101 has two students (zoe, nomail); SWIM-L3 is never asked for completion.
  EXPECT_EQ(calls("core_completion_get_course_completion_status"), 2);
}

}  // namespace
}  // namespace certd::connector
