// The simulator as an LTI 1.3 platform (Moodle 4.5's mod_lti), over real
// HTTP: the JWKS of certs.php verifies its tokens, the course page's link
// carries the login initiation, auth.php answers with a verified id_token
// holding Moodle's claims or refuses as Moodle does, keys rotate, and
// every page escapes what it shows.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <map>
#include <regex>

#include "connector/http_get.hpp"
#include "connector/moodle/form_encoding.hpp"
#include "connector/moodle/http_transport.hpp"
#include "connector/simulator/server.hpp"
#include "fakes/manual_clock.hpp"
#include "lti/jwt.hpp"
#include "lti/rsa_key.hpp"

namespace certd::connector::simulator {
namespace {

using nlohmann::json;

constexpr std::int64_t k_now = 1795000000;
const std::string k_claim = "https://purl.imsglobal.org/spec/lti/claim/";
const std::string k_membership = "http://purl.imsglobal.org/vocab/lis/v2/membership#";

const char* const k_school = R"(
courses:
  - { id: 2, shortname: SWIM-L3, fullname: Swim Level 3 }
  - { id: 3, shortname: FA-101, fullname: First Aid Basics }
teachers:
  - { id: 5, username: teacher1, firstname: Tina, lastname: Teacher, email: teacher1@example.com, idnumber: RSS-T01, courses: [SWIM-L3] }
students:
  - { id: 6, username: alice, firstname: Alice, lastname: Andersen, email: alice@example.com, idnumber: RSS-1001, courses: { SWIM-L3: {} } }
  - { id: 7, username: mallory, firstname: "<script>alert(1)</script>", lastname: "O'Hara & \"Co\"", courses: { SWIM-L3: {} } }
)";

// An HTML form as a browser reads it: the action and the hidden fields,
// entities decoded.
struct PageForm {
  std::string action;
  std::map<std::string, std::string> fields;
};

std::string html_unescape(std::string text) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#039;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : entities)
    for (std::string::size_type at = 0; (at = text.find(entity, at)) != std::string::npos; at += std::strlen(plain))
      text.replace(at, std::strlen(entity), plain);
  return text;
}

PageForm read_form(const std::string& page) {
  PageForm form;
  std::smatch match;
  if (std::regex_search(page, match, std::regex(R"re(<form action="([^"]*)")re"))) form.action = html_unescape(match[1]);
  std::regex input(R"re(<input type="hidden" name="([^"]*)" value="([^"]*)"/>)re");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), input); it != std::sregex_iterator(); ++it)
    form.fields[html_unescape((*it)[1])] = html_unescape((*it)[2]);
  return form;
}

class SimulatorLti : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<School> school = load_school(k_school, "lti.yaml");
    ASSERT_TRUE(school) << school.error().to_string();
    auto server = Server::start(std::move(*school), {}, &m_clock);
    ASSERT_TRUE(server) << server.error().to_string();
    m_server = std::move(*server);
    moodle::TransportOptions options;
    options.base_url = m_server->url();
    options.max_requests_per_second = 0;
    auto transport = moodle::make_http_transport(options);
    ASSERT_TRUE(transport);
    m_http = std::move(*transport);
  }

  void register_tool() {
    ASSERT_TRUE(m_server->register_lti_tool(LtiTool{"https://certd.test/lti/login", "https://certd.test/lti/launch", "",
                                                    "certd-demo", "1"}));
  }

  moodle::HttpReply get(const std::string& path) {
    Result<HttpGetReply> reply = http_get(m_server->url() + path, HttpGetOptions{});
    EXPECT_TRUE(reply) << reply.error().message();
    return reply ? moodle::HttpReply{reply->status, reply->content_type, reply->body, {}} : moodle::HttpReply{};
  }

  moodle::HttpReply post(const std::string& path, const std::string& body) {
    Result<moodle::HttpReply> reply = m_http->post_form(path, body);
    EXPECT_TRUE(reply) << reply.error().message();
    return reply ? *reply : moodle::HttpReply{};
  }

  lti::KeySet keys() {
    moodle::HttpReply reply = get("/mod/lti/certs.php");
    EXPECT_EQ(reply.status, 200);
    Result<lti::KeySet> set = lti::KeySet::parse(reply.body);
    EXPECT_TRUE(set);
    return set ? *set : lti::KeySet();
  }

  json verified_claims(const std::string& token) {
    Result<std::string> claims = lti::verify_rs256(token, keys());
    EXPECT_TRUE(claims) << claims.error().message();
    return claims ? json::parse(*claims) : json();
  }

  // The course page's link, as the browser opens it.
  PageForm launch(const std::string& username, const std::string& course) {
    moodle::HttpReply reply = get("/_sim/lti/launch?username=" + username + "&course=" + course);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return read_form(reply.body);
  }

  // The tool's authentication request for a login initiation.
  std::vector<std::pair<std::string, std::string>> auth_request(const PageForm& login) {
    return {{"scope", "openid"},
            {"response_type", "id_token"},
            {"response_mode", "form_post"},
            {"prompt", "none"},
            {"client_id", login.fields.at("client_id")},
            {"redirect_uri", "https://certd.test/lti/launch"},
            {"login_hint", login.fields.at("login_hint")},
            {"lti_message_hint", login.fields.at("lti_message_hint")},
            {"state", "state-123"},
            {"nonce", "nonce-456"}};
  }

  moodle::HttpReply authenticate(const std::vector<std::pair<std::string, std::string>>& params) {
    moodle::FormBuilder form;
    for (const auto& [name, value] : params) form.add(name, value);
    return post("/mod/lti/auth.php", form.encode());
  }

  static std::vector<std::pair<std::string, std::string>> with(std::vector<std::pair<std::string, std::string>> params,
                                                               const std::string& name, const std::string& value) {
    for (auto& [key, old] : params)
      if (key == name) old = value;
    return params;
  }

  testing::ManualClock m_clock{k_now};
  std::unique_ptr<Server> m_server;
  std::unique_ptr<moodle::HttpTransport> m_http;
};

TEST_F(SimulatorLti, ServesAJwksThatVerifiesItsTokens) {
  register_tool();
  EXPECT_EQ(m_server->lti_jwks_url(), m_server->url() + "/mod/lti/certs.php");
  EXPECT_EQ(m_server->lti_auth_url(), m_server->url() + "/mod/lti/auth.php");
  EXPECT_EQ(m_server->lti_issuer(), m_server->url());
  lti::KeySet set = keys();
  EXPECT_EQ(set.size(), 1u);
  EXPECT_TRUE(set.contains(*m_server->lti_key_id()));
  Result<std::string> token = m_server->lti_id_token("alice", "SWIM-L3", "", "n-1");
  ASSERT_TRUE(token) << token.error().message();
  EXPECT_TRUE(lti::verify_rs256(*token, set));
}

TEST_F(SimulatorLti, TokensCarryMoodlesClaims) {
  register_tool();
  Result<std::string> token = m_server->lti_id_token("teacher1", "SWIM-L3", "", "n-1");
  ASSERT_TRUE(token) << token.error().message();
  json claims = verified_claims(*token);
  EXPECT_EQ(claims["iss"], m_server->url());
  EXPECT_EQ(claims["aud"], "certd-demo");
  EXPECT_EQ(claims["sub"], "5");
  EXPECT_EQ(claims["nonce"], "n-1");
  EXPECT_EQ(claims["iat"], k_now);
  EXPECT_EQ(claims["exp"], k_now + 60);
  EXPECT_EQ(claims["name"], "Tina Teacher");
  EXPECT_EQ(claims["given_name"], "Tina");
  EXPECT_EQ(claims["family_name"], "Teacher");
  EXPECT_EQ(claims["email"], "teacher1@example.com");
  EXPECT_EQ(claims[k_claim + "deployment_id"], "1");
  EXPECT_EQ(claims[k_claim + "message_type"], "LtiResourceLinkRequest");
  EXPECT_EQ(claims[k_claim + "version"], "1.3.0");
  EXPECT_EQ(claims[k_claim + "target_link_uri"], "https://certd.test/lti/launch");
  EXPECT_EQ(claims[k_claim + "roles"], json::array({k_membership + "Instructor"}));
  EXPECT_EQ(claims[k_claim + "context"]["id"], "2");
  EXPECT_EQ(claims[k_claim + "context"]["label"], "SWIM-L3");
  EXPECT_EQ(claims[k_claim + "context"]["title"], "Swim Level 3");
  EXPECT_EQ(claims[k_claim + "lis"]["person_sourcedid"], "RSS-T01");
  EXPECT_EQ(claims[k_claim + "launch_presentation"]["document_target"], "iframe");
  EXPECT_EQ(claims[k_claim + "tool_platform"]["product_family_code"], "moodle");
  EXPECT_TRUE(claims[k_claim + "resource_link"]["id"].is_string());

  Result<std::string> student = m_server->lti_id_token("alice", "SWIM-L3", "", "n-2");
  ASSERT_TRUE(student);
  EXPECT_EQ(verified_claims(*student)[k_claim + "roles"], json::array({k_membership + "Learner"}));
}

TEST_F(SimulatorLti, AnAdministratorHasMoodlesAdministratorRoles) {
  register_tool();
  Result<std::string> token = m_server->lti_id_token("alice", "FA-101", "Administrator", "n");
  ASSERT_TRUE(token) << token.error().message();
  EXPECT_EQ(verified_claims(*token)[k_claim + "roles"],
            json::array({"http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
                         k_membership + "Instructor",
                         "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"}));
  EXPECT_FALSE(m_server->lti_id_token("alice", "SWIM-L3", "Janitor", "n"));
}

TEST_F(SimulatorLti, TheLaunchPageCarriesTheLoginInitiation) {
  register_tool();
  PageForm form = launch("alice", "SWIM-L3");
  EXPECT_EQ(form.action, "https://certd.test/lti/login");
  EXPECT_EQ(form.fields["iss"], m_server->url());
  EXPECT_EQ(form.fields["target_link_uri"], "https://certd.test/lti/launch");
  EXPECT_EQ(form.fields["login_hint"], "6");
  EXPECT_EQ(form.fields["client_id"], "certd-demo");
  EXPECT_EQ(form.fields["lti_deployment_id"], "1");
  json hint = json::parse(form.fields["lti_message_hint"], nullptr, false);
  ASSERT_TRUE(hint.is_object()) << form.fields["lti_message_hint"];
  EXPECT_TRUE(hint["launchid"].is_string());
  EXPECT_TRUE(hint["cmid"].is_number_integer());

  Result<LtiForm> data = m_server->lti_launch_form("alice", "SWIM-L3");
  ASSERT_TRUE(data) << data.error().message();
  EXPECT_EQ(data->action, form.action);
  EXPECT_EQ(data->field("login_hint"), "6");
  EXPECT_NE(data->field("lti_message_hint"), form.fields["lti_message_hint"]);  // a new launch each time
}

TEST_F(SimulatorLti, TheLaunchIsRefusedForUnknownPeopleAndWithoutATool) {
  EXPECT_EQ(get("/_sim/lti/launch?username=alice&course=SWIM-L3").status, 409);
  register_tool();
  EXPECT_EQ(get("/_sim/lti/launch?username=nobody&course=SWIM-L3").status, 404);
  EXPECT_EQ(get("/_sim/lti/launch?username=alice&course=NOPE").status, 404);
  EXPECT_EQ(get("/_sim/lti/launch?username=alice&course=FA-101").status, 403);  // not enrolled
  EXPECT_EQ(get("/_sim/lti/launch?username=alice&course=FA-101&role=Administrator").status, 200);
}

TEST_F(SimulatorLti, AuthenticationPostsAVerifiedIdTokenToTheTool) {
  register_tool();
  moodle::HttpReply reply = authenticate(auth_request(launch("teacher1", "SWIM-L3")));
  ASSERT_EQ(reply.status, 200) << reply.body;
  PageForm answer = read_form(reply.body);
  EXPECT_EQ(answer.action, "https://certd.test/lti/launch");
  EXPECT_EQ(answer.fields["state"], "state-123");
  EXPECT_EQ(answer.fields.count("error"), 0u) << answer.fields["error"];
  json claims = verified_claims(answer.fields["id_token"]);
  EXPECT_EQ(claims["sub"], "5");
  EXPECT_EQ(claims["nonce"], "nonce-456");
  EXPECT_EQ(claims["exp"].get<std::int64_t>() - claims["iat"].get<std::int64_t>(), 60);
  EXPECT_EQ(claims[k_claim + "context"]["label"], "SWIM-L3");
  EXPECT_EQ(claims[k_claim + "roles"], json::array({k_membership + "Instructor"}));
}

TEST_F(SimulatorLti, AuthenticationAnswersTheToolWithMoodlesErrors) {
  register_tool();
  PageForm wrong_client = read_form(authenticate(with(auth_request(launch("alice", "SWIM-L3")), "client_id", "x")).body);
  EXPECT_EQ(wrong_client.action, "https://certd.test/lti/launch");
  EXPECT_EQ(wrong_client.fields["error"], "unauthorized_client");
  EXPECT_EQ(wrong_client.fields["state"], "state-123");
  EXPECT_EQ(wrong_client.fields.count("id_token"), 0u);

  PageForm other_user = read_form(authenticate(with(auth_request(launch("alice", "SWIM-L3")), "login_hint", "5")).body);
  EXPECT_EQ(other_user.fields["error"], "access_denied");

  PageForm bad_mode =
      read_form(authenticate(with(auth_request(launch("alice", "SWIM-L3")), "response_mode", "query")).body);
  EXPECT_EQ(bad_mode.fields["error"], "invalid_request");
  EXPECT_EQ(bad_mode.fields["error_description"], "Invalid response_mode");
}

TEST_F(SimulatorLti, AuthenticationShowsAnErrorPageWhereMoodleThrows) {
  register_tool();
  // An unregistered redirect_uri is never posted to.
  moodle::HttpReply redirect =
      authenticate(with(auth_request(launch("alice", "SWIM-L3")), "redirect_uri", "https://evil.test/steal"));
  EXPECT_EQ(redirect.status, 404);
  EXPECT_EQ(redirect.body.find("evil.test"), std::string::npos);
  // A launch is used once.
  auto request = auth_request(launch("alice", "SWIM-L3"));
  EXPECT_EQ(authenticate(request).status, 200);
  EXPECT_EQ(authenticate(request).status, 404);
  // A launch id nobody opened, and a scope Moodle refuses before it looks.
  EXPECT_EQ(authenticate(with(request, "lti_message_hint", R"({"cmid":1,"launchid":"ltilaunch2_1"})")).status, 404);
  EXPECT_EQ(authenticate(with(auth_request(launch("alice", "SWIM-L3")), "scope", "profile")).status, 404);
}

TEST_F(SimulatorLti, KeyRotationChangesTheKidAndKeepsThePreviousKeyOnce) {
  register_tool();
  const std::string first = *m_server->lti_key_id();
  ASSERT_TRUE(post("/_sim/lti-key-rotate", "{}").status == 200);
  const std::string second = *m_server->lti_key_id();
  EXPECT_NE(first, second);
  lti::KeySet set = keys();
  EXPECT_TRUE(set.contains(first));
  EXPECT_TRUE(set.contains(second));
  Result<std::string> token = m_server->lti_id_token("alice", "SWIM-L3", "", "n");
  ASSERT_TRUE(token);
  Result<lti::JwtHeader> header = lti::peek_header(*token);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->kid, second);
  ASSERT_TRUE(m_server->rotate_lti_key());
  EXPECT_FALSE(keys().contains(first));
}

TEST_F(SimulatorLti, PagesEscapeWhatTheyShow) {
  register_tool();
  moodle::HttpReply page = get("/_sim/lti/launch?username=mallory&course=SWIM-L3");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt; O&#039;Hara &amp; &quot;Co&quot;"), std::string::npos);
  EXPECT_NE(page.body.find("value=\"Continue\""), std::string::npos);  // for browsers without JavaScript
  PageForm login = read_form(page.body);
  auto request = with(auth_request(login), "state", "\"><script>alert(2)</script>");
  moodle::HttpReply answer = authenticate(request);
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body.find("<script>alert(2)"), std::string::npos);
  EXPECT_EQ(read_form(answer.body).fields["state"], "\"><script>alert(2)</script>");
  EXPECT_EQ(verified_claims(read_form(answer.body).fields["id_token"])["given_name"], "<script>alert(1)</script>");
}

TEST_F(SimulatorLti, TestsCanMintBadTokensSignedByThePlatform) {
  register_tool();
  LtiTokenOptions options;
  options.claims_patch = R"({"aud":"someone-else","nonce":null})";
  options.issued_at = from_unix(k_now - 3600);
  Result<std::string> token = m_server->lti_id_token("alice", "SWIM-L3", "", "n", options);
  ASSERT_TRUE(token) << token.error().message();
  json claims = verified_claims(*token);
  EXPECT_EQ(claims["aud"], "someone-else");
  EXPECT_FALSE(claims.contains("nonce"));
  EXPECT_EQ(claims["exp"], k_now - 3600 + 60);

  Result<lti::RsaKey> stranger = lti::RsaKey::generate();
  ASSERT_TRUE(stranger);
  LtiTokenOptions foreign;
  foreign.key = &*stranger;
  Result<std::string> forged = m_server->lti_id_token("alice", "SWIM-L3", "", "n", foreign);
  ASSERT_TRUE(forged);
  EXPECT_FALSE(lti::verify_rs256(*forged, keys()));

  options.claims_patch = "[1]";
  EXPECT_FALSE(m_server->lti_id_token("alice", "SWIM-L3", "", "n", options));
}

TEST_F(SimulatorLti, TheControlApiRegistersTheTool) {
  EXPECT_EQ(post("/_sim/lti-tool", R"({"login_url":"ftp://x","launch_url":"https://t/launch"})").status, 400);
  EXPECT_EQ(post("/_sim/lti-tool", R"({"login_url":"https://t/login","launch_url":"https://t/launch",
                                       "client_id":"abc","deployment_id":7})").status, 200);
  LtiTool tool = m_server->lti_tool();
  EXPECT_EQ(tool.login_url, "https://t/login");
  EXPECT_EQ(tool.target_link_uri, "https://t/launch");
  EXPECT_EQ(tool.client_id, "abc");
  EXPECT_EQ(tool.deployment_id, "7");
}

}  // namespace
}  // namespace certd::connector::simulator
