// The simulated Moodle 4.5 as an LTI 1.3 platform. Each step follows the
// PHP that Moodle runs for it (mod/lti in MOODLE_405_STABLE):
//   the course page's link   launch.php -> lti_initiate_login() /
//                            lti_build_login_request()
//   the authentication       auth.php
//   the id_token             lti_get_launch_data() -> lti_build_request(),
//                            lti_build_standard_message(), lti_sign_jwt()
//                            with lti_get_jwt_claim_mapping()
//   the keys                 certs.php (jwks_helper::get_jwks())
// docs/moodle-api.md §12 lists the endpoints.
#include "connector/simulator/lti_platform.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>

#include "core/random_token.hpp"
#include "lti/jwt.hpp"

namespace certd::connector::simulator {
namespace {

using nlohmann::json;

constexpr const char* k_claim = "https://purl.imsglobal.org/spec/lti/claim/";
constexpr const char* k_membership = "http://purl.imsglobal.org/vocab/lis/v2/membership#";
// The version site_info reports (ws_functions.cpp): $CFG->version, which
// lti_build_standard_message() sends as tool_consumer_info_version.
constexpr const char* k_moodle_version = "2024090300";
// Moodle's id_tokens live one minute (lti_sign_jwt: 'exp' => $now + 60).
constexpr std::int64_t k_token_lifetime = 60;
// The certd link of each course is one mod_lti activity: its instance id
// is the course id, its cmid this base plus the course id (clear of the
// school file's cmids).
constexpr Id k_lti_cmid_base = 90000;
constexpr const char* k_activity_name = "Certificates";
// LTI_LAUNCH_CONTAINER_EMBED_NO_BLOCKS, the default container, which
// lti_get_launch_data() sends as document_target "iframe".
constexpr int k_launch_container = 3;
// Launches opened and never authenticated are forgotten past this many
// (Moodle's live in the session until it ends).
constexpr std::size_t k_max_pending_launches = 1000;

std::string claim(const char* name) { return std::string(k_claim) + name; }

bool is_http_url(const std::string& url) {
  for (const char* scheme : {"http://", "https://"})
    if (url.rfind(scheme, 0) == 0 && url.size() > std::string(scheme).size()) return true;
  return false;
}

// The host of the wwwroot: lti_get_organizationid()'s default
// (organizationid_default = SITEHOST) for tool_platform.guid.
std::string host_of(const std::string& url) {
  std::string::size_type start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  std::string::size_type end = url.find_first_of(":/", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#039;"; break;
      default: out += c;
    }
  }
  return out;
}

bool is_teacher(int role) { return role == k_teacher_role || role == k_non_editing_teacher_role; }

// The role a launch carries: the one asked for, else the enrolment's as
// lti_get_ims_role() judges it (mod/lti:manage, which both teacher roles
// hold, makes an Instructor; anyone else is a Learner).
Result<std::string> launch_role(const LaunchPerson& person, const std::string& requested) {
  if (person.user.suspended)
    return Error(ErrorCode::permission_denied, "simulator: the account of " + person.user.username + " is suspended");
  if (!requested.empty()) {
    for (const char* known : {"Instructor", "Learner", "ContentDeveloper", "Administrator"})
      if (requested == known) return requested;
    return Error(ErrorCode::invalid_argument,
                 "simulator: role must be Instructor, Learner, ContentDeveloper or Administrator");
  }
  if (!person.role || person.enrolment_suspended)
    return Error(ErrorCode::permission_denied,
                 "simulator: " + person.user.username + " is not enrolled in " + person.course_shortname);
  return std::string(is_teacher(*person.role) ? "Instructor" : "Learner");
}

// lti_get_ims_role() then lti_sign_jwt()'s rewriting to LIS v2 URIs,
// sorted as lti_sign_jwt() sorts every array claim. A site admin is an
// Instructor (Learner removed) plus urn:lti:sysrole and urn:lti:instrole
// Administrator, which become the system/person and institution/person URIs.
json role_uris(const std::string& role) {
  if (role == "Administrator")
    return json::array({"http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
                        std::string(k_membership) + "Instructor",
                        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"});
  return json::array({std::string(k_membership) + role});
}

struct TokenSite {
  std::string url;
  std::string client_id;
  std::string deployment_id;
  std::string target_link_uri;
};

// The claims of lti_sign_jwt() for a resource link launch, with the
// privacy settings "Share launcher's name" and "Share launcher's email"
// set to Always (what certd needs; an administrator sets them on the tool).
json launch_claims(const LaunchPerson& person, const std::string& role, const std::string& nonce, std::int64_t iat,
                   const TokenSite& site, const std::string& sesskey) {
  const std::string instance = std::to_string(person.course_id);
  const std::string return_url = site.url + "/mod/lti/return.php?course=" + std::to_string(person.course_id) +
                                 "&launch_container=" + std::to_string(k_launch_container) +
                                 "&instanceid=" + instance + "&sesskey=" + sesskey;
  json claims = {
      {"nonce", nonce},
      {"iat", iat},
      {"exp", iat + k_token_lifetime},
      {"iss", site.url},  // $CFG->wwwroot
      {"aud", site.client_id},
      {"sub", std::to_string(person.user.id)},
      {"given_name", person.user.firstname},
      {"family_name", person.user.lastname},
      {"name", person.fullname},
      // lti_build_request() sends the address as the profile holds it, an
      // empty one included.
      {"email", person.user.email},
      {claim("deployment_id"), site.deployment_id},
      {claim("target_link_uri"), site.target_link_uri},
      {claim("message_type"), "LtiResourceLinkRequest"},
      {claim("version"), "1.3.0"},
      {claim("resource_link"), {{"id", instance}, {"title", k_activity_name}, {"description", ""}}},
      {claim("roles"), role_uris(role)},
      // lti_build_request() sends context_type CourseSection, which
      // Moodle 4.x turns into the LIS course vocabulary.
      {claim("context"),
       {{"id", std::to_string(person.course_id)},
        {"label", person.course_shortname},
        {"title", person.course_fullname},
        {"type", json::array({"http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"})}}},
      // course_section_sourcedid is the course's idnumber, which the
      // simulated courses do not have: Moodle sends "" then.
      {claim("lis"), {{"person_sourcedid", person.user.idnumber}, {"course_section_sourcedid", ""}}},
      {claim("launch_presentation"), {{"locale", "en"}, {"document_target", "iframe"}, {"return_url", return_url}}},
      // name is the site's shortname and description its fullname; the
      // simulated site has one name for both.
      {claim("tool_platform"),
       {{"product_family_code", "moodle"},
        {"version", k_moodle_version},
        {"guid", host_of(site.url)},
        {"name", person.site_name},
        {"description", person.site_name}}},
      // ext_lms and ext_user_username: lti_sign_jwt() gathers ext_* here.
      {claim("ext"), {{"lms", "moodle-2"}, {"user_username", person.user.username}}},
  };
  return claims;
}

Result<std::string> random_number_text() {
  CERTD_ASSIGN_OR_RETURN(std::string bytes, random_bytes(4));
  std::uint32_t n = 0;
  for (unsigned char c : bytes) n = (n << 8) | c;
  return std::to_string(n & 0x7fffffff);  // PHP's rand(): 0..getrandmax()
}

Error no_tool() { return Error(ErrorCode::conflict, "simulator: no LTI tool registered (POST /_sim/lti-tool)"); }

}  // namespace

LtiPlatform::LtiPlatform(const World& world, const Clock& clock) : m_world(world), m_clock(clock) {}

// The key is made on first use rather than at start: a 2048-bit key costs
// a tenth of a second (seconds under sanitizers), and most simulators in
// the test suites never launch a tool.
Status LtiPlatform::ensure_key() const {
  if (!m_keys.empty()) return ok();
  CERTD_ASSIGN_OR_RETURN(lti::RsaKey key, lti::RsaKey::generate());
  m_keys.push_back(std::move(key));
  return ok();
}

void LtiPlatform::set_site_url(const std::string& url) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_site_url = url;
}

Status LtiPlatform::register_tool(const LtiTool& tool) {
  if (!is_http_url(tool.login_url)) return Error(ErrorCode::invalid_argument, "lti-tool: login_url must be an http(s) URL");
  if (!is_http_url(tool.launch_url)) return Error(ErrorCode::invalid_argument, "lti-tool: launch_url must be an http(s) URL");
  if (!tool.target_link_uri.empty() && !is_http_url(tool.target_link_uri))
    return Error(ErrorCode::invalid_argument, "lti-tool: target_link_uri must be an http(s) URL");
  if (tool.client_id.empty() || tool.deployment_id.empty())
    return Error(ErrorCode::invalid_argument, "lti-tool: client_id and deployment_id must not be empty");
  std::lock_guard<std::mutex> lock(m_mutex);
  m_tool = tool;
  if (m_tool.target_link_uri.empty()) m_tool.target_link_uri = m_tool.launch_url;
  m_registered = true;
  return ok();
}

LtiTool LtiPlatform::tool() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_registered ? m_tool : LtiTool{};
}

Result<std::string> LtiPlatform::jwks_json() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_TRY(ensure_key());
  json keys = json::array();
  for (auto it = m_keys.rbegin(); it != m_keys.rend(); ++it) keys.push_back(json::parse(it->public_jwk_json()));
  return json({{"keys", keys}}).dump();
}

Result<std::string> LtiPlatform::key_id() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_TRY(ensure_key());
  return m_keys.back().kid();
}

// Moodle has one key (mod_lti's privatekey, made at install) and no
// rotation: an administrator who replaces it breaks every launch in
// flight. The simulator keeps the previous key in the JWKS for one
// rotation, as a careful platform does, so a tool that refetches on an
// unknown kid sees both.
Status LtiPlatform::rotate_key() {
  CERTD_ASSIGN_OR_RETURN(lti::RsaKey key, lti::RsaKey::generate());
  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_TRY(ensure_key());
  m_keys.push_back(std::move(key));
  if (m_keys.size() > 2) m_keys.erase(m_keys.begin());
  return ok();
}

Result<LtiForm> LtiPlatform::launch_form(const std::string& username, const std::string& course,
                                         const std::string& role) {
  CERTD_ASSIGN_OR_RETURN(LaunchPerson person, m_world.launch_person(username, course));
  CERTD_ASSIGN_OR_RETURN(std::string resolved, launch_role(person, role));
  CERTD_ASSIGN_OR_RETURN(std::string number, random_number_text());
  // lti_build_login_request(): "ltilaunch{instance id}_" . rand(), kept in
  // the session with the course, tool type and cmid; the hint carries only
  // the cmid and the launch id.
  const std::string launch_id = "ltilaunch" + std::to_string(person.course_id) + "_" + number;
  const json hint = {{"cmid", k_lti_cmid_base + person.course_id}, {"launchid", launch_id}};
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_registered) return no_tool();
  m_launches[launch_id] = PendingLaunch{person.user.username, person.course_shortname, resolved, person.user.id};
  m_launch_order.push_back(launch_id);
  while (m_launch_order.size() > k_max_pending_launches) {
    m_launches.erase(m_launch_order.front());
    m_launch_order.pop_front();
  }
  LtiForm form;
  form.action = m_tool.login_url;
  form.fields = {{"iss", m_site_url},
                 {"target_link_uri", m_tool.target_link_uri},
                 {"login_hint", std::to_string(person.user.id)},
                 {"lti_message_hint", hint.dump()},
                 {"client_id", m_tool.client_id},
                 {"lti_deployment_id", m_tool.deployment_id}};
  return form;
}

Result<std::string> LtiPlatform::id_token(const std::string& username, const std::string& course,
                                          const std::string& role, const std::string& nonce,
                                          const LtiTokenOptions& options) {
  json patch;
  if (!options.claims_patch.empty()) {
    patch = json::parse(options.claims_patch, nullptr, false);
    if (!patch.is_object()) return Error(ErrorCode::invalid_argument, "simulator: claims_patch must be a JSON object");
  }
  CERTD_ASSIGN_OR_RETURN(LaunchPerson person, m_world.launch_person(username, course));
  CERTD_ASSIGN_OR_RETURN(std::string resolved, launch_role(person, role));
  CERTD_ASSIGN_OR_RETURN(std::string sesskey, random_token_hex(5));
  const std::int64_t iat = to_unix(options.issued_at.value_or(m_clock.now()));
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_registered) return no_tool();
  CERTD_TRY(ensure_key());
  json claims = launch_claims(person, resolved, nonce, iat,
                              TokenSite{m_site_url, m_tool.client_id, m_tool.deployment_id, m_tool.target_link_uri},
                              sesskey);
  if (!patch.is_null()) claims.merge_patch(patch);
  return lti::sign_rs256(claims.dump(), options.key ? *options.key : m_keys.back());
}

// auth.php of Moodle 4.5, check for check. Its quirks kept: a request
// whose launch cannot be found (missing parameters, a bad scope or
// response_type, no launch id, a launch already used) leaves the tool's
// configuration unloaded, so Moodle throws invalidrequest and shows an
// error page instead of answering the tool; so does a redirect_uri that is
// not registered. The launch is taken from the session before the checks
// that follow, so it is used up even when they fail.
LtiAuthAnswer LtiPlatform::authenticate(const std::map<std::string, std::string>& params) {
  auto param = [&](const char* name) {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  const std::string redirect_uri = param("redirect_uri");
  const std::string nonce = param("nonce");
  bool good = !param("scope").empty() && !param("response_type").empty() && !param("client_id").empty() &&
              !redirect_uri.empty() && !param("login_hint").empty() && !nonce.empty();
  std::string error = good ? "" : "invalid_request";
  std::string description;
  json hint = json::parse(param("lti_message_hint"), nullptr, false);
  if (good && !(hint.is_object() && hint.contains("launchid") && hint["launchid"].is_string())) {
    good = false;
    error = "invalid_request";
    description = "No launch id in LTI hint";
  }
  if (good && param("scope") != "openid") {
    good = false;
    error = "invalid_scope";
  }
  if (good && param("response_type") != "id_token") {
    good = false;
    error = "unsupported_response_type";
  }

  std::optional<PendingLaunch> launch;
  LtiTool tool;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (good) {
      const std::string launch_id = hint["launchid"].get<std::string>();
      auto it = m_launches.find(launch_id);
      if (it != m_launches.end()) {
        launch = it->second;
        m_launches.erase(it);
        m_launch_order.erase(std::find(m_launch_order.begin(), m_launch_order.end(), launch_id));
      }
    }
    tool = m_tool;
    if (!m_registered) launch.reset();
  }
  if (!launch) return LtiAuthAnswer{true, "Invalid request (invalidrequest): no launch to authenticate", {}};
  if (good && param("client_id") != tool.client_id) {
    good = false;
    error = "unauthorized_client";
  }
  if (good && param("login_hint") != std::to_string(launch->user_id)) {
    good = false;
    error = "access_denied";
  }
  if (redirect_uri != tool.launch_url)
    return LtiAuthAnswer{true, "Invalid request (invalidrequest): unregistered redirect_uri", {}};
  if (good && param("response_mode") != "form_post") {
    good = false;
    error = "invalid_request";
    description = "Invalid response_mode";
  }
  if (good && !param("prompt").empty() && param("prompt") != "none") {
    good = false;
    error = "invalid_request";
    description = "Invalid prompt";
  }

  LtiAuthAnswer answer;
  answer.form.action = redirect_uri;
  if (good) {
    // require_login() and the launch data of the user as the site holds it now.
    Result<std::string> token = id_token(launch->username, launch->course, launch->role, nonce, LtiTokenOptions{});
    if (!token) return LtiAuthAnswer{true, token.error().message(), {}};
    answer.form.fields.emplace_back("id_token", *token);
  } else {
    answer.form.fields.emplace_back("error", error);
    if (!description.empty()) answer.form.fields.emplace_back("error_description", description);
  }
  answer.form.fields.emplace_back("state", param("state"));
  return answer;
}

std::string auto_submit_page(const LtiForm& form, const std::string& form_name, const std::string& message) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                     html_escape(message) + "</title>\n</head>\n<body>\n<p>" + html_escape(message) + "</p>\n";
  page += "<form action=\"" + html_escape(form.action) + "\" name=\"" + form_name + "\" id=\"" + form_name +
          "\" method=\"post\" enctype=\"application/x-www-form-urlencoded\">\n";
  for (const auto& [name, value] : form.fields)
    page += "  <input type=\"hidden\" name=\"" + html_escape(name) + "\" value=\"" + html_escape(value) + "\"/>\n";
  page += "  <input type=\"submit\" value=\"Continue\"/>\n</form>\n";
  page += "<script type=\"text/javascript\">\n//<![CDATA[\ndocument." + form_name + ".submit();\n//]]>\n</script>\n";
  page += "</body>\n</html>\n";
  return page;
}

std::string lti_error_page(const std::string& message) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n"
         "<body>\n<div class=\"errorbox alert alert-danger\" data-rel=\"fatalerror\">\n<p class=\"errormessage\">" +
         html_escape(message) + "</p>\n</div>\n</body>\n</html>\n";
}

}  // namespace certd::connector::simulator
