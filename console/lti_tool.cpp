#include "console/lti_tool.hpp"

#include <nlohmann/json.hpp>

#include <map>

#include "console/form.hpp"
#include "core/log.hpp"
#include "core/random_token.hpp"
#include "lti/launch.hpp"

namespace certd::console {
namespace {

using nlohmann::json;
using portal::Request;
using portal::Response;

constexpr const char* k_open_again = "Open certd again from the link in your course";

// The parameters of a login: a GET's query or a POST's form.
Result<std::map<std::string, std::string>> login_parameters(const Request& request) {
  bool is_post = request.method == "POST";
  CERTD_ASSIGN_OR_RETURN(FormFields fields, parse_form(is_post ? request.body : request.query, 50));
  std::map<std::string, std::string> params;
  for (auto& [name, value] : fields) params.emplace(std::move(name), std::move(value));  // first wins
  return params;
}

Response redirect(int status, const std::string& location) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", location);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = "See " + location + "\n";
  return r;
}

}  // namespace

LtiTool::LtiTool(LtiToolOptions options, const lti::RsaKey& key, lti::KeyCache& keys, ConsoleBackend& backend,
                 Sessions& sessions, const Clock& clock, ErrorPage error_page)
    : m_options(std::move(options)),
      m_key(key),
      m_keys(keys),
      m_backend(backend),
      m_sessions(sessions),
      m_clock(clock),
      m_error_page(std::move(error_page)) {}

Response LtiTool::refuse(const std::string& path, int status, const std::string& why,
                         const std::string& words) const {
  // `why` may hold what the platform sent (already bounded by lti/); the
  // log is for the school's IT person, the page for a teacher.
  CERTD_LOG_WARN("lti: refused {}: {}", path, why);
  return m_error_page(path, status, words);
}

Response LtiTool::jwks() const {
  Response r;
  r.body = m_key.public_jwks_json();
  r.headers.emplace_back("Cache-Control", "public, max-age=3600");
  return r;
}

Response LtiTool::login(const Request& request) const {
  const std::string& path = request.path;
  auto params = login_parameters(request);
  if (!params) return refuse(path, 400, params.error().message(), "This sign-in request could not be read");
  auto login = lti::read_login_initiation(*params);
  if (!login) return refuse(path, 400, login.error().message(), "This sign-in request is incomplete");
  auto platform = lti::find_platform(m_options.platforms, login->issuer, login->client_id);
  if (!platform)
    return refuse(path, 403, platform.error().message(),
                  "This LMS is not registered with certd: ask the school's IT person to add it");
  // The launch must come back to this certd, not be bounced to anywhere
  // a stranger names.
  if (url_origin(login->target_link_uri) != url_origin(m_options.public_url))
    return refuse(path, 400, "target_link_uri is not on " + url_origin(m_options.public_url),
                  "This sign-in request names another site");
  auto state = random_token_base64url(33);
  auto nonce = random_token_base64url(33);
  if (!state || !nonce) return refuse(path, 503, "no random bytes", "Try again in a minute");
  std::int64_t now = to_unix(m_clock.now());
  store::NewLtiState stored{*state, *nonce, (*platform)->issuer, (*platform)->client_id, login->target_link_uri,
                            now, now + m_options.state_lifetime.count()};
  if (Status put = m_backend.put_lti_state(stored, now, m_options.max_live_states); !put) {
    int status = put.error().code() == ErrorCode::unavailable ? 503 : 500;
    return refuse(path, status, put.error().message(), "Too many sign-ins at once. Try again in a minute");
  }
  return redirect(302, lti::authentication_url(**platform, *login, launch_url(), *state, *nonce));
}

Response LtiTool::launch(const Request& request) const {
  const std::string& path = request.path;
  if (request.method != "POST") return refuse(path, 405, "launch by " + request.method, "Open certd from your course");
  auto form = parse_form(request.body, 20);
  if (!form) return refuse(path, 400, form.error().message(), "This sign-in could not be read");
  std::string id_token = field(*form, "id_token");
  std::string state_value = field(*form, "state");
  if (!field(*form, "error").empty())
    return refuse(path, 401, "the platform answered an error", "The LMS did not sign you in. " + std::string(k_open_again));
  if (id_token.empty() || state_value.empty() || state_value.size() > 128)
    return refuse(path, 400, "no id_token or state", "This sign-in is incomplete. " + std::string(k_open_again));
  std::int64_t now = to_unix(m_clock.now());
  auto state = m_backend.take_lti_state(state_value, now);
  if (!state) return refuse(path, 500, state.error().message(), "Something went wrong. Try again");
  if (!*state)
    return refuse(path, 401, "unknown, used or expired state",
                  "This sign-in has expired or was already used. " + std::string(k_open_again));
  auto platform = lti::find_platform(m_options.platforms, (*state)->issuer, (*state)->client_id);
  if (!platform) return refuse(path, 401, "the platform of this login is no longer registered", k_open_again);
  auto claims = m_keys.verify((*platform)->jwks_url, id_token);
  if (!claims) {
    if (claims.error().code() == ErrorCode::unavailable)
      return refuse(path, 503, "platform keys: " + claims.error().message(),
                    "The LMS could not be reached to check this sign-in. Try again in a minute");
    return refuse(path, 401, claims.error().message(), "This sign-in could not be checked. " + std::string(k_open_again));
  }
  auto launch = lti::read_launch(*claims, **platform, {(*state)->nonce, now});
  if (!launch) return refuse(path, 401, launch.error().message(), "This sign-in could not be checked. " + std::string(k_open_again));

  SessionFor who;
  who.kind = store::SessionKind::lti;
  who.user_key = launch->issuer + "#" + launch->subject;
  who.display_name = launch->name.empty() ? "LMS user " + launch->subject : launch->name;
  json identity{{"issuer", launch->issuer},         {"sub", launch->subject},
                {"deployment_id", launch->deployment_id}, {"course", launch->course_shortname},
                {"course_title", launch->course_title},
                {"person_sourcedid", launch->person_sourcedid}, {"return_url", launch->return_url}};
  std::string landing;
  switch (launch->role) {
    case lti::LaunchRole::teacher:
      who.role = store::Role::teacher;
      who.courses = {launch->course_shortname};
      landing = "/console/course/" + url_encode(launch->course_shortname);
      break;
    case lti::LaunchRole::student:
      who.role = store::Role::student;
      identity["student_id"] = launch->subject;
      landing = "/console/me";
      break;
    case lti::LaunchRole::other:
      return refuse(path, 403, "roles give neither teacher nor student",
                    "certd's console is for a course's teachers and students");
  }
  who.identity = identity.dump();
  auto cookie = m_sessions.open(who);
  if (!cookie) return refuse(path, 500, cookie.error().message(), "Something went wrong. Try again");
  Status audited = m_backend.audit({who.user_key, "lti.launch", launch->course_shortname,
                                    json{{"role", lti::to_string(launch->role)}, {"name", who.display_name}}.dump(),
                                    now});
  if (!audited) CERTD_LOG_WARN("lti: could not write the audit log: {}", audited.error().message());
  CERTD_LOG_INFO("lti: {} launch for course {}", lti::to_string(launch->role), launch->course_shortname);
  Response r = redirect(303, landing);
  r.headers.emplace_back("Set-Cookie", *cookie);
  return r;
}

}  // namespace certd::console
