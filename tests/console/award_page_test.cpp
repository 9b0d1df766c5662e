// The "Award" tab of a course (console/award_page.cpp) over the fake
// backend: routing, CSRF on both POSTs, students of another course
// refused whatever the form says, escaping of hostile titles, notes and
// names, one award per student however often a preview is confirmed, and
// the preview as an inline PDF that is never stored.
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

constexpr const char* k_page = "/console/course/SWIM-L3/award";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class AwardPageTest : public ConsolePageTest {
 protected:
  AwardPageTest() {
    backend.issue_now_students = {{"SWIM-L3", {"21", "Alexei Smirnov"}},
                                  {"SWIM-L3", {"22", "<script>alert(1)</script>"}},
                                  {"FA-101", {"31", "Alan Turing"}}};
    backend.issue_now_rules = {{"SWIM-L3", {"swim-level-3", "Swim level 3"}},
                               {"FA-101", {"first-aid", "First aid"}}};
    backend.issue_now_students.push_back({"SWIM-L3", {"23", "Zoë Ødegård"}});
  }

  // The preview POST for `students`, with `title` and `notes`.
  static std::string preview_body(const std::string& csrf, const std::vector<std::string>& students,
                                  const std::string& title = "Brave first dive", const std::string& notes = "") {
    std::string body = "csrf=" + url_encode(csrf) + "&action=preview&template=encouragement&title=" +
                       url_encode(title) + "&notes=" + url_encode(notes);
    for (const std::string& s : students) body += "&student=" + url_encode(s);
    return body;
  }

  // The confirm form's fields, as the browser would send them back.
  static std::string confirm_body(const std::string& page) {
    std::size_t form = page.find("<form method=\"post\"", page.find("Before you issue"));
    EXPECT_NE(form, std::string::npos) << page;
    std::string rest = page.substr(form, page.find("</form>", form) - form);
    std::string body = "action=issue";
    std::regex input("<input type=\"hidden\" name=\"([a-z]+)\" value=\"([^\"]*)\">");
    for (std::sregex_iterator it(rest.begin(), rest.end(), input), end; it != end; ++it)
      body += "&" + (*it)[1].str() + "=" + url_encode(unescape((*it)[2].str()));
    return body;
  }
  static std::string unescape(std::string text) {
    const std::pair<const char*, const char*> entities[] = {
        {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
    for (const auto& [from, to] : entities)
      for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1))
        text.replace(at, std::string(from).size(), to);
    return text;
  }
};

TEST_F(AwardPageTest, TheFormListsTemplatesAndTheCoursesStudents) {
  std::string cookie = sign_in();
  Response page = get(k_page, cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "<option value=\"encouragement\">Encouragement award</option>")) << page.body;
  EXPECT_TRUE(has(page.body, "<input type=\"checkbox\" name=\"student\" value=\"21\"> Alexei Smirnov</label>"));
  EXPECT_FALSE(has(page.body, "Alan Turing")) << "another course's student";
  EXPECT_TRUE(has(page.body, "&lt;script&gt;alert(1)&lt;/script&gt;")) << "the LMS's names are escaped";
  EXPECT_FALSE(has(page.body, "<script>"));
  EXPECT_TRUE(has(page.body, "<label for=\"title\">"));
  EXPECT_TRUE(has(page.body, "<legend>Students</legend>"));
  EXPECT_TRUE(has(page.body, "href=\"/console/course/SWIM-L3/award\" aria-current=\"page\">Award</a>"));
  EXPECT_TRUE(has(page.body, "value=\"preview\">Preview</button>"));
}

TEST_F(AwardPageTest, OnlyTheCoursesTeachersSeeIt) {
  EXPECT_EQ(get(k_page, "").status, 401);
  EXPECT_EQ(get(k_page, sign_in({"FA-101"})).status, 403);
  EXPECT_EQ(get("/console/course/SWIM-L3/award/other", sign_in()).status, 404);
}

TEST_F(AwardPageTest, ThePreviewListsTheStudentsAndCarriesARequestId) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  Response page = post(k_page, preview_body(csrf, {"21", "23"}, "Brave first dive", "For a calm first dive"), cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "<li>Alexei Smirnov</li>")) << page.body;
  EXPECT_TRUE(has(page.body, "<li>Zoë Ødegård</li>"));
  EXPECT_TRUE(has(page.body, "<dd>Brave first dive</dd>"));
  EXPECT_TRUE(has(page.body, "Issue 2 awards</button>"));
  EXPECT_TRUE(has(page.body, "href=\"/console/course/SWIM-L3/award/preview.pdf?template=encouragement&amp;student=21&amp;"
                             "title=Brave%20first%20dive&amp;notes=For%20a%20calm%20first%20dive\""));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page.body, m, std::regex("name=\"request\" value=\"([A-Za-z0-9_-]{24})\"")));
  EXPECT_TRUE(backend.awards.empty()) << "a preview issues nothing";

  Response again = post(k_page, preview_body(csrf, {"21"}), cookie);
  std::smatch m2;
  ASSERT_TRUE(std::regex_search(again.body, m2, std::regex("name=\"request\" value=\"([A-Za-z0-9_-]{24})\"")));
  EXPECT_NE(m[1].str(), m2[1].str()) << "each preview is a new request";
  EXPECT_TRUE(has(again.body, "Issue 1 award</button>"));
}

TEST_F(AwardPageTest, BothPostsNeedTheSessionsCsrfToken) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  EXPECT_EQ(post(k_page, preview_body("wrong", {"21"}), cookie).status, 403);
  std::string confirm = confirm_body(post(k_page, preview_body(csrf, {"21"}), cookie).body);
  std::string forged = std::regex_replace(confirm, std::regex("csrf=[^&]*"), "csrf=wrong");
  EXPECT_EQ(post(k_page, forged, cookie).status, 403);
  EXPECT_EQ(post(k_page, std::regex_replace(confirm, std::regex("csrf=[^&]*&?"), ""), cookie).status, 403);
  EXPECT_TRUE(backend.awards.empty());
  EXPECT_EQ(post(k_page, confirm, cookie).status, 200);
  EXPECT_EQ(backend.awards.size(), 1u);
}

TEST_F(AwardPageTest, AStudentOfAnotherCourseIsRefused) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  EXPECT_EQ(post(k_page, preview_body(csrf, {"21", "31"}), cookie).status, 404);
  std::string confirm = confirm_body(post(k_page, preview_body(csrf, {"21"}), cookie).body);
  Response refused = post(k_page, confirm + "&student=31", cookie);
  EXPECT_EQ(refused.status, 404) << refused.body;
  EXPECT_TRUE(backend.awards.empty()) << "nothing of a refused request is issued";
  EXPECT_EQ(get(std::string(k_page) + "/preview.pdf?template=encouragement&student=31", cookie).status, 404);
}

TEST_F(AwardPageTest, NoStudentTickedIsRefusedWithAMessage) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  Response none = post(k_page, preview_body(csrf, {}), cookie);
  EXPECT_EQ(none.status, 400);
  EXPECT_TRUE(has(none.body, "Tick at least one student")) << none.body;
  std::vector<std::string> many(201, "21");
  EXPECT_EQ(post(k_page, preview_body(csrf, many), cookie).status, 400);
}

TEST_F(AwardPageTest, HostileTitleNotesAndNamesAreEscapedEverywhere) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  const std::string hostile = "\"><script>alert(2)</script>";
  Response page = post(k_page, preview_body(csrf, {"22"}, hostile, hostile), cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_FALSE(has(page.body, "<script>")) << page.body;
  EXPECT_TRUE(has(page.body, "&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
  Response done = post(k_page, confirm_body(page.body), cookie);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_FALSE(has(done.body, "<script>")) << done.body;
  ASSERT_EQ(backend.awards.size(), 1u);
  EXPECT_EQ(backend.awards[0].title, hostile) << "what was typed is what is issued";
  EXPECT_EQ(backend.awards[0].notes, hostile);
  // A control character is the backend's to refuse (check_display_text).
  EXPECT_EQ(post(k_page, preview_body(csrf, {"21"}, "a\x1b[2Jb"), cookie).status, 400);
}

TEST_F(AwardPageTest, ConfirmingTwiceIssuesOnce) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  std::string confirm = confirm_body(post(k_page, preview_body(csrf, {"21", "23"}), cookie).body);
  Response first = post(k_page, confirm, cookie);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(has(first.body, "2 awards issued.")) << first.body;
  EXPECT_TRUE(has(first.body, "href=\"https://certs.example.edu/v/AWARD-1\">AWARD-1</a>"));
  EXPECT_TRUE(has(first.body, "Zoë Ødegård"));
  Response second = post(k_page, confirm, cookie);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_TRUE(has(second.body, "0 awards issued. 2 had been issued by an earlier confirm.")) << second.body;
  EXPECT_EQ(backend.awards.size(), 2u);
  EXPECT_EQ(backend.awards[0].teacher, "Ms Rivera");
  EXPECT_EQ(backend.awards[0].course, "SWIM-L3");
  int audited = 0;
  for (const store::NewAuditEntry& e : backend.audit_log)
    if (e.action == "console.award") {
      ++audited;
      EXPECT_TRUE(has(e.details, "\"numbers\":[\"AWARD-1\",\"AWARD-2\"]")) << e.details;
      EXPECT_TRUE(has(e.details, "\"request\":\"")) << e.details;
    }
  EXPECT_EQ(audited, 2);
}

TEST_F(AwardPageTest, ThePreviewIsAnInlinePdfNeverStored) {
  std::string cookie = sign_in();
  Response pdf = get(std::string(k_page) + "/preview.pdf?template=encouragement&student=21&title=Brave&notes=", cookie);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  auto header = [&](const std::string& name) {
    for (const auto& [k, v] : pdf.headers)
      if (k == name) return v;
    return std::string();
  };
  EXPECT_EQ(header("Content-Disposition"), "inline; filename=\"award-preview.pdf\"");
  EXPECT_EQ(header("Cache-Control"), "no-store");
  EXPECT_TRUE(backend.awards.empty());
  EXPECT_EQ(get(std::string(k_page) + "/preview.pdf?template=nope&student=21", cookie).status, 400);
  EXPECT_EQ(get(std::string(k_page) + "/preview.pdf?template=encouragement&student=21", sign_in({"FA-101"})).status,
            403);
}

TEST_F(AwardPageTest, TheLmsAwayIsSaid) {
  std::string cookie = sign_in();
  backend.lms_error = "The LMS did not answer";
  Response page = get(k_page, cookie);
  EXPECT_EQ(page.status, 503);
  EXPECT_TRUE(has(page.body, "The LMS did not answer"));
}

}  // namespace
}  // namespace certd::console
