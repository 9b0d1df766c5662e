#pragma once
// The set-up every console end-to-end test shares: `certd simulate-lms`
// (the demo school, and the LTI platform) and `certd run` as processes,
// certd registered with the platform and the platform with certd, and a
// launch that follows the auto-posted forms as a browser does.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "app/run_certd.hpp"
#include "e2e/console_browser.hpp"
#include "e2e/http_post.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd::testing {

class ConsoleSchoolTest : public ::testing::Test {
 protected:
  explicit ConsoleSchoolTest(std::string name) : m_name(std::move(name)) {}

  void SetUp() override {
    using namespace std::chrono_literals;
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    m_lms_port = free_port();
    m_portal_port = free_port();
    m_lms = std::make_unique<ChildProcess>(
        args({"simulate-lms", "--port", std::to_string(m_lms_port), "--data", "examples/school.yaml"}));
    ASSERT_TRUE(wait_for_port(m_lms_port, 60s));
    SchoolDir::Options options;
    options.portal_port = m_portal_port;
    options.poll_interval = "1s";
    options.public_url = portal("");
    options.extra = "lti:\n  platforms:\n    - { issuer: " + lms("") +
                    ", client_id: certd-demo, deployment_ids: [\"1\"] }\n";
    m_school = std::make_unique<SchoolDir>(m_name, lms(""), options);
    HttpResult registered = post(
        lms("/_sim/lti-tool"),
        R"({"login_url":")" + portal("/lti/login") + R"(","launch_url":")" + portal("/lti/launch") + R"("})");
    ASSERT_EQ(registered.status, 200) << registered.body;
    m_daemon = std::make_unique<ChildProcess>(args({"run", "--config", m_school->config()}));
    // certd run checks every template before it listens.
    ASSERT_TRUE(wait_for_port(m_portal_port, 90s)) << "certd run did not open its portal";
  }

  std::vector<std::string> args(std::initializer_list<std::string> list) {
    std::vector<std::string> argv{app::certd_path()};
    argv.insert(argv.end(), list);
    return argv;
  }
  std::string lms(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(m_lms_port) + path; }
  std::string portal(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(m_portal_port) + path;
  }

  std::unique_ptr<store::Store> open_store() {
    auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
    EXPECT_TRUE(store) << store.error().to_string();
    return store ? std::move(*store) : nullptr;
  }

  // The course page's link, as a person clicks it: the platform's form
  // to certd's login, certd's redirect to the platform, the platform's
  // form_post of the id_token back to certd. Returns certd's answer to it;
  // `id_token_form` (if given) gets the last form, for a replay.
  Answer launch(Browser& browser, const std::string& username, const std::string& course,
                Form* id_token_form = nullptr) {
    Answer page = browser.get(lms("/_sim/lti/launch?username=" + username + "&course=" + course));
    EXPECT_EQ(page.status, 200) << page.body;
    Form to_login = form_of(page.body);
    EXPECT_EQ(to_login.action, portal("/lti/login"));
    Answer login = browser.submit(to_login);
    EXPECT_EQ(login.status, 302) << login.body;
    Answer auth = browser.get(login.location());
    EXPECT_EQ(auth.status, 200) << auth.body;
    Form to_launch = form_of(auth.body);
    EXPECT_EQ(to_launch.action, portal("/lti/launch"));
    if (id_token_form) *id_token_form = to_launch;
    return browser.submit(to_launch);
  }

  std::string m_name;
  int m_lms_port = 0;
  int m_portal_port = 0;
  std::unique_ptr<ChildProcess> m_lms;
  std::unique_ptr<SchoolDir> m_school;
  std::unique_ptr<ChildProcess> m_daemon;
};

}  // namespace certd::testing
