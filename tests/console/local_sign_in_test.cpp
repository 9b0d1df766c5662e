// Sign-in with a local account at /console/login: the double-submit
// token, one answer (and one password check) for an unknown name and a
// wrong password, locks after 5 failures, disabled accounts, the limit
// per client address, and where each account lands.
#include <gtest/gtest.h>

#include <regex>

#include "console/console_fixture.hpp"
#include "console/form.hpp"
#include "console/local_sign_in.hpp"

namespace certd::console {
namespace {

using portal::Response;

class LocalSignInTest : public LocalConsoleTest {
 protected:
  // GET /console/login: the form's token and the cookie that pairs with it.
  std::pair<std::string, std::string> open_form() {
    Response r = request("GET", "/console/login");
    EXPECT_EQ(r.status, 200) << r.body;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(r.body, m, std::regex("name=\"login_token\" value=\"([A-Za-z0-9_-]+)\"")));
    std::string set_cookie = header(r, "Set-Cookie");
    return {m.size() > 1 ? m[1].str() : "", set_cookie.substr(0, set_cookie.find(';'))};
  }

  Response submit(const std::string& name, const std::string& password) {
    auto [token, cookie] = open_form();
    return request("POST", "/console/login",
                   "login_token=" + token + "&name=" + url_encode(name) + "&password=" + url_encode(password),
                   {{"cookie", cookie}, {"origin", k_public_url}});
  }

  // Signs in and returns the session cookie to send.
  std::string signed_in(const std::string& name, const std::string& password) {
    Response r = submit(name, password);
    EXPECT_EQ(r.status, 303) << r.body;
    std::string set_cookie = header(r, "Set-Cookie");
    return set_cookie.substr(0, set_cookie.find(';'));
  }
};

TEST_F(LocalSignInTest, TheFormSetsAShortLivedStrictCookieWithItsToken) {
  Response r = request("GET", "/console/login");
  ASSERT_EQ(r.status, 200);
  std::string cookie = header(r, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("__Host-certd_login=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("Max-Age=1800"), std::string::npos);
  std::string token = cookie.substr(cookie.find('=') + 1, cookie.find(';') - cookie.find('=') - 1);
  EXPECT_NE(r.body.find("value=\"" + token + "\""), std::string::npos);
  EXPECT_NE(r.body.find("<label for=\"password\">"), std::string::npos);
  EXPECT_NE(r.body.find("autocomplete=\"current-password\""), std::string::npos);
}

TEST_F(LocalSignInTest, AnAdminLandsOnTheCourseChoiceOfEveryRuleCourse) {
  add_user("office", store::Role::admin, {}, "correct horse battery");
  Response r = submit("office", "correct horse battery");
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(header(r, "Location"), "/console");
  std::string set_cookie = header(r, "Set-Cookie");
  EXPECT_EQ(set_cookie.rfind("__Host-certd_session=", 0), 0u);
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  Response choice = request("GET", "/console", "", {{"cookie", cookie}});
  ASSERT_EQ(choice.status, 200) << choice.body;
  EXPECT_NE(choice.body.find("href=\"/console/course/SWIM-L3\""), std::string::npos);
  EXPECT_NE(choice.body.find("href=\"/console/course/FA-101\""), std::string::npos);
  EXPECT_EQ(request("GET", "/console/course/FA-101", "", {{"cookie", cookie}}).status, 200);
  const store::NewSession& session = backend.sessions.begin()->second;
  EXPECT_EQ(session.kind, store::SessionKind::local);
  EXPECT_EQ(session.role, store::Role::admin);
  EXPECT_EQ(session.display_name, "office");
  ASSERT_FALSE(backend.audit_log.empty());
  EXPECT_EQ(backend.audit_log.back().action, "console.sign_in");
}

TEST_F(LocalSignInTest, ATeacherWithOneCourseLandsOnItAndSeesNoOther) {
  add_user("jo", store::Role::teacher, {"SWIM-L3"}, "correct horse battery");
  std::string cookie = signed_in("jo", "correct horse battery");
  Response entry = request("GET", "/console", "", {{"cookie", cookie}});
  EXPECT_EQ(entry.status, 303);
  EXPECT_EQ(header(entry, "Location"), "/console/course/SWIM-L3");
  EXPECT_EQ(request("GET", "/console/course/SWIM-L3", "", {{"cookie", cookie}}).status, 200);
  EXPECT_EQ(request("GET", "/console/course/FA-101", "", {{"cookie", cookie}}).status, 403);
}

TEST_F(LocalSignInTest, AnUnknownNameAndAWrongPasswordGetTheSameAnswerAndTheSameWork) {
  add_user("jo", store::Role::teacher, {"SWIM-L3"}, "correct horse battery");
  Response wrong = submit("jo", "wrong password here");
  EXPECT_EQ(backend.password_checks, 1);
  Response unknown = submit("nobody", "wrong password here");
  EXPECT_EQ(backend.password_checks, 2) << "an unknown name is checked against a dummy hash";
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(unknown.status, wrong.status);
  EXPECT_NE(wrong.body.find("Name or password is wrong."), std::string::npos);
  auto without_token = [](std::string body) {
    return std::regex_replace(body, std::regex("value=\"[A-Za-z0-9_-]{32}\""), "");
  };
  EXPECT_EQ(without_token(wrong.body), std::regex_replace(without_token(unknown.body), std::regex("nobody"), "jo"));
  EXPECT_TRUE(backend.sessions.empty());
}

TEST_F(LocalSignInTest, FiveWrongPasswordsLockANameForFifteenMinutesKnownOrNot) {
  add_user("jo", store::Role::teacher, {"SWIM-L3"}, "correct horse battery");
  for (const std::string name : {"jo", "nobody"}) {
    for (int i = 0; i < 4; ++i) EXPECT_NE(submit(name, "wrong password here").body.find("is wrong"), std::string::npos);
    Response fifth = submit(name, "wrong password here");
    EXPECT_NE(fifth.body.find("locked for 15 minutes"), std::string::npos) << name;
  }
  EXPECT_EQ(backend.local_users["jo"].locked_until, k_now + 900);
  int checks = backend.password_checks;
  Response locked = submit("jo", "correct horse battery");
  EXPECT_EQ(locked.status, 403);
  EXPECT_NE(locked.body.find("locked for 15 minutes"), std::string::npos);
  EXPECT_EQ(backend.password_checks, checks + 1) << "a locked name costs the same time";
  EXPECT_NE(submit("nobody", "whatever it is here").body.find("locked for 15 minutes"), std::string::npos);
  clock.advance(15 * 60);
  client = "192.0.2.8";  // the first address has used its attempts
  EXPECT_EQ(submit("jo", "correct horse battery").status, 303);
}

TEST_F(LocalSignInTest, ADisabledAccountCannotSignIn) {
  add_user("jo", store::Role::teacher, {"SWIM-L3"}, "correct horse battery");
  backend.local_users["jo"].disabled = true;
  Response r = submit("jo", "correct horse battery");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("disabled"), std::string::npos);
  EXPECT_TRUE(backend.sessions.empty());
  EXPECT_EQ(submit("jo", "wrong password here").body.find("disabled"), std::string::npos)
      << "only the right password learns that";
}

TEST_F(LocalSignInTest, AFormWithoutItsCookieOrFromAnotherSiteIsRefused) {
  add_user("jo", store::Role::teacher, {"SWIM-L3"}, "correct horse battery");
  auto [token, cookie] = open_form();
  const std::string body = "login_token=" + token + "&name=jo&password=correct+horse+battery";
  EXPECT_EQ(request("POST", "/console/login", body).status, 403) << "no cookie: a login CSRF";
  auto [other_token, other_cookie] = open_form();
  EXPECT_EQ(request("POST", "/console/login", body, {{"cookie", other_cookie}}).status, 403)
      << "another form's cookie";
  EXPECT_EQ(request("POST", "/console/login", body, {{"cookie", cookie}, {"origin", "https://evil.example"}}).status,
            403);
  EXPECT_EQ(backend.password_checks, 0);
  EXPECT_TRUE(backend.sessions.empty());
  EXPECT_EQ(request("POST", "/console/login", body, {{"cookie", cookie}}).status, 303);
}

TEST_F(LocalSignInTest, OneAddressGetsTwentyAttemptsInTenMinutes) {
  for (int i = 0; i < k_max_client_attempts; ++i)
    EXPECT_EQ(submit("user" + std::to_string(i), "wrong password here").status, 403) << i;
  Response r = submit("someone", "wrong password here");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(header(r, "Retry-After"), "600");
  client = "192.0.2.99";
  EXPECT_EQ(submit("someone", "wrong password here").status, 403) << "other addresses go on";
  client = "192.0.2.7";
  clock.advance(k_client_window_seconds);
  EXPECT_EQ(submit("someone", "wrong password here").status, 403);
}

}  // namespace
}  // namespace certd::console
