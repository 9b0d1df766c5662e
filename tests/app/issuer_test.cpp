#include "app/issuer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "app/school_fixture.hpp"
#include "render/pdf_verifier.hpp"
#include "render/signing.hpp"
#include "rules/idempotency.hpp"

namespace certd::app {
namespace {

class IssuerTest : public SchoolFixture {
 protected:
  IssueJob first_aid_job(const std::string& student_id, const std::string& name) const {
    IssueJob job;
    job.key = rules::rule_key("first-aid", student_id, "FA-101");
    job.kind = "automatic";
    job.rule_id = "first-aid";
    job.template_id = "first-aid";
    job.student_id = student_id;
    job.student_name = name;
    job.student_email = "student" + student_id + "@example.org";
    job.course = "FA-101";
    job.course_name = "First Aid Basics";
    job.requested_by = "rule first-aid";
    job.expires_at = m_clock.now() + std::chrono::hours(24 * 730);
    return job;
  }

  std::vector<IssueOutcome> issue(const std::vector<IssueJob>& jobs) {
    auto outcomes = issuer().issue(jobs);
    EXPECT_TRUE(outcomes) << outcomes.error().to_string();
    return outcomes ? *outcomes : std::vector<IssueOutcome>{};
  }
};

TEST_F(IssuerTest, IssuedPdfCarriesAValidSignatureOfItsNumber) {
  auto outcomes = issue({first_aid_job("42", "Zoë Kowalczyk")});
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_EQ(outcomes[0].status, IssueStatus::issued) << outcomes[0].error;
  auto row = db().certificate_by_number(outcomes[0].number);
  ASSERT_OK(row);
  ASSERT_TRUE(row->has_value());
  auto pdf = archive().read((*row)->certificate.pdf_path);
  ASSERT_OK(pdf);

  render::PdfVerification verified = render::verify_pdf(*pdf, school().signer->public_key());

  EXPECT_EQ(verified.verdict, render::PdfVerdict::valid) << verified.message;
  ASSERT_TRUE(verified.facts);
  EXPECT_EQ(verified.facts->number, outcomes[0].number);
  EXPECT_EQ(verified.facts->student, "Zoë Kowalczyk");
  EXPECT_EQ(verified.payload, (*row)->certificate.payload) << "the row keeps the exact signed bytes";
  EXPECT_EQ(outcomes[0].number.rfind("FA-", 0), 0u) << "the template's prefix: " << outcomes[0].number;
}

// The row keeps what the certificate printed, so a reissue can print it
// again without the facts it came from.
TEST_F(IssuerTest, AutomaticCertificateRowKeepsTheGradeAndSkillsItPrinted) {
  IssueJob job = first_aid_job("42", "Ada Lovelace");
  ASSERT_EQ(job.kind, "automatic");
  job.grade = "91%";
  job.skills = {"CPR, adult", "Recovery position"};
  auto outcomes = issue({job});
  ASSERT_EQ(outcomes.at(0).status, IssueStatus::issued) << outcomes[0].error;

  auto row = db().certificate_by_number(outcomes[0].number);
  ASSERT_OK(row);
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->certificate.kind, "automatic");
  EXPECT_EQ((*row)->certificate.grade, "91%");
  EXPECT_EQ((*row)->certificate.skills, job.skills);
  EXPECT_NE(pdf_text(**row).find("Final assessment: 91%"), std::string::npos) << pdf_text(**row);
}

TEST_F(IssuerTest, SameJobTwiceGetsTheSameNumberAndOnePdf) {
  IssueJob job = first_aid_job("42", "Ada Lovelace");
  auto first = issue({job});
  m_clock.advance(60);
  auto second = issue({job});

  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(first[0].status, IssueStatus::issued);
  EXPECT_EQ(second[0].status, IssueStatus::already_issued);
  EXPECT_EQ(second[0].number, first[0].number);
  EXPECT_EQ(second[0].certificate_id, first[0].certificate_id);
  EXPECT_EQ(pdf_files(), std::vector<std::string>{first[0].number + ".pdf"});
  EXPECT_EQ(certificates_of(42).size(), 1u);
}

// A crash after the PDFs were written but before the rows committed: the
// retry (here: the same archive with an empty ledger) derives the same
// number and rewrites the same file.
TEST_F(IssuerTest, JobRetriedAfterALostCommitGetsTheSameNumberAndFile) {
  IssueJob job = first_aid_job("42", "Ada Lovelace");
  auto first = issue({job});
  ASSERT_EQ(first.at(0).status, IssueStatus::issued);

  auto fresh = store::open_sqlite_store(":memory:");
  ASSERT_OK(fresh);
  Issuer retry(issuer_options(), school().templates, *school().signer, **fresh, archive(), m_clock);
  auto again = retry.issue({job});
  ASSERT_OK(again);

  EXPECT_EQ((*again)[0].status, IssueStatus::issued);
  EXPECT_EQ((*again)[0].number, first[0].number);
  EXPECT_EQ(pdf_files().size(), 1u) << "no stray PDF from the first attempt";
}

TEST_F(IssuerTest, DerivedNumbersDependOnKeySecretAndAttempt) {
  auto a = derive_number("FA", "secret", "rule:first-aid|student:1|course:FA-101|gen:1", 0);
  auto same = derive_number("FA", "secret", "rule:first-aid|student:1|course:FA-101|gen:1", 0);
  auto other_key = derive_number("FA", "secret", "rule:first-aid|student:2|course:FA-101|gen:1", 0);
  auto other_secret = derive_number("FA", "another", "rule:first-aid|student:1|course:FA-101|gen:1", 0);
  auto next_attempt = derive_number("FA", "secret", "rule:first-aid|student:1|course:FA-101|gen:1", 1);
  ASSERT_OK(a);
  ASSERT_OK(same);
  EXPECT_EQ(*a, *same);
  EXPECT_NE(*a, *other_key);
  EXPECT_NE(*a, *other_secret);
  EXPECT_NE(*a, *next_attempt);
}

TEST_F(IssuerTest, JobThatCannotRenderFailsAloneInItsGroup) {
  IssueJob hieroglyphs = first_aid_job("2", "\xF0\x93\x80\x80\xF0\x93\x80\x81");  // U+13000 U+13001
  IssueJob unknown_template = first_aid_job("3", "Carl Friedrich");
  unknown_template.template_id = "no-such-template";

  auto outcomes = issue({first_aid_job("1", "Ada Lovelace"), hieroglyphs, unknown_template,
                         first_aid_job("4", "Dorothy Vaughan")});

  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].status, IssueStatus::issued);
  EXPECT_EQ(outcomes[1].status, IssueStatus::failed);
  EXPECT_FALSE(outcomes[1].error.empty());
  EXPECT_EQ(outcomes[2].status, IssueStatus::failed);
  EXPECT_NE(outcomes[2].error.find("no-such-template"), std::string::npos) << outcomes[2].error;
  EXPECT_EQ(outcomes[3].status, IssueStatus::issued);
  EXPECT_EQ(certificates_of(1).size(), 1u);
  EXPECT_TRUE(certificates_of(2).empty());
  EXPECT_TRUE(certificates_of(3).empty());
  EXPECT_EQ(certificates_of(4).size(), 1u);
  EXPECT_EQ(pdf_files().size(), 2u);
}

TEST_F(IssuerTest, SameKeyTwiceInOneGroupMakesOneCertificate) {
  IssueJob job = first_aid_job("42", "Ada Lovelace");
  auto outcomes = issue({job, job});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].number, outcomes[1].number);
  EXPECT_EQ(certificates_of(42).size(), 1u);
  int issued = static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(),
                                              [](const IssueOutcome& o) { return o.status == IssueStatus::issued; }));
  EXPECT_EQ(issued, 1);
}

TEST_F(IssuerTest, QueuesOneEmailPerRecipientAndTheLmsWriteBacks) {
  IssueJob job = first_aid_job("42", "Ada Lovelace");
  job.guardian_emails = {"mum@example.org", "dad@example.org"};
  job.notify_guardians = true;
  job.lms_student_id = 42;
  job.lms_course_id = 101;
  job.next_course = "FA-201";
  auto outcomes = issue({job});
  ASSERT_EQ(outcomes.at(0).status, IssueStatus::issued);

  EXPECT_EQ(outbox_kinds_for(*outcomes[0].certificate_id),
            (std::vector<std::string>{"email", "email", "email", "lms.enrol", "lms.message", "lms.note"}));
  std::set<std::string> recipients;
  for (const store::OutboxRow& row : outbox())
    if (row.item.kind == "email") recipients.insert(nlohmann::json::parse(row.item.payload).at("recipient"));
  EXPECT_EQ(recipients, (std::set<std::string>{"student42@example.org", "mum@example.org", "dad@example.org"}));
}

TEST_F(IssuerTest, CertificateWithoutLmsStudentQueuesOnlyItsEmail) {
  IssueJob job = first_aid_job("ada@example.org", "Ada Lovelace");
  job.student_email = "ada@example.org";
  job.guardian_emails = {"mum@example.org"};  // not asked for: notify_guardians is false
  auto outcomes = issue({job});
  ASSERT_EQ(outcomes.at(0).status, IssueStatus::issued);
  EXPECT_EQ(outbox_kinds_for(*outcomes[0].certificate_id), std::vector<std::string>{"email"});
}

TEST_F(IssuerTest, StudentKeepsOneClaimTokenAcrossCertificates) {
  auto first = issue({first_aid_job("42", "Ada Lovelace")});
  IssueJob adhoc = first_aid_job("42", "Ada Lovelace");
  adhoc.key = rules::IdempotencyKey{rules::Origin::adhoc, "request-1", "42", "", 1};
  auto second = issue({adhoc, first_aid_job("43", "Grace Hopper")});
  ASSERT_EQ(second.size(), 2u);

  auto ada = certificates_of(42);
  auto grace = certificates_of(43);
  ASSERT_EQ(ada.size(), 2u);
  ASSERT_EQ(grace.size(), 1u);
  EXPECT_FALSE(ada[0].certificate.claim_token.empty());
  EXPECT_EQ(ada[0].certificate.claim_token, ada[1].certificate.claim_token);
  EXPECT_NE(ada[0].certificate.claim_token, grace[0].certificate.claim_token);
}

}  // namespace
}  // namespace certd::app
