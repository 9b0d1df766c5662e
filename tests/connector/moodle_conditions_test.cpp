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
#include "poll_cycle.hpp"

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
  - { shortname: LEVEL9, skills: [SWIM-L9] }
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
      LEVEL9: {}
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
    o.guardian_email_field = "guardian_email";
    auto lms = moodle::make_moodle_lms(std::move(o), m_clock);
    ASSERT_TRUE(lms) << lms.error().to_string();
    m_lms = std::move(*lms);
    m_cursors = std::make_unique<MemoryCursorStore>();  // a fresh daemon
    m_poller = std::make_unique<Poller>(*m_lms, *m_cursors);
  }

  PollResult poll() { return testing::poll_and_commit(*m_poller, m_clock); }

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

  static const SiteCondition* get(const std::vector<SiteCondition>& conditions, const std::string& key) {
    for (const SiteCondition& c : conditions)
      if (c.key == key) return &c;
    return nullptr;
  }
  // The pointer would outlive a temporary list (conditions() returns a copy).
  static const SiteCondition* get(std::vector<SiteCondition>&&, const std::string&) = delete;

  void control(const std::string& action, const std::string& body) {
    Status done = m_server->control(action, body);
    ASSERT_TRUE(done) << done.error().to_string();
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

TEST_F(MoodleConditionsTest, EveryConditionCarriesAdviceNamingWhereToFixIt) {
  start("missing_functions: [gradereport_user_get_grade_items]");
  connect({"NOPE", "NO-CRIT", "UNTRACKED", "CLOSED", "FA-101", "LEVEL9"});
  poll();
  std::vector<SiteCondition> all = m_lms->conditions();
  EXPECT_GE(all.size(), 6u);
  for (const SiteCondition& condition : all) EXPECT_FALSE(condition.advice.empty()) << condition.key;
  const SiteCondition* no_criteria = get(all, "course:NO-CRIT/nocriteriaset");
  ASSERT_NE(no_criteria, nullptr);
  EXPECT_NE(no_criteria->advice.find("Course > Course completion"), std::string::npos);
  const SiteCondition* untracked = get(all, "course:UNTRACKED/nocriteriaset");
  ASSERT_NE(untracked, nullptr);
  EXPECT_NE(untracked->advice.find("Completion tracking: Yes"), std::string::npos);
  EXPECT_NE(untracked->detail.find("tracking is off"), std::string::npos);
  const SiteCondition* missing = get(all, "site/function:gradereport_user_get_grade_items");
  ASSERT_NE(missing, nullptr);
  EXPECT_NE(missing->advice.find("Add gradereport_user_get_grade_items to the external service"), std::string::npos);
  const SiteCondition* closed = get(all, "course:CLOSED/requireloginerror");
  ASSERT_NE(closed, nullptr);
  EXPECT_NE(closed->advice.find("moodle/course:view"), std::string::npos);
  const SiteCondition* no_email = get(all, "student:" + std::to_string(user("nomail")) + "/no-email");
  ASSERT_NE(no_email, nullptr);
  EXPECT_NE(no_email->advice.find("e-mail address to the user's profile"), std::string::npos);
}

TEST_F(MoodleConditionsTest, ASuspendedAccountsChangesWaitAndANeverUsedOneIsStillProcessed) {
  start();
  connect({"FA-101"});
  control("user", R"({"username":"zoe","suspended":true})");
  PollResult first = poll();
  EXPECT_EQ(find(first, ChangeKind::course_completed, user("zoe"), "FA-101"), nullptr)
      << "nothing goes out for a suspended account";
  const SiteCondition* suspended =
      get(first.conditions_started, "student:" + std::to_string(user("zoe")) + "/account-suspended");
  ASSERT_NE(suspended, nullptr);
  EXPECT_NE(suspended->detail.find("waits until it is active again"), std::string::npos);
  EXPECT_FALSE(suspended->advice.empty());
  // Never logged in: flagged, and the snapshot is an ordinary active one.
  const Change* nomail = find(first, ChangeKind::course_completed, user("nomail"), "FA-101");
  ASSERT_NE(nomail, nullptr);
  const CourseProgress* fresh = first.snapshot(user("nomail"), nomail->course.id);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->enrolment, Enrolment::active);
  EXPECT_TRUE(fresh->completed);
  EXPECT_TRUE(has(first.conditions_started, "student:" + std::to_string(user("nomail")) + "/never-logged-in"));
  EXPECT_FALSE(has(first.conditions_started, "student:" + std::to_string(user("zoe")) + "/never-logged-in"));
  // Still suspended: still nothing, and no second start of the condition.
  PollResult second = poll();
  EXPECT_EQ(find(second, ChangeKind::course_completed, user("zoe"), "FA-101"), nullptr);
  EXPECT_FALSE(has(second.conditions_started, "student:" + std::to_string(user("zoe")) + "/account-suspended"));
  // Active again: the completion that waited is found, and the condition ends.
  control("user", R"({"username":"zoe","suspended":false})");
  PollResult third = poll();
  const Change* zoe = find(third, ChangeKind::course_completed, user("zoe"), "FA-101");
  ASSERT_NE(zoe, nullptr);
  const CourseProgress* back = third.snapshot(user("zoe"), zoe->course.id);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->enrolment, Enrolment::active);
  EXPECT_TRUE(has(third.conditions_ended, "student:" + std::to_string(user("zoe")) + "/account-suspended"));
}

TEST_F(MoodleConditionsTest, AStudentsConditionEndsWithoutANewChangeOfTheirs) {
  start();
  connect({"FA-101"});
  PollResult first = poll();
  std::string key = "student:" + std::to_string(user("nomail")) + "/no-email";
  ASSERT_TRUE(has(first.conditions_started, key));
  // The address is added in Moodle; the student changes nothing else.
  control("user", R"({"username":"nomail","email":"nomail@example.com"})");
  PollResult second = poll();
  EXPECT_TRUE(has(second.conditions_ended, key)) << "flagged students are looked at again every cycle";
}

TEST_F(MoodleConditionsTest, AnEmptyGuardianFieldGivesNoGuardianAndNoError) {
  start();
  connect({"FA-101"});
  control("user", R"({"username":"zoe","guardian_email":"parent@example.com"})");
  Result<std::vector<Course>> course = m_lms->courses({"FA-101"});
  ASSERT_TRUE(course);
  Result<CourseProgress> with = m_lms->progress(course->front(), user("zoe"));
  ASSERT_TRUE(with) << with.error().to_string();
  EXPECT_EQ(with->student.guardian_emails, std::vector<std::string>{"parent@example.com"});
  control("user", R"({"username":"zoe","guardian_email":""})");
  Result<CourseProgress> without = m_lms->progress(course->front(), user("zoe"));
  ASSERT_TRUE(without) << without.error().to_string();
  EXPECT_TRUE(without->student.guardian_emails.empty());
}

TEST_F(MoodleConditionsTest, ADisabledServiceFailsTheCycleLikeABadTokenAndIsAdvised) {
  for (bool debug : {false, true}) {
    SCOPED_TRACE(debug ? "with debug info" : "without debug info");
    start();
    connect({"FA-101"});
    poll();
    control("site", debug ? R"({"service_enabled":false,"debug":true})" : R"({"service_enabled":false})");
    Result<PollResult> refused = m_poller->poll();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), ErrorCode::permission_denied);
    EXPECT_NE(refused.error().message().find("Enable the external service"), std::string::npos)
        << refused.error().message();
    std::vector<SiteCondition> in_force = m_lms->conditions();
    const SiteCondition* condition = get(in_force, "site/service-unavailable");
    ASSERT_NE(condition, nullptr);
    EXPECT_NE(condition->advice.find("External services"), std::string::npos);
    // Not mistaken for missing functions.
    for (const SiteCondition& c : m_lms->conditions()) EXPECT_EQ(c.key.find("site/function:"), std::string::npos);
    Result<SiteCheck> check = m_lms->check_site();  // certd check-config --online says the same
    ASSERT_FALSE(check);
    EXPECT_NE(check.error().message().find("Enable the external service"), std::string::npos);
    control("site", R"({"service_enabled":true})");
    PollResult back = poll();
    EXPECT_TRUE(has(back.conditions_ended, "site/service-unavailable"));
  }
}

TEST_F(MoodleConditionsTest, ALevelWithoutCompetenciesIsNeverProficientAndIsReported) {
  start();
  connect({"LEVEL9", "SWIM-L3"});
  PollResult first = poll();
  const SiteCondition* empty = get(first.conditions_started, "levels:LEVEL9/empty-level:Swim Skills/Level 9");
  ASSERT_NE(empty, nullptr);
  EXPECT_NE(empty->detail.find("level Level 9 of framework Swim Skills has no competencies"), std::string::npos);
  EXPECT_FALSE(empty->advice.empty());
  ASSERT_EQ(first.stats.courses.size(), 2u);
  EXPECT_NE(first.stats.courses[0].error.find("Level 9"), std::string::npos);
  Result<std::vector<Course>> level9 = m_lms->courses({"LEVEL9"});
  ASSERT_TRUE(level9);
  Result<CourseProgress> progress = m_lms->progress(level9->front(), user("zoe"));
  ASSERT_TRUE(progress) << progress.error().to_string();
  ASSERT_EQ(progress->skills.size(), 1u);
  EXPECT_EQ(progress->skills[0].level, "Level 9");
  EXPECT_TRUE(progress->skills[0].skills.empty());
  EXPECT_FALSE(progress->skills[0].all_proficient());

  // Emptied while serving: Level 3 loses its skills, and gets them back.
  control("level", R"({"level":"SWIM-L3","empty":true})");
  PollResult emptied = poll();
  EXPECT_TRUE(has(emptied.conditions_started, "levels:SWIM-L3/empty-level:Swim Skills/Level 3"));
  control("level", R"({"level":"SWIM-L3","empty":false})");
  PollResult restored = poll();
  EXPECT_TRUE(has(restored.conditions_ended, "levels:SWIM-L3/empty-level:Swim Skills/Level 3"));
}

TEST_F(MoodleConditionsTest, ACustomScaleIsReadByMoodlesProficiencyNotByAFixedScale) {
  start();
  connect({"SWIM-L3"});
  m_lms->set_facts_needed({{"SWIM-L3", FactsNeeded{/*completion=*/false, /*grades=*/false, /*skills=*/true}}});
  poll();
  // Another scale: 1..5, only 5 proficient. Zoe's earlier 4 keeps the
  // proficiency Moodle gave it; a new 4 is not proficient, a 5 is.
  control("scale", R"({"framework":"Swim Skills","id":9,"values":["a","b","c","d","e"],"proficient":[5],"default":5})");
  Result<std::vector<Course>> course = m_lms->courses({"SWIM-L3"});
  ASSERT_TRUE(course);
  Result<CourseProgress> kept = m_lms->progress(course->front(), user("zoe"));
  ASSERT_TRUE(kept) << kept.error().to_string();
  ASSERT_EQ(kept->skills.size(), 1u);
  EXPECT_TRUE(kept->skills[0].all_proficient());
  ASSERT_TRUE(m_server->rate_skill("zoe", "SWIM-L3", "L3-BACK", 4, from_unix(1795500300)));
  PollResult four = poll();
  const Change* rated = find(four, ChangeKind::skills_changed, user("zoe"), "SWIM-L3");
  ASSERT_NE(rated, nullptr);
  EXPECT_FALSE(rated->skills[0].all_proficient());
  ASSERT_TRUE(m_server->rate_skill("zoe", "SWIM-L3", "L3-BACK", 5, from_unix(1795500400)));
  PollResult five = poll();
  rated = find(five, ChangeKind::skills_changed, user("zoe"), "SWIM-L3");
  ASSERT_NE(rated, nullptr);
  EXPECT_TRUE(rated->skills[0].all_proficient());
}

TEST_F(MoodleConditionsTest, CourseSwitchesFlipWhileServing) {
  start();
  connect({"FA-101"});
  poll();
  control("course", R"({"course":"FA-101","completion_criteria":false})");
  EXPECT_TRUE(has(poll().conditions_started, "course:FA-101/nocriteriaset"));
  control("course", R"({"course":"FA-101","completion_criteria":true,"service_can_see":false})");
  PollResult closed = poll();
  EXPECT_TRUE(has(closed.conditions_ended, "course:FA-101/nocriteriaset"));
  ASSERT_EQ(closed.stats.courses.size(), 1u);
  EXPECT_FALSE(closed.stats.courses[0].error.empty());
  control("course", R"({"course":"FA-101","service_can_see":true})");
  EXPECT_FALSE(poll().conditions_ended.empty());
  Status bad = m_server->control("course", R"({"course":"NOPE","visible":false})");
  EXPECT_FALSE(bad);
}

}  // namespace
}  // namespace certd::connector
