#pragma once
// The two steps of an LTI 1.3 launch, as pure functions over values
// (no I/O, time passed in): the third-party-initiated login (OIDC, IMS
// Security Framework §5.1.1) and the checks of a verified id_token's
// claims (LTI Core 1.3 §5.1, Security Framework §5.1.3). The routes that
// call them, the state store and the key cache live elsewhere.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "lti/platform.hpp"

namespace certd::lti {

// The login initiation a platform sends (GET query or POST form).
struct LoginInitiation {
  std::string issuer;            // iss (required)
  std::string login_hint;        // required
  std::string target_link_uri;   // required
  std::string lti_message_hint;  // optional, passed back as is
  std::string client_id;         // optional (Moodle sends it)
  std::string deployment_id;     // lti_deployment_id, optional
};

// Reads the decoded parameters of a login initiation. invalid_argument
// names the first missing parameter; a value over 2,048 bytes is refused.
Result<LoginInitiation> read_login_initiation(const std::map<std::string, std::string>& params);

// Chooses the registered platform for a login: by issuer, and by
// client_id when the login names one (several registrations may share an
// issuer). not_found when none matches.
Result<const Platform*> find_platform(const std::vector<Platform>& platforms, const std::string& issuer,
                                      const std::string& client_id);

// The URL to send the browser to: the platform's auth_url with
// scope=openid, response_type=id_token, response_mode=form_post,
// prompt=none, client_id, redirect_uri, login_hint, lti_message_hint (when
// given), state and nonce, percent-encoded; appended with '&' when
// auth_url already has a query.
std::string authentication_url(const Platform& platform, const LoginInitiation& login,
                               const std::string& redirect_uri, const std::string& state, const std::string& nonce);

enum class LaunchRole { teacher, student, other };
const char* to_string(LaunchRole role);

// Who launched, from where: the claims certd uses.
struct Launch {
  std::string issuer;
  std::string subject;        // sub: the LMS user id (Moodle: user.id)
  std::string deployment_id;
  std::string name;           // name, else given_name + family_name; may be empty
  std::string email;          // may be empty
  std::string person_sourcedid;   // lis claim: the user's idnumber (may be empty)
  std::string course_shortname;   // context.label (Moodle: the course shortname)
  std::string course_title;       // context.title
  std::string context_id;         // context.id
  std::string resource_link_id;
  std::string return_url;         // launch_presentation.return_url, may be empty
  std::vector<std::string> roles; // as sent
  LaunchRole role = LaunchRole::other;
};

// What a launch is checked against besides the platform.
struct LaunchExpectation {
  std::string nonce;       // the one stored with the state; the token must carry it
  std::int64_t now = 0;    // unix seconds
  std::int64_t skew = 60;  // seconds allowed either way for exp / iat
  std::int64_t max_age = 3600;  // an iat older than this is refused even if exp is later
};

// Checks the claims (JSON text) of an id_token whose signature has been
// verified against `platform`'s keys:
//   iss == platform.issuer; aud == client_id or an array holding it, with
//   azp == client_id when aud has several entries or azp is present;
//   exp > now - skew; iat <= now + skew and iat >= now - max_age;
//   nonce == expected.nonce; deployment_id in platform.deployment_ids;
//   message_type == LtiResourceLinkRequest; version == 1.3.0;
//   sub non-empty; a context with a label for teachers.
// Errors are permission_denied with a message saying which check failed
// (never quoting a claim's value longer than 64 bytes), parse_error for
// claims that are not a JSON object or a claim of the wrong type.
Result<Launch> read_launch(const std::string& claims_json, const Platform& platform,
                           const LaunchExpectation& expected);

// Role mapping (LTI Core §A.2): membership#Instructor and
// membership#ContentDeveloper (full URIs, or the short names "Instructor"
// and "ContentDeveloper") make a teacher of the launch's course;
// membership#Learner a student; anything else (administrators without a
// course role, mentors, guests) is `other`. Teacher wins over student.
LaunchRole role_of(const std::vector<std::string>& roles);

}  // namespace certd::lti
