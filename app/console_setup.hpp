#pragma once
// Builds the teacher console of a school (console/console.hpp) with what
// it runs on: the tool's RSA key (lti.key_file, created on first use), a
// cache of the platforms' keys fetched over HTTP, and a backend with its
// own store connection, issuer and LMS client (console_backend.hpp).

#include <memory>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "lti/platform.hpp"
#include "lti/rsa_key.hpp"

namespace certd::config {
struct Config;
}
namespace certd::console {
class Console;
}
namespace certd::portal {
struct Request;
struct Response;
}

namespace certd::app {

struct School;

// The registered platforms (config lti.platforms) in lti's terms.
std::vector<lti::Platform> lti_platforms(const config::Config& config);

// The tool's key: read from lti.key_file, or created there (0600).
Result<lti::RsaKey> lti_tool_key(const config::Config& config);

class SchoolConsole {
 public:
  static Result<std::unique_ptr<SchoolConsole>> open(const School& school, const Clock& clock);
  ~SchoolConsole();

  const console::Console& console() const { return *m_console; }

 private:
  SchoolConsole();
  struct Parts;
  std::unique_ptr<Parts> m_parts;
  std::unique_ptr<console::Console> m_console;
};

}  // namespace certd::app
