#pragma once
// Whether a certificate still stands, for `certd verify FILE.pdf`: its
// signature says what was issued, only the issuer knows whether it was
// revoked since. Asked of the store (the issuer's own machine) or of the
// portal's /v/NUMBER.json (anyone's); each answer names where it came from.

#include <optional>
#include <string>

#include "core/clock.hpp"
#include "config/config.hpp"
#include "core/result.hpp"

namespace certd::app {

enum class CertificateState { valid, revoked, expired, unknown };

struct CertificateStatus {
  CertificateState state = CertificateState::unknown;
  std::string source;  // "the store at PATH", "https://certs.example/v/N.json"
  std::optional<std::string> revoked_on;  // YYYY-MM-DD
  std::string reason;                     // as the source gives it (untrusted when online)
  std::optional<std::string> expired_on;  // YYYY-MM-DD
};

// From the SQLite store at `store_path`. nullopt when there is no store
// file or it does not hold `number` (then the status comes from elsewhere
// or is not checked). Errors: the store cannot be read.
Result<std::optional<CertificateStatus>> status_from_store(const config::Config& config, const std::string& number,
                                                           TimePoint now);

// From `{public_url}/v/{number}.json` (portal/portal.cpp), within 10 s and
// 64 KiB. Errors: unavailable when the portal cannot be reached,
// parse_error when it answers something else than a certd status.
Result<CertificateStatus> status_from_portal(const std::string& public_url, const std::string& number);

}  // namespace certd::app
