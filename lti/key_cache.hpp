#pragma once
// Platforms' public keys (JWKS), fetched when first needed, cached for
// `max_age`, and fetched again when a token names a kid the cached set
// does not hold (platforms rotate keys) — but not more often than
// `min_refetch` per URL, so a stream of tokens with made-up kids cannot
// make certd hammer the platform. Thread-safe; the fetch runs without the
// lock held, and a launch that needs a URL another thread is fetching
// waits for that fetch instead of starting its own. Failed fetches count
// toward `min_refetch` too.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "lti/jwt.hpp"

namespace certd::lti {

// GETs a JWKS document; `unavailable` when the platform does not answer.
using FetchKeys = std::function<Result<std::string>(const std::string& url)>;

class KeyCache {
 public:
  KeyCache(FetchKeys fetch, const Clock& clock, std::chrono::seconds max_age = std::chrono::hours(1),
           std::chrono::seconds min_refetch = std::chrono::seconds(10));

  // verify_rs256 with the keys of `jwks_url`, fetching them as described
  // above. A fetch that fails is `unavailable` (the launch may be tried
  // again), never a verdict on the token.
  Result<std::string> verify(const std::string& jwks_url, std::string_view token);

  int fetches() const;  // how many fetches were made (tests)

 private:
  struct Entry {
    KeySet keys;
    TimePoint fetched_at{};
    bool valid = false;
    // When the last fetch started, successful or not: the rate limit
    // counts failed fetches too, so a platform that is down is not asked
    // again at every launch.
    TimePoint attempted_at{};
    bool attempted = false;
    bool fetching = false;  // a thread is fetching this URL now
  };
  Result<KeySet> fetch_now(const std::string& url);

  FetchKeys m_fetch;
  const Clock& m_clock;
  std::chrono::seconds m_max_age;
  std::chrono::seconds m_min_refetch;
  mutable std::mutex m_mutex;
  std::condition_variable m_fetched;  // a fetch ended; waits use m_mutex
  std::map<std::string, Entry> m_entries;  // Guarded by m_mutex.
  int m_fetches = 0;                       // Guarded by m_mutex.
};

}  // namespace certd::lti
