#include "app/console_setup.hpp"

#include "app/console_backend.hpp"
#include "app/runtime.hpp"
#include "app/school.hpp"
#include "config/config.hpp"
#include "connector/http_get.hpp"
#include "connector/lms.hpp"
#include "console/console.hpp"
#include "core/log.hpp"
#include "lti/key_cache.hpp"

namespace certd::app {
namespace {

// A platform's JWKS: a short JSON document; anything but 200 means the
// keys are not available now (the launch may be tried again).
Result<std::string> fetch_keys(const std::string& url) {
  connector::HttpGetOptions options;
  options.timeout = std::chrono::seconds(10);
  options.max_body = 256 * 1024;
  CERTD_ASSIGN_OR_RETURN(connector::HttpGetReply reply, connector::http_get(url, options));
  if (reply.status != 200)
    return Error(ErrorCode::unavailable, "the platform's key set answered HTTP " + std::to_string(reply.status));
  return reply.body;
}

}  // namespace

std::vector<lti::Platform> lti_platforms(const config::Config& config) {
  std::vector<lti::Platform> platforms;
  for (const config::LtiPlatformConfig& p : config.lti.platforms)
    platforms.push_back({p.issuer, p.client_id, p.auth_url, p.jwks_url, p.deployment_ids});
  return platforms;
}

Result<lti::RsaKey> lti_tool_key(const config::Config& config) { return lti::RsaKey::load_or_create(config.lti.key_file); }

struct SchoolConsole::Parts {
  std::unique_ptr<connector::Lms> lms;
  std::unique_ptr<StoreConsoleBackend> backend;
  std::unique_ptr<lti::RsaKey> key;
  std::unique_ptr<lti::KeyCache> platform_keys;
};

SchoolConsole::SchoolConsole() : m_parts(std::make_unique<Parts>()) {}
SchoolConsole::~SchoolConsole() = default;

Result<std::unique_ptr<SchoolConsole>> SchoolConsole::open(const School& school, const Clock& clock) {
  std::unique_ptr<SchoolConsole> made(new SchoolConsole());
  Parts& parts = *made->m_parts;
  const config::Config& config = school.config;
  // Approvals read the student again where they can; without an LMS the
  // queue's snapshot is enough, as for `certd pending approve`.
  if (auto lms = make_lms(config, &school.rules, clock)) {
    parts.lms = std::move(*lms);
  } else {
    CERTD_LOG_WARN("console: no LMS client ({}); approvals use the queue's snapshot", lms.error().message());
  }
  CERTD_ASSIGN_OR_RETURN(parts.backend, StoreConsoleBackend::open(school, parts.lms.get(), clock));
  CERTD_ASSIGN_OR_RETURN(lti::RsaKey key, lti_tool_key(config));
  parts.key = std::make_unique<lti::RsaKey>(std::move(key));
  parts.platform_keys = std::make_unique<lti::KeyCache>(fetch_keys, clock);
  console::ConsoleOptions options;
  options.issuer_name = config.issuer.name;
  options.public_url = config.portal.public_url;
  while (!options.public_url.empty() && options.public_url.back() == '/') options.public_url.pop_back();
  options.sessions.secure = options.public_url.rfind("https://", 0) == 0;
  options.sessions.idle = std::chrono::seconds(config.portal.session_idle.count());
  options.sessions.max = std::chrono::seconds(config.portal.session_max.count());
  options.platforms = lti_platforms(config);
  made->m_console = std::make_unique<console::Console>(options, *parts.backend, clock, *parts.key, *parts.platform_keys);
  return made;
}

}  // namespace certd::app
