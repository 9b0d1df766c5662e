#include "notify/email_template.hpp"

#include <gtest/gtest.h>

namespace certd::notify {
namespace {

std::map<std::string, std::string> values() {
  return {{"student_name", "Zoë <b>"},       {"certificate_title", "Swimming Level 3"},
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

}  // namespace
}  // namespace certd::notify
