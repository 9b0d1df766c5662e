#include "console/api.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

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

using Params = std::map<std::string, std::string>;

// What a handler gets: the request, the caller (null on open routes) and
// the path's {parameters}.
struct Call {
  const Request& request;
  const Viewer* caller;
  const Params& params;
  ConsoleBackend& backend;
  const Api& api;
};

using RouteHandler = Response (*)(const Call&);

// One row per route: the router and the OpenAPI document both read it.
struct Route {
  const char* method;
  const char* path;
  const char* summary;
  bool authenticated;
  const char* request_schema;   // JSON Schema of the body; nullptr: no body
  const char* response_schema;  // JSON Schema of the 200 answer
  RouteHandler handler;
};

Response json_ok(const json& body) {
  Response r;
  r.content_type = "application/json";
  // replace: what a client sent need not be UTF-8 (portal.cpp json_response).
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Response failure(const Error& e) {
  switch (e.code()) {
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error: return json_error(400, e.message());
    case ErrorCode::not_found: return json_error(404, e.message());
    case ErrorCode::permission_denied: return json_error(403, e.message());
    case ErrorCode::conflict: return json_error(409, e.message());
    case ErrorCode::unavailable: return json_error(503, "busy right now: try again in a minute");
    case ErrorCode::internal: break;
  }
  CERTD_LOG_ERROR("api: internal error: {}", e.message());
  return json_error(500, "something went wrong; the error was logged");
}

// The body as a JSON object, or the 400 to answer.
Result<json> object_body(const Request& request) {
  if (request.body.size() > k_max_api_body) return Error(ErrorCode::invalid_argument, "the body is too large");
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return Error(ErrorCode::invalid_argument, "the body must be a JSON object");
  return body;
}

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

// Course scoping as on the pages: admins act on every course, teachers
// on theirs.
std::optional<Response> refused(const Call& call, const std::string& course) {
  if (call.caller->teaches(course)) return std::nullopt;
  return json_error(403, "this account does not teach " + course);
}

Response openapi(const Call& call) { return json_ok(json::parse(call.api.openapi_json())); }

Response me(const Call& call) {
  const store::SessionRow& s = call.caller->session;
  return json_ok({{"name", s.display_name},
                  {"role", store::to_string(s.role)},
                  {"courses", s.courses},
                  {"all_courses", s.role == store::Role::admin}});
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
  return json_ok({{"held", *ids}});
}

constexpr const char* k_ids_body =
    R"({"type":"object","required":["ids"],"properties":{"ids":{"type":"array","minItems":1,"maxItems":1000,)"
    R"("items":{"type":"integer","minimum":1}}}})";
constexpr const char* k_approve_body =
    R"({"type":"object","required":["ids"],"properties":{"ids":{"type":"array","minItems":1,"maxItems":1000,)"
    R"("items":{"type":"integer","minimum":1}},"notes":{"type":"string","maxLength":2000}}})";

constexpr const char* k_components =
    R"({"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}},)"
    R"("schemas":{"Error":{"type":"object","properties":{"error":{"type":"object","properties":{)"
    R"("status":{"type":"integer"},"message":{"type":"string"}}}}}}})";

const Route k_routes[] = {
    {"GET", "/api/v1/openapi.json", "This document", false, nullptr, R"({"type":"object"})", openapi},
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

bool Api::owns(const std::string& path) { return path.rfind("/api/v1/", 0) == 0; }

Response Api::handle(const Request& request) const {
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
  if (!found->authenticated) return found->handler({request, nullptr, params, m_backend, *this});

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
  std::int64_t now = to_unix(m_clock.now());
  if (Status touched = m_backend.touch_api_token((*row)->id, now); !touched)
    CERTD_LOG_WARN("api: could not record the use of token {}: {}", (*row)->id, touched.error().message());

  Viewer caller;
  caller.session.kind = store::SessionKind::api;
  caller.session.user_key = "local:" + (*user)->user.name;
  caller.session.display_name = (*user)->user.name;
  caller.session.role = (*user)->user.role;
  caller.session.courses = (*user)->user.courses;
  return found->handler({request, &caller, params, m_backend, *this});
}

std::string Api::openapi_json() const {
  json paths = json::object();
  for (const Route& r : k_routes) {
    json operation{{"summary", r.summary}};
    json parameters = json::array();
    for (const std::string& part : segments(r.path))
      if (part.size() > 2 && part.front() == '{')
        parameters.push_back({{"name", part.substr(1, part.size() - 2)},
                              {"in", "path"},
                              {"required", true},
                              {"description", "the course's shortname in the LMS"},
                              {"schema", {{"type", "string"}}}});
    if (!parameters.empty()) operation["parameters"] = parameters;
    if (r.request_schema)
      operation["requestBody"] = {{"required", true},
                                  {"content", {{"application/json", {{"schema", json::parse(r.request_schema)}}}}}};
    json error = {{"description", ""}, {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    json responses{{"200", {{"description", "done"},
                            {"content", {{"application/json", {{"schema", json::parse(r.response_schema)}}}}}}}};
    if (r.authenticated) {
      operation["security"] = json::array({{{"bearer", json::array()}}});
      error["description"] = "no, unknown or revoked token, or a disabled account";
      responses["401"] = error;
      error["description"] = "the account does not teach this course";
      if (!parameters.empty()) responses["403"] = error;
    } else {
      operation["security"] = json::array();
    }
    if (r.request_schema) {
      error["description"] = "the body is not a JSON object of this shape";
      responses["400"] = error;
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
                  {"description", "The teacher console's queue for a school's scripts. Tokens: certd token create."}}},
                {"paths", paths}};
  document["components"] = json::parse(k_components);
  return document.dump(2);
}

}  // namespace certd::console
