#include "console/api.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "console/api_call.hpp"
#include "console/sessions.hpp"
#include "core/log.hpp"
#include "core/random_token.hpp"
#include "core/time_format.hpp"

namespace certd::console {
namespace {

using nlohmann::json;
using portal::json_error;
using portal::Request;
using portal::Response;

constexpr std::size_t k_token_bytes = 32;
constexpr std::size_t k_max_ids = 1000;

using namespace api_handlers;

// One row per route: the router and the OpenAPI document both read it.
struct Route {
  const char* method;
  const char* path;
  const char* summary;
  bool authenticated;
  const char* request_schema;   // JSON Schema of the body; nullptr: no body
  const char* response_schema;  // JSON Schema of the 200 answer
  RouteHandler handler;
  // OpenAPI parameter objects (a JSON list) of the query; nullptr: none.
  const char* query_parameters = nullptr;
  const char* response_type = "application/json";  // of the 200 answer
};

// body.ids: 1 to k_max_ids positive integers.
Result<std::vector<store::Id>> ids_of(const json& body) {
  const Error bad(ErrorCode::invalid_argument, "\"ids\" must be a list of 1 to 1000 queue entry ids (integers)");
  auto it = body.find("ids");
  if (it == body.end() || !it->is_array() || it->empty() || it->size() > k_max_ids) return bad;
  std::vector<store::Id> ids;
  for (const json& id : *it) {
    if (!id.is_number_integer() || id.get<std::int64_t>() <= 0) return bad;
    ids.push_back(id.get<store::Id>());
  }
  return ids;
}

Response openapi(const Call& call) { return json_ok(json::parse(call.api.openapi_json())); }

Response me(const Call& call) {
  const store::SessionRow& s = call.caller->session;
  return json_ok({{"name", s.display_name},
                  {"role", store::to_string(s.role)},
                  {"courses", s.courses},
                  {"all_courses", s.role == store::Role::admin}});
}

// The school-wide figures, for an admin's token only: a teacher's account
// sees its own courses, not the school's.
Response metrics(const Call& call) {
  if (call.caller->session.role != store::Role::admin)
    return failure(Error(ErrorCode::permission_denied, "/metrics needs an admin account's token"));
  auto text = call.backend.metrics_text(call.now);
  if (!text) return failure(text.error());
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = std::move(*text);
  return r;
}

Response queue(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto entries = call.backend.queue(course);
  if (!entries) return failure(entries.error());
  json list = json::array();
  for (const QueueEntry& e : *entries)
    list.push_back({{"id", e.id},
                    {"student_id", e.student_id},
                    {"student_name", e.student_name},
                    {"rule_id", e.rule_id},
                    {"certificate", e.certificate},
                    {"since", format_iso8601(from_unix(e.since))},
                    {"reason", e.reason},
                    {"status", e.held ? "held" : "pending"}});
  return json_ok({{"course", course}, {"entries", list}});
}

Response approve(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto body = object_body(call.request);
  if (!body) return failure(body.error());
  auto ids = ids_of(*body);
  if (!ids) return failure(ids.error());
  std::string notes;
  if (auto it = body->find("notes"); it != body->end()) {
    if (!it->is_string()) return json_error(400, "\"notes\" must be a string");
    notes = it->get<std::string>();
  }
  auto outcome = call.backend.approve(course, *ids, notes, call.caller->session.display_name);
  if (!outcome) return failure(outcome.error());
  record(call, "console.approve", course,
         {{"rows", *ids}, {"issued", outcome->issued}, {"failed", outcome->failed.size()}});
  return json_ok({{"issued", outcome->issued}, {"failed", outcome->failed}});
}

Response hold(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto body = object_body(call.request);
  if (!body) return failure(body.error());
  auto ids = ids_of(*body);
  if (!ids) return failure(ids.error());
  if (Status held = call.backend.hold(course, *ids, call.caller->session.display_name); !held)
    return failure(held.error());
  record(call, "console.hold", course, {{"rows", *ids}});
  return json_ok({{"held", *ids}});
}

constexpr const char* k_ids_body =
    R"({"type":"object","required":["ids"],"properties":{"ids":{"type":"array","minItems":1,"maxItems":1000,)"
    R"("items":{"type":"integer","minimum":1}}}})";
constexpr const char* k_approve_body =
    R"({"type":"object","required":["ids"],"properties":{"ids":{"type":"array","minItems":1,"maxItems":1000,)"
    R"("items":{"type":"integer","minimum":1}},"notes":{"type":"string","maxLength":2000}}})";

// An award's body; the preview's is the same without request_id.
#define CERTD_AWARD_PROPERTIES                                                                          \
  R"("template":{"type":"string","minLength":1,"maxLength":200},)"                                      \
  R"("students":{"type":"array","minItems":1,"maxItems":200,"items":{"type":"string","minLength":1}},)" \
  R"("title":{"type":"string","maxLength":200},"notes":{"type":"string","maxLength":2000})"
constexpr const char* k_award_body =
    R"({"type":"object","required":["template","students","request_id"],"properties":{)" CERTD_AWARD_PROPERTIES
    R"(,"request_id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$",)"
    R"("description":"the client's idempotency key: the same request_id issues nothing twice"}}})";
constexpr const char* k_award_preview_body =
    R"({"type":"object","required":["template","students"],"properties":{)" CERTD_AWARD_PROPERTIES R"(}})";
#undef CERTD_AWARD_PROPERTIES

constexpr const char* k_templates_answer =
    R"({"type":"object","properties":{"templates":{"type":"array","items":{"type":"object","properties":{)"
    R"("id":{"type":"string"},"name":{"type":"string"}}}}}})";

constexpr const char* k_components =
    R"({"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}},)"
    R"("schemas":{"Error":{"type":"object","properties":{"error":{"type":"object","properties":{)"
    R"("status":{"type":"integer"},"message":{"type":"string"}}}}},)"
    R"("Certificate":{"type":"object","properties":{"number":{"type":"string"},"student_id":{"type":"string"},)"
    R"("student_name":{"type":"string"},"title":{"type":"string"},"course":{"type":"string"},)"
    R"("kind":{"enum":["automatic","approved","adhoc","forced","batch","reissue"]},)"
    R"("status":{"enum":["valid","expired","revoked"]},"issued_at":{"type":"string","format":"date-time"},)"
    R"("expires_at":{"type":["string","null"],"format":"date-time"},"teacher":{"type":"string"},)"
    R"("requested_by":{"type":"string"},"notes":{"type":"string"},)"
    R"("revoked_at":{"type":["string","null"],"format":"date-time"},)"
    R"("revoke_category":{"enum":["error","replaced","withdrawn",null]},)"
    R"("revoke_reason":{"type":"string","description":"the school's own note, never shown publicly"}}},)"
    R"("Delivery":{"type":"object","properties":{"number":{"type":"string"},"recipient":{"type":"string"},)"
    R"("role":{"type":"string"},"status":{"enum":["queued","sent","failed","claimed"]},)"
    R"("resend_count":{"type":"integer"},"sent_at":{"type":["string","null"],"format":"date-time"},)"
    R"("claimed_at":{"type":["string","null"],"format":"date-time"},"server_reply":{"type":"string"}}},)"
    R"("Batch":{"type":"object","properties":{"id":{"type":"integer"},"file_name":{"type":"string"},)"
    R"("template":{"type":"string"},"status":{"enum":["running","done","cancelled"]},)"
    R"("total":{"type":"integer"},"issued":{"type":"integer"},"failed":{"type":"integer"},)"
    R"("cancelled":{"type":"integer"},"remaining":{"type":"integer"},)"
    R"("created_at":{"type":"string","format":"date-time"},"created_by":{"type":"string"}}}}})";

const Route k_routes[] = {
    {"GET", "/api/v1/openapi.json", "This document", false, nullptr, R"({"type":"object"})", openapi},
    {"GET", "/api/v1/metrics",
     "The school's figures in the Prometheus text format (an admin's token; also at /metrics)", true, nullptr,
     R"({"type":"string"})", metrics, nullptr, "text/plain"},
    {"GET", "/api/v1/me", "The account the token acts as", true, nullptr,
     R"({"type":"object","properties":{"name":{"type":"string"},"role":{"enum":["admin","teacher"]},)"
     R"("courses":{"type":"array","items":{"type":"string"}},"all_courses":{"type":"boolean"}}})",
     me},
    {"GET", "/api/v1/courses/{course}/queue", "The course's certificates waiting for a teacher", true, nullptr,
     R"({"type":"object","properties":{"course":{"type":"string"},"entries":{"type":"array","items":{)"
     R"("type":"object","properties":{"id":{"type":"integer"},"student_id":{"type":"string"},)"
     R"("student_name":{"type":"string"},"rule_id":{"type":"string"},"certificate":{"type":"string"},)"
     R"("since":{"type":"string","format":"date-time"},"reason":{"type":"string"},)"
     R"("status":{"enum":["pending","held"]}}}}}})",
     queue},
    {"POST", "/api/v1/courses/{course}/queue/approve",
     "Issue the entries `ids` with `notes`; an entry that cannot be issued stays and is listed in `failed`", true,
     k_approve_body,
     R"({"type":"object","properties":{"issued":{"type":"array","items":{"type":"string"}},)"
     R"("failed":{"type":"array","items":{"type":"string"}}}})",
     approve},
    {"POST", "/api/v1/courses/{course}/queue/hold", "Keep the entries `ids` in the queue for later", true, k_ids_body,
     R"({"type":"object","properties":{"held":{"type":"array","items":{"type":"integer"}}}})", hold},

    // Issue now (console/issue_now_page.cpp): the LMS is read each time.
    {"GET", "/api/v1/courses/{course}/issue-now", "The students and the rules an Issue now may choose", true,
     nullptr,
     R"({"type":"object","properties":{"course":{"type":"string"},"students":{"type":"array","items":{)"
     R"("type":"object","properties":{"id":{"type":"string"},"name":{"type":"string"}}}},)"
     R"("rules":{"type":"array","items":{"type":"object","properties":{"id":{"type":"string"},)"
     R"("certificate":{"type":"string"}}}}}})",
     issue_now_choices},
    {"GET", "/api/v1/courses/{course}/issue-now/preview",
     "What the student has not met of the rule, and the number if it was issued already", true, nullptr,
     R"({"type":"object","properties":{"student_name":{"type":"string"},"certificate":{"type":"string"},)"
     R"("unmet":{"type":"array","items":{"type":"string"}},"existing_number":{"type":["string","null"]}}})",
     issue_now_preview,
     R"([{"name":"student","in":"query","required":true,"description":"the student's LMS user id",)"
     R"("schema":{"type":"string","minLength":1,"maxLength":200}},)"
     R"({"name":"rule","in":"query","required":true,"description":"a rule id of the course",)"
     R"("schema":{"type":"string","minLength":1,"maxLength":200}}])"},
    {"POST", "/api/v1/courses/{course}/issue-now",
     "Issue the rule's certificate to the student whatever their progress; once per student and rule", true,
     R"({"type":"object","required":["student","rule"],"properties":{)"
     R"("student":{"type":"string","minLength":1,"maxLength":200},)"
     R"("rule":{"type":"string","minLength":1,"maxLength":200}}})",
     R"({"type":"object","properties":{"number":{"type":"string"},"student_name":{"type":"string"},)"
     R"("certificate":{"type":"string"},"already_issued":{"type":"boolean"}}})",
     issue_now},

    // Issued certificates (console/issued_page.cpp).
    {"GET", "/api/v1/courses/{course}/certificates", "The course's certificates matching `q`, newest first", true,
     nullptr,
     R"({"type":"object","properties":{"course":{"type":"string"},)"
     R"("matched":{"type":"integer","description":"all that matched, listed or not"},)"
     R"("certificates":{"type":"array","items":{"$ref":"#/components/schemas/Certificate"}}}})",
     certificates,
     R"([{"name":"q","in":"query","required":false,"description":"part of the number, the student's name or id",)"
     R"("schema":{"type":"string","maxLength":200}},)"
     R"({"name":"limit","in":"query","required":false,"description":"how many to list",)"
     R"("schema":{"type":"integer","minimum":1,"maximum":500,"default":50}}])"},
    {"GET", "/api/v1/courses/{course}/certificates/{number}", "One certificate and the e-mails sent about it", true,
     nullptr,
     R"({"allOf":[{"$ref":"#/components/schemas/Certificate"},{"type":"object","properties":{"deliveries":{)"
     R"("type":"array","items":{"$ref":"#/components/schemas/Delivery"}}}}]})",
     certificate},
    {"POST", "/api/v1/courses/{course}/certificates/{number}/reissue",
     "Issue it again under a new number (a valid one is revoked as replaced)", true, nullptr,
     R"({"type":"object","properties":{"number":{"type":"string","description":"the new certificate's"},)"
     R"("replaces":{"type":"string"}}})",
     reissue},
    {"POST", "/api/v1/courses/{course}/certificates/{number}/revoke",
     "Revoke it: `category` is what the verification page says, `reason` the school's own note", true,
     R"({"type":"object","required":["category","reason"],"properties":{)"
     R"("category":{"enum":["error","replaced","withdrawn"]},)"
     R"("reason":{"type":"string","minLength":1,"maxLength":200}}})",
     R"({"type":"object","properties":{"number":{"type":"string"},"status":{"const":"revoked"},)"
     R"("category":{"enum":["error","replaced","withdrawn"]}}})",
     revoke},
    {"POST", "/api/v1/courses/{course}/certificates/{number}/resend",
     "Send its sent, unopened e-mails again (at most three times each)", true, nullptr,
     R"({"type":"object","properties":{"queued":{"type":"integer"},"skipped":{"type":"integer"}}})", resend},

    // Ad-hoc awards (console/award_page.cpp).
    {"GET", "/api/v1/courses/{course}/award-templates", "The templates an award may print", true, nullptr,
     k_templates_answer, award_templates},
    {"POST", "/api/v1/courses/{course}/awards",
     "One ad-hoc award per student; the same `request_id` again issues nothing twice", true, k_award_body,
     R"({"type":"object","properties":{"issued":{"type":"array","items":{"type":"object","properties":{)"
     R"("student_name":{"type":"string"},"number":{"type":"string"},"already_issued":{"type":"boolean"}}}},)"
     R"("failed":{"type":"array","items":{"type":"string"}}}})",
     award},
    {"POST", "/api/v1/courses/{course}/awards/preview",
     "The first student's award as a PDF stamped PREVIEW: never signed, never stored", true, k_award_preview_body,
     R"({"type":"string","contentMediaType":"application/pdf"})", award_preview, nullptr, "application/pdf"},

    // Reports (console/reports_page.cpp).
    {"GET", "/api/v1/courses/{course}/report",
     "The monthly quota and the course's certificates, e-mails and verifications, newest first", true, nullptr,
     R"({"type":"object","properties":{"course":{"type":"string"},"quota":{"type":"object","properties":{)"
     R"("month":{"type":"string","description":"YYYY-MM, UTC"},)"
     R"("used":{"type":"integer","description":"certificates of every course issued this month"},)"
     R"("per_month":{"type":["integer","null"],"description":"null: no quota"},"left":{"type":["integer","null"]}}},)"
     R"("certificates":{"type":"object","properties":{"total":{"type":"integer"},)"
     R"("rows":{"type":"array","items":{"$ref":"#/components/schemas/Certificate"}}}},)"
     R"("deliveries":{"type":"object","properties":{"total":{"type":"integer"},)"
     R"("rows":{"type":"array","items":{"$ref":"#/components/schemas/Delivery"}}}},)"
     R"("verifications":{"type":"object","properties":{"total":{"type":"integer"},)"
     R"("rows":{"type":"array","items":{"type":"object","properties":{"number":{"type":"string"},)"
     R"("result":{"type":"string"},"via":{"type":"string"},"at":{"type":"string","format":"date-time"}}}}}}}})",
     report,
     R"([{"name":"limit","in":"query","required":false,"description":"rows listed of each kind; the totals count all",)"
     R"("schema":{"type":"integer","minimum":1,"maximum":10000,"default":100}}])"},

    // CSV batches (console/batches_page.cpp). The CSV is in the JSON body,
    // so at most 64 KiB (api_batches.cpp says why); larger files go
    // through the console's Batches page.
    {"GET", "/api/v1/courses/{course}/batch-templates", "The templates a batch may print", true, nullptr,
     k_templates_answer, batch_templates},
    {"GET", "/api/v1/courses/{course}/batches", "The course's batches, newest first", true, nullptr,
     R"({"type":"object","properties":{"course":{"type":"string"},)"
     R"("batches":{"type":"array","items":{"$ref":"#/components/schemas/Batch"}}}})",
     batches},
    {"GET", "/api/v1/courses/{course}/batches/{id}", "A batch's progress and its failed rows", true, nullptr,
     R"({"allOf":[{"$ref":"#/components/schemas/Batch"},{"type":"object","properties":{"failed_rows":{)"
     R"("type":"array","items":{"type":"object","properties":{"line":{"type":"integer"},"student":{"type":"string"},)"
     R"("name":{"type":"string"},"reason":{"type":"string"}}}}}}]})",
     batch},
    {"POST", "/api/v1/courses/{course}/batches",
     "Check a CSV file (columns: student, name, course, and optionally title, expires_on, notes); nothing starts "
     "until batches/start is sent the answer's `ticket`",
     true,
     R"({"type":"object","required":["file_name","template","csv"],"properties":{)"
     R"("file_name":{"type":"string","minLength":1,"maxLength":255},"template":{"type":"string","minLength":1},)"
     R"("csv":{"type":"string","minLength":1,"maxLength":65536,)"
     R"("description":"the file's text; the whole body is at most 64 KiB"},)"
     R"("skip_bad":{"type":"boolean","default":false,"description":"issue the good rows, skipping bad ones"}}})",
     R"({"type":"object","properties":{"errors":{"type":"array","items":{"type":"object","properties":{)"
     R"("line":{"type":"integer"},"message":{"type":"string"}}}},"good_rows":{"type":"integer"},)"
     R"("ticket":{"type":["string","null"],)"
     R"("description":"for batches/start, by this account; null: nothing can start"}}})",
     check_batch},
    {"POST", "/api/v1/courses/{course}/batches/start", "Start the checked rows of `ticket`", true,
     R"({"type":"object","required":["ticket"],"properties":{"ticket":{"type":"string","minLength":1}}})",
     R"({"type":"object","properties":{)"
     R"("batch":{"type":["integer","null"],"description":"null: every row is in a batch already"},)"
     R"("new_rows":{"type":"integer"},"already":{"type":"array","items":{"type":"object","properties":{)"
     R"("batch":{"type":"integer"},"status":{"type":"string"},"rows":{"type":"integer"}}}}}})",
     start_batch},
    {"POST", "/api/v1/courses/{course}/batches/{id}/cancel",
     "Stop the rows not issued yet and revoke what the batch issued", true,
     R"({"type":"object","required":["reason"],"properties":{)"
     R"("reason":{"type":"string","minLength":1,"maxLength":200}}})",
     R"({"type":"object","properties":{"batch":{"type":"integer"},)"
     R"("revoked":{"type":"integer","description":"certificates of the batch now revoked"}}})",
     cancel_batch},
};

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// Whether `path` fits the route's pattern; fills its {parameters}.
bool matches(const char* pattern, const std::string& path, Params& params) {
  std::vector<std::string> want = segments(pattern);
  std::vector<std::string> got = segments(path);
  if (want.size() != got.size()) return false;
  Params found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      if (got[i].empty()) return false;
      found[want[i].substr(1, want[i].size() - 2)] = got[i];
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

// An OpenAPI parameter object for the path's {name}.
json path_parameter(const std::string& name) {
  json parameter{{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
  if (name == "course") {
    parameter["description"] = "the course's shortname in the LMS";
  } else if (name == "number") {
    parameter["description"] = "a certificate number of the course";
  } else {
    parameter["description"] = "a batch id of the course";
    parameter["schema"] = {{"type", "integer"}, {"minimum", 1}};
  }
  return parameter;
}

Response unauthorized(const std::string& message) {
  Response r = json_error(401, message);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"certd\"");
  return r;
}

bool plausible_token(const std::string& token) {
  return token.size() > std::char_traits<char>::length(k_api_token_prefix) && token.size() <= 100 &&
         token.rfind(k_api_token_prefix, 0) == 0 && std::all_of(token.begin(), token.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '_';
         });
}

std::string bearer_token(const Request& request) {
  std::string header = request.header("authorization");
  if (header.size() < 7) return {};
  std::string scheme = header.substr(0, 7);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  if (scheme != "bearer ") return {};
  std::size_t start = header.find_first_not_of(' ', 7);
  return start == std::string::npos ? std::string() : header.substr(start);
}

}  // namespace

Result<std::string> new_api_token() {
  CERTD_ASSIGN_OR_RETURN(std::string random, random_token_base64url(k_token_bytes));
  // 32 bytes end in one '=' of padding: dropped, so the token is one word
  // for scanners and shells alike.
  while (!random.empty() && random.back() == '=') random.pop_back();
  return k_api_token_prefix + random;
}

std::vector<ApiRouteInfo> api_routes() {
  std::vector<ApiRouteInfo> routes;
  for (const Route& r : k_routes) routes.push_back({r.method, r.path, r.summary, r.authenticated});
  return routes;
}

Api::Api(ConsoleBackend& backend, const Clock& clock) : m_backend(backend), m_clock(clock) {}

bool Api::owns(const std::string& path) { return path.rfind("/api/v1/", 0) == 0 || path == k_metrics_path; }

Response Api::handle(const Request& original) const {
  // Prometheus looks at /metrics by default: the same route.
  Request renamed;
  if (original.path == k_metrics_path) {
    renamed = original;
    renamed.path = "/api/v1/metrics";
  }
  const Request& request = original.path == k_metrics_path ? renamed : original;
  const std::string method = request.method == "HEAD" ? "GET" : request.method;
  const Route* found = nullptr;
  Params params;
  std::string allowed;
  for (const Route& route : k_routes) {
    if (!matches(route.path, request.path, params)) continue;
    allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
    if (method == route.method) found = &route;
  }
  if (!found) {
    if (allowed.empty()) return json_error(404, "no such API route; see /api/v1/openapi.json");
    Response r = json_error(405, "this route takes " + allowed);
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  matches(found->path, request.path, params);
  const std::int64_t now = to_unix(m_clock.now());
  if (!found->authenticated) return found->handler({request, nullptr, params, m_backend, *this, now});

  std::string token = bearer_token(request);
  if (token.empty()) return unauthorized("send a token: Authorization: Bearer certd_...");
  if (!plausible_token(token)) return unauthorized("this is not a certd API token");
  auto row = m_backend.api_token(token_hash(token));
  if (!row) return failure(row.error());
  if (!*row) return unauthorized("unknown token");
  if ((*row)->revoked_at) return unauthorized("this token was revoked");
  auto user = m_backend.local_user((*row)->token.user_name);
  if (!user) return failure(user.error());
  if (!*user || (*user)->disabled) return unauthorized("the token's account is disabled");
  if (Status touched = m_backend.touch_api_token((*row)->id, now); !touched)
    CERTD_LOG_WARN("api: could not record the use of token {}: {}", (*row)->id, touched.error().message());

  Viewer caller;
  caller.session.kind = store::SessionKind::api;
  caller.session.user_key = "local:" + (*user)->user.name;
  caller.session.display_name = (*user)->user.name;
  caller.session.role = (*user)->user.role;
  caller.session.courses = (*user)->user.courses;
  return found->handler({request, &caller, params, m_backend, *this, now});
}

std::string Api::openapi_json() const {
  json paths = json::object();
  for (const Route& r : k_routes) {
    json operation{{"summary", r.summary}};
    json parameters = json::array();
    bool names_a_thing = false;  // a {number} or {id}: 404 when there is no such thing
    for (const std::string& part : segments(r.path))
      if (part.size() > 2 && part.front() == '{') {
        std::string name = part.substr(1, part.size() - 2);
        names_a_thing = names_a_thing || name != "course";
        parameters.push_back(path_parameter(name));
      }
    if (r.query_parameters)
      for (const json& p : json::parse(r.query_parameters)) parameters.push_back(p);
    if (!parameters.empty()) operation["parameters"] = parameters;
    if (r.request_schema)
      operation["requestBody"] = {{"required", true},
                                  {"content", {{"application/json", {{"schema", json::parse(r.request_schema)}}}}}};
    json error = {{"description", ""}, {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    json responses{{"200", {{"description", "done"},
                            {"content", {{r.response_type, {{"schema", json::parse(r.response_schema)}}}}}}}};
    if (r.authenticated) {
      operation["security"] = json::array({{{"bearer", json::array()}}});
      error["description"] = "no, unknown or revoked token, or a disabled account";
      responses["401"] = error;
      error["description"] = "the account does not teach this course";
      if (!parameters.empty()) responses["403"] = error;
    } else {
      operation["security"] = json::array();
    }
    if (r.request_schema || r.query_parameters) {
      error["description"] = "the body or query is not of this shape; the message names the field";
      responses["400"] = error;
    }
    if (names_a_thing) {
      error["description"] = "no such certificate or batch in this course";
      responses["404"] = error;
      if (std::string(r.method) == "POST") {
        error["description"] = "not in a state for this (already revoked, a batch that ended)";
        responses["409"] = error;
      }
    }
    operation["responses"] = responses;
    std::string method = r.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    paths[r.path][method] = operation;
  }
  json document{{"openapi", "3.1.0"},
                {"info",
                 {{"title", "certd console API"},
                  {"version", "1"},
                  {"description",
                   "What the teacher console does, for a school's scripts: the queue, Issue now, issued "
                   "certificates, ad-hoc awards and CSV batches. Tokens: certd token create."}}},
                {"paths", paths}};
  document["components"] = json::parse(k_components);
  return document.dump(2);
}

}  // namespace certd::console
