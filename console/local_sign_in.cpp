#include "console/local_sign_in.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "console/console_pages.hpp"
#include "console/form.hpp"
#include "console/sign_in_pages.hpp"
#include "core/log.hpp"
#include "core/random_token.hpp"

namespace certd::console {
namespace {

using portal::Request;
using portal::Response;

constexpr std::size_t k_login_token_bytes = 24;
// Long enough to type a password, short enough that a stale tab's form
// is refused (it is shown again, with a fresh token).
constexpr int k_login_cookie_seconds = 30 * 60;
constexpr std::size_t k_max_name = 64;
constexpr std::size_t k_max_password = 1024;

constexpr const char* k_wrong = "Name or password is wrong.";
constexpr const char* k_locked =
    "Too many wrong passwords for this name: it is locked for 15 minutes. Try again later, or ask the school office.";

bool same_secret(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

LocalSignIn::LocalSignIn(LocalSignInOptions options, ConsoleBackend& backend, Sessions& sessions, const Clock& clock)
    : m_options(std::move(options)),
      m_backend(backend),
      m_sessions(sessions),
      m_clock(clock),
      m_cookie_name(m_options.secure ? "__Host-certd_login" : "certd_login"),
      m_clients(k_max_client_attempts, k_client_window_seconds),
      m_unknown_names(k_max_login_failures, k_login_lock_seconds) {}

Response LocalSignIn::page(int status, const std::string& name, const std::string& error) const {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  auto token = random_token_base64url(k_login_token_bytes);
  if (!token) {
    r.status = 503;
    r.body = "Busy right now: try again in a minute.\n";
    r.content_type = "text/plain; charset=utf-8";
    return r;
  }
  Frame frame;
  frame.issuer = m_options.issuer_name;
  frame.teacher = true;  // no tabs
  r.body = render_login_page(frame, {*token, name, error});
  // Strict: the cookie goes only with this site's own requests; the form
  // is never shown in an LMS's frame.
  r.headers.emplace_back("Set-Cookie", m_cookie_name + "=" + *token + "; Path=/; Max-Age=" +
                                           std::to_string(k_login_cookie_seconds) + "; HttpOnly; SameSite=Strict" +
                                           (m_options.secure ? "; Secure" : ""));
  return r;
}

Response LocalSignIn::form(const Request&) const { return page(200, "", ""); }

Response LocalSignIn::submit(const Request& request) const {
  const std::int64_t now = to_unix(m_clock.now());
  if (m_clients.blocked(request.client, now)) {
    Response r = page(429, "", "Too many sign-in attempts from your network. Try again in 10 minutes.");
    r.headers.emplace_back("Retry-After", std::to_string(k_client_window_seconds));
    return r;
  }
  m_clients.count(request.client, now);
  std::string origin = request.header("origin");
  if (!origin.empty() && origin != m_options.public_origin)
    return page(403, "", "This form was sent from another site.");
  auto form = parse_form(request.body, 10);
  if (!form) return page(400, "", "The form could not be read. Try again.");
  std::string name = field(*form, "name");
  if (name.size() > k_max_name) name.clear();
  if (!same_secret(cookie_value(request.header("cookie"), m_cookie_name), field(*form, "login_token")))
    return page(403, name, "This form has expired. Enter your name and password again.");
  const std::string password = field(*form, "password");
  if (name.empty() || password.empty() || password.size() > k_max_password) return page(403, name, k_wrong);

  auto found = m_backend.local_user(name);
  if (!found) return page(503, name, "Busy right now: try again in a minute.");
  const std::optional<store::LocalUserRow>& user = *found;
  const bool locked = user ? user->locked_until > now : m_unknown_names.blocked(name, now);
  // Always one argon2 check, so that the time tells nothing either.
  const bool matches = m_backend.password_matches(user ? user->user.password_hash : std::string(), password);
  if (locked) return page(403, name, k_locked);
  if (!matches) {
    bool now_locked = false;
    if (user) {
      Status counted = m_backend.record_login_failure(name, now, k_max_login_failures, k_login_lock_seconds);
      if (!counted) CERTD_LOG_WARN("console: could not count a failed sign-in: {}", counted.error().message());
      auto after = m_backend.local_user(name);
      now_locked = after && *after && (*after)->locked_until > now;
    } else {
      now_locked = m_unknown_names.count(name, now);
    }
    return page(403, name, now_locked ? k_locked : k_wrong);
  }
  if (user->disabled) return page(403, name, "This account is disabled. Ask the school office.");

  if (Status cleared = m_backend.record_login_success(name); !cleared)
    CERTD_LOG_WARN("console: could not clear failed sign-ins: {}", cleared.error().message());
  SessionFor who;
  who.kind = store::SessionKind::local;
  who.user_key = "local:" + name;
  who.display_name = name;
  who.role = user->user.role;
  who.courses = user->user.courses;
  who.identity = nlohmann::json{{"local", name}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto cookie = m_sessions.open(who);
  if (!cookie) return page(503, name, "Busy right now: try again in a minute.");
  (void)m_backend.audit({name, "console.sign_in", "local:" + name, "local account", now});
  Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", "/console");
  r.headers.emplace_back("Set-Cookie", *cookie);
  // The login form's token has done its work.
  r.headers.emplace_back("Set-Cookie", m_cookie_name + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
                                           std::string(m_options.secure ? "; Secure" : ""));
  r.body = "See /console\n";
  return r;
}

}  // namespace certd::console
