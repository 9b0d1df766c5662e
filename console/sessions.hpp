#pragma once
// Console sessions: an opaque token in a cookie, the session itself in the
// store (only the token's SHA-256 is kept there), an idle timeout and an
// absolute one. The cookie is HttpOnly; over HTTPS it is
// `__Host-certd_session` with `Secure; SameSite=None`, because LMSs show
// tools in an iframe of another site and a Lax cookie would not come back
// there; over plain HTTP (a demo, loopback) it is `SameSite=Lax`. Every
// form carries the session's CSRF token (csrf_matches).

#include <chrono>
#include <optional>
#include <string>

#include "console/console_backend.hpp"
#include "core/clock.hpp"
#include "portal/http_types.hpp"

namespace certd::console {

struct SessionSettings {
  bool secure = false;  // the console is reached over HTTPS
  std::chrono::seconds idle{30 * 60};
  std::chrono::seconds max{12 * 3600};
};

// Who a request comes from.
struct Viewer {
  std::string token_hash;
  store::SessionRow session;
  std::string student_id;  // students: their LMS user id; else empty

  bool is_teacher() const { return session.role != store::Role::student; }
  // Admins act on every course, teachers on theirs.
  bool teaches(const std::string& course) const;
};

// What a new session says about its user; the token, CSRF token and
// times are made by Sessions::open.
struct SessionFor {
  store::SessionKind kind = store::SessionKind::lti;
  std::string user_key;
  std::string display_name;
  store::Role role = store::Role::teacher;
  std::vector<std::string> courses;
  std::string identity;  // JSON: issuer, sub, student_id...
};

class Sessions {
 public:
  Sessions(ConsoleBackend& backend, const Clock& clock, SessionSettings settings);

  // Creates the session; returns the Set-Cookie header's value.
  Result<std::string> open(const SessionFor& who);
  // The live session named by the request's cookie (its idle time moved
  // on), or nullopt: no cookie, an unknown or expired session.
  Result<std::optional<Viewer>> viewer(const portal::Request& request);
  // Ends the request's session; returns the Set-Cookie that clears it.
  std::string close(const portal::Request& request);

  const std::string& cookie_name() const { return m_cookie_name; }

 private:
  std::string cookie_attributes() const;

  ConsoleBackend& m_backend;
  const Clock& m_clock;
  SessionSettings m_settings;
  std::string m_cookie_name;
};

// Compares in constant time; an empty token never matches.
bool csrf_matches(const Viewer& viewer, const std::string& given);

// The value of cookie `name` in a Cookie header; empty when absent.
std::string cookie_value(const std::string& cookie_header, const std::string& name);

// Hex SHA-256: what the store keeps of a token.
std::string token_hash(const std::string& token);

}  // namespace certd::console
