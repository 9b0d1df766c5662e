// StoreConsoleBackend's ad-hoc awards over a real school and store
// (app/award_backend.cpp): the school's templates, a preview that is a
// PDF and leaves nothing in the store, one "adhoc" certificate per student
// however often the same request is confirmed, course scoping whatever
// the form says, and typed text checked like `certd issue`'s.
#include <gtest/gtest.h>

#include "app/console_backend.hpp"
#include "app/school_fixture.hpp"

namespace certd::app {
namespace {

class ConsoleBackendAwardTest : public SchoolFixture {
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

  static console::AwardRequest request(std::vector<std::string> students, const std::string& id = "req-1") {
    console::AwardRequest r;
    r.template_id = "encouragement";
    r.student_ids = std::move(students);
    r.title = "Brave first dive";
    r.notes = "For a calm first dive";
    r.request_id = id;
    return r;
  }

  std::unique_ptr<StoreConsoleBackend> backend;
};

TEST_F(ConsoleBackendAwardTest, TheTemplatesAreTheSchoolsByName) {
  auto templates = backend->award_templates();
  ASSERT_OK(templates);
  ASSERT_EQ(templates->size(), school().templates.size());
  bool found = false;
  for (const console::AwardTemplate& t : *templates)
    if (t.id == "encouragement") found = t.name == "Encouragement award";
  EXPECT_TRUE(found);
}

TEST_F(ConsoleBackendAwardTest, ThePreviewIsAnUnsignedPdfAndStoresNothing) {
  auto pdf = backend->award_preview_pdf("SWIM-L3", request({"7"}), "Ms Rivera");
  ASSERT_OK(pdf);
  EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
  EXPECT_TRUE(certificates_of(7).empty());
  auto events = db().events_with_status(store::EventStatus::processed, 100);
  ASSERT_OK(events);
  EXPECT_TRUE(events->empty()) << "a preview records no action";
}

TEST_F(ConsoleBackendAwardTest, ConfirmingTwiceIssuesOneAdhocCertificatePerStudent) {
  auto first = backend->award("SWIM-L3", request({"7", "8"}), "Ms Rivera");
  ASSERT_OK(first);
  ASSERT_EQ(first->issued.size(), 2u);
  EXPECT_TRUE(first->failed.empty());
  EXPECT_FALSE(first->issued[0].already_issued);
  EXPECT_EQ(first->issued[0].student_name, "Bea Nguyen");
  auto again = backend->award("SWIM-L3", request({"7", "8"}), "Ms Rivera");
  ASSERT_OK(again);
  ASSERT_EQ(again->issued.size(), 2u);
  EXPECT_TRUE(again->issued[0].already_issued);
  EXPECT_EQ(again->issued[0].number, first->issued[0].number);
  EXPECT_EQ(again->issued[1].number, first->issued[1].number);
  auto rows = certificates_of(7);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].certificate.kind, "adhoc");
  EXPECT_EQ(rows[0].certificate.title, "Brave first dive");
  EXPECT_EQ(rows[0].certificate.teacher, "Ms Rivera");
  EXPECT_EQ(rows[0].certificate.notes, "For a calm first dive");
  EXPECT_EQ(certificates_of(8).size(), 1u);

  // Another preview (another request id) is another award.
  auto another = backend->award("SWIM-L3", request({"7"}, "req-2"), "Ms Rivera");
  ASSERT_OK(another);
  EXPECT_FALSE(another->issued[0].already_issued);
  EXPECT_EQ(certificates_of(7).size(), 2u);
}

TEST_F(ConsoleBackendAwardTest, AnotherCoursesOrASuspendedStudentIsRefused) {
  for (const char* student : {"11", "9", "7 OR 1=1"}) {
    auto refused = backend->award("SWIM-L3", request({"7", student}), "Ms Rivera");
    ASSERT_FALSE(refused) << student;
    EXPECT_EQ(refused.error().code(), ErrorCode::not_found) << student;
    auto preview = backend->award_preview_pdf("SWIM-L3", request({student}), "Ms Rivera");
    ASSERT_FALSE(preview) << student;
  }
  EXPECT_TRUE(certificates_of(7).empty());
  EXPECT_TRUE(certificates_of(11).empty());
}

TEST_F(ConsoleBackendAwardTest, TypedTextAndTheRequestAreChecked) {
  auto check = [&](console::AwardRequest r, const std::string& teacher = "Ms Rivera") {
    auto done = backend->award("SWIM-L3", r, teacher);
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code(), ErrorCode::invalid_argument) << done.error().message();
    EXPECT_FALSE(backend->award_preview_pdf("SWIM-L3", r, teacher)) << "the preview checks the same";
  };
  console::AwardRequest title = request({"7"});
  title.title = "Brave\x1b[2J dive";
  check(title);
  console::AwardRequest notes = request({"7"});
  notes.notes = "a\tb\x07";
  check(notes);
  console::AwardRequest unknown = request({"7"});
  unknown.template_id = "../../etc/passwd";
  check(unknown);
  check(request({}));
  check(request({"7"}), "Ms\x1b[31m Rivera");
  auto bad_id = backend->award("SWIM-L3", request({"7"}, "bad id"), "Ms Rivera");
  ASSERT_FALSE(bad_id);
  EXPECT_EQ(bad_id.error().code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(certificates_of(7).empty());
}

}  // namespace
}  // namespace certd::app
