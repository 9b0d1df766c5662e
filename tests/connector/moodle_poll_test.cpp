// poll_changes over HTTP against a simulated school: the teacher each
// snapshot names (the latest rater, else the course's teacher by the
// configured roles) and the per-course figures of a cycle.
#include <gtest/gtest.h>

#include <algorithm>

#include "connector/moodle/moodle_lms.hpp"
#include "connector/poller.hpp"
#include "connector/simulator/server.hpp"
#include "fakes/manual_clock.hpp"
#include "poll_cycle.hpp"

namespace certd::connector {
namespace {

// SWIM: Rita (a non-editing teacher) rated sam's latest skill; Tina is the
// editing teacher. ORDER has both an editing and a non-editing teacher;
// NOBODY has no teacher at all.
const char* const k_school = R"(
site: { token: aaaabbbbccccddddeeeeffff00001111 }
frameworks:
  - id: 1
    shortname: Swim Skills
    scale: { id: 3, values: [Not yet, Partially, Proficient], proficient: [3] }
    levels:
      - shortname: Level 3
        idnumber: SWIM-L3
        skills:
          - { shortname: Backstroke, idnumber: L3-BACK }
          - { shortname: Crawl, idnumber: L3-CRAWL }
courses:
  - { shortname: SWIM, skills: [SWIM-L3] }
  - shortname: PLAIN
    activities:
      - { name: CPR, completion: automatic, criterion: true }
  - { shortname: ORDER }
  - { shortname: NOBODY }
teachers:
  - { id: 50, username: tina, firstname: Tina, lastname: Teacher, courses: [SWIM, PLAIN, ORDER] }
  - { id: 60, username: rita, firstname: Rita, lastname: Rater, role: teacher, courses: [SWIM] }
  - { id: 40, username: asa, firstname: Asa, lastname: Assistant, role: teacher, courses: [ORDER] }
  - { id: 45, username: abe, firstname: Abe, lastname: Aide, role: teacher, courses: [ORDER] }
students:
  - id: 10
    username: sam
    firstname: Sam
    lastname: S
    courses:
      SWIM:
        completed: 2026-11-20T10:00:00Z
        skills:
          L3-BACK: { grade: 3, by: tina, time: 2026-11-19T10:00:00Z }
          L3-CRAWL: { grade: 3, by: rita, time: 2026-11-20T09:00:00Z }
      PLAIN: { completed: 2026-11-20T10:00:00Z }
      ORDER: { completed: 2026-11-20T10:00:00Z }
      NOBODY: { completed: 2026-11-20T10:00:00Z }
  - id: 11
    username: self
    firstname: Self
    lastname: Rated
    courses:
      SWIM:
        completed: 2026-11-20T10:00:00Z
        skills:
          L3-BACK: { grade: 3, by: self, time: 2026-11-20T09:30:00Z }
EXTRA)";

class MoodlePollTest : public ::testing::Test {
 protected:
  // `extra` students are enrolled in PLAIN with a completion each.
  void start(int extra = 0) {
    std::string students;
    for (int i = 0; i < extra; ++i)
      students += "  - { id: " + std::to_string(100 + i) + ", username: extra" + std::to_string(i) +
                  ", firstname: Extra, lastname: E" + std::to_string(i) +
                  ", courses: { PLAIN: { completed: 2026-11-20T10:00:00Z } } }\n";
    std::string text = k_school;
    text.replace(text.find("EXTRA"), 5, students);
    Result<simulator::School> school = simulator::load_school(text, "teachers.yaml");
    ASSERT_TRUE(school) << school.error().to_string();
    auto server = simulator::Server::start(std::move(*school));
    ASSERT_TRUE(server) << server.error().to_string();
    m_server = std::move(*server);
  }

  void connect(std::vector<std::string> courses, std::vector<std::string> roles = {"editingteacher", "teacher"}) {
    moodle::MoodleOptions o;
    o.url = m_server->url();
    o.token = m_server->token();
    o.courses = std::move(courses);
    o.request_timeout = std::chrono::seconds(2);
    o.max_requests_per_second = 0;
    o.sweep_budget = 0;
    o.teacher_roles = std::move(roles);
    auto lms = moodle::make_moodle_lms(std::move(o), m_clock);
    ASSERT_TRUE(lms) << lms.error().to_string();
    m_lms = std::move(*lms);
    m_cursors = std::make_unique<MemoryCursorStore>();
    m_poller = std::make_unique<Poller>(*m_lms, *m_cursors);
  }

  PollResult poll() { return testing::poll_and_commit(*m_poller, m_clock); }

  std::string teacher(const PollResult& result, UserId student, const std::string& course) {
    for (const CourseProgress& snapshot : result.snapshots)
      if (snapshot.student.id == student && snapshot.course.shortname == course) return snapshot.teacher_name;
    ADD_FAILURE() << "no snapshot of " << student << " in " << course;
    return "?";
  }

  long long calls(const std::string& function) {
    auto stats = m_server->stats();
    auto it = stats.calls.find(function);
    return it == stats.calls.end() ? 0 : it->second;
  }

  certd::testing::ManualClock m_clock{1795500000};
  std::unique_ptr<MemoryCursorStore> m_cursors;
  std::unique_ptr<simulator::Server> m_server;
  std::unique_ptr<Lms> m_lms;
  std::unique_ptr<Poller> m_poller;
};

TEST_F(MoodlePollTest, TheLatestRaterWinsOverTheCoursesTeacher) {
  start();
  connect({"SWIM", "PLAIN"});
  PollResult first = poll();
  EXPECT_EQ(teacher(first, 10, "SWIM"), "Rita Rater");  // rated last, although a non-editing teacher
  EXPECT_EQ(teacher(first, 11, "SWIM"), "Tina Teacher");  // rated by themself: the course's teacher
  EXPECT_EQ(teacher(first, 10, "PLAIN"), "Tina Teacher");
  // The fresh read names the same teacher.
  Result<std::vector<Course>> courses = m_lms->courses({"SWIM"});
  ASSERT_TRUE(courses);
  Result<CourseProgress> fresh = m_lms->progress(courses->front(), 10);
  ASSERT_TRUE(fresh) << fresh.error().to_string();
  EXPECT_EQ(fresh->teacher_name, "Rita Rater");
}

TEST_F(MoodlePollTest, TeacherRolesAreTriedInOrderAndTheLowestIdWins) {
  start();
  connect({"ORDER", "NOBODY"});
  PollResult editing_first = poll();
  EXPECT_EQ(teacher(editing_first, 10, "ORDER"), "Tina Teacher");
  EXPECT_EQ(teacher(editing_first, 10, "NOBODY"), "");  // nobody holds a teacher role: issuer.signatory

  connect({"ORDER", "NOBODY"}, {"teacher", "editingteacher"});
  PollResult teacher_first = poll();
  EXPECT_EQ(teacher(teacher_first, 10, "ORDER"), "Asa Assistant");  // id 40 before Abe's 45

  connect({"ORDER"}, {"manager"});
  EXPECT_EQ(teacher(poll(), 10, "ORDER"), "");
}

TEST_F(MoodlePollTest, NamingTeachersCostsNoRequestPerStudent) {
  std::map<std::string, long long> few, many;
  for (int extra : {1, 6}) {
    start(extra);
    connect({"SWIM", "PLAIN"});
    PollResult first = poll();
    EXPECT_EQ(first.snapshots.size(), static_cast<std::size_t>(2 + 1 + extra));
    auto& counts = extra == 1 ? few : many;
    counts["users"] = calls("core_user_get_users_by_field");
    counts["enrolled"] = calls("core_enrol_get_enrolled_users");
  }
  EXPECT_EQ(few, many);
  // One list of the students' records, one name of a rater (Rita); Tina is
  // named by the course's role list.
  EXPECT_EQ(many["users"], 2);
}

TEST_F(MoodlePollTest, EachWatchedCourseHasItsFiguresInConfiguredOrder) {
  start(3);
  connect({"PLAIN", "MISSING", "SWIM"});
  PollResult first = poll();
  ASSERT_EQ(first.stats.courses.size(), 3u);
  const CoursePoll& plain = first.stats.courses[0];
  const CoursePoll& missing = first.stats.courses[1];
  const CoursePoll& swim = first.stats.courses[2];
  EXPECT_EQ(plain.shortname, "PLAIN");
  EXPECT_EQ(missing.shortname, "MISSING");
  EXPECT_EQ(swim.shortname, "SWIM");
  EXPECT_EQ(plain.changes, 4);  // sam and three extra completions
  EXPECT_EQ(plain.error, "");
  EXPECT_NE(missing.error.find("no course with short name 'MISSING'"), std::string::npos) << missing.error;
  EXPECT_EQ(missing.changes, 0);
  EXPECT_EQ(missing.requests, 1);  // the look-up that found nothing
  EXPECT_GT(swim.changes, 0);
  // Every request is the course's or the site's: site info and one read of
  // the students' records; the rest is attributed, also from parallel work.
  int attributed = plain.requests + missing.requests + swim.requests;
  EXPECT_EQ(first.stats.requests - attributed, 2) << "site info and the students' records";
  // PLAIN: course, contents, competencies, suspended list, roster, four
  // completion statuses, the grade report, the teacher list, and a grade
  // per snapshot (nobody is graded, so the report had none to give).
  EXPECT_EQ(plain.requests, 3 + 1 + 1 + 4 + 1 + 1 + 4);
}

}  // namespace
}  // namespace certd::connector
