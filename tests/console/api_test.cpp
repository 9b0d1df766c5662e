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
    backend.issue_now_students = {{"SWIM-L3", {"21", "Alexei Smirnov"}}, {"SWIM-L3", {"22", "Beatriz Costa"}},
                                  {"FA-101", {"31", "Chen Wei"}}};
    backend.issue_now_rules = {{"SWIM-L3", {"swim-l3", "Swim level 3"}}, {"FA-101", {"fa", "First aid"}}};
    backend.unmet_of["21"] = {"Pass the 25 m test"};
    backend.certificates = {certificate("SW-1", "SWIM-L3", "Grace Hopper", k_now - 2 * 86400),
                            certificate("SW-2", "SWIM-L3", "Ada Lovelace", k_now - 86400),
                            certificate("FA-1", "FA-101", "Alan Turing", k_now - 60)};
    store::NotificationRow mail;
    mail.number = "SW-1";
    mail.recipient = "grace@example.org";
    mail.role = "student";
    mail.status = "sent";
    mail.sent_at = k_now - 2 * 86400;
    backend.deliveries = {mail};
    console::BatchDetail running;
    running.summary = {1, "term.csv", "course-completion", "running", 3, 1, 0, 0, k_now - 30, "office"};
    running.failed = {{4, "104", "Dan Brown", "not enrolled"}};
    backend.batches = {{"SWIM-L3", running}};
  }

  static store::CertificateRow certificate(const std::string& number, const std::string& course,
                                           const std::string& student, std::int64_t issued_at) {
    store::CertificateRow row;
    row.certificate.number = number;
    row.certificate.course = course;
    row.certificate.title = course == "FA-101" ? "First aid" : "Swim level 3";
    row.certificate.student_id = "s-" + number;
    row.certificate.student_name = student;
    row.certificate.kind = "automatic";
    row.certificate.issued_at = issued_at;
    return row;
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
    portal::Request r;
    r.method = method;
    r.path = path.substr(0, path.find('?'));
    if (path.find('?') != std::string::npos) r.query = path.substr(path.find('?') + 1);
    r.body = body;
    r.headers = std::move(headers);
    r.client = client;
    return console->handle(r);
  }

  // The answer's JSON, after checking it is 200 JSON.
  static json ok_json(const Response& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    return json::parse(r.body, nullptr, false);
  }

  // Every bad body is 400 JSON whose message names `field`.
  void expect_bad_field(const std::string& path, const std::string& body, const std::string& field) {
    Response r = call("POST", path, teacher_token, body);
    EXPECT_EQ(r.status, 400) << body << ": " << r.body;
    EXPECT_NE(error_of(r)["message"].get<std::string>().find("\"" + field + "\""), std::string::npos)
        << body << ": " << r.body;
  }

  std::vector<store::NewAuditEntry> audit_of(const std::string& action) const {
    std::vector<store::NewAuditEntry> out;
    for (const store::NewAuditEntry& e : backend.audit_log)
      if (e.action == action) out.push_back(e);
    return out;
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

TEST_F(ApiTest, MetricsAreForAnAdminsTokenAtBothPaths) {
  for (const std::string path : {"/metrics", "/api/v1/metrics"}) {
    Response r = call("GET", path, office_token);
    ASSERT_EQ(r.status, 200) << path << ": " << r.body;
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(r.body, "certd_events{state=\"new\"} 0\n");
    EXPECT_EQ(backend.metrics_asked_at, k_now);
    backend.metrics_asked_at = 0;

    EXPECT_EQ(call("GET", path, "").status, 401) << path;
    Response teacher = call("GET", path, teacher_token);
    EXPECT_EQ(teacher.status, 403) << path;
    EXPECT_NE(error_of(teacher)["message"].get<std::string>().find("admin"), std::string::npos);
    EXPECT_EQ(backend.metrics_asked_at, 0) << "a teacher's token must not read the school's figures";
  }
  EXPECT_TRUE(console::Console::owns("/metrics"));
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
      concrete = std::regex_replace(concrete, std::regex("\\{number\\}"), "SW-2");
      concrete = std::regex_replace(concrete, std::regex("\\{id\\}"), "1");
      std::string upper = method == "get" ? "GET" : "POST";
      Response answer = call(upper, concrete, office_token, upper == "POST" ? R"({"ids":[12]})" : "");
      EXPECT_NE(answer.status, 404) << method << " " << path << ": " << answer.body;
      EXPECT_NE(answer.status, 405) << method << " " << path;
      EXPECT_TRUE(operation.contains("responses"));
    }
  }
  EXPECT_EQ(operations, api_routes().size());
}

// --- Issue now ---

TEST_F(ApiTest, IssueNowListsTheCoursesStudentsAndRules) {
  json body = ok_json(call("GET", "/api/v1/courses/SWIM-L3/issue-now", teacher_token));
  EXPECT_EQ(body["course"], "SWIM-L3");
  ASSERT_EQ(body["students"].size(), 2u);
  EXPECT_EQ(body["students"][0], json({{"id", "21"}, {"name", "Alexei Smirnov"}}));
  EXPECT_EQ(body["rules"], json::array({{{"id", "swim-l3"}, {"certificate", "Swim level 3"}}}));
  backend.lms_error = "the LMS does not answer";
  Response down = call("GET", "/api/v1/courses/SWIM-L3/issue-now", teacher_token);
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(error_of(down)["message"], "the LMS does not answer") << "the LMS is named as the cause";
}

TEST_F(ApiTest, IssueNowPreviewSaysWhatIsUnmetAndWhatWasIssued) {
  const std::string path = "/api/v1/courses/SWIM-L3/issue-now/preview";
  json preview = ok_json(call("GET", path + "?student=21&rule=swim-l3", teacher_token));
  EXPECT_EQ(preview["student_name"], "Alexei Smirnov");
  EXPECT_EQ(preview["certificate"], "Swim level 3");
  EXPECT_EQ(preview["unmet"], json::array({"Pass the 25 m test"}));
  EXPECT_TRUE(preview["existing_number"].is_null());

  Response no_student = call("GET", path + "?rule=swim-l3", teacher_token);
  EXPECT_EQ(no_student.status, 400);
  EXPECT_NE(error_of(no_student)["message"].get<std::string>().find("\"student\""), std::string::npos);
  Response no_rule = call("GET", path + "?student=21", teacher_token);
  EXPECT_EQ(no_rule.status, 400);
  EXPECT_NE(error_of(no_rule)["message"].get<std::string>().find("\"rule\""), std::string::npos);
  EXPECT_EQ(call("GET", path + "?student=21&rule=fa", teacher_token).status, 400) << "another course's rule";
  EXPECT_EQ(call("GET", path + "?student=31&rule=swim-l3", teacher_token).status, 404) << "not in the course";
  EXPECT_EQ(call("GET", path + "?student=%zz&rule=swim-l3", teacher_token).status, 400) << "a broken escape";
}

TEST_F(ApiTest, IssueNowIssuesOnceAndTheAuditLogNamesTheAccount) {
  const std::string path = "/api/v1/courses/SWIM-L3/issue-now";
  json done = ok_json(call("POST", path, teacher_token, R"({"student":"21","rule":"swim-l3"})"));
  EXPECT_EQ(done["number"], "FORCED-1");
  EXPECT_EQ(done["student_name"], "Alexei Smirnov");
  EXPECT_EQ(done["certificate"], "Swim level 3");
  EXPECT_EQ(done["already_issued"], false);
  json again = ok_json(call("POST", path, teacher_token, R"({"student":"21","rule":"swim-l3"})"));
  EXPECT_EQ(again["number"], "FORCED-1");
  EXPECT_EQ(again["already_issued"], true);
  ASSERT_EQ(backend.forced.size(), 1u);
  EXPECT_EQ(backend.forced[0].teacher, "jo");
  auto audited = audit_of("console.issue_now");
  ASSERT_EQ(audited.size(), 1u) << "the second call issued nothing";
  EXPECT_EQ(audited[0].actor, "local:jo");
  EXPECT_EQ(audited[0].subject, "SWIM-L3");
  EXPECT_EQ(json::parse(audited[0].details)["number"], "FORCED-1");
  EXPECT_EQ(json::parse(audited[0].details)["via"], "api");
  EXPECT_EQ(audited[0].at, k_now);
  json preview = ok_json(call("GET", path + "/preview?student=21&rule=swim-l3", teacher_token));
  EXPECT_EQ(preview["existing_number"], "FORCED-1");
}

TEST_F(ApiTest, IssueNowRefusesEachBadField) {
  const std::string path = "/api/v1/courses/SWIM-L3/issue-now";
  expect_bad_field(path, R"({"rule":"swim-l3"})", "student");
  expect_bad_field(path, R"({"student":21,"rule":"swim-l3"})", "student");
  expect_bad_field(path, R"({"student":"  ","rule":"swim-l3"})", "student");
  expect_bad_field(path, R"({"student":"21"})", "rule");
  expect_bad_field(path, R"({"student":"21","rule":["swim-l3"]})", "rule");
  EXPECT_EQ(call("POST", path, teacher_token, R"({"student":"21","rule":"fa"})").status, 400);
  EXPECT_EQ(call("POST", path, teacher_token, R"({"student":"nobody","rule":"swim-l3"})").status, 404);
  EXPECT_TRUE(backend.forced.empty());
}

// --- Issued certificates ---

TEST_F(ApiTest, CertificatesAreTheCoursesNewestFirstWithABoundedLimit) {
  const std::string path = "/api/v1/courses/SWIM-L3/certificates";
  json all = ok_json(call("GET", path, teacher_token));
  EXPECT_EQ(all["course"], "SWIM-L3");
  EXPECT_EQ(all["matched"], 2);
  ASSERT_EQ(all["certificates"].size(), 2u) << "not FA-101's";
  const json& newest = all["certificates"][0];
  EXPECT_EQ(newest["number"], "SW-2");
  EXPECT_EQ(newest["student_name"], "Ada Lovelace");
  EXPECT_EQ(newest["title"], "Swim level 3");
  EXPECT_EQ(newest["status"], "valid");
  EXPECT_EQ(newest["issued_at"], "2026-09-20T14:13:20Z");
  EXPECT_TRUE(newest["expires_at"].is_null());
  EXPECT_TRUE(newest["revoke_category"].is_null());

  json limited = ok_json(call("GET", path + "?limit=1", teacher_token));
  EXPECT_EQ(limited["matched"], 2);
  EXPECT_EQ(limited["certificates"].size(), 1u);
  json found = ok_json(call("GET", path + "?q=grace", teacher_token));
  ASSERT_EQ(found["certificates"].size(), 1u);
  EXPECT_EQ(found["certificates"][0]["number"], "SW-1");
  for (const std::string limit : {"0", "501", "abc", "-1", "1000000"}) {
    Response r = call("GET", path + "?limit=" + limit, teacher_token);
    EXPECT_EQ(r.status, 400) << limit;
    EXPECT_NE(error_of(r)["message"].get<std::string>().find("\"limit\""), std::string::npos) << limit;
  }
  EXPECT_EQ(call("GET", path + "?limit=500", teacher_token).status, 200);
  EXPECT_EQ(call("GET", path + "?q=" + std::string(201, 'x'), teacher_token).status, 400);
}

TEST_F(ApiTest, ACertificateComesWithItsDeliveries) {
  json detail = ok_json(call("GET", "/api/v1/courses/SWIM-L3/certificates/SW-1", teacher_token));
  EXPECT_EQ(detail["number"], "SW-1");
  EXPECT_EQ(detail["student_id"], "s-SW-1");
  ASSERT_EQ(detail["deliveries"].size(), 1u);
  EXPECT_EQ(detail["deliveries"][0]["recipient"], "grace@example.org");
  EXPECT_EQ(detail["deliveries"][0]["status"], "sent");
  EXPECT_EQ(detail["deliveries"][0]["resend_count"], 0);
  EXPECT_TRUE(detail["deliveries"][0]["claimed_at"].is_null());
  for (const std::string number : {"NOPE-1", "FA-1", "SW-1%20x", "a.b"}) {
    Response r = call("GET", "/api/v1/courses/SWIM-L3/certificates/" + number, teacher_token);
    EXPECT_EQ(r.status, 404) << number << ": another course's is as unknown";
    EXPECT_EQ(error_of(r)["status"], 404);
  }
}

TEST_F(ApiTest, ReissueRevokeAndResendActAsTheTokensAccount) {
  const std::string base = "/api/v1/courses/SWIM-L3/certificates/";
  json reissued = ok_json(call("POST", base + "SW-2/reissue", teacher_token));
  EXPECT_EQ(reissued["number"], "RE-SW-2");
  EXPECT_EQ(reissued["replaces"], "SW-2");
  json revoked = ok_json(call("POST", base + "SW-1/revoke", teacher_token,
                              R"({"category":"error","reason":"Wrong student"})"));
  EXPECT_EQ(revoked, json({{"number", "SW-1"}, {"status", "revoked"}, {"category", "error"}}));
  json detail = ok_json(call("GET", base + "SW-1", teacher_token));
  EXPECT_EQ(detail["status"], "revoked");
  EXPECT_EQ(detail["revoke_category"], "error");
  EXPECT_EQ(detail["revoke_reason"], "Wrong student");
  json resent = ok_json(call("POST", base + "SW-1/resend", teacher_token));
  EXPECT_EQ(resent, json({{"queued", 1}, {"skipped", 0}}));
  // The backend writes these actions' audit entries, naming the actor the
  // API passed: the account's key and name.
  for (const char* action : {"reissue", "revoke", "notify.resend"}) {
    auto audited = audit_of(action);
    ASSERT_EQ(audited.size(), 1u) << action;
    EXPECT_EQ(audited[0].actor, "jo (local:jo)") << action;
  }
  Response twice = call("POST", base + "SW-1/revoke", teacher_token, R"({"category":"error","reason":"Again"})");
  EXPECT_EQ(twice.status, 409) << "the backend says conflict";
  EXPECT_EQ(error_of(twice)["status"], 409);
  EXPECT_EQ(call("POST", base + "FA-1/reissue", teacher_token).status, 404);
  EXPECT_EQ(call("POST", base + "NOPE/resend", teacher_token).status, 404);
}

TEST_F(ApiTest, RevokeNeedsAKnownCategoryAndAReason) {
  const std::string path = "/api/v1/courses/SWIM-L3/certificates/SW-1/revoke";
  expect_bad_field(path, R"({"category":"error"})", "reason");
  expect_bad_field(path, R"({"category":"error","reason":"   "})", "reason");
  expect_bad_field(path, R"({"category":"error","reason":7})", "reason");
  expect_bad_field(path, R"({"category":"error","reason":")" + std::string(201, 'x') + "\"}", "reason");
  expect_bad_field(path, R"({"reason":"Wrong student"})", "category");
  expect_bad_field(path, R"({"category":"mistake","reason":"Wrong student"})", "category");
  EXPECT_EQ(call("POST", path, teacher_token, "").status, 400);
  EXPECT_EQ(backend.certificates[0].status, store::CertificateStatus::issued);
  EXPECT_EQ(call("POST", "/api/v1/courses/SWIM-L3/certificates/NOPE/revoke", teacher_token,
                 R"({"category":"error","reason":"x"})")
                .status,
            404);
}

// --- Ad-hoc awards ---

TEST_F(ApiTest, AwardsAreIssuedOncePerRequestId) {
  json templates = ok_json(call("GET", "/api/v1/courses/SWIM-L3/award-templates", teacher_token));
  ASSERT_EQ(templates["templates"].size(), 2u);
  EXPECT_EQ(templates["templates"][0], json({{"id", "encouragement"}, {"name", "Encouragement award"}}));

  const std::string path = "/api/v1/courses/SWIM-L3/awards";
  const std::string body =
      R"({"template":"encouragement","students":["21","22"],"title":"Best effort","notes":"Well done",)"
      R"("request_id":"nightly-2026_11"})";
  json first = ok_json(call("POST", path, teacher_token, body));
  ASSERT_EQ(first["issued"].size(), 2u);
  EXPECT_EQ(first["issued"][0],
            json({{"student_name", "Alexei Smirnov"}, {"number", "AWARD-1"}, {"already_issued", false}}));
  EXPECT_TRUE(first["failed"].empty());
  json again = ok_json(call("POST", path, teacher_token, body));
  EXPECT_EQ(again["issued"][0]["number"], "AWARD-1");
  EXPECT_EQ(again["issued"][0]["already_issued"], true);
  EXPECT_EQ(again["issued"][1]["already_issued"], true);
  ASSERT_EQ(backend.awards.size(), 2u) << "the same request_id issues nothing twice";
  EXPECT_EQ(backend.awards[0].title, "Best effort");
  EXPECT_EQ(backend.awards[0].teacher, "jo");
  auto audited = audit_of("console.award");
  ASSERT_EQ(audited.size(), 2u);
  EXPECT_EQ(audited[0].actor, "local:jo");
  EXPECT_EQ(json::parse(audited[0].details)["request"], "nightly-2026_11");
  EXPECT_EQ(json::parse(audited[1].details)["new"], 0);
  std::string other = body;
  other.replace(other.find("nightly-2026_11"), 15, "nightly-2026_12");
  EXPECT_EQ(ok_json(call("POST", path, teacher_token, other))["issued"][0]["already_issued"], false);
}

TEST_F(ApiTest, AwardBodiesAreCheckedFieldByField) {
  const std::string path = "/api/v1/courses/SWIM-L3/awards";
  expect_bad_field(path, R"({"students":["21"],"request_id":"a"})", "template");
  expect_bad_field(path, R"({"template":"encouragement","request_id":"a"})", "students");
  expect_bad_field(path, R"({"template":"encouragement","students":[],"request_id":"a"})", "students");
  expect_bad_field(path, R"({"template":"encouragement","students":[21],"request_id":"a"})", "students");
  expect_bad_field(path, R"({"template":"encouragement","students":[""],"request_id":"a"})", "students");
  expect_bad_field(path, R"({"template":"encouragement","students":["21"],"title":3,"request_id":"a"})", "title");
  expect_bad_field(path, R"({"template":"encouragement","students":["21"],"notes":false,"request_id":"a"})", "notes");
  expect_bad_field(path, R"({"template":"encouragement","students":["21"]})", "request_id");
  expect_bad_field(path, R"({"template":"encouragement","students":["21"],"request_id":""})", "request_id");
  expect_bad_field(path, R"({"template":"encouragement","students":["21"],"request_id":"a b"})", "request_id");
  expect_bad_field(path, R"({"template":"encouragement","students":["21"],"request_id":"a/b"})", "request_id");
  const std::string one = R"({"template":"encouragement","students":["21"],"request_id":")";
  expect_bad_field(path, one + std::string(65, 'a') + "\"}", "request_id");
  EXPECT_EQ(call("POST", path, teacher_token, one + std::string(64, 'a') + "\"}").status, 200);
  EXPECT_EQ(call("POST", path, teacher_token, R"({"template":"nope","students":["21"],"request_id":"b"})").status, 400);
  EXPECT_EQ(call("POST", path, teacher_token, R"({"template":"encouragement","students":["31"],"request_id":"c"})")
                .status,
            404)
      << "another course's student";
  EXPECT_EQ(backend.awards.size(), 1u);
}

TEST_F(ApiTest, AnAwardPreviewIsAPdfThatIssuesNothing) {
  Response r = call("POST", "/api/v1/courses/SWIM-L3/awards/preview", teacher_token,
                    R"({"template":"swim-level","students":["22"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/pdf");
  EXPECT_EQ(r.body.rfind("%PDF-", 0), 0u);
  EXPECT_NE(r.body.find("22 jo"), std::string::npos);
  EXPECT_TRUE(backend.awards.empty());
  expect_bad_field("/api/v1/courses/SWIM-L3/awards/preview", R"({"students":["22"]})", "template");
}

// --- CSV batches ---

TEST_F(ApiTest, ABatchIsCheckedStartedFollowedAndCancelled) {
  const std::string base = "/api/v1/courses/SWIM-L3/batches";
  json templates = ok_json(call("GET", "/api/v1/courses/SWIM-L3/batch-templates", teacher_token));
  EXPECT_EQ(templates["templates"], json::array({{{"id", "course-completion"}, {"name", "Course completion"}}}));

  const std::string csv = "student,name,course\n21,Alexei Smirnov,SWIM-L3\n22,Beatriz Costa,FA-101\n23,Chen,SWIM-L3\n";
  json body{{"file_name", "term.csv"}, {"template", "course-completion"}, {"csv", csv}};
  json refused = ok_json(call("POST", base, teacher_token, body.dump()));
  ASSERT_EQ(refused["errors"].size(), 1u);
  EXPECT_EQ(refused["errors"][0]["line"], 3);
  EXPECT_EQ(refused["errors"][0]["message"].get<std::string>().rfind("line 3: ", 0), 0u);
  EXPECT_EQ(refused["good_rows"], 2);
  EXPECT_TRUE(refused["ticket"].is_null()) << "bad rows without skip_bad start nothing";

  body["skip_bad"] = true;
  json checked = ok_json(call("POST", base, teacher_token, body.dump()));
  ASSERT_TRUE(checked["ticket"].is_string()) << checked;
  const std::string ticket = checked["ticket"];
  EXPECT_EQ(backend.checked.at(ticket).owner, "local:jo") << "the token's account owns the ticket";
  EXPECT_EQ(call("POST", base + "/start", office_token, json{{"ticket", ticket}}.dump()).status, 404)
      << "another account's ticket";
  json started = ok_json(call("POST", base + "/start", teacher_token, json{{"ticket", ticket}}.dump()));
  EXPECT_EQ(started["batch"], 2);
  EXPECT_EQ(started["new_rows"], 2);
  EXPECT_TRUE(started["already"].empty());
  EXPECT_EQ(call("POST", base + "/start", teacher_token, json{{"ticket", ticket}}.dump()).status, 404) << "used";

  json list = ok_json(call("GET", base, teacher_token));
  ASSERT_EQ(list["batches"].size(), 2u);
  EXPECT_EQ(list["batches"][0]["id"], 2);
  EXPECT_EQ(list["batches"][0]["status"], "running");
  EXPECT_EQ(list["batches"][0]["created_by"], "jo");
  json one = ok_json(call("GET", base + "/1", teacher_token));
  EXPECT_EQ(one["file_name"], "term.csv");
  EXPECT_EQ(one["remaining"], 2);
  EXPECT_EQ(one["failed_rows"], json::array({{{"line", 4}, {"student", "104"}, {"name", "Dan Brown"},
                                               {"reason", "not enrolled"}}}));

  expect_bad_field(base + "/2/cancel", "{}", "reason");
  expect_bad_field(base + "/2/cancel", R"({"reason":" "})", "reason");
  json cancelled = ok_json(call("POST", base + "/2/cancel", teacher_token, R"({"reason":"Wrong file"})"));
  EXPECT_EQ(cancelled, json({{"batch", 2}, {"revoked", 0}}));
  EXPECT_EQ(ok_json(call("GET", base + "/2", teacher_token))["status"], "cancelled");

  auto started_audit = audit_of("console.batch_start");
  ASSERT_EQ(started_audit.size(), 1u);
  EXPECT_EQ(started_audit[0].actor, "local:jo");
  EXPECT_EQ(json::parse(started_audit[0].details)["batch"], 2);
  auto cancel_audit = audit_of("console.batch_cancel");
  ASSERT_EQ(cancel_audit.size(), 1u);
  EXPECT_EQ(cancel_audit[0].actor, "local:jo");
}

TEST_F(ApiTest, BatchBodiesAreCheckedFieldByField) {
  const std::string path = "/api/v1/courses/SWIM-L3/batches";
  const std::string csv = R"("student,name,course\n21,A,SWIM-L3\n")";
  expect_bad_field(path, R"({"template":"course-completion","csv":)" + csv + "}", "file_name");
  expect_bad_field(path, R"({"file_name":"","template":"course-completion","csv":)" + csv + "}", "file_name");
  expect_bad_field(path, R"({"file_name":"a.csv","csv":)" + csv + "}", "template");
  expect_bad_field(path, R"({"file_name":"a.csv","template":"course-completion"})", "csv");
  expect_bad_field(path, R"({"file_name":"a.csv","template":"course-completion","csv":""})", "csv");
  expect_bad_field(path, R"({"file_name":"a.csv","template":"course-completion","skip_bad":"yes","csv":)" + csv + "}",
                   "skip_bad");
  EXPECT_EQ(call("POST", path, teacher_token, R"({"file_name":"a.csv","template":"nope","csv":)" + csv + "}").status,
            400);
  expect_bad_field(path + "/start", "{}", "ticket");
  expect_bad_field(path + "/start", R"({"ticket":5})", "ticket");
  EXPECT_TRUE(backend.checked.empty());
  for (const std::string id : {"99", "abc", "0", "-1"}) {
    EXPECT_EQ(call("GET", path + "/" + id, teacher_token).status, 404) << id;
    EXPECT_EQ(call("POST", path + "/" + id + "/cancel", teacher_token, R"({"reason":"x"})").status, 404) << id;
  }
}

TEST_F(ApiTest, TheReportIsTheCoursesRowsAndTheSchoolsMonthlyQuota) {
  backend.verifications = {{2, "SW-2", "valid", "JSON (a program)", k_now - 10},
                           {1, "FA-1", "valid", "web page", k_now - 20}};
  backend.quota_per_month = 5;
  const std::string path = "/api/v1/courses/SWIM-L3/report";
  json report = ok_json(call("GET", path, teacher_token));
  EXPECT_EQ(report["course"], "SWIM-L3");
  EXPECT_EQ(report["quota"]["month"], "2026-09");
  EXPECT_EQ(report["quota"]["used"], 3) << "every course's certificates of the month count";
  EXPECT_EQ(report["quota"]["per_month"], 5);
  EXPECT_EQ(report["quota"]["left"], 2);
  EXPECT_EQ(report["certificates"]["total"], 2);
  ASSERT_EQ(report["certificates"]["rows"].size(), 2u) << "not FA-101's";
  EXPECT_EQ(report["certificates"]["rows"][0]["number"], "SW-2");
  EXPECT_EQ(report["certificates"]["rows"][0]["status"], "valid");
  ASSERT_EQ(report["deliveries"]["rows"].size(), 1u);
  EXPECT_EQ(report["deliveries"]["rows"][0]["number"], "SW-1");
  EXPECT_EQ(report["deliveries"]["rows"][0]["recipient"], "grace@example.org");
  ASSERT_EQ(report["verifications"]["rows"].size(), 1u) << "not FA-1's";
  EXPECT_EQ(report["verifications"]["rows"][0]["via"], "JSON (a program)");

  json one = ok_json(call("GET", path + "?limit=1", teacher_token));
  EXPECT_EQ(one["certificates"]["total"], 2) << "the total counts what is not listed";
  EXPECT_EQ(one["certificates"]["rows"].size(), 1u);
  for (const std::string limit : {"0", "10001", "x", "-5"}) {
    Response r = call("GET", path + "?limit=" + limit, teacher_token);
    EXPECT_EQ(r.status, 400) << limit;
    EXPECT_NE(error_of(r)["message"].get<std::string>().find("\"limit\""), std::string::npos) << limit;
  }

  backend.quota_per_month = 0;
  json unlimited = ok_json(call("GET", path, teacher_token));
  EXPECT_TRUE(unlimited["quota"]["per_month"].is_null());
  EXPECT_TRUE(unlimited["quota"]["left"].is_null());
  backend.report_error = "the store is busy";
  EXPECT_EQ(call("GET", path, teacher_token).status, 503);
}

TEST_F(ApiTest, EveryCourseRouteIsRefusedForACourseNotTaught) {
  std::size_t checked = 0;
  for (const ApiRouteInfo& route : api_routes()) {
    if (route.path.find("{course}") == std::string::npos) continue;
    std::string path = std::regex_replace(route.path, std::regex("\\{course\\}"), "FA-101");
    path = std::regex_replace(path, std::regex("\\{number\\}"), "FA-1");
    path = std::regex_replace(path, std::regex("\\{id\\}"), "1");
    Response r = call(route.method, path, teacher_token, route.method == "POST" ? "{}" : "");
    EXPECT_EQ(r.status, 403) << route.method << " " << route.path;
    EXPECT_EQ(error_of(r)["status"], 403);
    ++checked;
  }
  EXPECT_GE(checked, 20u);
  EXPECT_TRUE(backend.forced.empty());
  EXPECT_TRUE(backend.awards.empty());
  EXPECT_EQ(backend.certificates[2].status, store::CertificateStatus::issued);
}

TEST_F(ApiTest, TheOpenApiDocumentHasEveryConsoleOperation) {
  json document = json::parse(call("GET", "/api/v1/openapi.json", "").body);
  const json& paths = document["paths"];
  const std::string c = "/api/v1/courses/{course}";
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"get", c + "/issue-now"},
      {"get", c + "/issue-now/preview"},
      {"post", c + "/issue-now"},
      {"get", c + "/certificates"},
      {"get", c + "/certificates/{number}"},
      {"post", c + "/certificates/{number}/reissue"},
      {"post", c + "/certificates/{number}/revoke"},
      {"post", c + "/certificates/{number}/resend"},
      {"get", c + "/award-templates"},
      {"post", c + "/awards"},
      {"post", c + "/awards/preview"},
      {"get", c + "/batch-templates"},
      {"get", c + "/batches"},
      {"get", c + "/batches/{id}"},
      {"post", c + "/batches"},
      {"post", c + "/batches/start"},
      {"post", c + "/batches/{id}/cancel"},
      {"get", c + "/report"}};
  for (const auto& [method, path] : expected) {
    ASSERT_TRUE(paths.contains(path) && paths[path].contains(method)) << method << " " << path;
    const json& operation = paths[path][method];
    EXPECT_TRUE(operation["responses"].contains("403")) << path;
    if (method == "post" && operation.contains("requestBody")) {
      EXPECT_TRUE(operation["responses"].contains("400")) << path;
    }
    if (path.find("{number}") != std::string::npos || path.find("{id}") != std::string::npos) {
      EXPECT_TRUE(operation["responses"].contains("404")) << path;
    }
  }
  json limit;
  for (const json& p : paths[c + "/certificates"]["get"]["parameters"])
    if (p["name"] == "limit") limit = p;
  EXPECT_EQ(limit["in"], "query");
  EXPECT_EQ(limit["schema"]["maximum"], 500);
  EXPECT_EQ(paths[c + "/awards"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
                 ["request_id"]["pattern"],
            "^[A-Za-z0-9_-]{1,64}$");
  EXPECT_EQ(paths[c + "/batches"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["csv"]
                 ["maxLength"],
            65536);
  EXPECT_TRUE(paths[c + "/awards/preview"]["post"]["responses"]["200"]["content"].contains("application/pdf"));
  EXPECT_TRUE(document["components"]["schemas"].contains("Certificate"));
}

TEST_F(ApiTest, ApprovingAndHoldingAreInTheAuditLogNamingTheAccount) {
  ok_json(call("POST", "/api/v1/courses/SWIM-L3/queue/approve", teacher_token, R"({"ids":[11]})"));
  ok_json(call("POST", "/api/v1/courses/SWIM-L3/queue/hold", office_token, R"({"ids":[12]})"));
  auto approved = audit_of("console.approve");
  ASSERT_EQ(approved.size(), 1u);
  EXPECT_EQ(approved[0].actor, "local:jo");
  EXPECT_EQ(json::parse(approved[0].details)["issued"], json::array({"NUM-11"}));
  auto held = audit_of("console.hold");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].actor, "local:office");
}

}  // namespace
}  // namespace certd::console
