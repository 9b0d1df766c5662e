#pragma once
// A console over the fake backend, without LMS platforms: for the pages
// and routes that do not need an LTI launch (local sign-in, the API).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "console/console.hpp"
#include "console/fake_console_backend.hpp"
#include "fakes/manual_clock.hpp"

namespace certd::console {

class LocalConsoleTest : public ::testing::Test {
 protected:
  static constexpr std::int64_t k_now = 1'790'000'000;
  static constexpr const char* k_public_url = "https://certs.example.edu";

  LocalConsoleTest()
      : clock(k_now), keys([](const std::string&) -> Result<std::string> {
          return Error(ErrorCode::unavailable, "no platform here");
        }, clock) {
    ConsoleOptions options;
    options.issuer_name = "Riverside Swim School";
    options.public_url = k_public_url;
    options.sessions.secure = true;
    console = std::make_unique<Console>(options, backend, clock, tool_key(), keys);
    backend.queue_entries = {
        {"SWIM-L3", {11, "101", "Ada Lovelace", "swim-l3", "Swim level 3", k_now - 86400, "waits for a teacher", false}},
        {"SWIM-L3", {12, "102", "Grace Hopper", "swim-l3", "Swim level 3", k_now - 60, "waits", true}},
        {"FA-101", {21, "201", "Alan Turing", "fa", "First aid", k_now - 60, "waits", false}}};
  }

  static const lti::RsaKey& tool_key() {
    static const lti::RsaKey key = *lti::RsaKey::generate();
    return key;
  }

  void add_user(const std::string& name, store::Role role, std::vector<std::string> courses,
                const std::string& password) {
    store::LocalUserRow row;
    row.user.name = name;
    row.user.role = role;
    row.user.courses = std::move(courses);
    row.user.password_hash = "hash:" + password;
    backend.local_users[name] = row;
  }

  static std::string header(const portal::Response& r, const std::string& name) {
    for (const auto& [key, value] : r.headers)
      if (key == name) return value;
    return {};
  }

  portal::Response request(const std::string& method, const std::string& path, const std::string& body = "",
                           std::map<std::string, std::string> headers = {}) {
    portal::Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.headers = std::move(headers);
    r.client = client;
    return console->handle(r);
  }

  testing::ManualClock clock;
  lti::KeyCache keys;
  testing::FakeConsoleBackend backend;
  std::unique_ptr<Console> console;
  std::string client = "192.0.2.7";
};

}  // namespace certd::console
