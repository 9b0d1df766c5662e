#pragma once
// Sign-in without an LMS (/console/login) for local accounts (certd user
// add): the school office, or a teacher whose LMS is down. One answer for
// an unknown name and a wrong password, and the same time spent on both
// (an argon2id check against a dummy hash); an account is locked for 15
// minutes after 5 wrong passwords (the store counts), and a name without
// an account is locked the same way in memory, so that the lock tells
// nothing either. Each client address has 20 attempts per 10 minutes
// (429 after that).
//
// Login CSRF: GET sets a short-lived cookie with a random token and puts
// the same token in the form; POST needs both, equal (double-submit).
// Another site can make a browser post the form but can neither read the
// cookie nor, with the __Host- prefix over HTTPS, plant one, so it cannot
// sign a victim in to an account of its choosing. A cross-site Origin is
// refused as well. Thread-safe.

#include <string>

#include "console/attempt_limiter.hpp"
#include "console/console_backend.hpp"
#include "console/sessions.hpp"
#include "core/clock.hpp"
#include "portal/http_types.hpp"

namespace certd::console {

struct LocalSignInOptions {
  std::string issuer_name;
  std::string public_origin;  // scheme://host[:port] of the public URL
  bool secure = false;        // over HTTPS: a __Host- cookie, Secure
};

inline constexpr int k_max_login_failures = 5;
inline constexpr std::int64_t k_login_lock_seconds = 15 * 60;
inline constexpr int k_max_client_attempts = 20;
inline constexpr std::int64_t k_client_window_seconds = 10 * 60;

class LocalSignIn {
 public:
  LocalSignIn(LocalSignInOptions options, ConsoleBackend& backend, Sessions& sessions, const Clock& clock);

  // GET /console/login: the form, and the cookie its token pairs with.
  portal::Response form(const portal::Request& request) const;
  // POST /console/login: a session and 303 to /console, or the form again
  // with what went wrong.
  portal::Response submit(const portal::Request& request) const;

  const std::string& cookie_name() const { return m_cookie_name; }

 private:
  portal::Response page(int status, const std::string& name, const std::string& error) const;

  LocalSignInOptions m_options;
  ConsoleBackend& m_backend;
  Sessions& m_sessions;
  const Clock& m_clock;
  std::string m_cookie_name;
  mutable AttemptLimiter m_clients;
  mutable AttemptLimiter m_unknown_names;
};

}  // namespace certd::console
