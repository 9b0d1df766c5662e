// StoreConsoleBackend's "Issued" tab over a real school and store
// (app/console_backend_issued.cpp): which certificates are a course's,
// the search, and one audit entry per action, naming the teacher.
#include <gtest/gtest.h>

#include "app/console_backend.hpp"
#include "app/school_fixture.hpp"
#include "app/teacher_actions.hpp"

namespace certd::app {
namespace {

const console::ConsoleActor k_teacher{"https://moodle.example.edu#7", "Ms Rivera"};

class ConsoleBackendIssuedTest : public SchoolFixture {
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

  // An ad-hoc award given in `course` (a shortname; empty: none).
  std::string award(const std::string& request, const std::string& student, const std::string& name,
                    const std::string& course) {
    AdhocDetails details;
    details.request = {request, student, "encouragement", course, "Ms Rivera", "For never giving up"};
    details.student_name = name;
    details.student_email = "kid" + student + "@example.org";
    m_clock.advance(60);  // newest first is by issue time
    auto outcome = issue_adhoc(runtime(), &m_lms, details);
    EXPECT_TRUE(outcome) << outcome.error().to_string();
    return outcome ? outcome->number : "";
  }

  // A row as a batch import wrote it: no rule, the course by its full
  // name, and `key_course` in its key (empty, as older versions wrote it).
  std::string batch_row(const std::string& number, const std::string& course_name,
                        const std::string& key_course = "") {
    store::NewCertificate c;
    c.number = number;
    c.idempotency_key = "batch:old-" + number + "|student:9|course:" + key_course + "|gen:1";
    c.template_id = "encouragement";
    c.student_id = "9";
    c.student_name = "Old Batch";
    c.course = course_name;
    c.title = "Encouragement award";
    c.kind = "batch";
    c.issued_at = to_unix(m_clock.now());
    EXPECT_TRUE(db().insert_certificate(c, {}));
    return number;
  }

  std::vector<std::string> numbers(const console::CertificateList& list) {
    std::vector<std::string> out;
    for (const auto& row : list.shown) out.push_back(row.certificate.number);
    return out;
  }

  int audit_entries(const std::string& number, const std::string& action) {
    auto audit = db().recent_audit(100);
    EXPECT_TRUE(audit);
    int n = 0;
    for (const store::AuditRow& row : *audit) {
      if (row.entry.subject != number || row.entry.action != action) continue;
      EXPECT_EQ(row.entry.actor, "Ms Rivera (https://moodle.example.edu#7)");
      ++n;
    }
    return n;
  }

  std::unique_ptr<StoreConsoleBackend> backend;
};

TEST_F(ConsoleBackendIssuedTest, ACourseListsItsOwnCertificatesNewestFirst) {
  std::string zoe = award("r1", "20", "Zo\u00eb Quinn", "FA-101");
  std::string ada = award("r2", "21", "Ada Lovelace", "SWIM-L3");
  std::string bea = award("r3", "22", "Bea Nguyen", "FA-101");
  std::string none = award("r4", "23", "Carl J\u00f3nsson", "");
  auto list = backend->course_certificates("FA-101", "", 200);
  ASSERT_OK(list);
  EXPECT_EQ(numbers(*list), (std::vector<std::string>{bea, zoe}));
  EXPECT_EQ(list->matched, 2u);
  auto swim = backend->course_certificates("SWIM-L3", "", 200);
  ASSERT_OK(swim);
  EXPECT_EQ(numbers(*swim), std::vector<std::string>{ada});
  (void)none;
}

TEST_F(ConsoleBackendIssuedTest, TheSearchIgnoresCaseAndTheLimitCountsTheRest) {
  std::string zoe = award("r1", "20", "Zo\u00eb Quinn", "FA-101");
  award("r2", "22", "Bea Nguyen", "FA-101");
  award("r3", "24", "Zora Novak", "FA-101");
  auto found = backend->course_certificates("FA-101", "  zO ", 200);
  ASSERT_OK(found);
  EXPECT_EQ(found->matched, 2u);
  auto by_number = backend->course_certificates("FA-101", zoe.substr(0, zoe.size() - 1), 200);
  ASSERT_OK(by_number);
  EXPECT_EQ(numbers(*by_number), std::vector<std::string>{zoe});
  auto by_id = backend->course_certificates("FA-101", "22", 200);
  ASSERT_OK(by_id);
  EXPECT_EQ(by_id->matched, 1u);
  auto limited = backend->course_certificates("FA-101", "", 2);
  ASSERT_OK(limited);
  EXPECT_EQ(limited->shown.size(), 2u);
  EXPECT_EQ(limited->matched, 3u);
}

TEST_F(ConsoleBackendIssuedTest, ARowNamingTheCourseByItsFullNameIsTheCourses) {
  // A row whose key names FA-101 printed the course's full name: that ties
  // the name to FA-101, so an old batch row with only the name is FA-101's
  // too; a name nothing ties to the course is not.
  batch_row("NEW-1", "First Aid Basics", "FA-101");
  batch_row("OLD-1", "First Aid Basics");
  batch_row("OLD-2", "Some Other Course");
  auto list = backend->course_certificates("FA-101", "", 200);
  ASSERT_OK(list);
  EXPECT_EQ(list->matched, 2u);
  EXPECT_EQ(backend->certificate_detail("FA-101", "OLD-1").has_value(), true);
  EXPECT_EQ(backend->certificate_detail("FA-101", "OLD-2").error().code(), ErrorCode::not_found);
}

TEST_F(ConsoleBackendIssuedTest, AnotherCoursesNumberIsNotFoundForEveryAction) {
  std::string ada = award("r2", "21", "Ada Lovelace", "SWIM-L3");
  EXPECT_EQ(backend->certificate_detail("FA-101", ada).error().code(), ErrorCode::not_found);
  EXPECT_EQ(backend->revoke("FA-101", ada, store::RevocationCategory::issued_in_error, "no", k_teacher).error().code(),
            ErrorCode::not_found);
  EXPECT_EQ(backend->reissue("FA-101", ada, k_teacher).error().code(), ErrorCode::not_found);
  EXPECT_EQ(backend->resend("FA-101", ada, k_teacher).error().code(), ErrorCode::not_found);
  EXPECT_EQ(backend->certificate_detail("FA-101", "NO-SUCH-1").error().code(), ErrorCode::not_found);
  auto row = db().certificate_by_number(ada);
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->status, store::CertificateStatus::issued);
}

TEST_F(ConsoleBackendIssuedTest, RevokeAndReissueAreEachAuditedOnceNamingTheTeacher) {
  std::string zoe = award("r1", "20", "Zo\u00eb Quinn", "FA-101");
  EXPECT_EQ(backend->revoke("FA-101", zoe, store::RevocationCategory::issued_in_error, "  ", k_teacher).error().code(),
            ErrorCode::invalid_argument);
  ASSERT_OK(backend->revoke("FA-101", zoe, store::RevocationCategory::issued_in_error, "Wrong student", k_teacher));
  auto detail = backend->certificate_detail("FA-101", zoe);
  ASSERT_OK(detail);
  EXPECT_EQ(detail->row.status, store::CertificateStatus::revoked);
  EXPECT_EQ(detail->row.revoke_reason, "Wrong student");
  EXPECT_EQ(audit_entries(zoe, "revoke"), 1);

  auto reissued = backend->reissue("FA-101", zoe, k_teacher);
  ASSERT_OK(reissued);
  EXPECT_NE(*reissued, zoe);
  EXPECT_EQ(audit_entries(zoe, "reissue"), 1);
  auto again = backend->certificate_detail("FA-101", *reissued);
  ASSERT_OK(again);  // the reissue is the course's too
  EXPECT_EQ(again->row.certificate.kind, "reissue");
}

TEST_F(ConsoleBackendIssuedTest, ResendQueuesTheSentMailsWithTheCommandsLimit) {
  std::string zoe = award("r1", "20", "Zo\u00eb Quinn", "FA-101");
  ASSERT_OK(outbox_worker().drain());  // the award's e-mail goes out
  auto detail = backend->certificate_detail("FA-101", zoe);
  ASSERT_OK(detail);
  ASSERT_EQ(detail->deliveries.size(), 1u);
  EXPECT_EQ(detail->deliveries[0].recipient, "kid20@example.org");
  EXPECT_EQ(detail->deliveries[0].status, "sent");
  for (int round = 1; round <= 3; ++round) {
    auto resent = backend->resend("FA-101", zoe, k_teacher);
    ASSERT_OK(resent);
    EXPECT_EQ(resent->queued, 1) << round;
    ASSERT_OK(outbox_worker().drain());
  }
  auto fourth = backend->resend("FA-101", zoe, k_teacher);
  ASSERT_OK(fourth);
  EXPECT_EQ(fourth->queued, 0) << "three resends at most, as certd notify resend";
  EXPECT_EQ(fourth->skipped, 1);
  EXPECT_EQ(audit_entries(zoe, "notify.resend"), 4);
}

}  // namespace
}  // namespace certd::app
