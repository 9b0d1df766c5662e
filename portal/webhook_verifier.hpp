#pragma once
// Standard Webhooks 1.0 signatures (docs/libraries.md §7): HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<raw body>", keys given as whsec_<base64>,
// several "v1,<base64>" signatures per header (key rotation), timestamps
// within a tolerance so a captured request cannot be replayed later.

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/duration.hpp"
#include "core/result.hpp"

namespace certd::portal {

struct WebhookHeaders {
  std::string id;
  std::string timestamp;
  std::string signature;
};

// Thread-safe after construction (verify is const).
class WebhookVerifier {
 public:
  // Fails on a secret that is not whsec_<base64> of 24..64 bytes.
  static Result<WebhookVerifier> create(const std::vector<std::string>& secrets, Duration tolerance);

  // Errors: invalid_argument for missing headers or a timestamp outside
  // the tolerance (checked first, so no MAC work is done for stale or
  // malformed requests); permission_denied when no signature matches.
  Status verify(const WebhookHeaders& headers, std::string_view body, TimePoint now) const;

  // The header value a sender would send (for tests and our own senders).
  std::string sign(std::string_view id, std::int64_t timestamp, std::string_view body) const;

 private:
  WebhookVerifier(std::vector<std::string> keys, Duration tolerance)
      : m_keys(std::move(keys)), m_tolerance(tolerance) {}

  std::vector<std::string> m_keys;  // raw HMAC keys, never logged
  Duration m_tolerance;
};

// Constant-time equality for tokens and MACs; length is not secret.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace certd::portal
