// The teacher console opened from the LMS, end to end: the simulator as
// an LTI 1.3 platform (its own key, JWKS and auth endpoint) in a process of
// its own, a real `certd run`, and a client that does what a browser does
// with the auto-posted forms (curl with a cookie jar). A teacher approves
// some of the course's queue with a note and the rest stays; a student
// downloads their own certificate; a replayed launch is refused.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/run_certd.hpp"
#include "e2e/console_browser.hpp"
#include "e2e/console_school.hpp"
#include "e2e/browser_tools.hpp"
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

class ConsoleEndToEnd : public testing::ConsoleSchoolTest {
 protected:
  ConsoleEndToEnd() : ConsoleSchoolTest("console") {}
  std::vector<store::PendingRow> queue(const std::string& course) {
    std::vector<store::PendingRow> rows;
    auto store = open_store();
    for (auto status : {store::PendingStatus::pending, store::PendingStatus::held}) {
      auto found = store->pending_with_status(status);
      if (found)
        for (auto& row : *found)
          if (row.pending.course == course) rows.push_back(row);
    }
    return rows;
  }

  // The course's queue once the first poll's events are all processed: at
  // least `least` rows, no event left new, and the same size for a second
  // (under a sanitizer the first cycle takes a while, and a queue read
  // while it is still filling would miscount the rows that must stay).
  std::vector<store::PendingRow> settled_queue(const std::string& course, std::size_t least) {
    auto deadline = std::chrono::steady_clock::now() + 120s;
    std::vector<store::PendingRow> rows = queue(course);
    auto stable_since = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(200ms);
      std::vector<store::PendingRow> now = queue(course);
      auto fresh = open_store()->count_events(store::EventStatus::new_);
      if (now.size() != rows.size() || !fresh || *fresh > 0) {
        rows = std::move(now);
        stable_since = std::chrono::steady_clock::now();
        continue;
      }
      if (rows.size() >= least && std::chrono::steady_clock::now() - stable_since >= 1s) break;
    }
    return rows;
  }
};

TEST_F(ConsoleEndToEnd, ATeacherApprovesPartOfTheQueueFromTheLms) {
  // The demo school's swim level 3 is approved by a teacher: wait until
  // the first poll has queued its students.
  std::vector<store::PendingRow> queued = settled_queue("SWIM-L3", 3);
  ASSERT_GE(queued.size(), 3u) << "the demo school queues swim level 3 for approval";

  Browser browser("teacher");
  Answer landed = launch(browser, "teacher1", "SWIM-L3");
  ASSERT_EQ(landed.status, 303) << landed.body;
  EXPECT_EQ(landed.location(), "/console/course/SWIM-L3");
  Answer page = browser.get(portal(landed.location()));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "Signed in as Tina Teacher")) << page.body;
  for (const auto& row : queued)
    EXPECT_TRUE(has(page.body, html_escape(row.pending.student_name))) << row.pending.student_name;

  std::smatch csrf;
  ASSERT_TRUE(std::regex_search(page.body, csrf, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));
  // Untick all but the first two rows, as a teacher would.
  std::vector<std::pair<std::string, std::string>> fields{{"csrf", csrf[1].str()}};
  fields.emplace_back("id", std::to_string(queued[0].id));
  fields.emplace_back("id", std::to_string(queued[1].id));
  fields.emplace_back("notes", "Great effort this term");
  fields.emplace_back("action", "approve");
  Answer approved = browser.post(portal("/console/course/SWIM-L3"), form_encode(fields));
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_TRUE(has(approved.body, "2 certificates issued.")) << approved.body;

  auto store = open_store();
  for (int i : {0, 1}) {
    auto row = store->certificate_by_key(queued[i].pending.idempotency_key);
    ASSERT_TRUE(row && *row) << queued[i].pending.student_name << " was not issued";
    EXPECT_EQ((*row)->certificate.kind, "approved");
    EXPECT_EQ((*row)->certificate.notes, "Great effort this term");
    EXPECT_EQ((*row)->certificate.teacher, "Tina Teacher");
  }
  std::vector<store::PendingRow> left = queue("SWIM-L3");
  EXPECT_EQ(left.size(), queued.size() - 2) << "unticked rows stay in the queue";
  auto audit = store->recent_audit(50);
  ASSERT_TRUE(audit);
  bool launched = false;
  for (const store::AuditRow& row : *audit) launched |= row.entry.action == "lti.launch";
  EXPECT_TRUE(launched);

  // A form from another session's page, or none: refused.
  Browser stranger("stranger");
  EXPECT_EQ(stranger.post(portal("/console/course/SWIM-L3"), form_encode(fields)).status, 401);
}

TEST_F(ConsoleEndToEnd, AStudentDownloadsTheirOwnCertificateAndALaunchWorksOnce) {
  // Zoë (student00, id 20) completed First Aid: the first poll issues it.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  std::optional<store::CertificateRow> zoe;
  while (!zoe && std::chrono::steady_clock::now() < deadline) {
    auto row = open_store()->certificate_by_key("rule:first-aid|student:20|course:FA-101|gen:1");
    if (row && *row) zoe = **row;
    else std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(zoe);

  Browser browser("student");
  Form posted;
  Answer landed = launch(browser, "student00", "FA-101", &posted);
  ASSERT_EQ(landed.status, 303) << landed.body;
  EXPECT_EQ(landed.location(), "/console/me");
  Answer mine = browser.get(portal("/console/me"));
  ASSERT_EQ(mine.status, 200);
  EXPECT_TRUE(has(mine.body, zoe->certificate.number));
  Answer pdf = browser.get(portal("/console/me/" + zoe->certificate.number + ".pdf"));
  EXPECT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(browser.get(portal("/console/course/FA-101")).status, 403) << "a student is not a teacher";

  // The same id_token and state again (a replay): refused, no session.
  Browser replayer("replayer");
  Answer replayed = replayer.submit(posted);
  EXPECT_EQ(replayed.status, 401) << replayed.body;
  EXPECT_FALSE(has(replayed.headers, "Set-Cookie"));
}

// The issue's flow in a real headless Chromium (tests/browser/console_flow.mjs),
// in its order: the teacher unticks all but 3 rows, writes a note and
// starts; forces "Issue now" for Алексей after reading the unmet
// conditions; uploads a batch of 12 and watches it finish; a student
// downloads a PDF. axe-core finds no serious or critical violation on any
// console page; screenshots land in $CERTD_BINARY_DIR/console-screenshots.
TEST_F(ConsoleEndToEnd, InABrowserTheTeacherApprovesIssuesNowAndRunsABatchAndAStudentDownloads) {
  std::size_t queued = settled_queue("SWIM-L3", 5).size();
  ASSERT_GE(queued, 5u);
  ASSERT_TRUE(testing::have_browser()) << "node or chromium is missing (scripts/setup.sh test installs them)";
  ASSERT_TRUE(testing::browser_packages()) << "npm ci in tests/browser failed";
  const char* binary_dir = std::getenv("CERTD_BINARY_DIR");
  std::string shots = std::string(binary_dir ? binary_dir : ".") + "/console-screenshots";
  std::string command = "node tests/browser/console_flow.mjs " + lms("") + " " + shots + " 12 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  int status = ::pclose(pipe);
  ASSERT_EQ(status, 0) << output;
  std::string last = output.substr(output.rfind('{'));
  nlohmann::json result = nlohmann::json::parse(last, nullptr, false);
  ASSERT_TRUE(result.is_object()) << output;
  ASSERT_EQ(result["issued"].size(), 3u) << output;
  EXPECT_EQ(result["kept"], queued - 3);
  EXPECT_GT(result["downloaded_bytes"].get<int>(), 10000);

  auto store = open_store();
  for (const auto& number : result["issued"]) {
    auto row = store->certificate_by_number(number.get<std::string>());
    ASSERT_TRUE(row && *row) << number;
    EXPECT_EQ((*row)->certificate.kind, "approved");
    EXPECT_EQ((*row)->certificate.notes, "Great effort this term");
    EXPECT_EQ((*row)->certificate.teacher, "Tina Teacher");
  }
  EXPECT_EQ(queue("SWIM-L3").size(), queued - 3) << "the unticked rows stay";

  // Issue now: Алексей had not met swim level 3; the page said so.
  ASSERT_FALSE(result["unmet"].empty()) << output;
  bool names_a_skill = false;
  for (const auto& u : result["unmet"]) names_a_skill |= has(u.get<std::string>(), "Surface dive");
  EXPECT_TRUE(names_a_skill) << result["unmet"].dump();
  auto forced = store->certificate_by_number(result["forced"].get<std::string>());
  ASSERT_TRUE(forced && *forced) << output;
  EXPECT_EQ((*forced)->certificate.kind, "forced");
  EXPECT_EQ((*forced)->certificate.rule_id, "swim-level-3");
  EXPECT_EQ((*forced)->certificate.student_id, "21");

  // The batch: 12 rows, 12 certificates of it.
  EXPECT_EQ(result["batch_issued"], 12) << output;
  auto batch_issued = store->batch_items(result["batch"].get<store::Id>(), "issued", 100);
  ASSERT_TRUE(batch_issued);
  EXPECT_EQ(batch_issued->size(), 12u);
}

}  // namespace
}  // namespace certd
