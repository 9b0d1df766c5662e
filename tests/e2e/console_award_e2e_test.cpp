// The console's ad-hoc award end to end: the simulator as the LTI 1.3
// platform, a real `certd run` over the demo school and a curl "browser"
// (console_browser.hpp), as in console_issue_now_e2e_test.cpp. teacher1
// opens SWIM-L3, previews an encouragement award "Brave first dive" for
// two students, opens the preview PDF (unsigned, stamped PREVIEW, not
// stored), confirms twice, and the store holds exactly two "adhoc"
// certificates with that title.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
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

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class ConsoleAwardEndToEnd : public testing::ConsoleSchoolTest {
 protected:
  ConsoleAwardEndToEnd() : ConsoleSchoolTest("console-award") {}
};

// pdftotext's reading of `pdf`; empty when it is not installed.
std::string pdf_text(const std::string& pdf, const std::string& base) {
  std::ofstream(base + ".pdf", std::ios::binary) << pdf;
  // -raw: in drawing order, so the slanted stamp reads as one word.
  std::string command = "pdftotext -q -raw " + base + ".pdf " + base + ".txt 2>/dev/null";
  if (std::system(command.c_str()) != 0) return "";
  return testing::read_all(base + ".txt");
}

TEST_F(ConsoleAwardEndToEnd, ATeacherGivesTwoStudentsAnEncouragementAwardOnce) {
  Browser browser("award");
  Answer landed = launch(browser, "teacher1", "SWIM-L3");
  ASSERT_EQ(landed.status, 303) << landed.body;
  const std::string page_url = portal("/console/course/SWIM-L3/award");

  Answer form = browser.get(page_url);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_TRUE(has(form.body, "<option value=\"encouragement\">Encouragement award</option>")) << form.body;
  EXPECT_TRUE(has(form.body, "name=\"student\" value=\"21\"> " + html_escape("Алексей Смирнов"))) << form.body;
  EXPECT_FALSE(has(form.body, "value=\"24\"")) << "student03 is enrolled in FA-101 only";
  std::smatch csrf;
  ASSERT_TRUE(std::regex_search(form.body, csrf, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));

  Answer preview = browser.post(page_url, form_encode({{"csrf", csrf[1].str()},
                                                       {"action", "preview"},
                                                       {"template", "encouragement"},
                                                       {"title", "Brave first dive"},
                                                       {"notes", "For a calm, brave first dive"},
                                                       {"student", "21"},
                                                       {"student", "22"}}));
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_TRUE(has(preview.body, "<li>" + html_escape("Алексей Смирнов") + "</li>")) << preview.body;
  EXPECT_TRUE(has(preview.body, "Issue 2 awards</button>"));

  // The preview PDF, as the link opens it: unsigned, stamped, not stored.
  std::smatch link;
  ASSERT_TRUE(std::regex_search(preview.body, link, std::regex("href=\"(/console/course/SWIM-L3/award/preview\\.pdf\\?[^\"]+)\"")))
      << preview.body;
  Answer pdf = browser.get(portal(testing::html_unescape(link[1].str())));
  ASSERT_EQ(pdf.status, 200) << pdf.body.substr(0, 400);
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  EXPECT_TRUE(has(pdf.headers, "Content-Type: application/pdf")) << pdf.headers;
  EXPECT_TRUE(has(pdf.headers, "Content-Disposition: inline")) << pdf.headers;
  EXPECT_TRUE(has(pdf.headers, "Cache-Control: no-store")) << pdf.headers;
  std::string text = pdf_text(pdf.body, m_school->data() + "/award-preview");
  if (text.empty()) {
    ADD_FAILURE() << "pdftotext is needed to read the preview";
  } else {
    EXPECT_TRUE(has(text, "PREVIEW")) << text;
    EXPECT_TRUE(has(text, "Brave first dive")) << text;
    EXPECT_TRUE(has(text, "Алексей Смирнов")) << text;
  }

  auto adhoc_titled = [&] {
    int n = 0;
    auto store = open_store();
    for (const char* student : {"21", "22"}) {
      auto rows = store->certificates_for_student(student);
      EXPECT_TRUE(rows);
      if (!rows) continue;
      for (const store::CertificateRow& r : *rows)
        n += r.certificate.kind == "adhoc" && r.certificate.title == "Brave first dive";
    }
    return n;
  };
  EXPECT_EQ(adhoc_titled(), 0) << "neither a preview nor its PDF issues anything";

  std::size_t at = preview.body.find("Before you issue");
  ASSERT_NE(at, std::string::npos);
  Form confirm = form_of(preview.body.substr(at));
  confirm.action = portal(confirm.action);
  confirm.fields.emplace_back("action", "issue");
  Answer issued = browser.submit(confirm);
  ASSERT_EQ(issued.status, 200) << issued.body;
  EXPECT_TRUE(has(issued.body, "2 awards issued.")) << issued.body;
  EXPECT_EQ(adhoc_titled(), 2);

  // A second confirm (a double click, a reload) issues nothing again.
  Answer again = browser.submit(confirm);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(has(again.body, "0 awards issued. 2 had been issued by an earlier confirm.")) << again.body;
  EXPECT_EQ(adhoc_titled(), 2);
  auto rows = open_store()->certificates_for_student("21");
  ASSERT_TRUE(rows);
  for (const store::CertificateRow& r : *rows)
    if (r.certificate.kind == "adhoc") {
      EXPECT_EQ(r.certificate.teacher, "Tina Teacher");
      EXPECT_TRUE(has(issued.body, "href=\"" + portal("/v/" + r.certificate.number) + "\"")) << issued.body;
      EXPECT_EQ(browser.get(portal("/v/" + r.certificate.number)).status, 200);
    }

  // Whatever the form says: another course's student is refused.
  Form stranger = confirm;
  stranger.fields.emplace_back("student", "24");
  EXPECT_EQ(browser.submit(stranger).status, 404);
  EXPECT_EQ(browser.get(portal("/console/course/FA-101/award")).status, 403) << "launched from SWIM-L3 only";
  Browser nobody("award-stranger");
  EXPECT_EQ(nobody.submit(confirm).status, 401);
}

// The same flow in a real headless Chromium (tests/browser/award_flow.mjs):
// axe-core, the console's CSP, a 390px phone, screenshots.
TEST_F(ConsoleAwardEndToEnd, TheAwardTabWorksInARealBrowser) {
  if (std::system("command -v node > /dev/null 2>&1") != 0 || !std::filesystem::exists("/usr/bin/chromium") ||
      !std::filesystem::exists("tests/browser/node_modules/playwright-core/package.json") ||
      !std::filesystem::exists("tests/browser/node_modules/axe-core/axe.min.js"))
    GTEST_SKIP() << "node, chromium or tests/browser/node_modules is missing (scripts/setup.sh test installs them)";
  const std::string shots = ::testing::TempDir() + "certd-award-shots";
  const std::string out = ::testing::TempDir() + "certd-award-flow.txt";
  std::string command = "node tests/browser/award_flow.mjs " + lms("") + " " + shots + " > " + out + " 2>&1";
  int rc = std::system(command.c_str());
  std::string printed = testing::read_all(out);
  ASSERT_EQ(rc, 0) << printed;
  std::smatch numbers;
  ASSERT_TRUE(std::regex_search(printed, numbers, std::regex("\\{\"numbers\":\\[\"([^\"]+)\",\"([^\"]+)\"\\]\\}")))
      << printed;
  auto store = open_store();
  for (int i = 1; i <= 2; ++i) {
    auto row = store->certificate_by_number(numbers[i].str());
    ASSERT_TRUE(row && *row) << numbers[i].str();
    EXPECT_EQ((*row)->certificate.kind, "adhoc");
    EXPECT_EQ((*row)->certificate.title, "Brave first dive");
  }
}

}  // namespace
}  // namespace certd
