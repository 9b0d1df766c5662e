#include "notify/email_template.hpp"

#include <gtest/gtest.h>

namespace certd::notify {
namespace {

std::map<std::string, std::string> values() {
  return {{"student_name", "Zoë <b>"},       {"certificate_title", "Swimming Level 3"}, {"course_name", ""},
          {"number", "SWL3-7K4M-9QXA"},      {"verify_url", "https://certs.example/v/SWL3-7K4M-9QXA"},
          {"family_url", "https://certs.example/c/abc"}, {"issuer_name", "Riverside Swim School"}};
}

TEST(EmailTemplate, DefaultEmailNamesEverything) {
  auto email = render_email(default_certificate_email(), values());
  ASSERT_TRUE(email) << email.error().to_string();
  EXPECT_EQ(email->subject, "Swimming Level 3 for Zoë <b>");
  EXPECT_NE(email->text.find("Certificate number: SWL3-7K4M-9QXA"), std::string::npos);
  EXPECT_NE(email->html.find("Zoë &lt;b&gt;"), std::string::npos) << "HTML is escaped";
  EXPECT_EQ(email->html.find("Zoë <b>"), std::string::npos);
}

TEST(EmailTemplate, UnknownValueIsAnErrorNotABlank) {
  EmailTemplate t{"{{certificate_title}}", "Grade: {{grade}}", ""};
  auto email = render_email(t, values());
  ASSERT_FALSE(email);
  EXPECT_EQ(email.error().message(), "e-mail template uses unknown value {{grade}}");
}

TEST(EmailTemplate, SubjectMustStayOneLine) {
  auto v = values();
  v["certificate_title"] = "A\nBcc: x@y";
  EXPECT_FALSE(render_email(default_certificate_email(), v));
}

CertificateMail mail(const std::string& title, const std::string& course) {
  return {"Анна Петрова", title, course, "ENC-7K4M-9QXA", "https://certs.example/v/ENC-7K4M-9QXA",
          "https://certs.example/c/abc", "Riverside Swim School"};
}

RenderedEmail rendered(const CertificateMail& m) {
  auto email = render_email(default_certificate_email(), certificate_email_values(m));
  EXPECT_TRUE(email) << email.error().to_string();
  return email ? *email : RenderedEmail{};
}

std::string first_sentence(const std::string& text) {
  std::size_t start = text.find("Riverside");
  return text.substr(start, text.find('\n', start) - start);
}

// An ad-hoc award is called by its title; a course is context, named
// after it; a rule's certificate is called by its course, named once.
TEST(EmailTemplate, AnAwardWithATitleOnlyIsCalledByIt) {
  RenderedEmail email = rendered(mail("Star Swimmer of the Month", ""));
  EXPECT_EQ(email.subject, "Star Swimmer of the Month for Анна Петрова");
  EXPECT_EQ(first_sentence(email.text),
            "Riverside Swim School has issued a certificate to Анна Петрова: Star Swimmer of the Month.");
  EXPECT_NE(email.html.find("<strong>Анна Петрова</strong>: Star Swimmer of the Month.</p>"), std::string::npos)
      << email.html;
}

TEST(EmailTemplate, ACourseCertificateNamesItsCourseOnce) {
  RenderedEmail email = rendered(mail("Swim Level 3", "Swim Level 3"));
  EXPECT_EQ(email.subject, "Swim Level 3 for Анна Петрова");
  EXPECT_EQ(first_sentence(email.text), "Riverside Swim School has issued a certificate to Анна Петрова: Swim Level 3.");
}

TEST(EmailTemplate, AnAwardInACourseIsCalledByItsTitleWithTheCourseAfter) {
  RenderedEmail email = rendered(mail("Bravest Diver", "Swim Level 3"));
  EXPECT_EQ(email.subject, "Bravest Diver for Анна Петрова");
  EXPECT_EQ(first_sentence(email.text),
            "Riverside Swim School has issued a certificate to Анна Петрова: Bravest Diver, in the course Swim Level 3.");
  EXPECT_NE(email.html.find(": Bravest Diver, in the course Swim Level 3.</p>"), std::string::npos) << email.html;
}

TEST(EmailTemplate, ACertificateWithNeitherTitleNorCourseStillReadsAsASentence) {
  RenderedEmail email = rendered(mail("", ""));
  EXPECT_EQ(email.subject, "A certificate for Анна Петрова");
  EXPECT_EQ(first_sentence(email.text), "Riverside Swim School has issued a certificate to Анна Петрова.");
}

}  // namespace
}  // namespace certd::notify
