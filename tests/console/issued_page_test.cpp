// The "Issued" tab of a course (console/issued_page.cpp) over the fake
// backend: routing, the search, course scoping, CSRF on every form,
// revoke's required reason and category, and escaping of what strangers
// typed. Teachers are signed in by opening a session directly: the LTI
// launch has its own tests (console_test.cpp).
#include <gtest/gtest.h>

#include <regex>

#include "console/console_page_fixture.hpp"
#include "console/fake_console_backend.hpp"
#include "console/form.hpp"
#include "console/sessions.hpp"
#include "fakes/manual_clock.hpp"

namespace certd::console {
namespace {

using portal::Request;
using portal::Response;

constexpr const char* k_list = "/console/course/FA-101/certificates";

store::CertificateRow certificate(const std::string& number, const std::string& course, const std::string& student,
                                  std::int64_t issued_at) {
  store::CertificateRow row;
  row.id = static_cast<store::Id>(issued_at % 100000);
  row.certificate.number = number;
  row.certificate.course = course;
  row.certificate.title = course == "FA-101" ? "First Aid" : "Swim level 3";
  row.certificate.student_id = "s-" + number;
  row.certificate.student_name = student;
  row.certificate.kind = "automatic";
  row.certificate.issued_at = issued_at;
  return row;
}

class IssuedPageTest : public ConsolePageTest {
 protected:
  IssuedPageTest() {
    default_courses = {"FA-101"};
    teacher_name = "Mr <b>Teach</b>";
    backend.certificates = {certificate("FA-OLD-1", "FA-101", "Ada Lovelace", k_now - 3 * 86400),
                            certificate("SW-ONLY-9", "SWIM-L3", "Grace Hopper", k_now - 2 * 86400),
                            certificate("FA-ZOE-2", "FA-101", "Zo\u00eb Quinn", k_now - 86400)};
    store::NotificationRow mail;
    mail.number = "FA-ZOE-2";
    mail.recipient = "zoe@example.org";
    mail.role = "student";
    mail.status = "sent";
    mail.server_reply = "250 2.0.0 Ok: queued as 4F1";
    mail.sent_at = k_now - 86000;
    backend.deliveries = {mail};
  }

  const store::CertificateRow& row(const std::string& number) {
    for (const auto& r : backend.certificates)
      if (r.certificate.number == number) return r;
    ADD_FAILURE() << "no row " << number;
    return backend.certificates.front();
  }

  static bool has(const Response& r, const std::string& text) { return r.body.find(text) != std::string::npos; }
};

TEST_F(IssuedPageTest, TheListShowsTheCoursesCertificatesNewestFirst) {
  std::string cookie = sign_in();
  Response r = get(k_list, cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("href=\"/console/course/FA-101/certificates\" aria-current=\"page\">Issued<"),
            std::string::npos)
      << "the Issued tab is the current one";
  std::size_t zoe = r.body.find("FA-ZOE-2");
  std::size_t ada = r.body.find("FA-OLD-1");
  ASSERT_NE(zoe, std::string::npos);
  ASSERT_NE(ada, std::string::npos);
  EXPECT_LT(zoe, ada) << "newest first";
  EXPECT_FALSE(has(r, "SW-ONLY-9")) << "another course's certificate";
  EXPECT_TRUE(has(r, "href=\"/console/course/FA-101/certificates/FA-ZOE-2\""));
}

TEST_F(IssuedPageTest, TheSearchMatchesNumberNameOrIdWhateverTheCase) {
  std::string cookie = sign_in();
  Response r = get(std::string(k_list) + "?q=zo", cookie);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "FA-ZOE-2"));
  EXPECT_FALSE(has(r, "FA-OLD-1"));
  EXPECT_TRUE(has(r, "value=\"zo\"")) << "the search stays in its field";
  EXPECT_TRUE(has(get(std::string(k_list) + "?q=fa-old", cookie), "FA-OLD-1"));
  EXPECT_TRUE(has(get(std::string(k_list) + "?q=Grace", cookie), "No certificate of this course matches"));
}

TEST_F(IssuedPageTest, ALongListShowsTwoHundredAndSaysHowManyMoreMatched) {
  for (int i = 0; i < 205; ++i)
    backend.certificates.push_back(certificate("FA-MANY-" + std::to_string(i), "FA-101", "Student", k_now - 10 + i));
  Response r = get(k_list, sign_in());
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "Showing the newest 200 of 207 matches: 7 more matched.")) << r.body;
  EXPECT_FALSE(has(r, "FA-OLD-1")) << "the oldest are the ones left out";
}

TEST_F(IssuedPageTest, OneCertificateShowsItsDetailsAndItsEmails) {
  backend.certificates.back().certificate.notes = "Passed with distinction";
  backend.certificates.back().certificate.teacher = "Ms Rivera";
  Response r = get(std::string(k_list) + "/FA-ZOE-2", sign_in());
  ASSERT_EQ(r.status, 200) << r.body;
  for (const char* text : {"Zo\u00eb Quinn", "First Aid", "Valid", "Passed with distinction", "Ms Rivera",
                           "zoe@example.org", "250 2.0.0 Ok: queued as 4F1", "E-mail", "Sent",
                           "href=\"/console/course/FA-101/certificates/FA-ZOE-2.pdf\"",
                           "https://certs.example.edu/v/FA-ZOE-2", "value=\"revoke\"", "value=\"reissue\"",
                           "value=\"resend\""})
    EXPECT_TRUE(has(r, text)) << text;
}

TEST_F(IssuedPageTest, ThePdfIsTheBackendsBytes) {
  Response r = get(std::string(k_list) + "/FA-ZOE-2.pdf", sign_in());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/pdf");
  EXPECT_EQ(r.body, "%PDF-FA-ZOE-2");
}

TEST_F(IssuedPageTest, AnotherCoursesNumberIsNotFound) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(std::string(k_list) + "/FA-ZOE-2", cookie).body);
  EXPECT_EQ(get(std::string(k_list) + "/SW-ONLY-9", cookie).status, 404);
  EXPECT_EQ(get(std::string(k_list) + "/SW-ONLY-9.pdf", cookie).status, 404);
  EXPECT_EQ(post(std::string(k_list) + "/SW-ONLY-9", "csrf=" + csrf + "&action=revoke&category=error&reason=x", cookie)
                .status,
            404);
  EXPECT_EQ(post(std::string(k_list) + "/SW-ONLY-9", "csrf=" + csrf + "&action=reissue", cookie).status, 404);
  EXPECT_EQ(row("SW-ONLY-9").status, store::CertificateStatus::issued);
  EXPECT_EQ(get(std::string(k_list) + "/NOT-A-NUMBER", cookie).status, 404);
  EXPECT_EQ(get(std::string(k_list) + "/bad%3Cnumber", cookie).status, 404);
  EXPECT_EQ(get(std::string(k_list) + "/FA-ZOE-2/extra", cookie).status, 404);
  // And a course the teacher does not teach is refused before any lookup.
  EXPECT_EQ(get("/console/course/SWIM-L3/certificates", cookie).status, 403);
  EXPECT_EQ(get("/console/course/SWIM-L3/certificates/SW-ONLY-9", cookie).status, 403);
}

TEST_F(IssuedPageTest, EveryFormNeedsTheSessionsToken) {
  std::string cookie = sign_in();
  const std::string path = std::string(k_list) + "/FA-ZOE-2";
  std::string csrf = csrf_of(get(path, cookie).body);
  for (const std::string action : {"action=revoke&category=error&reason=typo", "action=reissue", "action=resend"}) {
    EXPECT_EQ(post(path, action, cookie).status, 403) << action;
    EXPECT_EQ(post(path, "csrf=" + std::string(csrf.size(), 'A') + "&" + action, cookie).status, 403) << action;
  }
  EXPECT_EQ(row("FA-ZOE-2").status, store::CertificateStatus::issued);
  EXPECT_EQ(backend.certificates.size(), 3u) << "nothing reissued";
  EXPECT_EQ(backend.deliveries[0].resend_count, 0);
  EXPECT_TRUE(backend.audit_log.empty());
  EXPECT_EQ(post(k_list, "csrf=" + csrf, cookie).status, 405);
}

TEST_F(IssuedPageTest, RevokingNeedsAReasonAndACategory) {
  std::string cookie = sign_in();
  const std::string path = std::string(k_list) + "/FA-ZOE-2";
  std::string csrf = csrf_of(get(path, cookie).body);
  EXPECT_EQ(post(path, "csrf=" + csrf + "&action=revoke&category=error", cookie).status, 400);
  EXPECT_EQ(post(path, "csrf=" + csrf + "&action=revoke&category=error&reason=+++", cookie).status, 400);
  EXPECT_EQ(post(path, "csrf=" + csrf + "&action=revoke&reason=typo", cookie).status, 400);
  EXPECT_EQ(post(path, "csrf=" + csrf + "&action=revoke&category=gone&reason=typo", cookie).status, 400);
  EXPECT_EQ(row("FA-ZOE-2").status, store::CertificateStatus::issued);

  Response r = post(path, "csrf=" + csrf + "&action=revoke&category=error&reason=Wrong+student", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(row("FA-ZOE-2").status, store::CertificateStatus::revoked);
  EXPECT_EQ(row("FA-ZOE-2").revoke_category, store::RevocationCategory::issued_in_error);
  EXPECT_TRUE(has(r, "is revoked"));
  EXPECT_TRUE(has(r, "issued in error")) << "what the public is told";
  EXPECT_TRUE(has(r, "Wrong student")) << "the school's own note, for the teacher";
  EXPECT_FALSE(has(r, "value=\"revoke\"")) << "nothing left to revoke";
  EXPECT_FALSE(has(r, ".pdf\"")) << "no download of a revoked certificate";
  EXPECT_EQ(get(path + ".pdf", cookie).status, 410);
  ASSERT_EQ(backend.audit_log.size(), 1u) << "one entry, the backend's";
  EXPECT_EQ(backend.audit_log[0].actor, "Mr <b>Teach</b> (https://moodle.example.edu#7)");
  EXPECT_EQ(post(path, "csrf=" + csrf + "&action=revoke&category=error&reason=again", cookie).status, 409);
}

TEST_F(IssuedPageTest, ReissuingGivesANewNumber) {
  std::string cookie = sign_in();
  const std::string path = std::string(k_list) + "/FA-ZOE-2";
  Response r = post(path, "csrf=" + csrf_of(get(path, cookie).body) + "&action=reissue", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "Reissued as RE-FA-ZOE-2."));
  EXPECT_TRUE(has(r, "href=\"/console/course/FA-101/certificates/RE-FA-ZOE-2\""));
  EXPECT_TRUE(has(r, "replaced by a new certificate"));
  EXPECT_FALSE(has(r, "value=\"reissue\"")) << "a replaced certificate's successor is reissued, not it";
  EXPECT_EQ(get(std::string(k_list) + "/RE-FA-ZOE-2", cookie).status, 200);
  EXPECT_EQ(backend.audit_log.size(), 1u);
}

TEST_F(IssuedPageTest, ResendingQueuesTheSentEmails) {
  std::string cookie = sign_in();
  const std::string path = std::string(k_list) + "/FA-ZOE-2";
  Response r = post(path, "csrf=" + csrf_of(get(path, cookie).body) + "&action=resend", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "1 e-mail queued to be sent again."));
  EXPECT_EQ(backend.deliveries[0].resend_count, 1);
  EXPECT_TRUE(has(r, "1 resend"));
  ASSERT_EQ(backend.audit_log.size(), 1u);
  EXPECT_EQ(backend.audit_log[0].action, "notify.resend");
}

TEST_F(IssuedPageTest, WhatStrangersTypedIsEscaped) {
  store::CertificateRow& evil = backend.certificates.back();
  evil.certificate.student_name = "<script>alert(1)</script>";
  evil.certificate.notes = "<img src=x onerror=alert(2)>";
  evil.certificate.title = "\"><b>title</b>";
  backend.deliveries[0].server_reply = "550 <i>no</i>";
  backend.deliveries[0].recipient = "\"<x>\"@example.org";
  std::string cookie = sign_in();
  for (const std::string& path :
       {std::string(k_list), std::string(k_list) + "/FA-ZOE-2", std::string(k_list) + "?q=%3Cscript%3E"}) {
    Response r = get(path, cookie);
    ASSERT_EQ(r.status, 200) << path;
    for (const char* raw : {"<script>", "<img", "<b>", "<i>", "<x>"}) EXPECT_FALSE(has(r, raw)) << path << ": " << raw;
  }
  Response page = get(std::string(k_list) + "/FA-ZOE-2", cookie);
  EXPECT_TRUE(has(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(has(page, "&lt;img src=x onerror=alert(2)&gt;"));
  std::string csrf = csrf_of(page.body);
  Response revoked = post(std::string(k_list) + "/FA-ZOE-2",
                          "csrf=" + csrf + "&action=revoke&category=withdrawn&reason=%3Cscript%3Ebad%3C%2Fscript%3E",
                          cookie);
  ASSERT_EQ(revoked.status, 200);
  EXPECT_FALSE(has(revoked, "<script>bad"));
  EXPECT_TRUE(has(revoked, "&lt;script&gt;bad&lt;/script&gt;"));
}

}  // namespace
}  // namespace certd::console
