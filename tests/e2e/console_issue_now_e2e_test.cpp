// The console's "Issue now" end to end: the simulator as the LTI 1.3
// platform, a real `certd run` over the demo school and a curl "browser"
// (console_browser.hpp), as in console_e2e_test.cpp. A teacher of SWIM-L3
// picks Алексей (student01, id 21: two Level 3 skills partly rated, one
// not rated), sees those skills named as unmet, confirms, confirms again,
// and the store holds one "forced" certificate for that key. Students of
// another course and another course's rule are refused.
#include <gtest/gtest.h>

#include <chrono>
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

constexpr const char* k_key = "rule:swim-level-3|student:21|course:SWIM-L3|gen:1";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class ConsoleIssueNowEndToEnd : public testing::ConsoleSchoolTest {
 protected:
  ConsoleIssueNowEndToEnd() : ConsoleSchoolTest("console-issue-now") {}
};

TEST_F(ConsoleIssueNowEndToEnd, ATeacherIssuesSwimLevelThreeOnceToAStudentWhoHasNotMetIt) {
  Browser browser("issue-now");
  Answer landed = launch(browser, "teacher1", "SWIM-L3");
  ASSERT_EQ(landed.status, 303) << landed.body;
  const std::string page_url = portal("/console/course/SWIM-L3/issue-now");

  Answer form = browser.get(page_url);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_TRUE(has(form.body, "<option value=\"21\">" + html_escape("Алексей Смирнов") + "</option>")) << form.body;
  EXPECT_TRUE(has(form.body, "<option value=\"swim-level-3\"")) << form.body;
  EXPECT_FALSE(has(form.body, "value=\"24\"")) << "student03 is enrolled in FA-101 only";

  Answer preview = browser.get(page_url + "?student=21&rule=swim-level-3");
  ASSERT_EQ(preview.status, 200) << preview.body;
  std::smatch unmet;
  ASSERT_TRUE(std::regex_search(preview.body, unmet, std::regex("<ul class=\"unmet\">([\\s\\S]*?)</ul>")))
      << preview.body;
  for (const char* skill : {"Front crawl 50m", "Surface dive", "Safety entry"})
    EXPECT_TRUE(has(unmet[1].str(), skill)) << skill << " is not proficient: " << unmet[1].str();
  EXPECT_FALSE(has(unmet[1].str(), "Backstroke 25m")) << "a proficient skill is not unmet";
  EXPECT_FALSE(open_store()->certificate_by_key(k_key)->has_value()) << "a preview issues nothing";

  std::smatch csrf;
  ASSERT_TRUE(std::regex_search(preview.body, csrf, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));
  const std::string confirm =
      form_encode({{"csrf", csrf[1].str()}, {"student", "21"}, {"rule", "swim-level-3"}});
  Answer issued = browser.post(page_url, confirm);
  ASSERT_EQ(issued.status, 200) << issued.body;
  auto row = open_store()->certificate_by_key(k_key);
  ASSERT_TRUE(row && *row) << issued.body;
  const store::CertificateRow certificate = **row;
  EXPECT_EQ(certificate.certificate.kind, "forced");
  EXPECT_EQ(certificate.certificate.teacher, "Tina Teacher");
  EXPECT_TRUE(has(issued.body, "href=\"" + portal("/v/" + certificate.certificate.number) + "\"")) << issued.body;
  EXPECT_EQ(browser.get(portal("/v/" + certificate.certificate.number)).status, 200);

  // A second confirm (a double click, a reload) finds the first one.
  Answer again = browser.post(page_url, confirm);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(has(again.body, "Nothing was issued again.")) << again.body;
  EXPECT_TRUE(has(again.body, certificate.certificate.number));
  auto all = open_store()->certificates_for_student("21");
  ASSERT_TRUE(all);
  int of_rule = 0;
  for (const store::CertificateRow& r : *all) of_rule += r.certificate.rule_id == "swim-level-3";
  EXPECT_EQ(of_rule, 1);
  Answer after = browser.get(page_url + "?student=21&rule=swim-level-3");
  EXPECT_TRUE(has(after.body, "Already issued as")) << after.body;

  // Whatever the form says: another course's student or rule is refused.
  EXPECT_EQ(browser.get(page_url + "?student=24&rule=swim-level-3").status, 404);
  EXPECT_EQ(browser.get(page_url + "?student=21&rule=first-aid").status, 400);
  EXPECT_EQ(browser.post(page_url, form_encode({{"csrf", csrf[1].str()}, {"student", "24"}, {"rule", "swim-level-3"}}))
                .status,
            404);
  EXPECT_EQ(browser.get(portal("/console/course/FA-101/issue-now")).status, 403) << "launched from SWIM-L3 only";
  Browser stranger("issue-now-stranger");
  EXPECT_EQ(stranger.post(page_url, confirm).status, 401);
}

}  // namespace
}  // namespace certd
