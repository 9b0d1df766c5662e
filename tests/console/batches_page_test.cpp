// The "Batches" tab of a course (console/batches_page.cpp) over the fake
// backend: routing, the multipart upload and its CSRF token, bad rows
// shown by line before anything starts, another course's rows refused,
// the confirm carrying only a ticket, escaping of hostile names, the
// progress page's refresh while running, and cancel needing CSRF.
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

constexpr const char* k_page = "/console/course/SWIM-L3/batches";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class BatchesPageTest : public ConsolePageTest {
 protected:
  BatchesPageTest() {
  }

  // The upload form as a browser sends it.
  Response upload(const std::string& csrf, const std::string& csv, const std::string& cookie, bool skip_bad = false) {
    const std::string b = "----WebKitFormBoundaryX";
    std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n";
    body += "--" + b + "\r\nContent-Disposition: form-data; name=\"csv\"; filename=\"list.csv\"\r\n";
    body += "Content-Type: text/csv\r\n\r\n" + csv + "\r\n";
    body += "--" + b + "\r\nContent-Disposition: form-data; name=\"template\"\r\n\r\ncourse-completion\r\n";
    if (skip_bad) body += "--" + b + "\r\nContent-Disposition: form-data; name=\"skip_bad\"\r\n\r\n1\r\n";
    body += "--" + b + "--\r\n";
    Request r;
    r.method = "POST";
    r.path = k_page;
    r.body = body;
    r.headers["content-type"] = "multipart/form-data; boundary=" + b;
    r.headers["cookie"] = cookie;
    return console->handle(r);
  }
  static std::string ticket_of(const std::string& page) {
    std::smatch m;
    return std::regex_search(page, m, std::regex("name=\"ticket\" value=\"([^\"]+)\"")) ? m[1].str() : "";
  }
};

constexpr const char* k_good = "student,name,course\n21,Ada Lovelace,SWIM-L3\n22,Alan Turing,SWIM-L3\n";

TEST_F(BatchesPageTest, TheTabShowsTheUploadFormAndTheCoursesBatches) {
  std::string cookie = sign_in();
  backend.batches.push_back({"FA-101", {}});
  backend.batches.back().second.summary.id = 7;
  backend.batches.back().second.summary.file_name = "other-course.csv";
  Response page = get(k_page, cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "enctype=\"multipart/form-data\""));
  EXPECT_TRUE(has(page.body, "<input type=\"file\" id=\"csv\" name=\"csv\" accept=\".csv,text/csv\""));
  EXPECT_TRUE(has(page.body, ">Batches</a>")) << "the tab";
  EXPECT_TRUE(has(page.body, "rows for another course, or with no course, are refused"));
  EXPECT_FALSE(has(page.body, "other-course.csv")) << "another course's batch";
  EXPECT_EQ(get("/console/course/FA-101/batches", cookie).status, 403) << "not this teacher's course";
  EXPECT_EQ(get(std::string(k_page) + "/nope", cookie).status, 404);
}

TEST_F(BatchesPageTest, BadRowsAreShownByLineAndNothingStarts) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  Response checked = upload(csrf, "student,name,course\n21,Ada,SWIM-L3\n22,Bob,FA-101\n23,Cy,\n", cookie);
  EXPECT_EQ(checked.status, 422) << checked.body;
  EXPECT_TRUE(has(checked.body, "line 3: the row is for course &apos;FA-101&apos;")) << checked.body;
  EXPECT_TRUE(has(checked.body, "line 4:"));
  EXPECT_TRUE(has(checked.body, "2 rows are bad"));
  EXPECT_EQ(ticket_of(checked.body), "") << "no confirm with bad rows";
  EXPECT_TRUE(backend.batches.empty());
  // Ticked "skip bad rows": the good one may start.
  Response skipping = upload(csrf, "student,name,course\n21,Ada,SWIM-L3\n22,Bob,FA-101\n", cookie, true);
  EXPECT_EQ(skipping.status, 200);
  EXPECT_TRUE(has(skipping.body, "Start the batch of 1 certificates"));
}

TEST_F(BatchesPageTest, AGoodFileStartsOnConfirmAndRedirectsToItsPage) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  Response checked = upload(csrf, k_good, cookie);
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_TRUE(has(checked.body, "Start the batch of 2 certificates"));
  EXPECT_FALSE(has(checked.body, "Ada Lovelace")) << "the confirm carries a ticket, not the file";
  std::string ticket = ticket_of(checked.body);
  ASSERT_FALSE(ticket.empty());
  EXPECT_TRUE(backend.batches.empty()) << "nothing starts before the confirm";
  Response started = post(std::string(k_page) + "/start", "csrf=" + url_encode(csrf) + "&ticket=" + ticket, cookie);
  ASSERT_EQ(started.status, 303) << started.body;
  ASSERT_EQ(backend.batches.size(), 1u);
  EXPECT_EQ(started.headers[0].second, std::string(k_page) + "/1");
  Response again = post(std::string(k_page) + "/start", "csrf=" + url_encode(csrf) + "&ticket=" + ticket, cookie);
  EXPECT_EQ(again.status, 404) << "a ticket starts once";
  Response progress = get(std::string(k_page) + "/1", cookie);
  ASSERT_EQ(progress.status, 200);
  EXPECT_TRUE(has(progress.body, "data-refresh=\"3\"")) << "running: its progress is fetched again";
  EXPECT_TRUE(has(progress.body, "<script src=\"/console/assets/live.js\" defer></script>")) << progress.body;
  EXPECT_FALSE(has(progress.body, "http-equiv=\"refresh\"")) << "no timed reload (WCAG 2.2.1)";
  EXPECT_EQ(get("/console/assets/live.js", cookie).content_type, "text/javascript; charset=utf-8");
  backend.batches[0].second.summary.status = "done";
  EXPECT_FALSE(has(get(std::string(k_page) + "/1", cookie).body, "data-refresh")) << "done: it stops";
}

TEST_F(BatchesPageTest, UploadAndStartNeedTheCsrfToken) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get(k_page, cookie).body);
  EXPECT_EQ(upload("wrong", k_good, cookie).status, 403);
  std::string ticket = ticket_of(upload(csrf, k_good, cookie).body);
  EXPECT_EQ(post(std::string(k_page) + "/start", "csrf=wrong&ticket=" + ticket, cookie).status, 403);
  EXPECT_TRUE(backend.batches.empty());
  // Not multipart at all: refused with a 400, not guessed at.
  EXPECT_EQ(post(k_page, "csrf=" + url_encode(csrf), cookie).status, 400);
}

TEST_F(BatchesPageTest, AnotherCoursesBatchIsNotFound) {
  std::string cookie = sign_in();
  backend.batches.push_back({"FA-101", {}});
  backend.batches.back().second.summary.id = 1;
  backend.batches.back().second.summary.status = "running";
  EXPECT_EQ(get(std::string(k_page) + "/1", cookie).status, 404);
  std::string csrf = csrf_of(get(k_page, cookie).body);
  EXPECT_EQ(post(std::string(k_page) + "/1/cancel", "csrf=" + url_encode(csrf) + "&reason=x", cookie).status, 404);
  EXPECT_EQ(backend.batches[0].second.summary.status, "running");
}

TEST_F(BatchesPageTest, HostileNamesInRowsAreEscaped) {
  std::string cookie = sign_in();
  backend.batches.push_back({"SWIM-L3", {}});
  console::BatchDetail& d = backend.batches.back().second;
  d.summary.id = 1;
  d.summary.status = "done";
  d.summary.file_name = "<img src=x onerror=alert(1)>.csv";
  d.failed.push_back({5, "<b>21</b>", "<script>alert(1)</script>", "\"quoted\" & <bad>"});
  Response page = get(std::string(k_page) + "/1", cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_FALSE(has(page.body, "<script>alert")) << page.body;
  EXPECT_FALSE(has(page.body, "<img src=x"));
  EXPECT_TRUE(has(page.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(has(page.body, "<td data-label=\"Line\">5</td>"));
  std::string csrf = csrf_of(get(k_page, cookie).body);
  Response checked = upload(csrf, "student,name,course\n1,<script>x</script>,<i>EVIL</i>\n", cookie);
  EXPECT_FALSE(has(checked.body, "<i>EVIL</i>")) << checked.body;
}

TEST_F(BatchesPageTest, CancelNeedsTheCsrfTokenAndAReason) {
  std::string cookie = sign_in();
  backend.batches.push_back({"SWIM-L3", {}});
  backend.batches.back().second.summary.id = 1;
  backend.batches.back().second.summary.status = "running";
  std::string csrf = csrf_of(get(k_page, cookie).body);
  EXPECT_EQ(post(std::string(k_page) + "/1/cancel", "csrf=wrong&reason=typo", cookie).status, 403);
  EXPECT_EQ(post(std::string(k_page) + "/1/cancel", "csrf=" + url_encode(csrf) + "&reason=", cookie).status, 400);
  EXPECT_EQ(backend.batches[0].second.summary.status, "running");
  Response cancelled = post(std::string(k_page) + "/1/cancel", "csrf=" + url_encode(csrf) + "&reason=typo", cookie);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_TRUE(has(cancelled.body, "Batch cancelled"));
  EXPECT_EQ(backend.batches[0].second.summary.status, "cancelled");
}

}  // namespace
}  // namespace certd::console
