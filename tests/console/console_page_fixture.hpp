#pragma once
// What the tests of a course's console pages share: a console over the
// fake backend (no LMS platform), a teacher signed in directly through
// Sessions, and requests as a browser sends them.

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "console/console.hpp"
#include "console/fake_console_backend.hpp"
#include "console/sessions.hpp"
#include "fakes/manual_clock.hpp"

namespace certd::console {

class ConsolePageTest : public ::testing::Test {
 protected:
  static constexpr std::int64_t k_now = 1'790'000'000;
  static constexpr const char* k_certd = "https://certs.example.edu";

  ConsolePageTest()
      : clock(k_now),
        keys([](const std::string&) -> Result<std::string> { return Error(ErrorCode::unavailable, "no LMS"); },
             clock),
        sessions(backend, clock, SessionSettings{}) {
    ConsoleOptions options;
    options.issuer_name = "Riverside Swim School";
    options.public_url = k_certd;
    console = std::make_unique<Console>(options, backend, clock, tool_key(), keys);
  }

  static const lti::RsaKey& tool_key() {
    static const lti::RsaKey key = *lti::RsaKey::generate();
    return key;
  }

  // A teacher of `courses` (empty: default_courses), named teacher_name:
  // the Cookie header to send.
  std::string sign_in(std::vector<std::string> courses = {}) {
    SessionFor who;
    who.user_key = "https://moodle.example.edu#7";
    who.display_name = teacher_name;
    who.role = store::Role::teacher;
    who.courses = courses.empty() ? default_courses : std::move(courses);
    who.identity = "{}";
    auto cookie = sessions.open(who);
    EXPECT_TRUE(cookie) << cookie.error().message();
    return cookie ? cookie->substr(0, cookie->find(';')) : "";
  }

  portal::Response get(const std::string& path, const std::string& cookie) {
    portal::Request r;
    r.method = "GET";
    auto q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = path.substr(q + 1);
    r.headers["cookie"] = cookie;
    return console->handle(r);
  }

  portal::Response post(const std::string& path, const std::string& body, const std::string& cookie) {
    portal::Request r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.headers["content-type"] = "application/x-www-form-urlencoded";
    r.headers["cookie"] = cookie;
    return console->handle(r);
  }

  static std::string csrf_of(const std::string& page) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(page, m, std::regex("name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"")));
    return m.size() > 1 ? m[1].str() : "";
  }

  std::string teacher_name = "Ms Rivera";
  std::vector<std::string> default_courses = {"SWIM-L3"};
  testing::ManualClock clock;
  lti::KeyCache keys;
  testing::FakeConsoleBackend backend;
  Sessions sessions;
  std::unique_ptr<Console> console;
};

}  // namespace certd::console
