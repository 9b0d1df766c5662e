#pragma once
// Internal to the simulator: the LTI 1.3 platform side of the simulated
// Moodle 4.5 (mod_lti): the tool registration, the platform's keys, the
// login initiation of launch.php, the OIDC authentication of auth.php and
// the id_token of lti_sign_jwt(). No HTTP here: server.cpp routes to it.
// Thread-safe: the registration, the keys and the pending launches sit
// behind one mutex.

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connector/simulator/server.hpp"
#include "connector/simulator/world.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "lti/rsa_key.hpp"

namespace certd::connector::simulator {

// What auth.php answers: a form for the browser to post to the tool, or
// Moodle's error page where auth.php throws (it cannot trust the
// redirect_uri then).
struct LtiAuthAnswer {
  bool error_page = false;
  std::string error_message;  // for the error page
  LtiForm form;
};

class LtiPlatform {
 public:
  // `world` and `clock` must outlive the platform. Its key is made when
  // first needed; the calls that need one fail with unavailable when
  // OpenSSL cannot make it.
  LtiPlatform(const World& world, const Clock& clock);

  // The wwwroot: iss, and the base of return URLs. Set once the port is known.
  void set_site_url(const std::string& url);

  Status register_tool(const LtiTool& tool);
  LtiTool tool() const;
  Result<std::string> jwks_json() const;
  Result<std::string> key_id() const;
  Status rotate_key();

  Result<LtiForm> launch_form(const std::string& username, const std::string& course, const std::string& role);
  Result<std::string> id_token(const std::string& username, const std::string& course, const std::string& role,
                               const std::string& nonce, const LtiTokenOptions& options);
  // One authentication request, its parameters decoded (GET query or POST form).
  LtiAuthAnswer authenticate(const std::map<std::string, std::string>& params);

 private:
  Status ensure_key() const;  // with m_mutex held

  // A launch between launch.php and auth.php: what Moodle keeps in the
  // session under the launch id of lti_message_hint.
  struct PendingLaunch {
    std::string username;
    std::string course;
    std::string role;  // as resolved at launch
    Id user_id = 0;
  };

  const World& m_world;
  const Clock& m_clock;
  mutable std::mutex m_mutex;
  std::string m_site_url;               // Guarded by m_mutex.
  bool m_registered = false;            // Guarded by m_mutex.
  LtiTool m_tool;                       // Guarded by m_mutex.
  mutable std::vector<lti::RsaKey> m_keys;  // Guarded by m_mutex; the signing key last.
  std::map<std::string, PendingLaunch> m_launches;  // Guarded by m_mutex; by launch id.
  std::deque<std::string> m_launch_order;           // Guarded by m_mutex; oldest first.
};

// The HTML page of a form that posts itself (escaped throughout), with a
// visible Continue button for browsers without JavaScript.
std::string auto_submit_page(const LtiForm& form, const std::string& form_name, const std::string& message);
// Moodle's error page for an exception of auth.php (shown with HTTP 404).
std::string lti_error_page(const std::string& message);

}  // namespace certd::connector::simulator
