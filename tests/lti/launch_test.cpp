#include "lti/launch.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace certd::lti {
namespace {

using json = nlohmann::json;

constexpr std::int64_t k_now = 1795437296;
const std::string k_claim = "https://purl.imsglobal.org/spec/lti/claim/";
const std::string k_instructor = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";
const std::string k_learner = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

Platform moodle() {
  return {"https://moodle.example.edu", "certd-client-1", "https://moodle.example.edu/mod/lti/auth.php",
          "https://moodle.example.edu/mod/lti/certs.php", {"3", "7"}};
}

LaunchExpectation expectation() {
  LaunchExpectation e;
  e.nonce = "n-0S6_WzA2Mj";
  e.now = k_now;
  return e;
}

// What Moodle 4.5 sends a teacher launching from a course (its id_token
// lives 60 s; sub is the user id).
json teacher_claims() {
  return {
      {"iss", "https://moodle.example.edu"},
      {"aud", "certd-client-1"},
      {"sub", "17"},
      {"exp", k_now + 50},
      {"iat", k_now - 10},
      {"nonce", "n-0S6_WzA2Mj"},
      {"name", "Ada Lovelace"},
      {"given_name", "Ada"},
      {"family_name", "Lovelace"},
      {"email", "ada@example.edu"},
      {k_claim + "deployment_id", "3"},
      {k_claim + "message_type", "LtiResourceLinkRequest"},
      {k_claim + "version", "1.3.0"},
      {k_claim + "target_link_uri", "https://certd.example.edu/lti/launch"},
      {k_claim + "roles",
       {k_instructor, "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"}},
      {k_claim + "context",
       {{"id", "12"}, {"label", "SWIM-L3"}, {"title", "Swimming Level 3"},
        {"type", {"http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"}}}},
      {k_claim + "resource_link", {{"id", "55"}, {"title", "Certificates"}}},
      {k_claim + "lis", {{"person_sourcedid", "T-0017"}, {"course_section_sourcedid", ""}}},
      {k_claim + "launch_presentation",
       {{"locale", "en"}, {"document_target", "iframe"}, {"return_url", "https://moodle.example.edu/mod/lti/return.php"}}},
  };
}

Result<Launch> read(const json& claims, const LaunchExpectation& expected = expectation()) {
  return read_launch(claims.dump(), moodle(), expected);
}

void expect_refused(const Result<Launch>& launch, const std::string& words,
                    ErrorCode code = ErrorCode::permission_denied) {
  ASSERT_FALSE(launch) << "accepted";
  EXPECT_EQ(launch.error().code(), code) << launch.error().message();
  EXPECT_NE(launch.error().message().find(words), std::string::npos) << launch.error().message();
}

TEST(ReadLaunch, ReadsAMoodleTeacherLaunch) {
  auto launch = read(teacher_claims());
  ASSERT_TRUE(launch) << launch.error().to_string();
  EXPECT_EQ(launch->issuer, "https://moodle.example.edu");
  EXPECT_EQ(launch->subject, "17");
  EXPECT_EQ(launch->deployment_id, "3");
  EXPECT_EQ(launch->name, "Ada Lovelace");
  EXPECT_EQ(launch->email, "ada@example.edu");
  EXPECT_EQ(launch->person_sourcedid, "T-0017");
  EXPECT_EQ(launch->course_shortname, "SWIM-L3");
  EXPECT_EQ(launch->course_title, "Swimming Level 3");
  EXPECT_EQ(launch->context_id, "12");
  EXPECT_EQ(launch->resource_link_id, "55");
  EXPECT_EQ(launch->return_url, "https://moodle.example.edu/mod/lti/return.php");
  EXPECT_EQ(launch->roles.size(), 2u);
  EXPECT_EQ(launch->role, LaunchRole::teacher);
}

TEST(ReadLaunch, ReadsAStudentWithoutOptionalClaims) {
  json claims = teacher_claims();
  claims[k_claim + "roles"] = {k_learner};
  for (const char* name : {"name", "email"}) claims.erase(name);
  for (const char* name : {"context", "lis", "launch_presentation", "resource_link"}) claims.erase(k_claim + name);
  auto launch = read(claims);
  ASSERT_TRUE(launch) << launch.error().to_string();
  EXPECT_EQ(launch->role, LaunchRole::student);
  EXPECT_EQ(launch->name, "Ada Lovelace") << "from given_name and family_name";
  EXPECT_EQ(launch->course_shortname, "");
  EXPECT_EQ(launch->return_url, "");
}

TEST(ReadLaunch, RefusesAnotherIssuer) {
  json claims = teacher_claims();
  claims["iss"] = "https://evil.example";
  expect_refused(read(claims), "iss 'https://evil.example'");
  claims.erase("iss");
  expect_refused(read(claims), "no iss");
}

TEST(ReadLaunch, RefusesAnotherAudience) {
  json claims = teacher_claims();
  claims["aud"] = "someone-else";
  expect_refused(read(claims), "aud 'someone-else'");
  claims["aud"] = json::array({"someone-else", "another"});
  claims["azp"] = "certd-client-1";
  expect_refused(read(claims), "aud does not hold");
  claims.erase("aud");
  expect_refused(read(claims), "no aud");
  claims["aud"] = 5;
  expect_refused(read(claims), "aud", ErrorCode::parse_error);
}

TEST(ReadLaunch, AnAudienceArrayWithSeveralEntriesNeedsAzp) {
  json claims = teacher_claims();
  claims["aud"] = json::array({"certd-client-1"});
  EXPECT_TRUE(read(claims)) << "one entry, no azp";
  claims["aud"] = json::array({"other-tool", "certd-client-1"});
  expect_refused(read(claims), "no azp");
  claims["azp"] = "other-tool";
  expect_refused(read(claims), "azp 'other-tool'");
  claims["azp"] = "certd-client-1";
  EXPECT_TRUE(read(claims));
  claims["aud"] = "certd-client-1";
  claims["azp"] = "other-tool";
  expect_refused(read(claims), "azp 'other-tool'");
}

TEST(ReadLaunch, RefusesAnExpiredTokenAfterTheSkew) {
  json claims = teacher_claims();
  claims["exp"] = k_now - 59;
  EXPECT_TRUE(read(claims)) << "within 60 s of skew";
  claims["exp"] = k_now - 60;
  expect_refused(read(claims), "expired");
  claims.erase("exp");
  expect_refused(read(claims), "no exp");
  claims["exp"] = "tomorrow";
  expect_refused(read(claims), "exp", ErrorCode::parse_error);
}

TEST(ReadLaunch, RefusesATokenIssuedInTheFuture) {
  json claims = teacher_claims();
  claims["iat"] = k_now + 60;
  EXPECT_TRUE(read(claims)) << "within 60 s of skew";
  claims["iat"] = k_now + 61;
  expect_refused(read(claims), "future");
  claims["iat"] = 1e300;
  expect_refused(read(claims), "future");
  claims["iat"] = 18446744073709551615ull;
  expect_refused(read(claims), "future");
}

TEST(ReadLaunch, RefusesATokenIssuedTooLongAgoEvenIfNotExpired) {
  json claims = teacher_claims();
  claims["exp"] = k_now + 100000;
  claims["iat"] = k_now - 3600;
  EXPECT_TRUE(read(claims));
  claims["iat"] = k_now - 3601;
  expect_refused(read(claims), "too long ago");
  claims["iat"] = std::numeric_limits<std::int64_t>::min();
  expect_refused(read(claims), "too long ago");
  claims.erase("iat");
  expect_refused(read(claims), "no iat");
}

TEST(ReadLaunch, RefusesANotYetValidToken) {
  json claims = teacher_claims();
  claims["nbf"] = k_now + 61;
  expect_refused(read(claims), "nbf");
}

TEST(ReadLaunch, RefusesAnotherNonce) {
  json claims = teacher_claims();
  claims["nonce"] = "replayed";
  expect_refused(read(claims), "nonce");
  claims.erase("nonce");
  expect_refused(read(claims), "nonce");
  LaunchExpectation no_state = expectation();
  no_state.nonce = "";
  claims["nonce"] = "";
  expect_refused(read(claims, no_state), "nonce");
}

TEST(ReadLaunch, RefusesAnUnknownDeployment) {
  json claims = teacher_claims();
  claims[k_claim + "deployment_id"] = "7";
  EXPECT_TRUE(read(claims));
  claims[k_claim + "deployment_id"] = "8";
  expect_refused(read(claims), "deployment_id '8'");
  claims.erase(k_claim + "deployment_id");
  expect_refused(read(claims), "no deployment_id");
}

TEST(ReadLaunch, RefusesOtherMessageTypesAndVersions) {
  json claims = teacher_claims();
  claims[k_claim + "message_type"] = "LtiDeepLinkingRequest";
  expect_refused(read(claims), "message_type 'LtiDeepLinkingRequest'");
  claims = teacher_claims();
  claims[k_claim + "version"] = "1.1";
  expect_refused(read(claims), "version '1.1'");
  claims.erase(k_claim + "version");
  expect_refused(read(claims), "no version");
}

TEST(ReadLaunch, RefusesALaunchWithoutAUser) {
  json claims = teacher_claims();
  claims["sub"] = "";
  expect_refused(read(claims), "sub");
  claims.erase("sub");
  expect_refused(read(claims), "sub");
  claims["sub"] = 17;
  expect_refused(read(claims), "sub", ErrorCode::parse_error);
}

TEST(ReadLaunch, RefusesATeacherWithoutACourseLabel) {
  json claims = teacher_claims();
  claims[k_claim + "context"].erase("label");
  expect_refused(read(claims), "context label");
  claims.erase(k_claim + "context");
  expect_refused(read(claims), "context label");
  claims[k_claim + "roles"] = {k_learner};
  EXPECT_TRUE(read(claims)) << "a student needs no course here";
}

TEST(ReadLaunch, ClaimsOfTheWrongTypeAreParseErrors) {
  auto with = [](const std::string& name, json value) {
    json claims = teacher_claims();
    claims[name] = std::move(value);
    return claims;
  };
  expect_refused(read(with(k_claim + "roles", "Instructor")), "roles", ErrorCode::parse_error);
  expect_refused(read(with(k_claim + "roles", {1})), "roles", ErrorCode::parse_error);
  expect_refused(read(with(k_claim + "context", "SWIM-L3")), "context", ErrorCode::parse_error);
  expect_refused(read(with(k_claim + "lis", {{"person_sourcedid", 5}})), "person_sourcedid", ErrorCode::parse_error);
  expect_refused(read(with("email", json::array())), "email", ErrorCode::parse_error);
  for (const char* text : {"", "[]", "\"claims\"", "{"}) {
    auto launch = read_launch(text, moodle(), expectation());
    ASSERT_FALSE(launch);
    EXPECT_EQ(launch.error().code(), ErrorCode::parse_error) << text;
  }
}

TEST(ReadLaunch, NeverQuotesALongOrUnprintableValue) {
  json claims = teacher_claims();
  std::string long_issuer = "https://" + std::string(100, 'a') + ".example";
  claims["iss"] = long_issuer;
  auto launch = read(claims);
  expect_refused(launch, "(not shown)");
  EXPECT_EQ(launch.error().message().find(std::string(60, 'a')), std::string::npos);
  claims = teacher_claims();
  claims[k_claim + "deployment_id"] = "3\n\x1b[31m";
  launch = read(claims);
  expect_refused(launch, "(not shown)");
  EXPECT_EQ(launch.error().message().find('\x1b'), std::string::npos);
}

TEST(RoleOf, MapsMembershipRoles) {
  const std::string membership = "http://purl.imsglobal.org/vocab/lis/v2/membership#";
  EXPECT_EQ(role_of({k_instructor}), LaunchRole::teacher);
  EXPECT_EQ(role_of({membership + "ContentDeveloper"}), LaunchRole::teacher);
  EXPECT_EQ(role_of({"Instructor"}), LaunchRole::teacher);
  EXPECT_EQ(role_of({"ContentDeveloper"}), LaunchRole::teacher);
  EXPECT_EQ(role_of({k_learner}), LaunchRole::student);
  EXPECT_EQ(role_of({"Learner"}), LaunchRole::student);
  EXPECT_EQ(role_of({k_learner, k_instructor}), LaunchRole::teacher) << "teacher wins";
  EXPECT_EQ(role_of({k_instructor, k_learner}), LaunchRole::teacher) << "teacher wins";
  EXPECT_EQ(role_of({}), LaunchRole::other);
  EXPECT_EQ(role_of({"http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
                     "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"}),
            LaunchRole::other);
  EXPECT_EQ(role_of({membership + "Mentor", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Guest"}),
            LaunchRole::other);
  EXPECT_EQ(role_of({"http://example.com/membership#Instructor", "instructor"}), LaunchRole::other);
  EXPECT_STREQ(to_string(LaunchRole::teacher), "teacher");
  EXPECT_STREQ(to_string(LaunchRole::student), "student");
  EXPECT_STREQ(to_string(LaunchRole::other), "other");
}

TEST(LoginInitiation, ReadsTheParametersMoodleSends) {
  auto login = read_login_initiation({{"iss", "https://moodle.example.edu"},
                                      {"login_hint", "17"},
                                      {"target_link_uri", "https://certd.example.edu/lti/launch"},
                                      {"lti_message_hint", "{\"cmid\":55,\"launchid\":\"ltilaunch1_1\"}"},
                                      {"client_id", "certd-client-1"},
                                      {"lti_deployment_id", "3"}});
  ASSERT_TRUE(login) << login.error().to_string();
  EXPECT_EQ(login->issuer, "https://moodle.example.edu");
  EXPECT_EQ(login->login_hint, "17");
  EXPECT_EQ(login->target_link_uri, "https://certd.example.edu/lti/launch");
  EXPECT_EQ(login->lti_message_hint, "{\"cmid\":55,\"launchid\":\"ltilaunch1_1\"}");
  EXPECT_EQ(login->client_id, "certd-client-1");
  EXPECT_EQ(login->deployment_id, "3");
}

TEST(LoginInitiation, NamesTheFirstMissingParameterAndRefusesLongValues) {
  std::map<std::string, std::string> params = {{"iss", "https://moodle.example.edu"}, {"target_link_uri", "x"}};
  auto login = read_login_initiation(params);
  ASSERT_FALSE(login);
  EXPECT_EQ(login.error().code(), ErrorCode::invalid_argument);
  EXPECT_NE(login.error().message().find("login_hint"), std::string::npos);
  params["login_hint"] = "17";
  EXPECT_TRUE(read_login_initiation(params));
  params["lti_message_hint"] = std::string(2049, 'h');
  login = read_login_initiation(params);
  ASSERT_FALSE(login);
  EXPECT_NE(login.error().message().find("lti_message_hint"), std::string::npos);
  EXPECT_EQ(login.error().message().find("hhhh"), std::string::npos);
}

TEST(FindPlatform, MatchesIssuerAndClientId) {
  Platform second = moodle();
  second.client_id = "certd-client-2";
  std::vector<Platform> platforms = {moodle(), second};
  EXPECT_EQ(*find_platform(platforms, "https://moodle.example.edu", "certd-client-2"), &platforms[1]);
  EXPECT_EQ(*find_platform(platforms, "https://moodle.example.edu", ""), &platforms[0]);
  EXPECT_EQ(find_platform(platforms, "https://moodle.example.edu", "nobody").error().code(), ErrorCode::not_found);
  EXPECT_EQ(find_platform(platforms, "https://other.example", "").error().code(), ErrorCode::not_found);
}

TEST(AuthenticationUrl, EncodesEveryParameter) {
  LoginInitiation login;
  login.login_hint = "17 &x=y";
  login.lti_message_hint = "{\"cmid\":55}";
  std::string url = authentication_url(moodle(), login, "https://certd.example.edu/lti/launch", "s/t+a=t&e?#",
                                       "nonce%1");
  EXPECT_EQ(url,
            "https://moodle.example.edu/mod/lti/auth.php?scope=openid&response_type=id_token"
            "&response_mode=form_post&prompt=none&client_id=certd-client-1"
            "&redirect_uri=https%3A%2F%2Fcertd.example.edu%2Flti%2Flaunch&login_hint=17%20%26x%3Dy"
            "&lti_message_hint=%7B%22cmid%22%3A55%7D&state=s%2Ft%2Ba%3Dt%26e%3F%23&nonce=nonce%251");
}

TEST(AuthenticationUrl, AppendsToAnExistingQueryAndLeavesOutAnEmptyMessageHint) {
  Platform platform = moodle();
  platform.auth_url = "https://lms.example/auth?tenant=a b";
  LoginInitiation login;
  login.login_hint = "17";
  std::string url = authentication_url(platform, login, "https://certd/l", "st", "no");
  EXPECT_EQ(url.rfind("https://lms.example/auth?tenant=a b&scope=openid&", 0), 0u) << url;
  EXPECT_EQ(url.find("lti_message_hint"), std::string::npos) << url;
  EXPECT_NE(url.find("&login_hint=17&state=st&nonce=no"), std::string::npos) << url;
  platform.auth_url = "https://lms.example/auth?";
  EXPECT_EQ(authentication_url(platform, login, "r", "s", "n").rfind("https://lms.example/auth?scope=openid&", 0), 0u);
}

}  // namespace
}  // namespace certd::lti
