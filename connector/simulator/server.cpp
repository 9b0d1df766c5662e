// The simulator's HTTP side: the one translation unit of certd_simulator
// that includes cpprestsdk (docs/libraries.md §2).
//
// Control endpoints (POST /_sim/<action>, a JSON object; the full list
// with every key is in server.hpp and docs/moodle-api.md §12):
//   complete, rate, grade, suspend, issue-now      what teachers and students do
//   site {service_enabled?, completions_report_gone?, debug?}
//   course {course, completion_criteria?, completion_tracking?, visible?, service_can_see?, manual_enrolment?}
//   user {username, deleted?, suspended?, never_logged_in?, email?, guardian_email?}
//   scale {framework, id?, values?, proficient?, default?}
//   level {level, empty}
//   function {name, allowed}   capability {name, allowed}
//   fault {function?, kind, status?, latency_ms?, count?}   clear-faults {}
//   stats (GET or POST)
//   lti-tool {login_url, launch_url, target_link_uri?, client_id?, deployment_id?}   lti-key-rotate {}
// and the LTI 1.3 platform's pages (lti_platform.cpp): GET /_sim/lti/launch,
// GET|POST /mod/lti/auth.php, GET /mod/lti/certs.php.
#include "connector/simulator/server.hpp"

#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <thread>

#include "connector/moodle/form_encoding.hpp"
#include "connector/simulator/lti_platform.hpp"
#include "connector/simulator/world.hpp"
#include "core/free_port.hpp"
#include "core/log.hpp"

namespace certd::connector::simulator {
namespace {

namespace http = web::http;
using nlohmann::json;

void send(http::http_request& request, int status, const std::string& content_type, const std::string& body,
          const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  http::http_response response(static_cast<http::status_code>(status));
  for (const auto& [name, value] : headers) response.headers().add(name, value);
  response.set_body(body, content_type);
  request.reply(response).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (const std::exception& e) {
      CERTD_LOG_DEBUG("simulator: reply failed: {}", e.what());
    }
  });
}

// Announces a body it never finishes, so the connection closes under the
// client mid-answer: what a dropped connection looks like to it.
void drop(http::http_request& request) {
  concurrency::streams::producer_consumer_buffer<std::uint8_t> buffer;
  const std::uint8_t partial[] = {'{', '"'};
  buffer.putn_nocopy(partial, sizeof partial).wait();
  buffer.close(std::ios_base::out).wait();
  http::http_response response(http::status_codes::OK);
  response.set_body(concurrency::streams::istream(buffer), 4096, "application/json");
  request.reply(response).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (const std::exception&) {
      // Expected: the stream ends early and the listener drops the connection.
    }
  });
}

const char* const k_not_found_page =
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

std::optional<FaultKind> fault_kind(const std::string& name) {
  if (name == "latency") return FaultKind::latency;
  if (name == "http_error" || name == "5xx") return FaultKind::http_error;
  if (name == "drop") return FaultKind::drop;
  if (name == "lost_reply") return FaultKind::lost_reply;
  if (name == "rate_limit") return FaultKind::rate_limit;
  return std::nullopt;
}

std::optional<TimePoint> time_field(const json& body) {
  if (body.contains("time") && body["time"].is_number_integer()) return from_unix(body["time"].get<std::int64_t>());
  return std::nullopt;
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::not_found: return 404;
    case ErrorCode::permission_denied: return 403;
    case ErrorCode::conflict: return 409;
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error: return 400;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::internal: return 500;
  }
  return 500;
}

// The decoded parameters of a request, as PHP's optional_param() reads
// them: the query string, then the POST form over it; a repeated name
// keeps its last value.
std::map<std::string, std::string> request_params(http::http_request& request) {
  std::map<std::string, std::string> params;
  for (auto& [name, value] : moodle::parse_fields(request.relative_uri().query())) params[name] = value;
  if (request.method() == http::methods::POST)
    for (auto& [name, value] : moodle::parse_fields(request.extract_utf8string(true).get())) params[name] = value;
  return params;
}

// cpprestsdk's pool threads are never joined, so the per-thread state
// OpenSSL makes for a thread that generates or signs with an RSA key (its
// random generator) would never be released: LeakSanitizer reported it in
// the sanitized test run. The LTI pages, the only ones that use OpenSSL,
// release it when they are done; OpenSSL makes it again when needed.
struct OpenSslThreadRelease {
  OpenSslThreadRelease() = default;
  OpenSslThreadRelease(const OpenSslThreadRelease&) = delete;
  OpenSslThreadRelease& operator=(const OpenSslThreadRelease&) = delete;
  ~OpenSslThreadRelease() { OPENSSL_thread_stop(); }
};

}  // namespace

struct Server::Impl {
  Impl(School school, const Clock& clock) : world(std::move(school), clock) {}

  World world;
  std::unique_ptr<LtiPlatform> lti;
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  int port = 0;
  std::mutex faults_mutex;
  std::vector<Fault> faults;  // Guarded by faults_mutex.

  // The fault for this call, if one applies (and counts it down).
  std::optional<Fault> take_fault(const std::string& function) {
    std::lock_guard<std::mutex> lock(faults_mutex);
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (!it->function.empty() && it->function != function) continue;
      Fault fault = *it;
      if (it->count > 0 && --it->count == 0) faults.erase(it);
      return fault;
    }
    return std::nullopt;
  }

  void serve(http::http_request request) {
    try {
      std::string path = request.relative_uri().path();
      std::optional<OpenSslThreadRelease> release;
      if (path.rfind("/mod/lti/", 0) == 0 || path.rfind("/_sim/lti", 0) == 0) release.emplace();
      if (path == "/_sim/lti/launch") return lti_launch(request);
      if (path.rfind("/_sim/", 0) == 0) return control(request, path);
      if (path == "/mod/lti/certs.php") return lti_keys(request);
      if (path == "/mod/lti/auth.php") return lti_auth(request);
      if (path != "/webservice/rest/server.php") return send(request, 404, "text/html", k_not_found_page);
      std::string body = request.extract_utf8string(true).get();
      // GET with a query string works as well (recorded).
      if (request.method() == http::methods::GET) body = request.relative_uri().query();
      std::string function;
      for (const auto& [name, value] : moodle::parse_fields(body))
        if (name == "wsfunction") function = value;
      world.count_request(function);
      if (std::optional<Fault> fault = take_fault(function)) {
        if (apply_fault(request, *fault, body)) return;
      }
      WsAnswer answer = world.handle(body);
      send(request, answer.status, answer.content_type, answer.body,
           {{"Cache-Control", "private, must-revalidate, pre-check=0, post-check=0, max-age=0"},
            {"Access-Control-Allow-Origin", "*"}});
    } catch (const std::exception& e) {
      CERTD_LOG_WARN("simulator: request failed: {}", e.what());
      send(request, 500, "text/plain", "simulator error");
    }
  }

  // The course page's link: launch.php's page, the login initiation that
  // posts itself to the tool.
  void lti_launch(http::http_request& request) {
    std::map<std::string, std::string> params = request_params(request);
    const std::string username = params["username"], course = params["course"];
    Result<LtiForm> form = lti->launch_form(username, course, params["role"]);
    if (!form) return send(request, http_status(form.error().code()), "text/plain", form.error().message() + "\n");
    Result<LaunchPerson> person = world.launch_person(username, course);
    std::string message = person ? person->course_fullname + ": opening the tool for " + person->fullname
                                 : std::string("Opening the tool");
    send(request, 200, "text/html; charset=utf-8", auto_submit_page(*form, "ltiInitiateLoginForm", message));
  }

  void lti_keys(http::http_request& request) {
    Result<std::string> keys = lti->jwks_json();
    if (!keys) return send(request, 503, "text/plain", keys.error().message() + "\n");
    send(request, 200, "application/json", *keys);
  }

  void lti_auth(http::http_request& request) {
    LtiAuthAnswer answer = lti->authenticate(request_params(request));
    // Moodle's fatal_error() answers 404 when the page had not started.
    if (answer.error_page) return send(request, 404, "text/html; charset=utf-8", lti_error_page(answer.error_message));
    send(request, 200, "text/html; charset=utf-8", auto_submit_page(answer.form, "ltiAuthForm", "Opening the tool"));
  }

  // Returns true when the fault answered the request itself.
  bool apply_fault(http::http_request& request, const Fault& fault, const std::string& body) {
    switch (fault.kind) {
      case FaultKind::latency:
        std::this_thread::sleep_for(fault.latency);
        return false;
      case FaultKind::http_error:
        send(request, fault.status, "text/html", "<html><body>" + std::to_string(fault.status) + "</body></html>");
        return true;
      case FaultKind::rate_limit:
        send(request, 429, "text/html", "<html><body>Too Many Requests</body></html>", {{"Retry-After", "1"}});
        return true;
      case FaultKind::drop:
        drop(request);
        return true;
      case FaultKind::lost_reply:
        world.handle(body);  // done, but the client never hears of it
        drop(request);
        return true;
    }
    return false;
  }

  void control(http::http_request& request, const std::string& path) {
    if (path == "/_sim/stats") return send(request, 200, "application/json", stats_json().dump());
    json body = json::parse(request.extract_utf8string(true).get(), nullptr, false);
    if (!body.is_object()) return send(request, 400, "application/json", R"({"error":"send a JSON object"})");
    Status done = control_action(path, body);
    if (!done) return send(request, 400, "application/json", json({{"error", done.error().message()}}).dump());
    send(request, 200, "application/json", R"({"ok":true})");
  }

  Status control_action(const std::string& path, const json& body) {
    auto text = [&](const char* key) {
      return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string();
    };
    if (path == "/_sim/complete") return world.complete_course(text("username"), text("course"), time_field(body));
    if (path == "/_sim/rate")
      return world.rate_skill(text("username"), text("course"), text("skill"), body.value("grade", 0), time_field(body),
                              text("by"));
    if (path == "/_sim/site") return world.set_site(body);
    if (path == "/_sim/course") return world.set_course(text("course"), body);
    if (path == "/_sim/user") return world.set_user(text("username"), body);
    if (path == "/_sim/scale") return world.set_scale(text("framework"), body);
    if (path == "/_sim/level") {
      if (!body.contains("empty") || !body["empty"].is_boolean())
        return Error(ErrorCode::invalid_argument, "level: give empty: true or false");
      return world.set_level_empty(text("level"), body["empty"].get<bool>());
    }
    if (path == "/_sim/grade")
      return world.set_grade(text("username"), text("course"), body.value("grade", 0.0), time_field(body));
    if (path == "/_sim/suspend") return world.suspend(text("username"), text("course"), body.value("suspended", true));
    if (path == "/_sim/issue-now")
      return world.mark_issue_now(text("username"), text("course"), text("teacher"), time_field(body));
    if (path == "/_sim/capability") {
      world.set_capability(text("name"), body.value("allowed", false));
      return ok();
    }
    if (path == "/_sim/function") {
      world.set_function(text("name"), body.value("allowed", false));
      return ok();
    }
    if (path == "/_sim/lti-tool") {
      LtiTool tool;
      tool.login_url = text("login_url");
      tool.launch_url = text("launch_url");
      tool.target_link_uri = text("target_link_uri");
      if (body.contains("client_id")) tool.client_id = text("client_id");
      // Moodle's deployment id is the tool type's numeric id: a number is taken too.
      if (body.contains("deployment_id"))
        tool.deployment_id = body["deployment_id"].is_number_integer()
                                 ? std::to_string(body["deployment_id"].get<std::int64_t>())
                                 : text("deployment_id");
      return lti->register_tool(tool);
    }
    if (path == "/_sim/lti-key-rotate") return lti->rotate_key();
    if (path == "/_sim/clear-faults") {
      std::lock_guard<std::mutex> lock(faults_mutex);
      faults.clear();
      return ok();
    }
    if (path == "/_sim/fault") {
      std::optional<FaultKind> kind = fault_kind(text("kind"));
      if (!kind) return Error(ErrorCode::invalid_argument, "kind must be latency, http_error, drop, lost_reply or rate_limit");
      Fault fault{text("function"), *kind, body.value("status", 503),
                  std::chrono::milliseconds(body.value("latency_ms", 0)), body.value("count", -1)};
      std::lock_guard<std::mutex> lock(faults_mutex);
      faults.push_back(fault);
      return ok();
    }
    return Error(ErrorCode::not_found, "unknown control " + path);
  }

  json stats_json() const {
    ServerStats stats = world.stats();
    return {{"requests", stats.requests}, {"calls", stats.calls}, {"notes", stats.notes_by_client_id},
            {"messages", stats.messages_by_client_id}, {"enrol_calls", stats.enrol_calls},
            {"completion_overrides", stats.completion_overrides}, {"profile_updates", stats.profile_updates}};
  }
};

Server::Server(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(School school, ServerOptions options, const Clock* clock) {
  static const SystemClock k_system_clock;
  auto impl = std::make_unique<Impl>(std::move(school), clock ? *clock : k_system_clock);
  impl->lti = std::make_unique<LtiPlatform>(impl->world, clock ? *clock : k_system_clock);
  std::string last_error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    int port = options.port != 0 ? options.port : certd::pick_free_port(options.host);
    auto listener = std::make_unique<http::experimental::listener::http_listener>(
        "http://" + options.host + ":" + std::to_string(port));
    impl->lti->set_site_url("http://127.0.0.1:" + std::to_string(port));
    Impl* raw = impl.get();
    listener->support([raw](http::http_request request) { raw->serve(std::move(request)); });
    try {
      listener->open().wait();
      impl->listener = std::move(listener);
      impl->port = port;
      return std::unique_ptr<Server>(new Server(std::move(impl)));
    } catch (const std::exception& e) {
      last_error = e.what();  // never close() a listener whose open() failed
      if (options.port != 0) break;
    }
  }
  return Error(ErrorCode::unavailable, "simulator: cannot listen on " + options.host + ":" +
                                           std::to_string(options.port) + ": " + last_error);
}

int Server::port() const { return m_impl->port; }
std::string Server::url() const { return "http://127.0.0.1:" + std::to_string(m_impl->port); }
std::string Server::token() const { return m_impl->world.token(); }

void Server::stop() {
  if (!m_impl || !m_impl->listener) return;
  try {
    m_impl->listener->close().wait();
  } catch (const std::exception& e) {
    CERTD_LOG_DEBUG("simulator: close failed: {}", e.what());
  }
  m_impl->listener.reset();
}

Status Server::complete_course(const std::string& username, const std::string& course, std::optional<TimePoint> at) {
  return m_impl->world.complete_course(username, course, at);
}
Status Server::rate_skill(const std::string& username, const std::string& course, const std::string& skill, int grade,
                          std::optional<TimePoint> at, const std::string& rater) {
  return m_impl->world.rate_skill(username, course, skill, grade, at, rater);
}
Status Server::control(const std::string& action, const std::string& json_body) {
  json body = json::parse(json_body, nullptr, false);
  if (!body.is_object()) return Error(ErrorCode::invalid_argument, "send a JSON object");
  return m_impl->control_action("/_sim/" + action, body);
}
Status Server::set_grade(const std::string& username, const std::string& course, double grade,
                         std::optional<TimePoint> at) {
  return m_impl->world.set_grade(username, course, grade, at);
}
Status Server::suspend(const std::string& username, const std::string& course, bool suspended) {
  return m_impl->world.suspend(username, course, suspended);
}
Status Server::mark_issue_now(const std::string& username, const std::string& course, const std::string& teacher,
                              std::optional<TimePoint> at) {
  return m_impl->world.mark_issue_now(username, course, teacher, at);
}
void Server::add_fault(Fault fault) {
  std::lock_guard<std::mutex> lock(m_impl->faults_mutex);
  m_impl->faults.push_back(std::move(fault));
}
void Server::clear_faults() {
  std::lock_guard<std::mutex> lock(m_impl->faults_mutex);
  m_impl->faults.clear();
}
void Server::set_capability(const std::string& capability, bool allowed) { m_impl->world.set_capability(capability, allowed); }
void Server::set_function(const std::string& function, bool allowed) { m_impl->world.set_function(function, allowed); }
void Server::set_debug(bool developer_debugging) { m_impl->world.set_debug(developer_debugging); }
ServerStats Server::stats() const { return m_impl->world.stats(); }
School Server::school() const { return m_impl->world.school(); }

std::string LtiForm::field(const std::string& name) const {
  for (const auto& [key, value] : fields)
    if (key == name) return value;
  return {};
}

Status Server::register_lti_tool(const LtiTool& tool) { return m_impl->lti->register_tool(tool); }
LtiTool Server::lti_tool() const { return m_impl->lti->tool(); }
std::string Server::lti_issuer() const { return url(); }
std::string Server::lti_auth_url() const { return url() + "/mod/lti/auth.php"; }
std::string Server::lti_jwks_url() const { return url() + "/mod/lti/certs.php"; }
Result<std::string> Server::lti_jwks_json() const { return m_impl->lti->jwks_json(); }
Result<std::string> Server::lti_key_id() const { return m_impl->lti->key_id(); }
Status Server::rotate_lti_key() { return m_impl->lti->rotate_key(); }
Result<LtiForm> Server::lti_launch_form(const std::string& username, const std::string& course,
                                        const std::string& role) {
  return m_impl->lti->launch_form(username, course, role);
}
Result<std::string> Server::lti_id_token(const std::string& username, const std::string& course,
                                         const std::string& role, const std::string& nonce,
                                         std::optional<TimePoint> issued_at) {
  LtiTokenOptions options;
  options.issued_at = issued_at;
  return m_impl->lti->id_token(username, course, role, nonce, options);
}
Result<std::string> Server::lti_id_token(const std::string& username, const std::string& course,
                                         const std::string& role, const std::string& nonce,
                                         const LtiTokenOptions& options) {
  return m_impl->lti->id_token(username, course, role, nonce, options);
}

}  // namespace certd::connector::simulator
