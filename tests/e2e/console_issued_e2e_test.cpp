// The console's "Issued" tab end to end: the simulator as the LTI 1.3
// platform, a real `certd run` (the demo school issues First Aid on the
// first poll) and a curl "browser" with a cookie jar (console_browser.hpp),
// as in console_e2e_test.cpp. A teacher of FA-101 finds Zoë's
// certificate by searching "Zo", revokes it with a reason, the portal's
// /v/NUMBER.json says revoked, and a reissue gives a new number.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <thread>

#include "app/run_certd.hpp"
#include "e2e/console_browser.hpp"
#include "e2e/console_school.hpp"
#include "e2e/http_post.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

using namespace std::chrono_literals;

using testing::Answer;
using testing::Browser;
using testing::Form;
using testing::form_encode;
using testing::form_of;
using testing::html_escape;
using testing::read_all;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class ConsoleIssuedEndToEnd : public testing::ConsoleSchoolTest {
 protected:
  ConsoleIssuedEndToEnd() : ConsoleSchoolTest("console-issued") {}
};

TEST_F(ConsoleIssuedEndToEnd, ATeacherFindsRevokesAndReissuesACertificate) {
  // Zoë (student00, id 20) completed First Aid: the first poll issues it.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  std::optional<store::CertificateRow> zoe;
  while (!zoe && std::chrono::steady_clock::now() < deadline) {
    auto row = open_store()->certificate_by_key("rule:first-aid|student:20|course:FA-101|gen:1");
    if (row && *row) zoe = **row;
    else std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(zoe);
  const std::string number = zoe->certificate.number;

  Browser browser("teacher");
  Answer landed = launch(browser, "teacher1", "FA-101");
  ASSERT_EQ(landed.status, 303) << landed.body;
  Answer course = browser.get(portal(landed.location()));
  ASSERT_EQ(course.status, 200);
  EXPECT_TRUE(has(course.body, "href=\"/console/course/FA-101/certificates\"")) << "the Issued tab";

  Answer found = browser.get(portal("/console/course/FA-101/certificates?q=Zo"));
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_TRUE(has(found.body, html_escape(zoe->certificate.student_name))) << found.body;
  const std::string link = "/console/course/FA-101/certificates/" + number;
  ASSERT_TRUE(has(found.body, "href=\"" + link + "\"")) << found.body;

  Answer detail = browser.get(portal(link));
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_TRUE(has(detail.body, "Valid"));
  Answer pdf = browser.get(portal(link + ".pdf"));
  EXPECT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  std::smatch csrf;
  ASSERT_TRUE(std::regex_search(detail.body, csrf, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));

  // Without a reason: refused, nothing changes.
  Answer refused = browser.post(portal(link), form_encode({{"csrf", csrf[1].str()}, {"action", "revoke"},
                                                           {"category", "error"}, {"reason", ""}}));
  EXPECT_EQ(refused.status, 400) << refused.body;
  Answer revoked = browser.post(portal(link), form_encode({{"csrf", csrf[1].str()}, {"action", "revoke"},
                                                           {"category", "error"},
                                                           {"reason", "Issued to the wrong Zoë"}}));
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_TRUE(has(revoked.body, "is revoked")) << revoked.body;

  Browser visitor("visitor");
  Answer verified = visitor.get(portal("/v/" + number + ".json"));
  ASSERT_EQ(verified.status, 200) << verified.body;
  auto json = nlohmann::json::parse(verified.body, nullptr, false);
  EXPECT_EQ(json.value("status", ""), "revoked") << verified.body;
  EXPECT_EQ(json.value("revoke_category", ""), "error");
  EXPECT_FALSE(has(verified.body, "wrong Zo")) << "the school's note is never public";

  Answer reissued = browser.post(portal(link), form_encode({{"csrf", csrf[1].str()}, {"action", "reissue"}}));
  ASSERT_EQ(reissued.status, 200) << reissued.body;
  std::smatch fresh;
  ASSERT_TRUE(std::regex_search(reissued.body, fresh, std::regex("Reissued as ([A-Z0-9-]+)\\.")))
      << reissued.body;
  EXPECT_NE(fresh[1].str(), number);
  Answer renewed = visitor.get(portal("/v/" + fresh[1].str() + ".json"));
  EXPECT_EQ(nlohmann::json::parse(renewed.body, nullptr, false).value("status", ""), "valid") << renewed.body;

  // One audit entry per action, naming the teacher.
  auto audit = open_store()->recent_audit(50);
  ASSERT_TRUE(audit);
  int revokes = 0;
  int reissues = 0;
  for (const store::AuditRow& row : *audit) {
    if (row.entry.subject != number) continue;
    revokes += row.entry.action == "revoke";
    reissues += row.entry.action == "reissue";
    EXPECT_TRUE(has(row.entry.actor, "Tina Teacher")) << row.entry.actor;
  }
  EXPECT_EQ(revokes, 1);
  EXPECT_EQ(reissues, 1);

  // The Reports tab lists it, and its CSV files hold it and its checks.
  Answer reports = browser.get(portal("/console/course/FA-101/reports"));
  ASSERT_EQ(reports.status, 200) << reports.body;
  EXPECT_TRUE(has(reports.body, number));
  Answer csv = browser.get(portal("/console/course/FA-101/reports/certificates.csv"));
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_TRUE(has(csv.headers, "text/csv; charset=utf-8")) << csv.headers;
  EXPECT_TRUE(has(csv.headers, "filename=\"FA-101-certificates.csv\"")) << csv.headers;
  EXPECT_TRUE(has(csv.body, number + ",")) << csv.body;
  Answer checks = browser.get(portal("/console/course/FA-101/reports/verifications.csv"));
  EXPECT_TRUE(has(checks.body, number + ",Revoked,JSON (a program),")) << checks.body;

  // The session is for the course launched from: another course's pages
  // are refused (a number of another course is 404: console unit tests).
  EXPECT_EQ(browser.get(portal("/console/course/SWIM-L3/certificates/" + number)).status, 403);
}

// The same flow in a real headless Chromium (tests/browser/issued_flow.mjs):
// axe-core, the console's CSP, a 390px phone, screenshots.
TEST_F(ConsoleIssuedEndToEnd, TheIssuedTabWorksInARealBrowser) {
  if (std::system("command -v node > /dev/null 2>&1") != 0 || !std::filesystem::exists("/usr/bin/chromium") ||
      !std::filesystem::exists("tests/browser/node_modules/playwright-core/package.json") ||
      !std::filesystem::exists("tests/browser/node_modules/axe-core/axe.min.js"))
    GTEST_SKIP() << "node, chromium or tests/browser/node_modules is missing (scripts/setup.sh test installs them)";
  auto deadline = std::chrono::steady_clock::now() + 60s;
  bool issued = false;
  while (!issued && std::chrono::steady_clock::now() < deadline) {
    auto row = open_store()->certificate_by_key("rule:first-aid|student:20|course:FA-101|gen:1");
    issued = row && *row;
    if (!issued) std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(issued);
  const std::string shots = ::testing::TempDir() + "certd-issued-shots";
  const std::string out = ::testing::TempDir() + "certd-issued-flow.txt";
  std::string command = "node tests/browser/issued_flow.mjs " + lms("") + " " + shots + " > " + out + " 2>&1";
  int rc = std::system(command.c_str());
  std::string printed = read_all(out);
  ASSERT_EQ(rc, 0) << printed;
  auto result = nlohmann::json::parse(printed.substr(printed.rfind('{')), nullptr, false);
  ASSERT_TRUE(result.is_object()) << printed;
  auto store = open_store();
  auto revoked = store->certificate_by_number(result.value("revoked", ""));
  ASSERT_TRUE(revoked && *revoked) << printed;
  EXPECT_EQ((*revoked)->status, store::CertificateStatus::revoked);
  EXPECT_EQ((*revoked)->revoke_reason, "Issued to the wrong student");
  auto reissued = store->certificate_by_number(result.value("reissued", ""));
  ASSERT_TRUE(reissued && *reissued) << printed;
  EXPECT_EQ((*reissued)->certificate.kind, "reissue");
}

}  // namespace
}  // namespace certd
