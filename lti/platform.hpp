#pragma once
// An LTI 1.3 platform (an LMS) registered with certd: what its
// administrator sees in the tool's configuration, and what certd checks
// every launch against (launch.hpp).

#include <string>
#include <vector>

namespace certd::lti {

struct Platform {
  std::string issuer;     // "iss" of its id_tokens, e.g. https://moodle.example.edu
  std::string client_id;  // what the platform assigned to certd
  std::string auth_url;   // OIDC authentication endpoint (Moodle: /mod/lti/auth.php)
  std::string jwks_url;   // its public keys (Moodle: /mod/lti/certs.php)
  std::vector<std::string> deployment_ids;  // Moodle: the tool type's id
};

}  // namespace certd::lti
