#pragma once
// What the portal needs from the rest of certd. app implements it over the
// store (a connection per worker thread) and data_dir; tests use a fake.
// Implementations must be thread-safe: handlers run on the HTTP pool.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/records.hpp"

namespace certd::portal {

// What /readyz reports: each check by name, with what it found.
struct ReadinessCheck {
  std::string name;    // "store", "lms"
  bool ok = false;
  std::string detail;  // for people: what was found, or why it failed
};

struct Readiness {
  std::vector<ReadinessCheck> checks;
  bool ready() const {
    for (const ReadinessCheck& check : checks)
      if (!check.ok) return false;
    return true;
  }
};

class PortalBackend {
 public:
  virtual ~PortalBackend() = default;

  virtual Result<std::optional<store::CertificateRow>> certificate(const std::string& number) = 0;
  virtual Result<std::vector<store::CertificateRow>> certificates_for_claim(const std::string& claim_token) = 0;
  virtual Status record_verification(const store::NewVerification& verification) = 0;
  // Marks the family's e-mails for these certificates as claimed.
  virtual Status mark_claimed(const std::string& claim_token, std::int64_t at) = 0;
  // Durable before it returns: the webhook's 2xx depends on it.
  virtual Result<store::Inserted> record_event(const store::NewEvent& event) = 0;
  // The PDF of a certificate, read from data_dir (never outside it).
  virtual Result<std::string> pdf_bytes(const store::CertificateRow& certificate) = 0;
  // Whether this certd can do its work now (a failed check is a result,
  // not an error): the store takes a write, the LMS answered lately.
  virtual Readiness readiness(std::int64_t now) = 0;
};

}  // namespace certd::portal
