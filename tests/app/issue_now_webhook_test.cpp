// The Moodle plugin's "issue-now" webhook (app/issue_now_webhook.hpp): the
// mark is read from the LMS, never taken from the webhook, and becomes the
// poll's own event for that mark, so a mark seen by webhook and by poll, in
// either order, gives one certificate and is cleared once.
#include "app/issue_now_webhook.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/event_processor.hpp"
#include "app/progress_codec.hpp"
#include "app/school_fixture.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

class IssueNowWebhookTest : public SchoolFixture {
 protected:
  // What the plugin sends (moodle/local_certd/classes/payload.php build()).
  Result<store::Inserted> record_webhook(const std::string& id, const std::string& type, connector::UserId student,
                                         const std::string& course) {
    json body{{"type", type},
              {"data", {{"user_id", student}, {"course", course}, {"course_id", 3}, {"time", 1795500000}}}};
    return db().record_event({"webhook:moodle", id, type, body.dump(), to_unix(m_clock.now())});
  }
  // The event the poll records for a mark (app/daemon.cpp record_changes).
  Result<store::Inserted> record_polled(const connector::CourseProgress& progress,
                                        const connector::IssueNowMark& mark) {
    connector::Change change;
    change.kind = connector::ChangeKind::issue_now;
    change.student = mark.student;
    change.course = mark.course;
    change.at = mark.marked_at;
    change.key = mark.key();
    change.issue_now = mark;
    return db().record_event({k_source_lms_poll, mark.key(), k_event_lms_change, change_event_payload(change, progress),
                              to_unix(m_clock.now())});
  }
  // Rounds until nothing is left, as the daemon's cycle does.
  ProcessStats process_all() {
    ProcessStats total;
    for (int round = 0; round < 5; ++round) {
      auto stats = process();
      EXPECT_TRUE(stats) << stats.error().to_string();
      if (!stats || stats->events == 0) break;
      total.events += stats->events;
      total.issued += stats->issued;
      total.failed += stats->failed;
    }
    return total;
  }
  std::vector<store::EventRow> with_status(store::EventStatus status) {
    auto rows = db().events_with_status(status, 100);
    EXPECT_TRUE(rows) << rows.error().to_string();
    return rows ? *rows : std::vector<store::EventRow>{};
  }
};

TEST_F(IssueNowWebhookTest, AMarkTheLmsShowsIsForcedAndClearedOnce) {
  connector::CourseProgress bea = swimmer(7, "Bea Nguyen", 1);
  m_lms.set_progress(bea);
  connector::IssueNowMark mark = mark_for(bea, "Ms Rivera");
  m_lms.set_mark(mark);
  ASSERT_OK(record_webhook("moodle-issue-now-3-7-501-1795500000", k_event_webhook_issue_now, 7, bea.course.shortname));

  ProcessStats stats = process_all();
  EXPECT_EQ(stats.issued, 1);
  EXPECT_EQ(stats.failed, 0);
  auto issued = certificates_of(7);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].certificate.kind, "forced");
  EXPECT_EQ(issued[0].certificate.requested_by, "Ms Rivera") << "the teacher the LMS names, not the webhook";
  ASSERT_OK(outbox_worker().drain());
  EXPECT_EQ(m_lms.cleared_marks(), std::vector<std::string>{mark.key()});
  EXPECT_TRUE(with_status(store::EventStatus::failed).empty());
  EXPECT_TRUE(with_status(store::EventStatus::new_).empty());

  // The poll sees the same mark later (before it was cleared): the same event.
  auto polled = record_polled(bea, mark);
  ASSERT_OK(polled);
  EXPECT_FALSE(polled->created) << "the webhook recorded the poll's own event for the mark";
  EXPECT_EQ(process_all().issued, 0);
  ASSERT_OK(outbox_worker().drain());
  EXPECT_EQ(certificates_of(7).size(), 1u);
  EXPECT_EQ(m_lms.cleared_marks().size(), 1u) << "cleared once";
}

TEST_F(IssueNowWebhookTest, AMarkThePollFoundFirstIsNotHandledAgainByItsWebhook) {
  connector::CourseProgress bea = swimmer(7, "Bea Nguyen", 1);
  m_lms.set_progress(bea);
  connector::IssueNowMark mark = mark_for(bea, "Ms Rivera");
  m_lms.set_mark(mark);
  ASSERT_OK(record_polled(bea, mark));
  EXPECT_EQ(process_all().issued, 1);

  // The webhook arrives before the outbox cleared the mark.
  ASSERT_OK(record_webhook("moodle-issue-now-3-7-501-1795500000", k_event_webhook_issue_now, 7, bea.course.shortname));
  ProcessStats late = process_all();
  EXPECT_EQ(late.issued, 0);
  EXPECT_EQ(late.failed, 0) << "no refused second force";
  ASSERT_OK(outbox_worker().drain());
  EXPECT_EQ(certificates_of(7).size(), 1u);
  EXPECT_EQ(m_lms.cleared_marks(), std::vector<std::string>{mark.key()});
  EXPECT_TRUE(with_status(store::EventStatus::failed).empty());
}

TEST_F(IssueNowWebhookTest, WithoutAMarkInTheLmsTheWebhookInventsNothing) {
  // Bea has 1 of 3 skills: no rule issues without a teacher's mark.
  connector::CourseProgress bea = swimmer(7, "Bea Nguyen", 1);
  m_lms.set_progress(bea);
  ASSERT_OK(record_webhook("moodle-issue-now-forged", k_event_webhook_issue_now, 7, bea.course.shortname));
  ProcessStats stats = process_all();
  EXPECT_EQ(stats.issued, 0);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_TRUE(certificates_of(7).empty());
  EXPECT_EQ(with_status(store::EventStatus::processed).size(), 1u) << "decided from progress, as any webhook";
}

TEST_F(IssueNowWebhookTest, ThePluginsOtherTypesReadProgress) {
  m_lms.set_progress(first_aider(42, "Ada Lovelace", 88));
  ASSERT_OK(record_webhook("moodle-course-completed-3-42-1-1795500000", "course-completed", 42, "FA-101"));
  ASSERT_OK(record_webhook("moodle-skills-3-42-2-1795500000", "skills", 42, "FA-101"));
  ProcessStats stats = process_all();
  EXPECT_EQ(stats.issued, 1);
  EXPECT_EQ(certificates_of(42).size(), 1u);
  EXPECT_EQ(certificates_of(42)[0].certificate.kind, "automatic");
}

}  // namespace
}  // namespace certd::app
