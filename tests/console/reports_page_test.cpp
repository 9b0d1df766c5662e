// The "Reports" tab of a course (console/reports_page.cpp) over the fake
// backend: the course's rows only, escaping of what strangers typed, the
// CSV files (headers, quoting, formula cells neutralised), the quota line,
// and another course's teacher refused.
#include <gtest/gtest.h>

#include "console/console_page_fixture.hpp"
#include "console/csv_cells.hpp"

namespace certd::console {
namespace {

using portal::Response;

constexpr const char* k_page = "/console/course/SWIM-L3/reports";

store::CertificateRow certificate(const std::string& number, const std::string& course, const std::string& student,
                                  std::int64_t issued_at) {
  store::CertificateRow row;
  row.id = static_cast<store::Id>(issued_at % 100000);
  row.certificate.number = number;
  row.certificate.course = course;
  row.certificate.title = course == "SWIM-L3" ? "Swim level 3" : "First Aid";
  row.certificate.student_id = "s-" + number;
  row.certificate.student_name = student;
  row.certificate.kind = "automatic";
  row.certificate.issued_at = issued_at;
  return row;
}

std::string header(const Response& r, const std::string& name) {
  for (const auto& [key, value] : r.headers)
    if (key == name) return value;
  return "";
}

class ReportsPageTest : public ConsolePageTest {
 protected:
  ReportsPageTest() {
    backend.certificates = {certificate("SW-ADA-1", "SWIM-L3", "Ada <b>Lovelace</b>", k_now - 3 * 86400),
                            certificate("FA-ONLY-9", "FA-101", "Grace Hopper", k_now - 2 * 86400),
                            certificate("SW-EVIL-2", "SWIM-L3", "=HYPERLINK(\"x\")", k_now - 86400)};
    store::NotificationRow mail;
    mail.number = "SW-ADA-1";
    mail.recipient = "ada@example.org";
    mail.role = "student";
    mail.status = "sent";
    mail.server_reply = "250 2.0.0 Ok: queued as 4F1";
    mail.sent_at = k_now - 86000;
    store::NotificationRow other = mail;
    other.number = "FA-ONLY-9";
    other.recipient = "grace@example.org";
    backend.deliveries = {mail, other};
    backend.verifications = {{1, "SW-ADA-1", "valid", "web", k_now - 600}, {2, "FA-ONLY-9", "valid", "json", k_now - 500}};
  }

  static bool has(const Response& r, const std::string& text) { return r.body.find(text) != std::string::npos; }
};

TEST_F(ReportsPageTest, ThePageListsTheCoursesRowsOnly) {
  Response r = get(k_page, sign_in());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "href=\"/console/course/SWIM-L3/reports\" aria-current=\"page\">Reports<"))
      << "the Reports tab is the current one";
  EXPECT_TRUE(has(r, "SW-ADA-1"));
  EXPECT_TRUE(has(r, "SW-EVIL-2"));
  EXPECT_LT(r.body.find("SW-EVIL-2"), r.body.find("SW-ADA-1")) << "newest first";
  EXPECT_TRUE(has(r, "ada@example.org"));
  EXPECT_TRUE(has(r, "250 2.0.0 Ok: queued as 4F1"));
  EXPECT_TRUE(has(r, "Verification page")) << "the verification of SW-ADA-1, via the web";
  EXPECT_FALSE(has(r, "FA-ONLY-9")) << "another course's certificate, e-mail or verification";
  EXPECT_FALSE(has(r, "grace@example.org"));
  for (const char* file : {"certificates", "deliveries", "verifications"})
    EXPECT_TRUE(has(r, std::string("href=\"/console/course/SWIM-L3/reports/") + file + ".csv\"")) << file;
  EXPECT_TRUE(has(r, "data-label=\"Student\"")) << "the tables stack on a phone";
}

TEST_F(ReportsPageTest, HtmlInAStudentsNameIsEscaped) {
  Response r = get(k_page, sign_in());
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(has(r, "<b>Lovelace</b>"));
  EXPECT_TRUE(has(r, "Ada &lt;b&gt;Lovelace&lt;/b&gt;"));
}

TEST_F(ReportsPageTest, TheCertificatesCsvIsAnAttachmentWithFormulasNeutralised) {
  Response r = get("/console/course/SWIM-L3/reports/certificates.csv", sign_in());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(header(r, "Content-Disposition"), "attachment; filename=\"SWIM-L3-certificates.csv\"");
  EXPECT_EQ(r.body.rfind("\xEF\xBB\xBFNumber,Student id,Student,", 0), 0u) << r.body;
  EXPECT_TRUE(has(r, "SW-EVIL-2,s-SW-EVIL-2,\"'=HYPERLINK(\"\"x\"\")\",Swim level 3,")) << r.body;
  EXPECT_TRUE(has(r, "Ada <b>Lovelace</b>")) << "a CSV file is not HTML";
  EXPECT_FALSE(has(r, "FA-ONLY-9"));
  EXPECT_TRUE(has(r, "\r\n"));
}

TEST_F(ReportsPageTest, TheDeliveriesAndVerificationsCsvHoldTheCoursesRows) {
  std::string cookie = sign_in();
  Response mails = get("/console/course/SWIM-L3/reports/deliveries.csv", cookie);
  ASSERT_EQ(mails.status, 200);
  EXPECT_EQ(header(mails, "Content-Disposition"), "attachment; filename=\"SWIM-L3-deliveries.csv\"");
  EXPECT_TRUE(has(mails, "SW-ADA-1,ada@example.org,student,Sent,"));
  EXPECT_FALSE(has(mails, "grace@example.org"));
  Response checks = get("/console/course/SWIM-L3/reports/verifications.csv", cookie);
  ASSERT_EQ(checks.status, 200);
  EXPECT_TRUE(has(checks, "Certificate,Result,Via,When\r\nSW-ADA-1,Valid,Verification page,"));
  EXPECT_FALSE(has(checks, "FA-ONLY-9"));
  EXPECT_EQ(get("/console/course/SWIM-L3/reports/other.csv", cookie).status, 404);
}

TEST_F(ReportsPageTest, ACourseNameUnsafeInAFileNameIsReplaced) {
  // What reaches the router: a quote or a semicolon would end the header's
  // file name early.
  std::string course = "SW\"IM;%0D.X";
  backend.certificates.push_back(certificate("SW-Q-3", course, "Bea", k_now));
  Response r = get("/console/course/" + course + "/reports/certificates.csv", sign_in({course}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header(r, "Content-Disposition"), "attachment; filename=\"SW_IM__0D.X-certificates.csv\"");
}

TEST_F(ReportsPageTest, AnotherCoursesTeacherIsRefused) {
  std::string cookie = sign_in({"FA-101"});
  EXPECT_EQ(get(k_page, cookie).status, 403);
  EXPECT_EQ(get("/console/course/SWIM-L3/reports/certificates.csv", cookie).status, 403);
  EXPECT_EQ(get(k_page, "").status, 401);
}

TEST_F(ReportsPageTest, TheQuotaLineSaysWhatIsLeft) {
  backend.quota_per_month = 10;
  Response r = get(k_page, sign_in());
  ASSERT_EQ(r.status, 200);
  // The three certificates of this month count, of every course.
  EXPECT_TRUE(has(r, "3 of 10 certificates issued this month; 7 left")) << r.body;
}

TEST_F(ReportsPageTest, TheQuotaLineSaysWhenThereIsNoQuota) {
  Response r = get(k_page, sign_in());
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "3 certificates issued this month; no monthly quota")) << r.body;
}

TEST_F(ReportsPageTest, AFullQuotaSaysThatCertificatesWait) {
  backend.quota_per_month = 3;
  Response r = get(k_page, sign_in());
  EXPECT_TRUE(has(r, "3 of 3 certificates issued this month; 0 left: new certificates wait")) << r.body;
}

TEST_F(ReportsPageTest, ALongListShowsTheNewestAndPointsToTheCsv) {
  for (int i = 0; i < 205; ++i)
    backend.certificates.push_back(certificate("SW-N-" + std::to_string(i), "SWIM-L3", "Kid", k_now - 10 * 86400 + i));
  Response r = get(k_page, sign_in());
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "Showing the newest 200 of 207. The CSV file has them all.")) << r.body;
  Response csv = get("/console/course/SWIM-L3/reports/certificates.csv", sign_in());
  EXPECT_TRUE(has(csv, "SW-N-0,"));
}

TEST_F(ReportsPageTest, APostIsNotAllowed) {
  EXPECT_EQ(post(k_page, "", sign_in()).status, 405);
}

TEST_F(ReportsPageTest, ABackendFailureIsAnErrorPage) {
  backend.report_error = "the store is busy";
  EXPECT_EQ(get(k_page, sign_in()).status, 503);
}

TEST(ConsoleCsvCells, FormulaCellsReadAsText) {
  EXPECT_EQ(csv_cell("=1+2"), "\"'=1+2\"");
  EXPECT_EQ(csv_cell("+31 6 1234"), "\"'+31 6 1234\"");
  EXPECT_EQ(csv_cell("-x"), "\"'-x\"");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
  EXPECT_EQ(csv_cell("\tx"), "\"'\tx\"");
  EXPECT_EQ(csv_cell("a\t=b"), "\"a\t'=b\"");
  EXPECT_EQ(csv_cell("Ada, Countess"), "\"Ada, Countess\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("bell\x07"), "bell\\x07");
  EXPECT_EQ(csv_cell("Zo\u00eb"), "Zo\u00eb");
  EXPECT_EQ(csv_line({"a", "b,c"}), "a,\"b,c\"\r\n");
}

}  // namespace
}  // namespace certd::console
