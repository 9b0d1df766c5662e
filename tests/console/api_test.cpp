// The JSON API over the fake backend: bearer tokens, course scoping, body
// checks, JSON errors, and the route table against the OpenAPI document.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

#include "console/api.hpp"
#include "console/console_fixture.hpp"
#include "console/sessions.hpp"

namespace certd::console {
namespace {

using nlohmann::json;
using portal::Response;

class ApiTest : public LocalConsoleTest {
 protected:
  ApiTest() {
    add_user("office", store::Role::admin, {}, "correct horse battery");
    add_user("jo", store::Role::teacher, {"SWIM-L3"}, "correct horse battery");
    office_token = add_token(1, "office");
    teacher_token = add_token(2, "jo");
  }

  std::string add_token(store::Id id, const std::string& user) {
    std::string token = *new_api_token();
    store::ApiTokenRow row;
    row.id = id;
    row.token = {user, token_hash(token), "tests", k_now - 100};
    backend.api_tokens.push_back(row);
    return token;
  }

  Response call(const std::string& method, const std::string& path, const std::string& token,
                const std::string& body = "") {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["authorization"] = "Bearer " + token;
    if (!body.empty()) headers["content-type"] = "application/json";
    return request(method, path, body, headers);
  }

  static json error_of(const Response& r) {
    EXPECT_EQ(r.content_type, "application/json");
    json body = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error")) << r.body;
    return body.is_object() ? body.value("error", json::object()) : json::object();
  }

  std::string office_token;
  std::string teacher_token;
};

TEST_F(ApiTest, TokensAreLongRandomAndPrefixedForSecretScanners) {
  std::string a = *new_api_token();
  std::string b = *new_api_token();
  EXPECT_EQ(a.rfind("certd_", 0), 0u);
  EXPECT_EQ(a.size(), 6u + 43u) << "32 bytes in base64url";
  EXPECT_NE(a, b);
}

TEST_F(ApiTest, MeSaysWhoTheTokenIsAndRecordsItsUse) {
  Response r = call("GET", "/api/v1/me", teacher_token);
  ASSERT_EQ(r.status, 200) << r.body;
  json me = json::parse(r.body);
  EXPECT_EQ(me["name"], "jo");
  EXPECT_EQ(me["role"], "teacher");
  EXPECT_EQ(me["courses"], json::array({"SWIM-L3"}));
  EXPECT_EQ(backend.api_tokens[1].last_used_at, k_now);
  EXPECT_FALSE(backend.api_tokens[0].last_used_at);
}

TEST_F(ApiTest, NoUnknownOrRevokedTokenIs401JsonWithAChallenge) {
  backend.api_tokens[1].revoked_at = k_now - 1;
  for (const std::string& token : {std::string(), std::string("certd_nosuchtoken"), std::string("not-a-token"),
                                   teacher_token}) {
    Response r = call("GET", "/api/v1/courses/SWIM-L3/queue", token);
    EXPECT_EQ(r.status, 401) << token;
    EXPECT_EQ(header(r, "WWW-Authenticate").rfind("Bearer", 0), 0u);
    EXPECT_EQ(error_of(r)["status"], 401);
  }
  EXPECT_NE(error_of(call("GET", "/api/v1/me", teacher_token))["message"].get<std::string>().find("revoked"),
            std::string::npos);
  backend.local_users["office"].disabled = true;
  EXPECT_EQ(call("GET", "/api/v1/me", office_token).status, 401) << "a disabled account's tokens";
}

TEST_F(ApiTest, TheQueueIsTheCoursesEntries) {
  Response r = call("GET", "/api/v1/courses/SWIM-L3/queue", teacher_token);
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["course"], "SWIM-L3");
  ASSERT_EQ(body["entries"].size(), 2u);
  EXPECT_EQ(body["entries"][0]["id"], 11);
  EXPECT_EQ(body["entries"][0]["student_name"], "Ada Lovelace");
  EXPECT_EQ(body["entries"][0]["status"], "pending");
  EXPECT_EQ(body["entries"][0]["since"], "2026-09-20T14:13:20Z");
  EXPECT_EQ(body["entries"][1]["status"], "held");
}

TEST_F(ApiTest, ATeacherActsOnTheirCourseOnlyAndAnAdminOnEvery) {
  Response r = call("GET", "/api/v1/courses/FA-101/queue", teacher_token);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_of(r)["status"], 403);
  EXPECT_EQ(call("POST", "/api/v1/courses/FA-101/queue/approve", teacher_token, R"({"ids":[21]})").status, 403);
  EXPECT_TRUE(backend.approved.empty());
  EXPECT_EQ(call("GET", "/api/v1/courses/FA-101/queue", office_token).status, 200);
}

TEST_F(ApiTest, ApprovingIssuesAndSaysWhatFailed) {
  Response r =
      call("POST", "/api/v1/courses/SWIM-L3/queue/approve", teacher_token, R"({"ids":[11,21],"notes":"Well done"})");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["issued"], json::array({"NUM-11"}));
  ASSERT_EQ(body["failed"].size(), 1u) << "another course's row";
  ASSERT_EQ(backend.approved.size(), 1u);
  EXPECT_EQ(backend.approved[0].notes, "Well done");
  EXPECT_EQ(backend.approved[0].teacher, "jo");
}

TEST_F(ApiTest, HoldingKeepsTheEntries) {
  Response r = call("POST", "/api/v1/courses/SWIM-L3/queue/hold", teacher_token, R"({"ids":[11]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(backend.queue_entries[0].second.held);
}

TEST_F(ApiTest, BodiesMustBeSmallJsonObjectsOfTheDocumentedShape) {
  const std::string path = "/api/v1/courses/SWIM-L3/queue/approve";
  for (const std::string body : {"", "[11]", "not json", R"({"ids":[]})", R"({"ids":["11"]})", R"({"ids":[-1]})",
                                 R"({"ids":11})", R"({"ids":[11],"notes":3})"}) {
    Response r = call("POST", path, teacher_token, body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(error_of(r)["status"], 400) << body;
  }
  std::string big = R"({"ids":[11],"notes":")" + std::string(k_max_api_body, 'x') + "\"}";
  EXPECT_EQ(call("POST", path, teacher_token, big).status, 400);
  EXPECT_TRUE(backend.approved.empty());
}

TEST_F(ApiTest, UnknownRoutesAndMethodsAreJsonErrors) {
  Response r = call("GET", "/api/v1/nothing", teacher_token);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_of(r)["status"], 404);
  Response wrong_method = call("GET", "/api/v1/courses/SWIM-L3/queue/approve", teacher_token);
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(header(wrong_method, "Allow"), "POST");
  EXPECT_EQ(error_of(wrong_method)["status"], 405);
  EXPECT_TRUE(Console::owns("/api/v1/me"));
}

TEST_F(ApiTest, TheOpenApiDocumentListsExactlyTheRoutesServed) {
  Response r = call("GET", "/api/v1/openapi.json", "");
  ASSERT_EQ(r.status, 200) << "no token needed";
  json document = json::parse(r.body);
  EXPECT_EQ(document["openapi"], "3.1.0");
  std::size_t operations = 0;
  for (const ApiRouteInfo& route : api_routes()) {
    std::string method = route.method == "GET" ? "get" : "post";
    EXPECT_TRUE(document["paths"].contains(route.path)) << route.path;
    EXPECT_TRUE(document["paths"][route.path].contains(method)) << route.method << " " << route.path;
  }
  for (const auto& [path, methods] : document["paths"].items()) {
    for (const auto& [method, operation] : methods.items()) {
      ++operations;
      std::string concrete = std::regex_replace(path, std::regex("\\{course\\}"), "SWIM-L3");
      std::string upper = method == "get" ? "GET" : "POST";
      Response answer = call(upper, concrete, office_token, upper == "POST" ? R"({"ids":[12]})" : "");
      EXPECT_NE(answer.status, 404) << method << " " << path << ": " << answer.body;
      EXPECT_NE(answer.status, 405) << method << " " << path;
      EXPECT_TRUE(operation.contains("responses"));
    }
  }
  EXPECT_EQ(operations, api_routes().size());
}

}  // namespace
}  // namespace certd::console
