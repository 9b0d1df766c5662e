#include "app/event_processor.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/school_fixture.hpp"
#include "rules/idempotency.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

class EventProcessorTest : public SchoolFixture {
 protected:
  std::vector<store::EventRow> events(store::EventStatus status) {
    auto rows = db().events_with_status(status, 100);
    EXPECT_TRUE(rows) << rows.error().to_string();
    return rows ? *rows : std::vector<store::EventRow>{};
  }

  Result<store::Inserted> record_webhook(const std::string& id, connector::UserId student, const std::string& course) {
    json body{{"type", "course.completed"}, {"data", {{"user_id", student}, {"course", course}}}};
    return db().record_event({"webhook:moodle", id, k_event_webhook_progress, body.dump(), to_unix(m_clock.now())});
  }
};

TEST_F(EventProcessorTest, AutomaticRuleIssuesOnceAndReplaysIssueNothingMore) {
  connector::CourseProgress ada = first_aider(42, "Ada Lovelace", 92);
  ASSERT_OK(record_change(ada, "moodle:course_completed:42:101:1"));
  auto first = process();
  ASSERT_OK(first);
  EXPECT_EQ(first->issued, 1);

  auto replay = record_change(ada, "moodle:course_completed:42:101:1");
  ASSERT_OK(replay);
  EXPECT_FALSE(replay->created) << "the same change is recorded once";
  ASSERT_OK(record_change(ada, "moodle:grade_changed:42:101:2", connector::ChangeKind::grade_changed));
  auto second = process();
  ASSERT_OK(second);

  EXPECT_EQ(second->events, 1);
  EXPECT_EQ(second->issued, 0);
  auto issued = certificates_of(42);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].certificate.kind, "automatic");
  EXPECT_EQ(issued[0].certificate.rule_id, "first-aid");
  ASSERT_TRUE(issued[0].certificate.expires_at);
  EXPECT_EQ(*issued[0].certificate.expires_at - issued[0].certificate.issued_at, 2 * 365 * 86400 + 86400)
      << "two years from 2026-03-02 (2028 is a leap year)";
  EXPECT_EQ(events(store::EventStatus::processed).size(), 2u);
  EXPECT_TRUE(events(store::EventStatus::new_).empty());
}

TEST_F(EventProcessorTest, AutomaticCertificateQueuesMailAndLmsWriteBack) {
  ASSERT_OK(record_change(first_aider(42, "Ada Lovelace", 92), "e1"));
  ASSERT_OK(process());
  auto issued = certificates_of(42);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(outbox_kinds_for(issued[0].id), (std::vector<std::string>{"email", "lms.message", "lms.note"}))
      << "first-aid notifies the student only and has no progression";
}

TEST_F(EventProcessorTest, PendingRuleFillsTheQueueOnce) {
  connector::CourseProgress bea = swimmer(7, "Bea Nguyen");
  ASSERT_OK(record_change(bea, "moodle:skills_changed:7:3:1", connector::ChangeKind::skills_changed));
  auto first = process();
  ASSERT_OK(first);
  ASSERT_OK(record_change(bea, "moodle:skills_changed:7:3:2", connector::ChangeKind::skills_changed));
  auto second = process();
  ASSERT_OK(second);

  EXPECT_EQ(first->queued, 1);
  EXPECT_EQ(second->queued, 0);
  auto queue = pending();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].pending.rule_id, "swim-level-3");
  EXPECT_EQ(queue[0].pending.student_id, "7");
  EXPECT_TRUE(certificates_of(7).empty()) << "a pending rule waits for a teacher";
  auto snapshot = progress_from_json(queue[0].pending.facts);
  ASSERT_OK(snapshot);
  EXPECT_EQ(snapshot->student.fullname, "Bea Nguyen") << "the queue keeps what the teacher will approve";
}

TEST_F(EventProcessorTest, StudentsNotThereYetGetNothing) {
  ASSERT_OK(record_change(first_aider(42, "Ada Lovelace", 79), "e1"));
  ASSERT_OK(record_change(swimmer(7, "Bea Nguyen", 2), "e2", connector::ChangeKind::skills_changed));
  auto stats = process();
  ASSERT_OK(stats);

  EXPECT_EQ(stats->not_yet, 2);
  EXPECT_EQ(stats->issued, 0);
  EXPECT_TRUE(certificates_of(42).empty());
  EXPECT_TRUE(pending().empty());
  EXPECT_EQ(events(store::EventStatus::processed).size(), 2u);
}

TEST_F(EventProcessorTest, SuspendedEnrolmentGetsNothing) {
  ASSERT_OK(record_change(first_aider(42, "Ada Lovelace", 95, connector::Enrolment::suspended), "e1"));
  ASSERT_OK(record_change(swimmer(7, "Bea Nguyen", 3, connector::Enrolment::suspended), "e2",
                          connector::ChangeKind::enrolment_suspended));
  auto stats = process();
  ASSERT_OK(stats);

  EXPECT_EQ(stats->issued, 0);
  EXPECT_EQ(stats->queued, 0);
  EXPECT_TRUE(certificates_of(42).empty());
  EXPECT_TRUE(pending().empty());
}

TEST_F(EventProcessorTest, IssueNowMarkForcesTheRuleAndRecordsWhoAndWhatWasSkipped) {
  connector::CourseProgress bea = swimmer(7, "Bea Nguyen", 1);
  connector::IssueNowMark mark = mark_for(bea, "Ms Rivera");
  ASSERT_OK(record_change(bea, mark.key(), connector::ChangeKind::issue_now, mark));
  auto stats = process();
  ASSERT_OK(stats);

  EXPECT_EQ(stats->issued, 1);
  EXPECT_EQ(stats->failed, 0) << (events(store::EventStatus::failed).empty() ? "" : events(store::EventStatus::failed)[0].error);
  auto issued = certificates_of(7);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].certificate.kind, "forced");
  EXPECT_EQ(issued[0].certificate.requested_by, "Ms Rivera");
  EXPECT_TRUE(pending().empty());
  EXPECT_EQ(outbox_kinds_for(issued[0].id),
            (std::vector<std::string>{"email", "email", "lms.clear_issue_now", "lms.enrol", "lms.message", "lms.note"}));
  for (const store::OutboxRow& row : outbox()) {
    if (row.item.kind != "lms.note") continue;
    auto skipped = json::parse(row.item.payload).at("skipped");
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_NE(skipped[0].get<std::string>().find("Treading water 1 min"), std::string::npos) << skipped.dump();
  }
}

TEST_F(EventProcessorTest, IssueNowMarkIsClearedInTheLmsOnceIssued) {
  connector::CourseProgress bea = swimmer(7, "Bea Nguyen", 1);
  connector::IssueNowMark mark = mark_for(bea, "Ms Rivera");
  ASSERT_OK(record_change(bea, mark.key(), connector::ChangeKind::issue_now, mark));
  ASSERT_OK(process());
  ASSERT_OK(outbox_worker().drain());

  EXPECT_EQ(m_lms.cleared_marks(), std::vector<std::string>{mark.key()});
  auto notes = m_lms.notes();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes.begin()->second.title.find("Ms Rivera"), std::string::npos) << notes.begin()->second.title;
  EXPECT_NE(notes.begin()->second.title.find("conditions not met"), std::string::npos);
}

TEST_F(EventProcessorTest, RefusedIssueNowStillClearsTheMark) {
  connector::CourseProgress bea = swimmer(7, "Bea Nguyen", 1);
  connector::IssueNowMark first = mark_for(bea, "Ms Rivera");
  ASSERT_OK(record_change(bea, first.key(), connector::ChangeKind::issue_now, first));
  ASSERT_OK(process());
  ASSERT_EQ(certificates_of(7).size(), 1u);

  m_clock.advance(3600);
  connector::IssueNowMark again = mark_for(bea, "Mr Okafor");
  ASSERT_OK(record_change(bea, again.key(), connector::ChangeKind::issue_now, again));
  auto stats = process();
  ASSERT_OK(stats);
  ASSERT_OK(outbox_worker().drain());

  EXPECT_EQ(stats->issued, 0);
  EXPECT_EQ(certificates_of(7).size(), 1u) << "already issued: reissue it instead";
  auto failed = events(store::EventStatus::failed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].error.find("refused"), std::string::npos) << failed[0].error;
  auto cleared = m_lms.cleared_marks();
  EXPECT_NE(std::find(cleared.begin(), cleared.end(), again.key()), cleared.end())
      << "the teacher's tick must not stay forever";
}

TEST_F(EventProcessorTest, ForcedIssueThatCannotRenderFailsItsEvent) {
  connector::CourseProgress glyphs = swimmer(8, "\xF0\x93\x80\x80\xF0\x93\x80\x81", 1);  // U+13000 U+13001
  connector::IssueNowMark mark = mark_for(glyphs, "Ms Rivera");
  ASSERT_OK(record_change(glyphs, mark.key(), connector::ChangeKind::issue_now, mark));
  auto stats = process();
  ASSERT_OK(stats);

  EXPECT_EQ(stats->failed, 1);
  EXPECT_TRUE(certificates_of(8).empty());
  auto failed = events(store::EventStatus::failed);
  ASSERT_EQ(failed.size(), 1u) << "not marked processed as if it had issued";
  EXPECT_FALSE(failed[0].error.empty());
}

TEST_F(EventProcessorTest, WebhookEventReadsProgressFromTheLms) {
  m_lms.set_progress(first_aider(42, "Ada Lovelace", 88));
  ASSERT_OK(record_webhook("msg_1", 42, "FA-101"));
  auto stats = process();
  ASSERT_OK(stats);

  EXPECT_EQ(stats->issued, 1);
  auto issued = certificates_of(42);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].certificate.student_name, "Ada Lovelace");
}

TEST_F(EventProcessorTest, WebhookEventWaitsWhileTheLmsIsUnavailable) {
  m_lms.set_progress(first_aider(42, "Ada Lovelace", 88));
  ASSERT_OK(record_webhook("msg_1", 42, "FA-101"));
  m_lms.fail_reads(testing::FakeLms::Failure::unavailable);
  auto down = process();
  ASSERT_OK(down);
  EXPECT_EQ(down->deferred, 1);
  EXPECT_EQ(down->events, 0);
  EXPECT_EQ(events(store::EventStatus::new_).size(), 1u) << "retried on the next cycle";

  m_lms.fail_reads(testing::FakeLms::Failure::none);
  auto up = process();
  ASSERT_OK(up);
  EXPECT_EQ(up->issued, 1);
}

TEST_F(EventProcessorTest, BadEventFailsAloneWithItsReason) {
  ASSERT_OK(db().record_event({"moodle-poll", "bad", k_event_lms_change, "{\"kind\":", to_unix(m_clock.now())}));
  ASSERT_OK(record_webhook("msg_2", 42, "NO-SUCH-COURSE"));
  ASSERT_OK(record_change(first_aider(42, "Ada Lovelace", 88), "good"));
  auto stats = process();
  ASSERT_OK(stats);

  EXPECT_EQ(stats->events, 3);
  EXPECT_EQ(stats->failed, 2);
  EXPECT_EQ(stats->issued, 1);
  auto failed = events(store::EventStatus::failed);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_FALSE(failed[0].error.empty());
  EXPECT_FALSE(failed[1].error.empty());
}

TEST(ProgressCodec, SnapshotSurvivesTheRoundTrip) {
  connector::CourseProgress p;
  p.student = {42, "ada", "S-42", "Ada Łovelace", "ada@example.org", {"mum@example.org"}, {{"house", "Blue"}}};
  p.course = k_swim_l3;
  p.enrolment = connector::Enrolment::suspended;
  p.enrolment_note = "unpaid";
  p.completed = true;
  p.completed_at = from_unix(k_start);
  p.grade_percent = 87.5;
  p.skills = {{"Swim Skills", "Level 3", {{"Backstroke 25m", "L3-B", true, true}, {"Dive", "L3-D", true, false}}}};

  auto back = progress_from_json(progress_to_json(p));
  ASSERT_OK(back);

  EXPECT_EQ(progress_to_json(*back), progress_to_json(p));
  EXPECT_EQ(back->student.profile_fields.at("house"), "Blue");
  EXPECT_EQ(back->enrolment, connector::Enrolment::suspended);
  ASSERT_TRUE(back->grade_percent);
  EXPECT_DOUBLE_EQ(*back->grade_percent, 87.5);
  EXPECT_FALSE(back->skills[0].skills[1].proficient);
}

}  // namespace
}  // namespace certd::app

namespace certd::app {
namespace {

class QuotaTest : public EventProcessorTest {
 protected:
  std::string extra_config() const override { return "quota: { per_month: 2 }\n"; }
};

TEST_F(QuotaTest, AutomaticIssuesWaitVisiblyForTheQuotaThenGoOutNextMonth) {
  for (connector::UserId id : {41, 42, 43}) {
    ASSERT_OK(record_change(first_aider(id, "Student " + std::to_string(id), 90),
                            "moodle:course_completed:" + std::to_string(id) + ":101:1"));
  }
  auto first = process();
  ASSERT_OK(first);
  EXPECT_EQ(first->issued, 2);
  EXPECT_EQ(first->queued, 1);
  auto waiting = db().pending_with_status(store::PendingStatus::pending);
  ASSERT_OK(waiting);
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->front().pending.waits_for, store::PendingWait::quota);
  EXPECT_EQ(waiting->front().pending.reason.rfind(k_quota_reason, 0), 0u) << waiting->front().pending.reason;
  EXPECT_EQ(process()->issued, 0) << "still the same month";

  m_clock.advance(32 * 86400);
  auto next_month = process();
  ASSERT_OK(next_month);
  EXPECT_EQ(next_month->issued, 1);
  EXPECT_TRUE(db().pending_with_status(store::PendingStatus::pending)->empty());
  EXPECT_EQ(certificates_of(std::stoll(waiting->front().pending.student_id)).size(), 1u) << "the one that waited";
}

TEST_F(QuotaTest, OnlyEntriesThatWaitForTheQuotaAreReleasedByIt) {
  // An approval entry whose reason happens to read like the quota's stays
  // for the teacher: what it waits for is its waits_for, not its words.
  auto progress = first_aider(44, "Student 44", 90);
  store::NewPending lookalike{rules::rule_key("first-aid", "44", "FA-101").to_string(), "first-aid", "44", "Student 44", "FA-101",
                              std::string(k_quota_reason) + " (or so it says)", progress_to_json(progress),
                              to_unix(m_clock.now())};
  ASSERT_OK(db().add_pending(lookalike));
  auto round = process();
  ASSERT_OK(round);
  EXPECT_EQ(round->issued, 0);
  auto waiting = db().pending_with_status(store::PendingStatus::pending);
  ASSERT_OK(waiting);
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->front().pending.waits_for, store::PendingWait::approval);
}

}  // namespace
}  // namespace certd::app

// Names from the LMS are checked like typed ones (issue 12): a bad one
// fails that student's event with the reason, kept and retried; it never
// reaches a certificate or the pending queue, and the others carry on.
namespace certd::app {
namespace {

TEST_F(EventProcessorTest, AnLmsNameWithAControlCharacterFailsOnlyThatStudentsEvent) {
  ASSERT_OK(record_change(first_aider(42, "\x1b[31mred", 92), "e1"));
  ASSERT_OK(record_change(first_aider(43, "Ada Lovelace", 92), "e2"));

  auto stats = process();

  ASSERT_OK(stats);
  EXPECT_EQ(stats->failed, 1);
  EXPECT_EQ(stats->issued, 1);
  EXPECT_TRUE(certificates_of(42).empty());
  EXPECT_EQ(certificates_of(43).size(), 1u);
  auto failed = events(store::EventStatus::failed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error,
            "the full name of student 42 in the LMS contains a control character (U+001B) at character 1: "
            "\"\\x1B[31mred\"");
  EXPECT_TRUE(failed[0].next_attempt_at) << "kept, and tried again";
}

TEST_F(EventProcessorTest, ARetriedEventReadsTheNameAgainOnceTheLmsHasItFixed) {
  ASSERT_OK(record_change(first_aider(42, "Ada\x1b[2J", 92), "e1"));
  ASSERT_OK(process());
  ASSERT_EQ(events(store::EventStatus::failed).size(), 1u);

  m_lms.set_progress(first_aider(42, "Ada Lovelace", 92));
  ASSERT_OK(db().make_failed_events_due({}, to_unix(m_clock.now())));
  auto retried = process();

  ASSERT_OK(retried);
  EXPECT_EQ(retried->issued, 1);
  ASSERT_EQ(certificates_of(42).size(), 1u);
  EXPECT_EQ(certificates_of(42)[0].certificate.student_name, "Ada Lovelace");
  EXPECT_TRUE(events(store::EventStatus::failed).empty());
}

TEST_F(EventProcessorTest, ATeachersNameWithABidiOverrideFailsTheEvent) {
  connector::CourseProgress ada = first_aider(42, "Ada Lovelace", 92);
  ada.teacher_name = "Mr \xe2\x80\xae" "namlliM";
  ASSERT_OK(record_change(ada, "e1"));

  ASSERT_OK(process());

  EXPECT_TRUE(certificates_of(42).empty());
  auto failed = events(store::EventStatus::failed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].error.find("the teacher's name of student 42 in the LMS contains a bidirectional control "
                                 "character (U+202E) at character 4"),
            std::string::npos)
      << failed[0].error;
}

// Moodle's JSON is valid UTF-8 by the time it is parsed; a NUL is not
// refused by JSON, so it is checked here.
TEST_F(EventProcessorTest, ANameWithANulNeverReachesThePendingQueue) {
  ASSERT_OK(record_change(swimmer(7, std::string("Bea\0Lee", 7)), "s1", connector::ChangeKind::skills_changed));

  auto stats = process();

  ASSERT_OK(stats);
  EXPECT_EQ(stats->failed, 1);
  EXPECT_EQ(stats->queued, 0);
  EXPECT_TRUE(pending().empty());
  auto failed = events(store::EventStatus::failed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error,
            "the full name of student 7 in the LMS contains a NUL character (U+0000) at character 4: \"Bea\\x00Lee\"");
}

TEST_F(EventProcessorTest, AnIssueNowMarkByATeacherWhoseNameHasAnEscapeFails) {
  connector::CourseProgress bea = swimmer(7, "Bea Nguyen", 1);
  connector::IssueNowMark mark = mark_for(bea, "Ms\x1b[2J Rivera");
  ASSERT_OK(record_change(bea, mark.key(), connector::ChangeKind::issue_now, mark));

  ASSERT_OK(process());

  EXPECT_TRUE(certificates_of(7).empty());
  auto failed = events(store::EventStatus::failed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].error.find("the name of the teacher who marked student 7 in the LMS contains a control "
                                 "character (U+001B) at character 3"),
            std::string::npos)
      << failed[0].error;
}

}  // namespace
}  // namespace certd::app
