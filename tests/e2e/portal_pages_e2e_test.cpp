// The portal's pages as people meet them, from a real `certd run` over
// real HTTP on a real SQLite store: a family's e-mails are claimed by a
// download, never by opening the page; a certificate revoked with
// `certd revoke --category` tells the public its date and category, not the
// school's note, and its PDF is refused; a mistyped number is caught before
// any look-up. Then every kind of page is opened in a real headless
// Chromium (tests/browser/check_pages.mjs): axe-core must find no serious
// or critical violation, the pages must work under their own CSP and fit
// a phone, and screenshots land in $CERTD_BINARY_DIR/portal-screenshots.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/run_certd.hpp"
#include "core/clock.hpp"
#include "e2e/browser_tools.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "render/certificate_number.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Fetched {
  int status = 0;
  std::string headers;  // as sent, lower-cased names
  std::string body;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// curl, as a browser or a mail scanner would ask.
Fetched fetch(const std::string& url, const std::string& method = "GET") {
  std::string base = ::testing::TempDir() + "certd-pages-" + std::to_string(::getpid());
  std::string command = "curl -s -o " + base + ".body -D " + base + ".headers -w '%{http_code}' " +
                        (method == "HEAD" ? std::string("-I ") : std::string()) + "'" + url + "' 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  char code[16] = {};
  std::size_t n = std::fread(code, 1, sizeof code - 1, pipe);
  ::pclose(pipe);
  code[n] = '\0';
  Fetched f;
  f.status = std::atoi(code);
  f.headers = read_all(base + ".headers");
  for (char& c : f.headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  f.body = read_all(base + ".body");
  return f;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class PortalPages : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    m_lms_port = testing::free_port();
    m_portal_port = testing::free_port();
    m_lms = std::make_unique<testing::ChildProcess>(
        args({"simulate-lms", "--port", std::to_string(m_lms_port), "--data", "examples/school.yaml"}));
    ASSERT_TRUE(testing::wait_for_port(m_lms_port, 60s));
    testing::SchoolDir::Options options;
    options.portal_port = m_portal_port;
    options.poll_interval = "1s";
    m_school = std::make_unique<testing::SchoolDir>("portal-pages", "http://127.0.0.1:" + std::to_string(m_lms_port),
                                                    options);
    m_daemon = std::make_unique<testing::ChildProcess>(args({"run", "--config", m_school->config()}));
    // certd run checks every template before it listens: on a loaded
    // machine that takes longer than the default wait.
    ASSERT_TRUE(testing::wait_for_port(m_portal_port, 90s)) << "certd run did not open its portal";
    // Zoë (id 20) completed First Aid: the first poll issues it and mails her.
    auto zoe = wait_for_certificate("rule:first-aid|student:20|course:FA-101|gen:1");
    ASSERT_TRUE(zoe);
    m_valid = *zoe;
    ASSERT_TRUE(wait_for_notification_status(m_valid.id, "sent")) << "the e-mail was not sent";
  }

  std::vector<std::string> args(std::initializer_list<std::string> list) {
    std::vector<std::string> argv{app::certd_path()};
    argv.insert(argv.end(), list);
    return argv;
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(m_portal_port) + path; }
  std::string config() const { return " --config " + m_school->config(); }

  std::unique_ptr<store::Store> open_store() {
    auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
    EXPECT_TRUE(store) << store.error().to_string();
    return store ? std::move(*store) : nullptr;
  }

  std::optional<store::CertificateRow> wait_for_certificate(const std::string& key) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite")) {
        auto row = (*store)->certificate_by_key(key);
        if (row && *row) return **row;
      }
      std::this_thread::sleep_for(100ms);
    }
    return std::nullopt;
  }

  // The statuses of a certificate's e-mails, as the store has them.
  std::vector<std::string> notification_statuses(store::Id certificate_id) {
    std::vector<std::string> statuses;
    auto store = open_store();
    if (!store) return statuses;
    auto rows = store->notifications(certificate_id, std::nullopt);
    if (rows)
      for (const store::NotificationRow& row : *rows) statuses.push_back(row.status);
    return statuses;
  }

  bool wait_for_notification_status(store::Id certificate_id, const std::string& status) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto statuses = notification_statuses(certificate_id);
      if (!statuses.empty() && statuses[0] == status) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  std::size_t verifications() {
    auto store = open_store();
    if (!store) return 0;
    auto rows = store->recent_verifications(10000);
    return rows ? rows->size() : 0;
  }

  // An encouragement award for Zoë, in the same family, then revoked as
  // issued in error with the school's own note.
  std::string issue_and_revoke() {
    app::CommandRun issued = app::run_certd("issue --student 20 --course FA-101 --template encouragement --teacher 'Ms Jones' "
                                            "--notes 'Brave first dive'" + config());
    EXPECT_EQ(issued.exit_code, 0) << issued.output;
    std::string number;
    auto store = open_store();
    auto rows = store->certificates_for_student("20");
    EXPECT_TRUE(rows);
    if (rows)
      for (const store::CertificateRow& row : *rows)
        if (row.certificate.template_id == "encouragement") number = row.certificate.number;
    EXPECT_FALSE(number.empty()) << issued.output;
    app::CommandRun revoked = app::run_certd("revoke " + number +
                                             " --category error --reason 'Issued in error: wrong student' "
                                             "--teacher 'Ms Jones'" + config());
    EXPECT_EQ(revoked.exit_code, 0) << revoked.output;
    return number;
  }

  // A certificate of the same family that expired yesterday, written to
  // the store as the issuer would have two years ago.
  std::string add_expired() {
    std::string number = *render::make_certificate_number("FA", {9, 8, 7, 6, 5, 4, 3, 2});
    store::NewCertificate c = m_valid.certificate;
    c.number = number;
    c.idempotency_key = "rule:first-aid|student:20|course:FA-101|gen:0";
    c.issued_at = to_unix(std::chrono::system_clock::now()) - 2 * 365 * 86400;
    c.expires_at = to_unix(std::chrono::system_clock::now()) - 86400;
    c.pdf_path = m_valid.certificate.pdf_path;
    EXPECT_TRUE(open_store()->insert_certificate(c, {}));
    return number;
  }

  int m_lms_port = 0;
  int m_portal_port = 0;
  std::unique_ptr<testing::ChildProcess> m_lms;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::ChildProcess> m_daemon;
  store::CertificateRow m_valid;
};

// Mail scanners and link previews open the family page: only a download
// of a PDF claims the family's e-mails, and a HEAD never does.
TEST_F(PortalPages, AFamilyIsClaimedByADownloadNotByOpeningThePage) {
  const std::string family = "/c/" + m_valid.certificate.claim_token;
  const std::string pdf = family + "/" + m_valid.certificate.number + ".pdf";

  Fetched page = fetch(url(family));
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(has(page.body, pdf)) << "the page offers the download";
  EXPECT_TRUE(has(page.headers, "cache-control: no-store")) << page.headers;
  EXPECT_TRUE(has(page.headers, "referrer-policy: no-referrer")) << page.headers;
  EXPECT_TRUE(has(page.headers, "x-robots-tag: noindex")) << page.headers;
  EXPECT_EQ(fetch(url(pdf), "HEAD").status, 200);
  EXPECT_EQ(notification_statuses(m_valid.id), std::vector<std::string>{"sent"}) << "opening the page claims nothing";

  Fetched download = fetch(url(pdf));
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.body.rfind("%PDF-", 0), 0u);
  EXPECT_TRUE(has(download.headers, "cache-control: no-store")) << download.headers;
  EXPECT_EQ(notification_statuses(m_valid.id), std::vector<std::string>{"claimed"});
}

TEST_F(PortalPages, ARevokedCertificateShowsItsCategoryNotTheNoteAndIsNotDownloaded) {
  std::string revoked = issue_and_revoke();
  ASSERT_FALSE(revoked.empty());
  Fetched page = fetch(url("/v/" + revoked));
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(has(page.body, "Revoked on ")) << page.body;
  EXPECT_TRUE(has(page.body, "Reason: issued in error")) << page.body;
  EXPECT_FALSE(has(page.body, "wrong student")) << "the school's note stays with the school";
  EXPECT_FALSE(has(page.body, "Valid until"));

  json data = json::parse(fetch(url("/v/" + revoked + ".json")).body);
  EXPECT_EQ(data["status"], "revoked");
  EXPECT_EQ(data["revoke_category"], "error");
  EXPECT_TRUE(data.contains("revoked_at"));
  EXPECT_FALSE(has(data.dump(), "wrong student"));

  const std::string family = "/c/" + m_valid.certificate.claim_token;
  Fetched list = fetch(url(family));
  EXPECT_FALSE(has(list.body, family + "/" + revoked + ".pdf")) << "no download offered";
  EXPECT_TRUE(has(list.body, family + "/" + m_valid.certificate.number + ".pdf"));
  Fetched refused = fetch(url(family + "/" + revoked + ".pdf"));
  EXPECT_EQ(refused.status, 410);
  EXPECT_TRUE(has(refused.headers, "content-type: text/html")) << refused.headers;
  EXPECT_TRUE(has(refused.body, "can no longer be downloaded")) << refused.body;
  EXPECT_EQ(notification_statuses(m_valid.id), std::vector<std::string>{"sent"}) << "a refusal claims nothing";

  app::CommandRun unknown_category =
      app::run_certd("revoke " + m_valid.certificate.number + " --category oops --reason x" + config());
  EXPECT_EQ(unknown_category.exit_code, 2) << unknown_category.output;
}

// The home page's form, without a script: a number typed loosely goes to
// its page; a typo is answered at once and never looked up nor recorded.
TEST_F(PortalPages, TheFormCatchesATypoBeforeTheLookUp) {
  std::string number = m_valid.certificate.number;
  std::string loose = number;
  for (char& c : loose) c = c == '-' ? '+' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Fetched sent = fetch(url("/v?number=" + loose));
  EXPECT_EQ(sent.status, 303);
  // (fetch lower-cases the headers it returns, values too.)
  std::string lower_number = number;
  for (char& c : lower_number) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(has(sent.headers, "location: /v/" + lower_number)) << sent.headers;

  std::size_t before = verifications();
  std::string typo = number;
  typo.back() = typo.back() == 'A' ? 'B' : 'A';
  Fetched caught = fetch(url("/v?number=" + typo));
  EXPECT_EQ(caught.status, 400);
  EXPECT_TRUE(has(caught.body, "This number has a typo")) << caught.body;
  EXPECT_EQ(fetch(url("/v/" + typo)).status, 404);
  EXPECT_EQ(verifications(), before) << "a typo is not recorded";
  EXPECT_EQ(fetch(url("/v/" + number)).status, 200);
  EXPECT_EQ(verifications(), before + 1) << "a real look-up is";
}

using testing::browser_packages;
using testing::have_browser;

TEST_F(PortalPages, EveryPageIsAccessibleInARealBrowser) {
  if (!have_browser()) GTEST_SKIP() << "node or chromium is not installed (scripts/setup.sh test installs them)";
  ASSERT_TRUE(browser_packages()) << "npm ci in tests/browser failed";
  std::string revoked = issue_and_revoke();
  ASSERT_FALSE(revoked.empty());
  std::string expired = add_expired();
  std::string number = m_valid.certificate.number;
  std::string typo = number;
  typo.back() = typo.back() == 'A' ? 'B' : 'A';
  std::string unknown = *render::make_certificate_number("FA", {1, 2, 3, 4, 5, 6, 7, 8});
  std::string family = "/c/" + m_valid.certificate.claim_token;

  const char* dir = std::getenv("CERTD_BINARY_DIR");
  std::string shots = std::string(dir ? dir : ".") + "/portal-screenshots";
  std::string command = "node tests/browser/check_pages.mjs " + url("") + " " + shots + " home=/ valid=/v/" + number +
                        " revoked=/v/" + revoked + " expired=/v/" + expired + " unknown=/v/" + unknown +
                        " typo=/v/" + typo + " typo-form='/v?number=" + typo + "' empty-form='/v?number=' family=" +
                        family + " revoked-pdf=" + family + "/" + revoked + ".pdf not-found=/nope no-family=/c/nobody 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string report;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) report += buffer;
  int status = ::pclose(pipe);
  std::printf("%s", report.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 0) << report;
  EXPECT_TRUE(has(report, "OK: 12 pages")) << report;
  EXPECT_EQ(notification_statuses(m_valid.id), std::vector<std::string>{"sent"})
      << "a browser opening the family page claims nothing";
}

}  // namespace
}  // namespace certd
