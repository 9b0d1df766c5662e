#include "lti/launch.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "lti/shown_value.hpp"

namespace certd::lti {
namespace {

using detail::shown_value;
using json = nlohmann::json;

constexpr std::size_t k_max_login_value_bytes = 2048;

constexpr const char* k_claim = "https://purl.imsglobal.org/spec/lti/claim/";
constexpr std::string_view k_membership = "http://purl.imsglobal.org/vocab/lis/v2/membership#";

std::string claim(const char* name) { return std::string(k_claim) + name; }

Error refused(const std::string& why) { return Error(ErrorCode::permission_denied, "LTI launch refused: " + why); }
Error wrong_type(const std::string& name, const char* type) {
  return Error(ErrorCode::parse_error, "LTI launch claim " + name + " is not " + type);
}

// Percent-encoding of RFC 3986 §2.3: everything but the unreserved
// characters, so a state or hint can hold any byte.
std::string percent_encode(std::string_view value) {
  static const char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) out += static_cast<char>(c);
    else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

// Typed reads of optional members: absent is nullopt, the wrong type is a
// parse_error naming the claim.
Result<std::optional<std::string>> string_member(const json& object, const std::string& name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return wrong_type(name, "a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> string_or_empty(const json& object, const std::string& name) {
  CERTD_ASSIGN_OR_RETURN(auto value, string_member(object, name));
  return value.value_or("");
}

Result<const json*> object_member(const json& object, const std::string& name) {
  static const json k_empty = json::object();
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return &k_empty;
  if (!it->is_object()) return wrong_type(name, "an object");
  return &*it;
}

// A NumericDate (RFC 7519 §2): whole or fractional seconds, saturated to
// int64 so a huge value compares as "far away" without overflowing.
Result<std::optional<std::int64_t>> time_member(const json& object, const std::string& name) {
  auto it = object.find(name);
  if (it == object.end()) return std::optional<std::int64_t>();
  constexpr std::int64_t k_max = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t k_min = std::numeric_limits<std::int64_t>::min();
  if (it->is_number_unsigned()) return std::optional<std::int64_t>(std::min<std::uint64_t>(it->get<std::uint64_t>(), k_max));
  if (it->is_number_integer()) return std::optional<std::int64_t>(it->get<std::int64_t>());
  if (it->is_number_float()) {
    double value = it->get<double>();
    if (std::isnan(value)) return wrong_type(name, "a time");
    if (value >= 9.2e18) return std::optional<std::int64_t>(k_max);
    if (value <= -9.2e18) return std::optional<std::int64_t>(k_min);
    return std::optional<std::int64_t>(static_cast<std::int64_t>(std::floor(value)));
  }
  return wrong_type(name, "a number");
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

// aud may be one string or an array (OIDC Core §2); with several
// audiences, azp names the one the token was issued to.
Status check_audience(const json& claims, const std::string& client_id) {
  auto aud = claims.find("aud");
  if (aud == claims.end()) return refused("the token has no aud");
  bool several = false;
  if (aud->is_string()) {
    if (aud->get_ref<const std::string&>() != client_id)
      return refused("aud " + shown_value(aud->get_ref<const std::string&>()) + " is not this tool's client_id");
  } else if (aud->is_array()) {
    bool found = false;
    for (const json& entry : *aud) {
      if (!entry.is_string()) return wrong_type("aud", "a string or an array of strings");
      found = found || entry.get_ref<const std::string&>() == client_id;
    }
    if (!found) return refused("aud does not hold this tool's client_id");
    several = aud->size() > 1;
  } else {
    return wrong_type("aud", "a string or an array of strings");
  }
  CERTD_ASSIGN_OR_RETURN(auto azp, string_member(claims, "azp"));
  if (several && !azp) return refused("aud has several entries and no azp names this tool");
  if (azp && *azp != client_id) return refused("azp " + shown_value(*azp) + " is not this tool's client_id");
  return ok();
}

Status check_times(const json& claims, const LaunchExpectation& expected) {
  CERTD_ASSIGN_OR_RETURN(auto exp, time_member(claims, "exp"));
  CERTD_ASSIGN_OR_RETURN(auto iat, time_member(claims, "iat"));
  CERTD_ASSIGN_OR_RETURN(auto nbf, time_member(claims, "nbf"));
  if (!exp) return refused("the token has no exp");
  if (!iat) return refused("the token has no iat");
  const std::int64_t latest = saturating_add(expected.now, expected.skew);
  if (*exp <= saturating_add(expected.now, -expected.skew)) return refused("the token has expired");
  if (*iat > latest) return refused("the token was issued in the future (iat)");
  if (*iat < saturating_add(expected.now, -expected.max_age)) return refused("the token was issued too long ago (iat)");
  if (nbf && *nbf > latest) return refused("the token is not valid yet (nbf)");
  return ok();
}

// A claim that must hold one exact value.
Status check_exact(const json& claims, const std::string& name, const std::string& wanted, const char* what) {
  CERTD_ASSIGN_OR_RETURN(auto value, string_member(claims, name));
  if (!value) return refused(std::string("the token has no ") + what);
  if (*value != wanted) return refused(std::string(what) + " " + shown_value(*value) + " is not " + wanted);
  return ok();
}

Result<std::vector<std::string>> read_roles(const json& claims) {
  const std::string name = claim("roles");
  auto it = claims.find(name);
  std::vector<std::string> roles;
  // LTI Core §5.3.7 requires the claim but allows it empty; a missing one
  // means the same: no role in this context.
  if (it == claims.end() || it->is_null()) return roles;
  if (!it->is_array()) return wrong_type(name, "an array of strings");
  for (const json& role : *it) {
    if (!role.is_string()) return wrong_type(name, "an array of strings");
    roles.push_back(role.get<std::string>());
  }
  return roles;
}

// Who and where: the claims certd keeps, once the checks have passed.
Status read_people_and_places(const json& claims, Launch& launch) {
  CERTD_ASSIGN_OR_RETURN(launch.email, string_or_empty(claims, "email"));
  CERTD_ASSIGN_OR_RETURN(launch.name, string_or_empty(claims, "name"));
  CERTD_ASSIGN_OR_RETURN(std::string given, string_or_empty(claims, "given_name"));
  CERTD_ASSIGN_OR_RETURN(std::string family, string_or_empty(claims, "family_name"));
  if (launch.name.empty()) launch.name = given.empty() || family.empty() ? given + family : given + " " + family;

  CERTD_ASSIGN_OR_RETURN(const json* lis, object_member(claims, claim("lis")));
  CERTD_ASSIGN_OR_RETURN(launch.person_sourcedid, string_or_empty(*lis, "person_sourcedid"));
  CERTD_ASSIGN_OR_RETURN(const json* context, object_member(claims, claim("context")));
  CERTD_ASSIGN_OR_RETURN(launch.context_id, string_or_empty(*context, "id"));
  CERTD_ASSIGN_OR_RETURN(launch.course_shortname, string_or_empty(*context, "label"));
  CERTD_ASSIGN_OR_RETURN(launch.course_title, string_or_empty(*context, "title"));
  CERTD_ASSIGN_OR_RETURN(const json* link, object_member(claims, claim("resource_link")));
  CERTD_ASSIGN_OR_RETURN(launch.resource_link_id, string_or_empty(*link, "id"));
  CERTD_ASSIGN_OR_RETURN(const json* presentation, object_member(claims, claim("launch_presentation")));
  CERTD_ASSIGN_OR_RETURN(launch.return_url, string_or_empty(*presentation, "return_url"));
  CERTD_ASSIGN_OR_RETURN(auto target, string_member(claims, claim("target_link_uri")));
  (void)target;  // checked for its type only: the route that received the launch is where it went
  return ok();
}

}  // namespace

Result<LoginInitiation> read_login_initiation(const std::map<std::string, std::string>& params) {
  LoginInitiation login;
  struct Field {
    const char* name;
    std::string LoginInitiation::*target;
    bool required;
  };
  static const Field k_fields[] = {
      {"iss", &LoginInitiation::issuer, true},
      {"login_hint", &LoginInitiation::login_hint, true},
      {"target_link_uri", &LoginInitiation::target_link_uri, true},
      {"lti_message_hint", &LoginInitiation::lti_message_hint, false},
      {"client_id", &LoginInitiation::client_id, false},
      {"lti_deployment_id", &LoginInitiation::deployment_id, false},
  };
  for (const Field& field : k_fields) {
    auto it = params.find(field.name);
    if (it == params.end() || it->second.empty()) {
      if (field.required)
        return Error(ErrorCode::invalid_argument, std::string("LTI login without the parameter ") + field.name);
      continue;
    }
    if (it->second.size() > k_max_login_value_bytes)
      return Error(ErrorCode::invalid_argument, std::string("LTI login parameter ") + field.name + " is over " +
                                                    std::to_string(k_max_login_value_bytes) + " bytes");
    login.*field.target = it->second;
  }
  return login;
}

Result<const Platform*> find_platform(const std::vector<Platform>& platforms, const std::string& issuer,
                                      const std::string& client_id) {
  for (const Platform& platform : platforms)
    if (platform.issuer == issuer && (client_id.empty() || platform.client_id == client_id)) return &platform;
  return Error(ErrorCode::not_found, "no LTI platform registered with issuer " + shown_value(issuer) +
                                         (client_id.empty() ? "" : " and client_id " + shown_value(client_id)));
}

std::string authentication_url(const Platform& platform, const LoginInitiation& login,
                               const std::string& redirect_uri, const std::string& state, const std::string& nonce) {
  std::vector<std::pair<const char*, std::string>> query = {
      {"scope", "openid"},
      {"response_type", "id_token"},
      {"response_mode", "form_post"},
      {"prompt", "none"},
      {"client_id", platform.client_id},
      {"redirect_uri", redirect_uri},
      {"login_hint", login.login_hint},
  };
  if (!login.lti_message_hint.empty()) query.emplace_back("lti_message_hint", login.lti_message_hint);
  query.emplace_back("state", state);
  query.emplace_back("nonce", nonce);

  std::string url = platform.auth_url;
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  // "…/auth.php?" or "…?a=b&" already end in a separator.
  if (!url.empty() && (url.back() == '?' || url.back() == '&')) separator = '\0';
  for (const auto& [name, value] : query) {
    if (separator) url += separator;
    url += name;
    url += '=';
    url += percent_encode(value);
    separator = '&';
  }
  return url;
}

const char* to_string(LaunchRole role) {
  switch (role) {
    case LaunchRole::teacher: return "teacher";
    case LaunchRole::student: return "student";
    case LaunchRole::other: return "other";
  }
  return "other";
}

LaunchRole role_of(const std::vector<std::string>& roles) {
  bool student = false;
  for (const std::string& role : roles) {
    std::string_view name = role;
    if (name.substr(0, k_membership.size()) == k_membership) name.remove_prefix(k_membership.size());
    if (name == "Instructor" || name == "ContentDeveloper") return LaunchRole::teacher;
    if (name == "Learner") student = true;
  }
  return student ? LaunchRole::student : LaunchRole::other;
}

Result<Launch> read_launch(const std::string& claims_json, const Platform& platform,
                           const LaunchExpectation& expected) {
  json claims = json::parse(claims_json, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return Error(ErrorCode::parse_error, "LTI launch claims are not a JSON object");

  Launch launch;
  CERTD_ASSIGN_OR_RETURN(auto issuer, string_member(claims, "iss"));
  if (!issuer) return refused("the token has no iss");
  if (*issuer != platform.issuer) return refused("iss " + shown_value(*issuer) + " is not the platform's issuer");
  CERTD_TRY(check_audience(claims, platform.client_id));
  CERTD_TRY(check_times(claims, expected));
  CERTD_ASSIGN_OR_RETURN(auto nonce, string_member(claims, "nonce"));
  // An empty expected nonce is a caller without a stored state: refuse.
  if (!nonce || expected.nonce.empty() || *nonce != expected.nonce)
    return refused("the nonce is not the one sent with this login");

  CERTD_ASSIGN_OR_RETURN(auto deployment, string_member(claims, claim("deployment_id")));
  if (!deployment) return refused("the token has no deployment_id");
  const auto& deployments = platform.deployment_ids;
  if (std::find(deployments.begin(), deployments.end(), *deployment) == deployments.end())
    return refused("deployment_id " + shown_value(*deployment) + " is not registered for this platform");
  CERTD_TRY(check_exact(claims, claim("message_type"), "LtiResourceLinkRequest", "message_type"));
  CERTD_TRY(check_exact(claims, claim("version"), "1.3.0", "version"));
  CERTD_ASSIGN_OR_RETURN(launch.subject, string_or_empty(claims, "sub"));
  if (launch.subject.empty()) return refused("the token names no user (sub)");

  CERTD_ASSIGN_OR_RETURN(launch.roles, read_roles(claims));
  CERTD_TRY(read_people_and_places(claims, launch));
  launch.role = role_of(launch.roles);
  // A teacher acts on a course: without its shortname there is nothing
  // to show or issue.
  if (launch.role == LaunchRole::teacher && launch.course_shortname.empty())
    return refused("a teacher's launch names no course (context label)");
  launch.issuer = std::move(*issuer);
  launch.deployment_id = std::move(*deployment);
  return launch;
}

}  // namespace certd::lti
