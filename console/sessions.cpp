#include "console/sessions.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>

#include "core/hex.hpp"
#include "core/random_token.hpp"

namespace certd::console {
namespace {

// A multiple of 3: base64 without padding, 264 bits.
constexpr std::size_t k_token_bytes = 33;
// A session is touched (one store write) at most this often: a page and
// its assets come in a burst, and idle timeouts are minutes long.
constexpr std::int64_t k_touch_every = 30;

bool plausible_token(const std::string& token) {
  return token.size() >= 40 && token.size() <= 64 && std::all_of(token.begin(), token.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '_';
         });
}

}  // namespace

bool Viewer::teaches(const std::string& course) const {
  if (session.role == store::Role::admin) return true;
  if (session.role != store::Role::teacher) return false;
  return std::find(session.courses.begin(), session.courses.end(), course) != session.courses.end();
}

std::string token_hash(const std::string& token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return to_hex(digest, sizeof digest);
}

std::string cookie_value(const std::string& header, const std::string& name) {
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::size_t first = header.find_first_not_of(' ', start);
    if (first < end) {
      std::size_t eq = header.find('=', first);
      if (eq < end && header.compare(first, eq - first, name) == 0 && eq - first == name.size())
        return header.substr(eq + 1, end - eq - 1);
    }
    start = end + 1;
  }
  return {};
}

bool csrf_matches(const Viewer& viewer, const std::string& given) {
  const std::string& expected = viewer.session.csrf_token;
  if (expected.empty() || given.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

Sessions::Sessions(ConsoleBackend& backend, const Clock& clock, SessionSettings settings)
    : m_backend(backend),
      m_clock(clock),
      m_settings(settings),
      // The __Host- prefix makes browsers refuse the cookie unless it is
      // Secure, for this host only, and for every path: no other site or
      // subdomain can plant one.
      m_cookie_name(settings.secure ? "__Host-certd_session" : "certd_session") {}

std::string Sessions::cookie_attributes() const {
  return m_settings.secure ? "; Path=/; HttpOnly; Secure; SameSite=None" : "; Path=/; HttpOnly; SameSite=Lax";
}

Result<std::string> Sessions::open(const SessionFor& who) {
  CERTD_ASSIGN_OR_RETURN(std::string token, random_token_base64url(k_token_bytes));
  CERTD_ASSIGN_OR_RETURN(std::string csrf, random_token_base64url(k_token_bytes));
  std::int64_t now = to_unix(m_clock.now());
  store::NewSession session;
  session.token_hash = token_hash(token);
  session.kind = who.kind;
  session.user_key = who.user_key;
  session.display_name = who.display_name;
  session.role = who.role;
  session.courses = who.courses;
  session.identity = who.identity;
  session.csrf_token = csrf;
  session.created_at = now;
  session.last_seen_at = now;
  session.idle_expires_at = now + m_settings.idle.count();
  session.expires_at = now + m_settings.max.count();
  CERTD_TRY(m_backend.create_session(session));
  // No Max-Age: the browser forgets it when it closes; the store's
  // expiry is what counts.
  return m_cookie_name + "=" + token + cookie_attributes();
}

Result<std::optional<Viewer>> Sessions::viewer(const portal::Request& request) {
  std::string token = cookie_value(request.header("cookie"), m_cookie_name);
  if (!plausible_token(token)) return std::optional<Viewer>();
  std::int64_t now = to_unix(m_clock.now());
  Viewer viewer;
  viewer.token_hash = token_hash(token);
  CERTD_ASSIGN_OR_RETURN(auto row, m_backend.session(viewer.token_hash, now));
  if (!row) return std::optional<Viewer>();
  viewer.session = std::move(*row);
  if (now - viewer.session.last_seen_at >= k_touch_every) {
    std::int64_t idle_until = std::min(now + m_settings.idle.count(), viewer.session.expires_at);
    Status touched = m_backend.touch_session(viewer.token_hash, now, idle_until);
    if (!touched && touched.error().code() == ErrorCode::not_found) return std::optional<Viewer>();
    CERTD_TRY(touched);
  }
  if (viewer.session.role == store::Role::student) {
    auto identity = nlohmann::json::parse(viewer.session.identity, nullptr, false);
    if (identity.is_object() && identity.value("student_id", nlohmann::json()).is_string())
      viewer.student_id = identity["student_id"].get<std::string>();
  }
  return std::optional<Viewer>(std::move(viewer));
}

std::string Sessions::close(const portal::Request& request) {
  std::string token = cookie_value(request.header("cookie"), m_cookie_name);
  if (plausible_token(token)) (void)m_backend.delete_session(token_hash(token));
  return m_cookie_name + "=; Max-Age=0" + cookie_attributes();
}

}  // namespace certd::console
