// StoreConsoleBackend's "Issue now" over a real school and store
// (app/issue_now_backend.cpp): the course's students and rules, the unmet
// conditions in the rules' words, course scoping whatever the form says,
// one "forced" certificate however often it is confirmed, and the LMS
// missing or away.
#include <gtest/gtest.h>

#include "app/console_backend.hpp"
#include "app/school_fixture.hpp"

namespace certd::app {
namespace {

class ConsoleBackendIssueNowTest : public SchoolFixture {
 protected:
  void SetUp() override {
    SchoolFixture::SetUp();
    auto opened = StoreConsoleBackend::open(school(), &m_lms, m_clock);
    ASSERT_OK(opened);
    backend = std::move(*opened);
    m_lms.set_progress(swimmer(7, "Bea Nguyen", 1));
    m_lms.set_progress(swimmer(8, "Ada Lovelace", 3));
    m_lms.set_progress(swimmer(9, "Sam Suspended", 1, connector::Enrolment::suspended));
    m_lms.set_progress(first_aider(11, "Fay Aid", 60));
  }
  void TearDown() override {
    backend.reset();
    SchoolFixture::TearDown();
  }

  std::unique_ptr<StoreConsoleBackend> backend;
};

TEST_F(ConsoleBackendIssueNowTest, TheChoicesAreTheCoursesActiveStudentsByNameAndItsRules) {
  auto choices = backend->issue_now_choices("SWIM-L3");
  ASSERT_OK(choices);
  ASSERT_EQ(choices->students.size(), 2u);
  EXPECT_EQ(choices->students[0].name, "Ada Lovelace");
  EXPECT_EQ(choices->students[1].id, "7");
  ASSERT_EQ(choices->rules.size(), 1u);
  EXPECT_EQ(choices->rules[0].id, "swim-level-3");
  EXPECT_FALSE(choices->rules[0].certificate.empty());
}

TEST_F(ConsoleBackendIssueNowTest, ThePreviewSaysWhatIsUnmetAndIssuesNothing) {
  auto preview = backend->preview_issue_now("SWIM-L3", "7", "swim-level-3");
  ASSERT_OK(preview);
  EXPECT_EQ(preview->student_name, "Bea Nguyen");
  ASSERT_EQ(preview->unmet.size(), 1u);
  EXPECT_NE(preview->unmet[0].find("Treading water 1 min"), std::string::npos) << preview->unmet[0];
  EXPECT_NE(preview->unmet[0].find("Surface dive"), std::string::npos) << preview->unmet[0];
  EXPECT_TRUE(preview->existing_number.empty());
  EXPECT_TRUE(certificates_of(7).empty());

  auto met = backend->preview_issue_now("SWIM-L3", "8", "swim-level-3");
  ASSERT_OK(met);
  EXPECT_TRUE(met->unmet.empty());
}

TEST_F(ConsoleBackendIssueNowTest, ConfirmingTwiceIssuesOneForcedCertificate) {
  auto first = backend->issue_now("SWIM-L3", "7", "swim-level-3", "Ms Rivera");
  ASSERT_OK(first);
  EXPECT_FALSE(first->already_issued);
  auto again = backend->issue_now("SWIM-L3", "7", "swim-level-3", "Ms Rivera");
  ASSERT_OK(again);
  EXPECT_TRUE(again->already_issued);
  EXPECT_EQ(again->number, first->number);
  auto rows = certificates_of(7);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].certificate.kind, "forced");
  EXPECT_EQ(rows[0].certificate.teacher, "Ms Rivera");
  auto preview = backend->preview_issue_now("SWIM-L3", "7", "swim-level-3");
  ASSERT_OK(preview);
  EXPECT_EQ(preview->existing_number, first->number);
}

TEST_F(ConsoleBackendIssueNowTest, AnotherCoursesRuleOrStudentIsRefused) {
  auto rule = backend->issue_now("SWIM-L3", "7", "first-aid", "Ms Rivera");
  ASSERT_FALSE(rule);
  EXPECT_EQ(rule.error().code(), ErrorCode::invalid_argument);
  auto stranger = backend->issue_now("SWIM-L3", "11", "swim-level-3", "Ms Rivera");
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().code(), ErrorCode::not_found);
  auto suspended = backend->preview_issue_now("SWIM-L3", "9", "swim-level-3");
  ASSERT_FALSE(suspended);
  EXPECT_EQ(suspended.error().code(), ErrorCode::not_found);
  auto typed = backend->preview_issue_now("SWIM-L3", "7 OR 1=1", "swim-level-3");
  ASSERT_FALSE(typed);
  EXPECT_EQ(typed.error().code(), ErrorCode::invalid_argument);
  auto teacher = backend->issue_now("SWIM-L3", "7", "swim-level-3", "Ms\x1b[31m Rivera");
  ASSERT_FALSE(teacher);
  EXPECT_EQ(teacher.error().code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(certificates_of(7).empty());
  EXPECT_TRUE(certificates_of(11).empty());
}

TEST_F(ConsoleBackendIssueNowTest, AnLmsThatIsAwayOrMissingIsUnavailable) {
  m_lms.fail_reads(testing::FakeLms::Failure::unavailable);
  auto away = backend->issue_now_choices("SWIM-L3");
  ASSERT_FALSE(away);
  EXPECT_EQ(away.error().code(), ErrorCode::unavailable);
  EXPECT_NE(away.error().message().find("The LMS did not answer"), std::string::npos);
  m_lms.fail_reads(testing::FakeLms::Failure::none);

  auto without = StoreConsoleBackend::open(school(), nullptr, m_clock);
  ASSERT_OK(without);
  auto preview = (*without)->preview_issue_now("SWIM-L3", "7", "swim-level-3");
  ASSERT_FALSE(preview);
  EXPECT_EQ(preview.error().code(), ErrorCode::unavailable);
  auto issued = (*without)->issue_now("SWIM-L3", "7", "swim-level-3", "Ms Rivera");
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().code(), ErrorCode::unavailable);
  EXPECT_TRUE(certificates_of(7).empty());
}

}  // namespace
}  // namespace certd::app
