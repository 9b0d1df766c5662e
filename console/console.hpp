#pragma once
// The teacher console (docs/console.md): LTI 1.3 sign-in (lti_tool.hpp),
// sessions (sessions.hpp) and the pages, as request -> response over a
// ConsoleBackend, like the portal (portal/portal.hpp). The daemon sends it
// the paths it owns (owns()) and everything else to the portal.
//
// Pages are for a signed-in teacher of the course in the path (admins: any
// course) or, under /console/me, for a student. Without a session: 401;
// with the wrong one: 403. Every POST needs the session's CSRF token, and
// a cross-site Origin is refused. Pages may be framed only by the
// registered platforms (LMSs show tools in an iframe) and are never cached.

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

#include "console/console_backend.hpp"
#include "console/lti_tool.hpp"
#include "console/sessions.hpp"
#include "core/clock.hpp"
#include "portal/http_types.hpp"

namespace certd::console {

struct ConsoleOptions {
  std::string issuer_name;
  std::string public_url;  // no trailing slash
  SessionSettings sessions;
  std::vector<lti::Platform> platforms;
};

struct Frame;
class Api;
class LocalSignIn;

class Console {
 public:
  Console(ConsoleOptions options, ConsoleBackend& backend, const Clock& clock, const lti::RsaKey& tool_key,
          lti::KeyCache& platform_keys);
  ~Console();

  // /lti/..., /console... and /api/v1/... (api.hpp): the paths handle() answers.
  static bool owns(const std::string& path);
  portal::Response handle(const portal::Request& request) const;

 private:
  portal::Response route(const portal::Request& request) const;
  portal::Response entry(const Viewer* viewer) const;
  portal::Response course(const portal::Request& request, const Viewer& viewer, const std::string& course) const;
  // /console/course/{course}/issue-now (console/issue_now_page.cpp).
  portal::Response issue_now_page(const portal::Request& request, const Viewer& viewer,
                                  const std::string& course) const;
  // /console/course/{course}/certificates[/{number}[.pdf]] (console/issued_page.cpp);
  // `sub` is the path after the course's '/'.
  portal::Response issued_page(const portal::Request& request, const Viewer& viewer, const std::string& course,
                               const std::string& sub) const;
  // /console/course/{course}/award[/preview.pdf] (console/award_page.cpp).
  portal::Response award_page(const portal::Request& request, const Viewer& viewer, const std::string& course,
                              const std::string& sub) const;
  // /console/course/{course}/batches[/start | /{id}[/cancel]] (console/batches_page.cpp);
  // `sub` is the path after the course's '/'.
  portal::Response batches_page(const portal::Request& request, const Viewer& viewer, const std::string& course,
                                const std::string& sub) const;
  // /console/course/{course}/reports[/{certificates|deliveries|verifications}.csv]
  // (console/reports_page.cpp); `sub` is the path after the course's '/'.
  portal::Response reports_page(const portal::Request& request, const Viewer& viewer, const std::string& course,
                                const std::string& sub) const;
  portal::Response my_certificates(const Viewer& viewer) const;
  portal::Response my_download(const Viewer& viewer, const std::string& number) const;
  portal::Response message(const Viewer* viewer, int status, const std::string& title,
                           const std::string& text) const;
  portal::Response failure(const Viewer* viewer, const Error& error) const;
  Frame frame_for(const Viewer* viewer, const std::string& course, const std::string& active) const;
  // An audit entry for what `viewer` did; a failure to write it is logged.
  void record(const Viewer& viewer, const std::string& action, const std::string& subject,
              const nlohmann::json& details) const;

  ConsoleOptions m_options;
  ConsoleBackend& m_backend;
  const Clock& m_clock;
  std::unique_ptr<Sessions> m_sessions;
  std::unique_ptr<LtiTool> m_lti;
  std::unique_ptr<LocalSignIn> m_sign_in;  // /console/login (local_sign_in.hpp)
  std::unique_ptr<Api> m_api;             // /api/v1/ (api.hpp)
  std::string m_frame_ancestors;  // the CSP's frame-ancestors sources
};

}  // namespace certd::console
