#pragma once
// Standard Webhooks 1.0 signatures (docs/libraries.md §7): HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<raw body>", keys given as whsec_<base64>,
// several "v1,<base64>" signatures per header (the sender's key rotation),
// timestamps within a tolerance so a captured request cannot be replayed
// later.
//
// Each source (the {source} of /hooks/{source}) has a secret of its own,
// and no two sources share one: a request signed for one source does not
// verify at another, so the source is, in effect, part of what is signed.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/duration.hpp"
#include "core/result.hpp"

namespace certd::portal {

struct WebhookHeaders {
  std::string id;
  std::string timestamp;
  std::string signature;
};

// Not thread-safe while sources are added; after that verify() and sign()
// are const and safe from any thread.
class WebhookVerifier {
 public:
  explicit WebhookVerifier(Duration tolerance) : m_tolerance(tolerance) {}

  // Adds `source` with its secret. Errors (invalid_argument; the message
  // never holds the secret): an empty name or one already added, a secret
  // that is not whsec_<base64 of 24..64 bytes>, or one that another source
  // has (its requests would verify at both; the message names that one).
  Status add_source(const std::string& source, std::string_view secret);

  bool has_source(std::string_view source) const;

  // Errors, in the order checked: not_found for a source that was not
  // added; invalid_argument for missing headers or a timestamp outside the
  // tolerance (so no MAC work is done for stale or malformed requests);
  // permission_denied when no signature matches that source's secret.
  Status verify(std::string_view source, const WebhookHeaders& headers, std::string_view body, TimePoint now) const;

  // The header value a sender to `source` would send (for tests and our
  // own senders); "" for a source that was not added.
  std::string sign(std::string_view source, std::string_view id, std::int64_t timestamp,
                   std::string_view body) const;

 private:
  std::map<std::string, std::string, std::less<>> m_keys;  // source -> raw HMAC key, never logged
  Duration m_tolerance;
};

// Constant-time equality for tokens and MACs; length is not secret.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace certd::portal
