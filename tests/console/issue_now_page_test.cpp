// The "Issue now" tab of a course (console/issue_now_page.cpp) over the
// fake backend: routing, the unmet conditions shown before the confirm,
// CSRF on the confirm, course scoping whatever the form says, one
// certificate however often it is confirmed, escaping of names from the
// LMS, and a clear page when the LMS is away. Teachers are signed in by
// opening a session directly: the LTI launch has its own tests.
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

constexpr const char* k_page = "/console/course/SWIM-L3/issue-now";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class IssueNowPageTest : public ConsolePageTest {
 protected:
  IssueNowPageTest() {
    backend.issue_now_students = {{"SWIM-L3", {"21", "Alexei Smirnov"}},
                                  {"SWIM-L3", {"22", "<script>alert(1)</script>"}},
                                  {"FA-101", {"31", "Alan Turing"}}};
    backend.issue_now_rules = {{"SWIM-L3", {"swim-level-3", "Swim level 3"}},
                               {"FA-101", {"first-aid", "First aid"}}};
    backend.unmet_of["21"] = {"2 of 5 Level 3 skills not proficient (Front crawl 50m, Surface dive)"};
  }

  std::string confirm(const std::string& csrf, const std::string& student = "21",
                      const std::string& rule = "swim-level-3") {
    return "csrf=" + url_encode(csrf) + "&student=" + url_encode(student) + "&rule=" + url_encode(rule);
  }
};

TEST_F(IssueNowPageTest, TheFormListsTheCoursesStudentsAndCertificates) {
  std::string cookie = sign_in();
  Response page = get(k_page, cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "<option value=\"21\">Alexei Smirnov</option>")) << page.body;
  EXPECT_TRUE(has(page.body, ">Swim level 3</option>"));
  EXPECT_FALSE(has(page.body, "Alan Turing")) << "another course's student";
  EXPECT_FALSE(has(page.body, "First aid")) << "another course's certificate";
  EXPECT_TRUE(has(page.body, "<label for=\"student\">")) << "each select has its label";
  EXPECT_TRUE(has(page.body, "href=\"/console/course/SWIM-L3/issue-now\" aria-current=\"page\">Issue now</a>"));
  EXPECT_FALSE(has(page.body, "method=\"post\" action=\"/console/course/SWIM-L3/issue-now\""))
      << "no confirm before a preview";
}

TEST_F(IssueNowPageTest, ThePreviewNamesTheUnmetConditionsBeforeTheConfirm) {
  std::string cookie = sign_in();
  Response page = get(std::string(k_page) + "?student=21&rule=swim-level-3", cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "Alexei Smirnov has not met 1 condition of this certificate")) << page.body;
  EXPECT_TRUE(has(page.body, "<li>2 of 5 Level 3 skills not proficient (Front crawl 50m, Surface dive)</li>"));
  EXPECT_TRUE(has(page.body, "<option value=\"21\" selected>")) << "the choice stays";
  EXPECT_TRUE(has(page.body, "name=\"student\" value=\"21\""));
  EXPECT_TRUE(has(page.body, "name=\"rule\" value=\"swim-level-3\""));
  EXPECT_TRUE(has(page.body, ">Issue now</button>"));
  EXPECT_TRUE(backend.forced.empty()) << "a preview issues nothing";

  backend.unmet_of["21"].clear();
  Response met = get(std::string(k_page) + "?student=21&rule=swim-level-3", cookie);
  EXPECT_TRUE(has(met.body, "All conditions are met: this certificate would be issued anyway.")) << met.body;
}

TEST_F(IssueNowPageTest, ConfirmingIssuesOnceAndLinksTheVerificationPage) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  Response done = post(k_page, confirm(csrf), cookie);
  ASSERT_EQ(done.status, 200) << done.body;
  ASSERT_EQ(backend.forced.size(), 1u);
  EXPECT_EQ(backend.forced[0].teacher, "Ms Rivera");
  EXPECT_TRUE(has(done.body, "Issued: Swim level 3 for Alexei Smirnov")) << done.body;
  EXPECT_TRUE(has(done.body, "href=\"https://certs.example.edu/v/FORCED-1\">FORCED-1</a>"));

  Response again = post(k_page, confirm(csrf), cookie);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(backend.forced.size(), 1u);
  EXPECT_TRUE(has(again.body, "Nothing was issued again.")) << again.body;

  Response preview = get(std::string(k_page) + "?student=21&rule=swim-level-3", cookie);
  EXPECT_TRUE(has(preview.body, "Already issued as <a class=\"mono\" href=\"https://certs.example.edu/v/FORCED-1\">"))
      << preview.body;
  EXPECT_FALSE(has(preview.body, ">Issue now</button>")) << "nothing left to confirm";
}

TEST_F(IssueNowPageTest, TheConfirmNeedsTheSessionsToken) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  EXPECT_EQ(post(k_page, "student=21&rule=swim-level-3", cookie).status, 403);
  EXPECT_EQ(post(k_page, confirm(std::string(csrf.size(), 'A')), cookie).status, 403);
  Request cross;
  cross.method = "POST";
  cross.path = k_page;
  cross.body = confirm(csrf);
  cross.headers["cookie"] = cookie;
  cross.headers["origin"] = "https://evil.example";
  EXPECT_EQ(console->handle(cross).status, 403);
  EXPECT_EQ(post(k_page, confirm(csrf), "").status, 401) << "no session";
  EXPECT_TRUE(backend.forced.empty());
}

TEST_F(IssueNowPageTest, AnotherCoursesRuleOrStudentIsRefusedWhateverTheFormSays) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  EXPECT_EQ(post(k_page, confirm(csrf, "21", "first-aid"), cookie).status, 400);
  EXPECT_EQ(post(k_page, confirm(csrf, "31", "swim-level-3"), cookie).status, 404);
  EXPECT_EQ(get(std::string(k_page) + "?student=31&rule=swim-level-3", cookie).status, 404);
  EXPECT_EQ(get(std::string(k_page) + "?student=21&rule=first-aid", cookie).status, 400);
  EXPECT_EQ(get(std::string(k_page) + "?student=21", cookie).status, 400) << "half a choice";
  EXPECT_EQ(get("/console/course/FA-101/issue-now", cookie).status, 403) << "not their course";
  EXPECT_EQ(post("/console/course/FA-101/issue-now", confirm(csrf, "31", "first-aid"), cookie).status, 403);
  EXPECT_EQ(get("/console/course/SWIM-L3/issue-now/more", cookie).status, 404);
  EXPECT_EQ(get("/console/course/SWIM-L3/elsewhere", cookie).status, 404);
  EXPECT_TRUE(backend.forced.empty());
}

TEST_F(IssueNowPageTest, NamesFromTheLmsAreEscaped) {
  std::string cookie = sign_in();
  for (const std::string& path : {std::string(k_page), std::string(k_page) + "?student=22&rule=swim-level-3"}) {
    Response page = get(path, cookie);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_FALSE(has(page.body, "<script>")) << path;
    EXPECT_TRUE(has(page.body, "&lt;script&gt;alert(1)&lt;/script&gt;")) << path;
  }
}

TEST_F(IssueNowPageTest, AnLmsThatIsAwayGetsAPageSayingSo) {
  std::string cookie = sign_in();
  backend.lms_error = "the LMS did not answer (timeout). Try again in a minute";
  Response page = get(k_page, cookie);
  EXPECT_EQ(page.status, 503);
  EXPECT_TRUE(has(page.body, "The LMS is not available")) << page.body;
  EXPECT_TRUE(has(page.body, "the LMS did not answer (timeout)"));
  std::string csrf = csrf_of(page.body);  // the sign-out form's
  EXPECT_EQ(post(k_page, confirm(csrf), cookie).status, 503);
  EXPECT_TRUE(backend.forced.empty());
}

}  // namespace
}  // namespace certd::console
