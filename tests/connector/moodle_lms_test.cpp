// The Moodle adapter over real HTTP against the simulator: discovery of
// changes, cursor resume after a restart, write-backs and their
// idempotency, and every injected fault survived.
#include "connector/moodle/moodle_lms.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "connector/poller.hpp"
#include "connector/simulator/server.hpp"
#include "fakes/manual_clock.hpp"
#include "store/store.hpp"

namespace certd::connector {
namespace {

using simulator::FaultKind;

#define ASSERT_OK(expr)                                              \
  do {                                                               \
    const auto& certd_ok_ = (expr);                                  \
    ASSERT_TRUE(certd_ok_) << certd_ok_.error().to_string();         \
  } while (false)

const char* const k_school = R"(
site: { name: Test Swim School, token: aaaabbbbccccddddeeeeffff00001111, completions_report: 1 }
frameworks:
  - id: 1
    shortname: Swim Skills
    scale: { id: 3, values: [Not yet, Partially, Proficient], proficient: [3] }
    levels:
      - shortname: Level 3
        idnumber: SWIM-L3
        skills:
          - { shortname: Backstroke 25m, idnumber: L3-BACK }
          - { shortname: Surface dive, idnumber: L3-DIVE }
courses:
  - shortname: SWIM-L3
    fullname: Swimming Level 3
    skills: [SWIM-L3]
    activities:
      - { name: Level 3 assessment, modname: assign, completion: automatic, criterion: true, graded: true }
      - { name: "Certificate: issue now", visible: false, completion: manual }
  - shortname: FA-101
    fullname: First Aid Basics
    activities:
      - { name: CPR, completion: automatic, criterion: true }
      - { name: "Certificate: issue now", visible: false, completion: manual }
      - { name: "Certificate issued", completion: manual }
  - shortname: SWIM-L4
    fullname: Swimming Level 4
teachers:
  - { username: teacher1, firstname: Tina, lastname: Teacher, courses: [SWIM-L3, FA-101] }
students:
  - username: zoe
    firstname: Zoë
    lastname: Ångström-Łukasiewicz
    guardian_email: parent.zoe@example.com, other.parent@example.com
    courses:
      SWIM-L3: { skills: { L3-BACK: 3, L3-DIVE: 3 } }
      FA-101: { completed: 2026-11-20T10:00:00Z, grade: 92 }
  - username: alexei
    firstname: Алексей
    lastname: Смирнов
    courses:
      SWIM-L3: { skills: { L3-BACK: 3, L3-DIVE: 1 } }
      FA-101: {}
  - username: ming
    firstname: 小明
    lastname: 王
    messages: refused
    courses:
      SWIM-L3: {}
  - username: gina
    firstname: Gina
    lastname: Gram
    courses:
      SWIM-L3: { completed: 2026-11-18T09:00:00Z, suspended: true }
      SWIM-L4: { suspended: true }
)";

class MoodleLmsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<simulator::School> school = simulator::load_school(k_school, "test-school.yaml");
    ASSERT_OK(school);
    auto server = simulator::Server::start(std::move(*school));
    ASSERT_OK(server);
    m_server = std::move(*server);
    connect();
  }

  moodle::MoodleOptions options() const {
    moodle::MoodleOptions o;
    o.url = m_server->url();
    o.token = m_server->token();
    o.courses = {"SWIM-L3", "FA-101", "SWIM-L4"};
    o.completions_report = 1;
    o.request_timeout = std::chrono::seconds(2);
    o.max_requests_per_second = 0;
    o.sweep_budget = 0;
    return o;
  }

  void connect(moodle::MoodleOptions o) {
    auto lms = moodle::make_moodle_lms(std::move(o), m_clock);
    ASSERT_OK(lms);
    m_lms = std::move(*lms);
    m_poller = std::make_unique<Poller>(*m_lms, m_cursors);
  }
  void connect() { connect(options()); }

  PollResult poll_and_commit() {
    Result<PollResult> result = m_poller->poll();
    EXPECT_TRUE(result) << (result ? "" : result.error().to_string());
    if (!result) return PollResult();
    EXPECT_TRUE(m_poller->commit(*result));
    m_clock.advance(60);
    return std::move(*result);
  }

  Course course(const std::string& shortname) {
    Result<std::vector<Course>> found = m_lms->courses({shortname});
    EXPECT_TRUE(found);
    return found ? found->front() : Course();
  }

  UserId user(const std::string& username) {
    for (const simulator::User& u : m_server->school().users)
      if (u.username == username) return u.id;
    return 0;
  }

  static const Change* find(const PollResult& result, ChangeKind kind, UserId student) {
    for (const Change& change : result.changes)
      if (change.kind == kind && change.student == student) return &change;
    return nullptr;
  }

  certd::testing::ManualClock m_clock{1795500000};  // the simulator uses the real clock
  MemoryCursorStore m_cursors;
  std::unique_ptr<simulator::Server> m_server;
  std::unique_ptr<Lms> m_lms;
  std::unique_ptr<Poller> m_poller;
};

std::map<std::string, std::string> names_in(Lms& lms, const std::string& shortname) {
  std::map<std::string, std::string> names;
  Result<std::vector<Course>> found = lms.courses({shortname});
  EXPECT_TRUE(found && found->size() == 1);
  if (!found || found->empty()) return names;
  Result<std::vector<EnrolledStudent>> students = lms.enrolled_students(found->front());
  EXPECT_TRUE(students) << (students ? "" : students.error().to_string());
  if (students)
    for (const EnrolledStudent& s : *students) names[s.student.username] = s.student.fullname;
  return names;
}

// The name order is the LMS's: Moodle formats `fullname` by its
// `fullnamedisplay` setting, the simulator likewise, and the adapter keeps
// it. The default ("language", English) is given name first, as recorded.
TEST_F(MoodleLmsTest, NamesFollowTheSitesFullnameDisplaySetting) {
  std::map<std::string, std::string> by_default = names_in(*m_lms, "SWIM-L3");
  EXPECT_EQ(by_default["ming"], "小明 王");
  EXPECT_EQ(by_default["zoe"], "Zoë Ångström-Łukasiewicz");

  std::string text = k_school;
  text.replace(text.find("completions_report: 1 }"), 23, "completions_report: 1, fullnamedisplay: lastname firstname }");
  Result<simulator::School> school = simulator::load_school(text, "family-first.yaml");
  ASSERT_OK(school);
  auto server = simulator::Server::start(std::move(*school));
  ASSERT_OK(server);
  moodle::MoodleOptions o = options();
  o.url = (*server)->url();
  auto lms = moodle::make_moodle_lms(std::move(o), m_clock);
  ASSERT_OK(lms);
  std::map<std::string, std::string> family_first = names_in(**lms, "SWIM-L3");
  EXPECT_EQ(family_first["ming"], "王 小明");
  EXPECT_EQ(family_first["zoe"], "Ångström-Łukasiewicz Zoë");
  EXPECT_EQ(family_first["alexei"], "Смирнов Алексей");
}

TEST_F(MoodleLmsTest, FirstPollFindsTheSchoolAsItIsAndASecondPollFindsNothing) {
  PollResult first = poll_and_commit();
  const Change* completed = find(first, ChangeKind::course_completed, user("zoe"));
  ASSERT_NE(completed, nullptr);
  EXPECT_EQ(completed->course.shortname, "FA-101");
  EXPECT_EQ(completed->key, "moodle:completed:" + std::to_string(user("zoe")) + ":" + std::to_string(completed->course.id) +
                                ":" + std::to_string(to_unix(completed->at)));
  const Change* skills = find(first, ChangeKind::skills_changed, user("zoe"));
  ASSERT_NE(skills, nullptr);
  ASSERT_EQ(skills->skills.size(), 1u);
  EXPECT_EQ(skills->skills[0].framework, "Swim Skills");
  EXPECT_EQ(skills->skills[0].level, "Level 3");
  EXPECT_TRUE(skills->skills[0].all_proficient());
  EXPECT_NE(find(first, ChangeKind::skills_changed, user("alexei")), nullptr);
  EXPECT_EQ(find(first, ChangeKind::skills_changed, user("ming")), nullptr);  // nothing rated
  EXPECT_NE(find(first, ChangeKind::enrolment_suspended, user("gina")), nullptr);

  const CourseProgress* zoe = first.snapshot(user("zoe"), completed->course.id);
  ASSERT_NE(zoe, nullptr);
  EXPECT_EQ(zoe->student.fullname, "Zoë Ångström-Łukasiewicz");
  EXPECT_EQ(zoe->student.guardian_emails, (std::vector<std::string>{"parent.zoe@example.com", "other.parent@example.com"}));
  EXPECT_EQ(zoe->enrolment, Enrolment::active);
  EXPECT_TRUE(zoe->completed);
  EXPECT_DOUBLE_EQ(zoe->grade_percent.value_or(0), 92.0);

  long long writes_before = 0;
  for (const auto& [function, count] : m_server->stats().calls)
    if (function.find("create") != std::string::npos || function.find("send") != std::string::npos) writes_before += count;
  PollResult second = poll_and_commit();
  EXPECT_TRUE(second.changes.empty()) << second.changes.front().key;
  EXPECT_TRUE(second.cursor_updates.size() == 1u);  // only the poll time moves
  EXPECT_EQ(writes_before, 0);
  EXPECT_GT(second.stats.requests, 0);
}

TEST_F(MoodleLmsTest, FindsCompletionsRatingsIssueNowMarksAndSuspensions) {
  poll_and_commit();
  ASSERT_OK(m_server->complete_course("alexei", "FA-101"));
  ASSERT_OK(m_server->rate_skill("alexei", "SWIM-L3", "L3-DIVE", 3));
  ASSERT_OK(m_server->mark_issue_now("ming", "SWIM-L3", "teacher1", from_unix(1795500500)));
  ASSERT_OK(m_server->suspend("zoe", "SWIM-L3"));
  ASSERT_OK(m_server->set_grade("alexei", "FA-101", 71));
  PollResult result = poll_and_commit();

  EXPECT_NE(find(result, ChangeKind::course_completed, user("alexei")), nullptr);
  const Change* rated = find(result, ChangeKind::skills_changed, user("alexei"));
  ASSERT_NE(rated, nullptr);
  EXPECT_TRUE(rated->skills[0].all_proficient());
  const Change* graded = find(result, ChangeKind::grade_changed, user("alexei"));
  ASSERT_NE(graded, nullptr);
  EXPECT_DOUBLE_EQ(*graded->grade_percent, 71.0);
  const Change* mark = find(result, ChangeKind::issue_now, user("ming"));
  ASSERT_NE(mark, nullptr);
  ASSERT_TRUE(mark->issue_now);
  EXPECT_EQ(mark->issue_now->teacher_id, user("teacher1"));
  EXPECT_EQ(mark->issue_now->teacher_name, "Tina Teacher");
  EXPECT_EQ(to_unix(mark->issue_now->marked_at), 1795500500);
  EXPECT_EQ(mark->key, mark->issue_now->key());
  const Change* suspended = find(result, ChangeKind::enrolment_suspended, user("zoe"));
  ASSERT_NE(suspended, nullptr);
  const CourseProgress* snapshot = result.snapshot(user("zoe"), suspended->course.id);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->enrolment, Enrolment::suspended);
  EXPECT_FALSE(snapshot->enrolment_note.empty());
  EXPECT_EQ(result.changes.size(), 5u);
}

TEST_F(MoodleLmsTest, AHandledIssueNowMarkIsClearedAndNeverReportedAgain) {
  poll_and_commit();
  ASSERT_OK(m_server->mark_issue_now("ming", "SWIM-L3", "teacher1"));
  Result<PollResult> found = m_poller->poll();
  ASSERT_OK(found);
  const Change* mark = find(*found, ChangeKind::issue_now, user("ming"));
  ASSERT_NE(mark, nullptr);
  // A crash before commit: the next cycle reports the same mark, same key.
  Result<PollResult> again = m_poller->poll();
  ASSERT_OK(again);
  const Change* same = find(*again, ChangeKind::issue_now, user("ming"));
  ASSERT_NE(same, nullptr);
  EXPECT_EQ(same->key, mark->key);
  ASSERT_OK(m_poller->commit(*again));
  ASSERT_OK(m_lms->clear_issue_now(*same->issue_now));
  ASSERT_OK(m_lms->clear_issue_now(*same->issue_now));  // idempotent
  PollResult after = poll_and_commit();
  EXPECT_EQ(find(after, ChangeKind::issue_now, user("ming")), nullptr);
  // A later mark is a new request with a new key.
  ASSERT_OK(m_server->mark_issue_now("ming", "SWIM-L3", "teacher1", from_unix(1795600000)));
  PollResult later = poll_and_commit();
  const Change* second = find(later, ChangeKind::issue_now, user("ming"));
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second->key, mark->key);
}

TEST_F(MoodleLmsTest, CursorResumesAfterARestartWithARealStore) {
  char folder[] = "/tmp/certd-connector-XXXXXX";
  ASSERT_NE(::mkdtemp(folder), nullptr);
  std::string path = std::string(folder) + "/certd.sqlite";
  // What the app does over store::Store (get_state/set_state).
  struct StoreCursors final : CursorStore {
    store::Store& store;
    explicit StoreCursors(store::Store& s) : store(s) {}
    Result<std::optional<std::string>> get(const std::string& key) override { return store.get_state(key); }
    Status set(const std::string& key, const std::string& value) override { return store.set_state(key, value); }
  };
  {
    auto db = store::open_sqlite_store(path);
    ASSERT_OK(db);
    StoreCursors cursors(**db);
    Poller poller(*m_lms, cursors);
    Result<PollResult> first = poller.poll();
    ASSERT_OK(first);
    EXPECT_FALSE(first->changes.empty());
    ASSERT_OK(poller.commit(*first));
  }
  ASSERT_OK(m_server->complete_course("alexei", "FA-101"));
  connect();  // a new process: nothing cached in the adapter
  auto db = store::open_sqlite_store(path);
  ASSERT_OK(db);
  StoreCursors cursors(**db);
  Poller poller(*m_lms, cursors);
  Result<PollResult> resumed = poller.poll();
  ASSERT_OK(resumed);
  ASSERT_EQ(resumed->changes.size(), 1u);
  EXPECT_EQ(resumed->changes[0].kind, ChangeKind::course_completed);
  EXPECT_EQ(resumed->changes[0].student, user("alexei"));
  std::filesystem::remove_all(folder);
}

TEST_F(MoodleLmsTest, WithoutTheReportASweepFindsTheSameCompletions) {
  moodle::MoodleOptions o = options();
  o.completions_report = 0;
  connect(o);
  PollResult first = poll_and_commit();
  EXPECT_EQ(first.stats.completions_from, "sweep");
  EXPECT_NE(find(first, ChangeKind::course_completed, user("zoe")), nullptr);
  ASSERT_OK(m_server->complete_course("alexei", "FA-101"));
  PollResult second = poll_and_commit();
  ASSERT_EQ(second.changes.size(), 1u);
  EXPECT_EQ(second.changes[0].student, user("alexei"));
}

TEST_F(MoodleLmsTest, ASweepBudgetVisitsEveryPairWithinABoundedNumberOfCycles) {
  moodle::MoodleOptions o = options();
  o.sweep_budget = 1;
  connect(o);
  ASSERT_OK(m_server->mark_issue_now("ming", "SWIM-L3", "teacher1"));
  bool found = false;
  int pairs = 0;
  for (int cycle = 0; cycle < 8 && !found; ++cycle) {
    PollResult result = poll_and_commit();
    EXPECT_LE(result.stats.pairs_swept, 1);
    pairs = result.stats.pairs_total;
    found = find(result, ChangeKind::issue_now, user("ming")) != nullptr;
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(pairs, 5);  // 3 active students in SWIM-L3, 2 in FA-101 with "issue now"
}

TEST_F(MoodleLmsTest, NotesAreWrittenOnceEvenWhenRepeated) {
  NoteRequest note{user("zoe"), course("FA-101").id, "FA01-7K4M-9QXA", "First Aid Basics",
                   "https://certs.example.edu/v/FA01-7K4M-9QXA", "certd-note-1"};
  ASSERT_OK(m_lms->add_note(note));
  ASSERT_OK(m_lms->add_note(note));
  EXPECT_EQ(m_server->stats().notes_by_client_id["certd-note-1"], 1);
  note.student = 99999;
  note.verification_url += "-other";
  Status refused = m_lms->add_note(note);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().code(), ErrorCode::unavailable);
}

// The outbox's first try of a note skips the look for an existing one
// (nothing can have written it yet); a retry looks, so a note whose answer
// was lost is not written twice.
TEST_F(MoodleLmsTest, OnlyARetriedNoteLooksForAnEarlierOne) {
  auto looks = [&] { return m_server->stats().calls["core_notes_get_course_notes"]; };
  NoteRequest note{user("zoe"), course("FA-101").id, "FA01-7K4M-9QXB", "First Aid Basics",
                   "https://certs.example.edu/v/FA01-7K4M-9QXB", "certd-note-2"};
  note.first_attempt = true;
  const auto before = looks();
  ASSERT_OK(m_lms->add_note(note));
  EXPECT_EQ(looks(), before);
  note.first_attempt = false;  // the answer was lost; the outbox tries again
  ASSERT_OK(m_lms->add_note(note));
  EXPECT_EQ(looks(), before + 1);
  EXPECT_EQ(m_server->stats().notes_by_client_id["certd-note-2"], 1);
}

TEST_F(MoodleLmsTest, MessagesAreDeliveredOrRefusedByPreferences) {
  Result<MessageOutcome> sent = m_lms->send_message({user("zoe"), "Your certificate is ready.", "certd-msg-1"});
  ASSERT_OK(sent);
  EXPECT_EQ(sent->delivery, Delivery::delivered);
  Result<MessageOutcome> refused = m_lms->send_message({user("ming"), "Your certificate is ready.", "certd-msg-2"});
  ASSERT_OK(refused);
  EXPECT_EQ(refused->delivery, Delivery::refused);
  EXPECT_NE(refused->detail.find("message preferences"), std::string::npos);
  Result<MessageOutcome> nobody = m_lms->send_message({99999, "x", "certd-msg-3"});
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().code(), ErrorCode::not_found);
}

TEST_F(MoodleLmsTest, EnrolmentIsSentOnceAndNeverUndoesASuspension) {
  Course next = course("SWIM-L4");
  Result<EnrolOutcome> first = m_lms->enrol({user("zoe"), next.id, 5});
  ASSERT_OK(first);
  EXPECT_EQ(*first, EnrolOutcome::enrolled);
  Result<EnrolOutcome> again = m_lms->enrol({user("zoe"), next.id, 5});
  ASSERT_OK(again);
  EXPECT_EQ(*again, EnrolOutcome::already_enrolled);
  // Gina's SWIM-L4 enrolment was suspended by a teacher: left alone.
  Result<EnrolOutcome> suspended = m_lms->enrol({user("gina"), next.id, 5});
  ASSERT_OK(suspended);
  EXPECT_EQ(*suspended, EnrolOutcome::already_enrolled);
  EXPECT_EQ(m_server->stats().enrol_calls, 1);
  EXPECT_TRUE(m_server->school().course_named("SWIM-L4")->enrolment(user("gina"))->suspended);
}

TEST_F(MoodleLmsTest, OtherWriteBacksReportMoodlesCodesWhenRefused) {
  ASSERT_OK(m_lms->set_profile_field(user("zoe"), "certificates", "FA01-7K4M-9QXA"));
  Status unknown = m_lms->set_profile_field(99999, "guardian_email", "x@example.com");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), ErrorCode::not_found);
  ASSERT_OK(m_lms->complete_activity(course("FA-101"), "Certificate issued", user("zoe")));
  EXPECT_EQ(m_server->stats().completion_overrides, 1);
  m_server->set_capability("moodle/course:overridecompletion", false);
  Status denied = m_lms->complete_activity(course("FA-101"), "Certificate issued", user("zoe"));
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), ErrorCode::permission_denied);
  EXPECT_EQ(lms_error_code(denied.error()), "nopermissions");
}

// The outbox's retry loop in miniature: transient failures are retried,
// anything else stops it.
template <typename Operation>
Status with_retries(Operation&& operation) {
  Status last = ok();
  for (int attempt = 0; attempt < 5; ++attempt) {
    last = operation();
    if (last || last.error().code() != ErrorCode::unavailable) return last;
  }
  return last;
}

TEST_F(MoodleLmsTest, EveryFaultIsSurvivedWithoutLosingOrDuplicatingANote) {
  const std::vector<simulator::Fault> faults = {
      {"core_notes_create_notes", FaultKind::http_error, 503, std::chrono::milliseconds(0), 1},
      {"core_notes_create_notes", FaultKind::rate_limit, 429, std::chrono::milliseconds(0), 1},
      {"core_notes_create_notes", FaultKind::drop, 0, std::chrono::milliseconds(0), 1},
      {"core_notes_create_notes", FaultKind::lost_reply, 0, std::chrono::milliseconds(0), 1},
      {"core_notes_create_notes", FaultKind::latency, 0, std::chrono::milliseconds(2500), 1},
      {"core_notes_get_course_notes", FaultKind::http_error, 500, std::chrono::milliseconds(0), 3},
  };
  int index = 0;
  for (const simulator::Fault& fault : faults) {
    std::string id = "certd-note-fault-" + std::to_string(index++);
    m_server->add_fault(fault);
    NoteRequest note{user("zoe"), course("FA-101").id, id, "First Aid Basics", "https://certs.example.edu/v/" + id, id};
    int failures = 0;
    Status written = with_retries([&] {
      Status status = m_lms->add_note(note);
      if (!status) ++failures;
      return status;
    });
    ASSERT_OK(written);
    EXPECT_GE(failures, 1) << id;  // the fault did hit
    EXPECT_EQ(m_server->stats().notes_by_client_id[id], 1) << id;
    m_server->clear_faults();
  }
}

TEST_F(MoodleLmsTest, MessagesAndEnrolmentsSurviveFaultsBeforeMoodleActs) {
  m_server->add_fault({"core_message_send_instant_messages", FaultKind::drop, 0, std::chrono::milliseconds(0), 1});
  Result<MessageOutcome> sent = m_lms->send_message({user("zoe"), "hello", "certd-msg-9"});
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code(), ErrorCode::unavailable);
  sent = m_lms->send_message({user("zoe"), "hello", "certd-msg-9"});
  ASSERT_OK(sent);
  EXPECT_EQ(m_server->stats().messages_by_client_id["certd-msg-9"], 1);

  // The enrolment's answer is lost after Moodle acted: the retry sees the
  // enrolment and sends nothing.
  m_server->add_fault({"enrol_manual_enrol_users", FaultKind::lost_reply, 0, std::chrono::milliseconds(0), 1});
  Course next = course("SWIM-L4");
  Result<EnrolOutcome> first = m_lms->enrol({user("alexei"), next.id, 5});
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code(), ErrorCode::unavailable);
  Result<EnrolOutcome> retry = m_lms->enrol({user("alexei"), next.id, 5});
  ASSERT_OK(retry);
  EXPECT_EQ(*retry, EnrolOutcome::already_enrolled);
  EXPECT_EQ(m_server->stats().enrol_calls, 1);
}

TEST_F(MoodleLmsTest, APollSurvivesTransientFaultsAndLosesNothingWhenItFails) {
  poll_and_commit();
  ASSERT_OK(m_server->complete_course("alexei", "FA-101"));
  // One 503 is retried inside the cycle (reads are retried).
  m_server->add_fault({"core_reportbuilder_retrieve_report", FaultKind::http_error, 503, std::chrono::milliseconds(0), 1});
  m_server->add_fault({"core_enrol_get_enrolled_users", FaultKind::drop, 0, std::chrono::milliseconds(0), 1});
  // A persistent failure fails the cycle; nothing is committed.
  m_server->add_fault({"gradereport_user_get_grade_items", FaultKind::rate_limit, 429, std::chrono::milliseconds(0), -1});
  Result<PollResult> failed = m_poller->poll();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), ErrorCode::unavailable);
  m_server->clear_faults();
  PollResult result = poll_and_commit();
  ASSERT_EQ(result.changes.size(), 1u);
  EXPECT_EQ(result.changes[0].student, user("alexei"));
}

// A stopping daemon: the poll under way ends at its next read without
// sending it, moves no cursor, and the next start finds what it missed;
// a write-back still goes.
TEST_F(MoodleLmsTest, AfterStopReadingAPollEndsAtOnceAndLosesNothing) {
  poll_and_commit();
  ASSERT_OK(m_server->complete_course("alexei", "FA-101"));
  const Course first_aid = course("FA-101");
  m_lms->stop_reading();
  const long long sent = m_server->stats().requests;
  Result<PollResult> stopped = m_poller->poll();
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code(), ErrorCode::unavailable);
  EXPECT_NE(stopped.error().message().find("certd is stopping"), std::string::npos) << stopped.error().message();
  EXPECT_EQ(m_server->stats().requests, sent) << "no read is sent once stopping";
  NoteRequest note{user("zoe"), first_aid.id, "FA01-7K4M-9QXA", "First Aid Basics",
                   "https://certs.example.edu/v/FA01-7K4M-9QXA", "certd-note-stop", /*first_attempt=*/true};
  ASSERT_OK(m_lms->add_note(note));
  EXPECT_EQ(m_server->stats().notes_by_client_id["certd-note-stop"], 1);

  connect();  // the next start, on the same cursor
  PollResult result = poll_and_commit();
  ASSERT_EQ(result.changes.size(), 1u);
  EXPECT_EQ(result.changes[0].student, user("alexei"));
}

TEST_F(MoodleLmsTest, SiteCheckNamesWhatIsMissingInPlainWords) {
  Result<SiteCheck> good = m_lms->check_site();
  ASSERT_OK(good);
  EXPECT_TRUE(good->missing.empty()) << good->missing.front();
  EXPECT_EQ(good->service_user, "certd_service");
  m_server->set_function("report_competency_data_for_report", false);
  m_server->set_capability("moodle/user:viewalldetails", false);
  m_server->set_capability("moodle/course:viewhiddenactivities", false);
  m_server->set_capability("report/completion:view", false);
  connect();
  Result<SiteCheck> bad = m_lms->check_site();
  ASSERT_OK(bad);
  std::string all;
  for (const std::string& line : bad->missing) all += line + "\n";
  EXPECT_NE(all.find("report_competency_data_for_report"), std::string::npos) << all;
  EXPECT_NE(all.find("moodle/user:viewalldetails"), std::string::npos) << all;
  EXPECT_NE(all.find("moodle/course:viewhiddenactivities"), std::string::npos) << all;
  EXPECT_NE(all.find("report/completion:view"), std::string::npos) << all;
}

TEST_F(MoodleLmsTest, ABadTokenIsAPermanentPermissionError) {
  moodle::MoodleOptions o = options();
  o.token = "deadbeefdeadbeefdeadbeefdeadbeef";
  connect(o);
  Result<SiteCheck> check = m_lms->check_site();
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().code(), ErrorCode::permission_denied);
  EXPECT_EQ(lms_error_code(check.error()), "invalidtoken");
}

TEST_F(MoodleLmsTest, AnUnreachableSiteIsTransient) {
  moodle::MoodleOptions o = options();
  m_server->stop();
  connect(o);
  Result<SiteCheck> check = m_lms->check_site();
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().code(), ErrorCode::unavailable);
}

}  // namespace
}  // namespace certd::connector
