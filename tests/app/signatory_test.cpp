// issuer.signatory: printed as the teacher on certificates no teacher
// approved (automatic rules), never in place of a teacher who did.

#include <gtest/gtest.h>

#include "app/school_fixture.hpp"
#include "app/teacher_actions.hpp"

namespace certd::app {
namespace {

class SignatoryTest : public SchoolFixture {};

TEST_F(SignatoryTest, AnAutomaticCertificatePrintsTheSignatoryAsItsTeacher) {
  school().config.issuer.signatory = "Dr Ines Moreau";
  ASSERT_OK(record_change(first_aider(42, "Ada Lovelace", 92), "e1"));
  ASSERT_OK(process());
  auto issued = certificates_of(42);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].certificate.teacher, "Dr Ines Moreau");
  EXPECT_NE(pdf_text(issued[0]).find("Instructor: Dr Ines Moreau"), std::string::npos) << pdf_text(issued[0]);
}

TEST_F(SignatoryTest, WithoutASignatoryAnAutomaticCertificateNamesNoTeacher) {
  ASSERT_OK(record_change(first_aider(42, "Ada Lovelace", 92), "e1"));
  ASSERT_OK(process());
  auto issued = certificates_of(42);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].certificate.teacher, "");
  std::string text = pdf_text(issued[0]);
  EXPECT_NE(text.find("Ada Lovelace"), std::string::npos) << "the PDF's text is readable: " << text;
  EXPECT_EQ(text.find("Instructor:"), std::string::npos) << "the optional teacher line is left out";
}

TEST_F(SignatoryTest, AnApprovingTeacherIsPrintedNotTheSignatory) {
  school().config.issuer.signatory = "Dr Ines Moreau";
  ASSERT_OK(record_change(swimmer(7, "Bea Nguyen"), "e1"));
  ASSERT_OK(process());
  auto approved = approve_pending(runtime(), &m_lms, {}, /*all=*/true, "", "Ms Rivera");
  ASSERT_OK(approved);
  ASSERT_EQ(approved->issued.size(), 1u);
  auto issued = certificates_of(7);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].certificate.teacher, "Ms Rivera");
}

}  // namespace
}  // namespace certd::app
