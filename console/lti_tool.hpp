#pragma once
// certd as an LTI 1.3 tool: the three routes a platform calls.
//   GET|POST /lti/login   third-party-initiated login: remembers a new
//                         state and nonce (in the store, not a cookie:
//                         Moodle posts the id_token back cross-site) and
//                         sends the browser to the platform's auth URL.
//   POST /lti/launch      the platform's form_post of id_token and state:
//                         the state is taken (once), the token verified
//                         (lti/key_cache.hpp, lti/launch.hpp), and a
//                         session opened for a course's teacher or a student.
//   GET /lti/jwks         certd's public key set.
// Every refusal is logged with its reason and answered with a page that
// tells the person to open certd again from their course; it never
// echoes what was sent.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "console/console_backend.hpp"
#include "console/sessions.hpp"
#include "core/clock.hpp"
#include "lti/key_cache.hpp"
#include "lti/platform.hpp"
#include "lti/rsa_key.hpp"
#include "portal/http_types.hpp"

namespace certd::console {

struct LtiToolOptions {
  std::string public_url;  // no trailing slash; the launch URL is public_url + /lti/launch
  std::vector<lti::Platform> platforms;
  std::chrono::seconds state_lifetime{600};  // a login must come back within this
  std::int64_t max_live_states = 10000;      // 503 above: logins under way at once
};

// Where a signed-in launch lands, and what the error pages say.
using ErrorPage = std::function<portal::Response(const std::string& path, int status, const std::string& message)>;

class LtiTool {
 public:
  LtiTool(LtiToolOptions options, const lti::RsaKey& key, lti::KeyCache& keys, ConsoleBackend& backend,
          Sessions& sessions, const Clock& clock, ErrorPage error_page);

  bool enabled() const { return !m_options.platforms.empty(); }
  portal::Response login(const portal::Request& request) const;
  portal::Response launch(const portal::Request& request) const;
  portal::Response jwks() const;

  std::string launch_url() const { return m_options.public_url + "/lti/launch"; }
  std::string login_url() const { return m_options.public_url + "/lti/login"; }

 private:
  portal::Response refuse(const std::string& path, int status, const std::string& why,
                          const std::string& words) const;

  LtiToolOptions m_options;
  const lti::RsaKey& m_key;
  lti::KeyCache& m_keys;
  ConsoleBackend& m_backend;
  Sessions& m_sessions;
  const Clock& m_clock;
  ErrorPage m_error_page;
};

}  // namespace certd::console
