// The console's "Batches" tab end to end: the simulator as the LTI 1.3
// platform, a real `certd run` over the demo school and a curl "browser"
// (console_browser.hpp) posting multipart/form-data as a browser does. A
// teacher of FA-101 uploads 20 rows with 2 bad ones (another course's, an
// expired date) and sees those lines named; uploads 20 good rows, starts,
// and polls the batch's page until it is done; the store holds 20
// certificates of that batch; the same file again issues nothing twice and
// names the batch that holds its rows. In headless Chromium, a batch is
// part of the teacher's afternoon in console_e2e_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <limits>
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
using testing::form_of;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string csrf_of(const std::string& page) {
  std::smatch m;
  return std::regex_search(page, m, std::regex("name=\"csrf\" value=\"([^\"]+)\"")) ? m[1].str() : "";
}

class ConsoleBatchEndToEnd : public testing::ConsoleSchoolTest {
 protected:
  ConsoleBatchEndToEnd() : ConsoleSchoolTest("console-batch") {}
  // A CSV of `rows` rows of FA-101; `bad` lines (2-based, as in the file) spoilt.
  std::string write_csv(const std::string& name, int rows, const std::vector<int>& bad = {}) {
    std::string path = m_school->file(name);
    std::ofstream csv(path);
    csv << "student,name,course,expires_on,notes\n";
    for (int i = 1; i <= rows; ++i) {
      int line = i + 1;
      bool spoilt = std::find(bad.begin(), bad.end(), line) != bad.end();
      std::string course = spoilt && line % 2 == 0 ? "SWIM-L3" : "FA-101";
      std::string expires = spoilt && line % 2 == 1 ? "2001-01-01" : "";
      csv << "pupil" << i << "@families.example,Pupil " << i << "," << course << "," << expires << ",Row " << i
          << "\n";
    }
    return path;
  }
};

// Posts the confirm form of a checked file's page.
Answer start(Browser& browser, const std::string& page_url, const std::string& csrf, const std::string& checked) {
  std::smatch ticket;
  EXPECT_TRUE(std::regex_search(checked, ticket, std::regex("name=\"ticket\" value=\"([^\"]+)\""))) << checked;
  return browser.post(page_url + "/start",
                      testing::form_encode({{"csrf", csrf}, {"ticket", ticket.size() > 1 ? ticket[1].str() : ""}}));
}

TEST_F(ConsoleBatchEndToEnd, ATeacherUploadsChecksStartsAndWatchesABatchOfTwenty) {
  Browser browser("batch");
  Answer landed = launch(browser, "teacher1", "FA-101");
  ASSERT_EQ(landed.status, 303) << landed.body;
  const std::string page_url = portal("/console/course/FA-101/batches");
  Answer form = browser.get(page_url);
  ASSERT_EQ(form.status, 200) << form.body;
  const std::string csrf = csrf_of(form.body);
  ASSERT_FALSE(csrf.empty()) << form.body;

  // Two bad rows: named by line, and nothing can start.
  Answer bad = browser.upload(page_url, {{"csrf", csrf}, {"template", "encouragement"}}, "csv",
                              write_csv("bad.csv", 20, {6, 13}));
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_TRUE(has(bad.body, "line 6: ")) << bad.body;
  EXPECT_TRUE(has(bad.body, "line 13: ")) << bad.body;
  EXPECT_TRUE(has(bad.body, "2 rows are bad")) << bad.body;
  EXPECT_FALSE(has(bad.body, "Start the batch")) << bad.body;

  // A good file: confirm, then its page until done.
  const std::string good = write_csv("good.csv", 20);
  Answer checked = browser.upload(page_url, {{"csrf", csrf}, {"template", "encouragement"}}, "csv", good);
  ASSERT_EQ(checked.status, 200) << checked.body;
  ASSERT_TRUE(has(checked.body, "Start the batch of 20 certificates")) << checked.body;
  // The confirm carries the backend's ticket for the checked file, not the file.
  Answer started = start(browser, page_url, csrf, checked.body);
  ASSERT_EQ(started.status, 303) << started.body;
  std::string location = started.location();
  std::smatch id_match;
  ASSERT_TRUE(std::regex_search(location, id_match, std::regex("/batches/(\\d+)$"))) << location;
  const store::Id batch = std::stoll(id_match[1].str());
  Answer progress;
  auto deadline = std::chrono::steady_clock::now() + 120s;
  do {
    progress = browser.get(portal("/console/course/FA-101/batches/" + std::to_string(batch)));
    ASSERT_EQ(progress.status, 200) << progress.body;
    if (has(progress.body, "<dt>Status</dt><dd>done</dd>")) break;
    EXPECT_TRUE(has(progress.body, "data-refresh=")) << "a running batch's progress is fetched again";
    std::this_thread::sleep_for(500ms);
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_TRUE(has(progress.body, "<dt>Issued</dt><dd>20</dd>")) << progress.body;
  EXPECT_FALSE(has(progress.body, "data-refresh=")) << "done: nothing more to fetch";
  auto store = open_store();
  auto issued = store->batch_items(batch, "issued", std::numeric_limits<int>::max());
  ASSERT_TRUE(issued);
  EXPECT_EQ(issued->size(), 20u);
  auto pupil = store->certificates_for_student("pupil1@families.example");
  ASSERT_TRUE(pupil);
  ASSERT_EQ(pupil->size(), 1u);
  EXPECT_EQ(pupil->front().certificate.batch_id.value_or(0), batch);
  EXPECT_EQ(pupil->front().certificate.teacher, "Tina Teacher");
  Answer list = browser.get(page_url);
  EXPECT_TRUE(has(list.body, "good.csv")) << list.body;

  // The same file again: nothing new, and the page says which batch holds it.
  Answer again = browser.upload(page_url, {{"csrf", csrf}, {"template", "encouragement"}}, "csv", good);
  ASSERT_EQ(again.status, 200) << again.body;
  Answer nothing = start(browser, page_url, csrf, again.body);
  ASSERT_EQ(nothing.status, 200) << nothing.body;
  EXPECT_TRUE(has(nothing.body, "Batch " + std::to_string(batch) + "</a> (done) holds 20 rows")) << nothing.body;
  EXPECT_EQ(open_store()->batches()->size(), 1u);
  EXPECT_EQ(open_store()->certificates_for_student("pupil1@families.example")->size(), 1u);

  // Another course's page is refused; a stranger is not signed in.
  EXPECT_EQ(browser.get(portal("/console/course/SWIM-L4/batches")).status, 403) << "launched from FA-101 only";
  Browser stranger("batch-stranger");
  EXPECT_EQ(stranger.get(page_url).status, 401);
}

}  // namespace
}  // namespace certd
