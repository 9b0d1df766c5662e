// StoreConsoleBackend's Reports of a course over a real school and store
// (app/report_backend.cpp): the course's certificates, their e-mails and
// verifications only, and the school's monthly quota as `certd status`
// counts it.
#include <gtest/gtest.h>

#include "app/console_backend.hpp"
#include "app/school_fixture.hpp"
#include "app/teacher_actions.hpp"

namespace certd::app {
namespace {

class ConsoleBackendReportTest : public SchoolFixture {
 protected:
  void SetUp() override {
    SchoolFixture::SetUp();
    auto opened = StoreConsoleBackend::open(school(), &m_lms, m_clock);
    ASSERT_OK(opened);
    backend = std::move(*opened);
  }
  void TearDown() override {
    backend.reset();
    SchoolFixture::TearDown();
  }
  std::string extra_config() const override { return "quota: { per_month: 5 }\n"; }

  // An ad-hoc award given in `course`, with one e-mail and one check.
  std::string award(const std::string& request, const std::string& student, const std::string& name,
                    const std::string& course) {
    AdhocDetails details;
    details.request = {request, student, "encouragement", course, "Ms Rivera", "For never giving up"};
    details.student_name = name;
    details.student_email = "kid" + student + "@example.org";
    m_clock.advance(60);  // newest first is by issue time
    auto outcome = issue_adhoc(runtime(), &m_lms, details);
    EXPECT_TRUE(outcome) << outcome.error().to_string();
    if (!outcome) return "";
    auto row = db().certificate_by_number(outcome->number);
    EXPECT_TRUE(row && *row);
    EXPECT_TRUE(db().add_notification({(*row)->id, details.student_email, "student", std::nullopt}));
    EXPECT_TRUE(db().record_verification({outcome->number, "valid", "web", to_unix(m_clock.now())}));
    return outcome->number;
  }

  std::int64_t now() { return to_unix(m_clock.now()); }

  std::unique_ptr<StoreConsoleBackend> backend;
};

TEST_F(ConsoleBackendReportTest, AnotherCoursesRowsAreNotInTheReport) {
  std::string zoe = award("r1", "20", "Zo\u00eb Quinn", "FA-101");
  std::string ada = award("r2", "21", "Ada Lovelace", "SWIM-L3");
  std::string bea = award("r3", "22", "Bea Nguyen", "FA-101");
  auto report = backend->course_report("FA-101", now());
  ASSERT_OK(report);
  ASSERT_EQ(report->certificates.size(), 2u);
  EXPECT_EQ(report->certificates[0].certificate.number, bea) << "newest first";
  EXPECT_EQ(report->certificates[1].certificate.number, zoe);
  EXPECT_EQ(report->certificates_total, 2u);
  ASSERT_EQ(report->deliveries.size(), 2u);
  EXPECT_EQ(report->deliveries[0].number, bea) << "newest first";
  EXPECT_EQ(report->deliveries[1].recipient, "kid20@example.org");
  EXPECT_EQ(report->deliveries_total, 2u);
  ASSERT_EQ(report->verifications.size(), 2u);
  EXPECT_EQ(report->verifications[0].number, bea);
  for (const auto& row : report->certificates) EXPECT_NE(row.certificate.number, ada);
  for (const auto& mail : report->deliveries) EXPECT_NE(mail.number, ada);
  for (const auto& check : report->verifications) EXPECT_NE(check.number, ada);
}

TEST_F(ConsoleBackendReportTest, TheQuotaCountsThisMonthOfEveryCourse) {
  // One certificate of last month: not this month's.
  store::NewCertificate old;
  old.number = "OLD-1";
  old.idempotency_key = "batch:old|student:9|course:FA-101|gen:1";
  old.template_id = "encouragement";
  old.student_id = "9";
  old.student_name = "Old Batch";
  old.course = "First Aid Basics";
  old.kind = "batch";
  old.issued_at = k_start - 5 * 86400;
  ASSERT_TRUE(db().insert_certificate(old, {}));
  award("r1", "20", "Zo\u00eb Quinn", "FA-101");
  award("r2", "21", "Ada Lovelace", "SWIM-L3");
  auto report = backend->course_report("FA-101", now());
  ASSERT_OK(report);
  EXPECT_EQ(report->quota.month, "2026-03");
  EXPECT_EQ(report->quota.used, 2) << "SWIM-L3's counts too; February's does not";
  EXPECT_EQ(report->quota.per_month, 5);
  EXPECT_EQ(report->quota.left, 3);
  EXPECT_EQ(report->certificates_total, 2u) << "last month's certificate is still the course's";
}

TEST_F(ConsoleBackendReportTest, AnEmptyCourseHasAnEmptyReport) {
  award("r1", "20", "Zo\u00eb Quinn", "FA-101");
  auto report = backend->course_report("SWIM-L4", now());
  ASSERT_OK(report);
  EXPECT_TRUE(report->certificates.empty());
  EXPECT_TRUE(report->deliveries.empty());
  EXPECT_TRUE(report->verifications.empty());
  EXPECT_EQ(report->quota.used, 1);
}

}  // namespace
}  // namespace certd::app
