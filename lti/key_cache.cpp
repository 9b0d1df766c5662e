#include "lti/key_cache.hpp"

#include <exception>

namespace certd::lti {

KeyCache::KeyCache(FetchKeys fetch, const Clock& clock, std::chrono::seconds max_age, std::chrono::seconds min_refetch)
    : m_fetch(std::move(fetch)), m_clock(clock), m_max_age(max_age), m_min_refetch(min_refetch) {}

Result<std::string> KeyCache::verify(const std::string& jwks_url, std::string_view token) {
  // A token that verify_rs256 refuses whatever the keys (not a JWS, not
  // RS256, no kid) is refused without fetching anything.
  CERTD_ASSIGN_OR_RETURN(JwtHeader header, peek_header(token));
  if (header.alg != "RS256" || header.kid.empty()) return verify_rs256(token, KeySet());

  std::unique_lock<std::mutex> lock(m_mutex);
  for (;;) {
    Entry& entry = m_entries[jwks_url];
    const TimePoint now = m_clock.now();
    const bool fresh = entry.valid && now - entry.fetched_at < m_max_age;
    const bool known = fresh && entry.keys.contains(header.kid);
    const bool rate_limited = entry.attempted && now - entry.attempted_at < m_min_refetch;
    if (!known && entry.fetching) {
      // Someone is fetching this set now: its result answers us too.
      m_fetched.wait(lock);
      continue;
    }
    if (known || (fresh && rate_limited)) {
      // A known kid, or an unknown one asked again too soon: the cached
      // set decides ("unknown key ID" for the latter). The copy shares
      // the keys, so verifying needs no lock.
      KeySet keys = entry.keys;
      lock.unlock();
      return verify_rs256(token, keys);
    }
    if (rate_limited)
      return Error(ErrorCode::unavailable, "the keys at " + jwks_url + " could not be fetched just now; retry");

    entry.fetching = true;
    entry.attempted = true;
    entry.attempted_at = now;
    ++m_fetches;
    // The fetch is network I/O: no lock is held while it runs.
    lock.unlock();
    Result<KeySet> fetched = fetch_now(jwks_url);
    lock.lock();
    Entry& updated = m_entries[jwks_url];
    updated.fetching = false;
    if (fetched) {
      updated.keys = *fetched;
      updated.fetched_at = m_clock.now();
      updated.valid = true;
    }
    m_fetched.notify_all();
    if (!fetched) return fetched.error();
    lock.unlock();
    return verify_rs256(token, *fetched);
  }
}

int KeyCache::fetches() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_fetches;
}

Result<KeySet> KeyCache::fetch_now(const std::string& url) {
  // Whatever goes wrong here is the platform's state, not the token's:
  // always `unavailable`, so the launch can be tried again.
  auto unavailable = [&](const std::string& why) {
    return Error(ErrorCode::unavailable, "cannot fetch the LTI platform keys at " + url + ": " + why);
  };
  Result<std::string> text = Error(ErrorCode::internal, "not fetched");
  try {
    text = m_fetch(url);
  } catch (const std::exception& e) {
    return unavailable(e.what());
  }
  if (!text) return unavailable(text.error().message());
  auto keys = KeySet::parse(*text);
  if (!keys) return unavailable(keys.error().message());
  return keys;
}

}  // namespace certd::lti
