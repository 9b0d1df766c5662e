// The console's sign-in and pages over a fake backend: every refusal of an
// LTI launch, sessions, CSRF, course scoping and escaping. The platform
// is a key made here that signs Moodle-shaped id_tokens.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

#include "console/console.hpp"
#include "console/form.hpp"
#include "console/sessions.hpp"
#include "console/fake_console_backend.hpp"
#include "fakes/manual_clock.hpp"
#include "lti/jwt.hpp"

namespace certd::console {
namespace {

using nlohmann::json;
using portal::Request;
using portal::Response;

constexpr const char* k_moodle = "https://moodle.example.edu";
constexpr const char* k_certd = "https://certs.example.edu";
constexpr std::int64_t k_now = 1'790'000'000;

const lti::RsaKey& platform_key() {
  static const lti::RsaKey key = *lti::RsaKey::generate();
  return key;
}
const lti::RsaKey& other_key() {
  static const lti::RsaKey key = *lti::RsaKey::generate();
  return key;
}
const lti::RsaKey& tool_key() {
  static const lti::RsaKey key = *lti::RsaKey::generate();
  return key;
}

std::string header(const Response& r, const std::string& name) {
  for (const auto& [key, value] : r.headers)
    if (key == name) return value;
  return {};
}

// The value of `name` in the query of URL `url`.
std::string query_value(const std::string& url, const std::string& name) {
  auto q = url.find('?');
  auto fields = parse_form(q == std::string::npos ? "" : url.substr(q + 1));
  return fields ? field(*fields, name) : std::string();
}

class ConsoleTest : public ::testing::Test {
 protected:
  ConsoleTest()
      : clock(k_now),
        keys([this](const std::string& url) -> Result<std::string> {
          ++fetches;
          if (url != std::string(k_moodle) + "/mod/lti/certs.php") return Error(ErrorCode::unavailable, "wrong URL");
          return platform_key().public_jwks_json();
        }, clock) {
    ConsoleOptions options;
    options.issuer_name = "Riverside Swim School";
    options.public_url = k_certd;
    options.sessions.secure = true;
    options.platforms = {{k_moodle, "client-1", std::string(k_moodle) + "/mod/lti/auth.php",
                          std::string(k_moodle) + "/mod/lti/certs.php", {"4"}}};
    console = std::make_unique<Console>(options, backend, clock, tool_key(), keys);
    backend.queue_entries = {
        {"SWIM-L3", {11, "101", "Ada Lovelace", "swim-l3", "Swim level 3", k_now - 86400, "waits for a teacher", false}},
        {"SWIM-L3", {12, "102", "<script>alert(1)</script>", "swim-l3", "Swim level 3", k_now - 3600, "waits", false}},
        {"SWIM-L3", {13, "103", "Grace Hopper", "swim-l3", "Swim level 3", k_now - 60, "waits", true}},
        {"FA-101", {21, "201", "Alan Turing", "fa", "First aid", k_now - 60, "waits", false}}};
  }

  Response handle(Request request) { return console->handle(request); }

  Response get(const std::string& path, const std::string& cookie = "") {
    Request r;
    r.method = "GET";
    auto q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = path.substr(q + 1);
    if (!cookie.empty()) r.headers["cookie"] = cookie;
    return handle(r);
  }

  Response post(const std::string& path, const std::string& body, const std::string& cookie = "") {
    Request r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.headers["content-type"] = "application/x-www-form-urlencoded";
    if (!cookie.empty()) r.headers["cookie"] = cookie;
    return handle(r);
  }

  // The platform's login initiation; returns the state and nonce certd
  // sent the browser to the platform with.
  std::pair<std::string, std::string> login() {
    Response r = get(std::string("/lti/login?iss=") + url_encode(k_moodle) + "&login_hint=101&target_link_uri=" +
                     url_encode(std::string(k_certd) + "/lti/launch") + "&lti_message_hint=x&client_id=client-1" +
                     "&lti_deployment_id=4");
    EXPECT_EQ(r.status, 302) << r.body;
    std::string location = header(r, "Location");
    EXPECT_EQ(location.rfind(std::string(k_moodle) + "/mod/lti/auth.php?", 0), 0u) << location;
    EXPECT_EQ(query_value(location, "redirect_uri"), std::string(k_certd) + "/lti/launch");
    EXPECT_EQ(query_value(location, "client_id"), "client-1");
    EXPECT_EQ(query_value(location, "login_hint"), "101");
    return {query_value(location, "state"), query_value(location, "nonce")};
  }

  json claims(const std::string& nonce, const std::string& role = "Instructor") {
    const std::string lti = "https://purl.imsglobal.org/spec/lti/claim/";
    const std::int64_t now = to_unix(clock.now());
    return json{{"iss", k_moodle},
                {"aud", "client-1"},
                {"sub", role == "Learner" ? "101" : "7"},
                {"iat", now},
                {"exp", now + 60},
                {"nonce", nonce},
                {"name", role == "Learner" ? "Ada Lovelace" : "Mr <b>Teach</b>"},
                {lti + "deployment_id", "4"},
                {lti + "message_type", "LtiResourceLinkRequest"},
                {lti + "version", "1.3.0"},
                {lti + "target_link_uri", std::string(k_certd) + "/lti/launch"},
                {lti + "resource_link", {{"id", "9"}}},
                {lti + "roles", {"http://purl.imsglobal.org/vocab/lis/v2/membership#" + role}},
                {lti + "context", {{"id", "2"}, {"label", "SWIM-L3"}, {"title", "Swim level 3"}}}};
  }

  static std::string sign(const json& c, const lti::RsaKey& key = platform_key()) {
    return *lti::sign_rs256(c.dump(), key);
  }

  Response launch(const std::string& token, const std::string& state) {
    return post("/lti/launch", "id_token=" + url_encode(token) + "&state=" + url_encode(state));
  }

  // A teacher (or student) signed in: the Cookie header to send.
  std::string sign_in(const std::string& role = "Instructor") {
    auto [state, nonce] = login();
    Response r = launch(sign(claims(nonce, role)), state);
    EXPECT_EQ(r.status, 303) << r.body;
    std::string set_cookie = header(r, "Set-Cookie");
    return set_cookie.substr(0, set_cookie.find(';'));
  }

  static std::string csrf_of(const std::string& page) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(page, m, std::regex("name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"")));
    return m.size() > 1 ? m[1].str() : "";
  }

  testing::ManualClock clock;
  int fetches = 0;
  lti::KeyCache keys;
  testing::FakeConsoleBackend backend;
  std::unique_ptr<Console> console;
};

TEST_F(ConsoleTest, ATeachersLaunchOpensTheirCoursesQueue) {
  auto [state, nonce] = login();
  Response r = launch(sign(claims(nonce)), state);
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(header(r, "Location"), "/console/course/SWIM-L3");
  std::string cookie = header(r, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("__Host-certd_session=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; Secure"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=None"), std::string::npos) << "LMSs frame tools from another site";
  ASSERT_EQ(backend.audit_log.size(), 1u);
  EXPECT_EQ(backend.audit_log[0].action, "lti.launch");
  EXPECT_EQ(backend.audit_log[0].actor, std::string(k_moodle) + "#7");

  Response page = get("/console/course/SWIM-L3", cookie.substr(0, cookie.find(';')));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Ada Lovelace"), std::string::npos);
  EXPECT_NE(page.body.find("Grace Hopper"), std::string::npos);
  EXPECT_EQ(page.body.find("Alan Turing"), std::string::npos) << "another course's queue";
  EXPECT_NE(header(page, "Content-Security-Policy").find("frame-ancestors 'self' https://moodle.example.edu"),
            std::string::npos);
  EXPECT_EQ(header(page, "Cache-Control"), "no-store");
}

TEST_F(ConsoleTest, EveryBadLaunchIsRefused) {
  struct Case {
    const char* name;
    std::function<std::string(const std::string& nonce)> token;
  };
  const std::vector<Case> cases = {
      {"bad signature",
       [&](const std::string& nonce) {
         std::string t = sign(claims(nonce));
         std::size_t last = t.rfind('.');
         t[last + 5] = t[last + 5] == 'A' ? 'B' : 'A';
         return t;
       }},
      {"unknown kid", [&](const std::string& nonce) { return sign(claims(nonce), other_key()); }},
      {"expired",
       [&](const std::string& nonce) {
         json c = claims(nonce);
         c["iat"] = k_now - 600;
         c["exp"] = k_now - 540;
         return sign(c);
       }},
      {"wrong aud",
       [&](const std::string& nonce) {
         json c = claims(nonce);
         c["aud"] = "someone-else";
         return sign(c);
       }},
      {"unknown deployment",
       [&](const std::string& nonce) {
         json c = claims(nonce);
         c["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "99";
         return sign(c);
       }},
      {"another nonce", [&](const std::string&) { return sign(claims("not-the-nonce")); }},
      {"alg none",
       [&](const std::string& nonce) {
         return lti::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                lti::base64url_encode(claims(nonce).dump()) + ".";
       }},
  };
  for (const Case& c : cases) {
    auto [state, nonce] = login();
    Response r = launch(c.token(nonce), state);
    EXPECT_EQ(r.status, 401) << c.name;
    EXPECT_TRUE(header(r, "Set-Cookie").empty()) << c.name;
    EXPECT_NE(r.body.find("Open certd again from the link in your course"), std::string::npos) << c.name;
  }
  EXPECT_TRUE(backend.sessions.empty());
}

TEST_F(ConsoleTest, AStateAndItsNonceWorkOnce) {
  auto [state, nonce] = login();
  std::string token = sign(claims(nonce));
  EXPECT_EQ(launch(token, state).status, 303);
  Response replay = launch(token, state);
  EXPECT_EQ(replay.status, 401);
  EXPECT_NE(replay.body.find("expired or was already used"), std::string::npos);
  EXPECT_EQ(launch(token, "a-state-never-issued").status, 401);
}

TEST_F(ConsoleTest, AStateExpires) {
  auto [state, nonce] = login();
  clock.advance(601);
  EXPECT_EQ(launch(sign(claims(nonce)), state).status, 401);
}

TEST_F(ConsoleTest, ALearnerSeesTheirCertificatesAndNoTeacherPage) {
  store::CertificateRow mine;
  mine.certificate.number = "SWL3-AAAA-BBBC";
  mine.certificate.student_id = "101";
  mine.certificate.title = "Swim level 3";
  mine.certificate.issued_at = k_now - 10;
  store::CertificateRow theirs = mine;
  theirs.certificate.number = "SWL3-CCCC-DDDE";
  theirs.certificate.student_id = "102";
  backend.certificates = {mine, theirs};

  auto [state, nonce] = login();
  Response r = launch(sign(claims(nonce, "Learner")), state);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(header(r, "Location"), "/console/me");
  std::string set_cookie = header(r, "Set-Cookie");
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));

  Response page = get("/console/me", cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("SWL3-AAAA-BBBC"), std::string::npos);
  EXPECT_EQ(page.body.find("SWL3-CCCC-DDDE"), std::string::npos);
  EXPECT_NE(page.body.find("https://certs.example.edu/v/SWL3-AAAA-BBBC"), std::string::npos) << "share link";

  Response pdf = get("/console/me/SWL3-AAAA-BBBC.pdf", cookie);
  EXPECT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(get("/console/me/SWL3-CCCC-DDDE.pdf", cookie).status, 404) << "another student's";

  EXPECT_EQ(get("/console/course/SWIM-L3", cookie).status, 403);
  EXPECT_EQ(post("/console/course/SWIM-L3", "action=approve&id=11", cookie).status, 403);
  EXPECT_TRUE(backend.approved.empty());
}

TEST_F(ConsoleTest, ATeacherActsOnTheirCourseOnly) {
  std::string cookie = sign_in();
  EXPECT_EQ(get("/console/course/FA-101", cookie).status, 403);
  std::string csrf = csrf_of(get("/console/course/SWIM-L3", cookie).body);
  // The form of their own course naming another course's row.
  Response r = post("/console/course/SWIM-L3", "csrf=" + csrf + "&action=approve&id=21", cookie);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(backend.approved.empty());
  EXPECT_NE(r.body.find("not in this course"), std::string::npos);
}

TEST_F(ConsoleTest, ApprovingIssuesTheTickedRowsWithTheNotes) {
  std::string cookie = sign_in();
  Response page = get("/console/course/SWIM-L3", cookie);
  // Open rows are ticked, held ones are not.
  EXPECT_NE(page.body.find("value=\"11\" id=\"row-11\" checked"), std::string::npos);
  EXPECT_NE(page.body.find("value=\"13\" id=\"row-13\">"), std::string::npos);
  std::string csrf = csrf_of(page.body);
  Response r = post("/console/course/SWIM-L3",
                    "csrf=" + csrf + "&id=11&notes=Well+done%21&action=approve", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(backend.approved.size(), 1u);
  EXPECT_EQ(backend.approved[0].id, 11);
  EXPECT_EQ(backend.approved[0].notes, "Well done!");
  EXPECT_EQ(backend.approved[0].teacher, "Mr <b>Teach</b>");
  EXPECT_NE(r.body.find("1 certificate issued."), std::string::npos);
  EXPECT_NE(r.body.find("NUM-11"), std::string::npos);
  EXPECT_EQ(r.body.find("Ada Lovelace"), std::string::npos) << "issued rows leave the queue";
}

TEST_F(ConsoleTest, AFormWithoutTheSessionsTokenIsRefused) {
  std::string cookie = sign_in();
  std::string csrf = csrf_of(get("/console/course/SWIM-L3", cookie).body);
  EXPECT_EQ(post("/console/course/SWIM-L3", "id=11&action=approve", cookie).status, 403);
  EXPECT_EQ(post("/console/course/SWIM-L3", "csrf=" + std::string(csrf.size(), 'A') + "&id=11&action=approve", cookie)
                .status,
            403);
  Request cross;
  cross.method = "POST";
  cross.path = "/console/course/SWIM-L3";
  cross.body = "csrf=" + csrf + "&id=11&action=approve";
  cross.headers["cookie"] = cookie;
  cross.headers["origin"] = "https://evil.example";
  EXPECT_EQ(handle(cross).status, 403);
  EXPECT_TRUE(backend.approved.empty());
}

TEST_F(ConsoleTest, WhatStrangersTypedIsEscaped) {
  std::string cookie = sign_in();
  Response page = get("/console/course/SWIM-L3", cookie);
  EXPECT_EQ(page.body.find("<script>alert(1)</script>"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page.body.find("<b>Teach</b>"), std::string::npos) << "the teacher's name from the LMS";
  EXPECT_NE(page.body.find("Mr &lt;b&gt;Teach&lt;/b&gt;"), std::string::npos);
}

TEST_F(ConsoleTest, SessionsEndWhenIdleAndAtSignOut) {
  std::string cookie = sign_in();
  EXPECT_EQ(get("/console/course/SWIM-L3", cookie).status, 200);
  clock.advance(29 * 60);
  EXPECT_EQ(get("/console/course/SWIM-L3", cookie).status, 200) << "use moves the idle time";
  clock.advance(29 * 60);
  EXPECT_EQ(get("/console/course/SWIM-L3", cookie).status, 200);
  clock.advance(31 * 60);
  EXPECT_EQ(get("/console/course/SWIM-L3", cookie).status, 401);

  cookie = sign_in();
  std::string csrf = csrf_of(get("/console/course/SWIM-L3", cookie).body);
  Response out = post("/console/logout", "csrf=" + csrf, cookie);
  EXPECT_EQ(out.status, 303);
  EXPECT_NE(header(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(get("/console/course/SWIM-L3", cookie).status, 401);
  EXPECT_EQ(get("/console/course/SWIM-L3").status, 401) << "no cookie";
  EXPECT_EQ(get("/console/course/SWIM-L3", "__Host-certd_session=made-up-token-made-up-token-made-up-token-x")
                .status,
            401);
}

TEST_F(ConsoleTest, LoginsFromStrangersGoNowhere) {
  Response unknown = get("/lti/login?iss=https%3A%2F%2Fother.example&login_hint=1&target_link_uri=" +
                         url_encode(std::string(k_certd) + "/lti/launch"));
  EXPECT_EQ(unknown.status, 403);
  Response elsewhere = get(std::string("/lti/login?iss=") + url_encode(k_moodle) +
                           "&login_hint=1&client_id=client-1&target_link_uri=https%3A%2F%2Fevil.example%2F");
  EXPECT_EQ(elsewhere.status, 400);
  EXPECT_TRUE(header(elsewhere, "Location").empty());
  EXPECT_EQ(get("/lti/login").status, 400);
  EXPECT_TRUE(backend.states.empty());
}

TEST_F(ConsoleTest, ThePublicKeySetIsServed) {
  Response r = get("/lti/jwks");
  ASSERT_EQ(r.status, 200);
  auto set = lti::KeySet::parse(r.body);
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_TRUE(set->contains(tool_key().kid()));
}

}  // namespace
}  // namespace certd::console
