#pragma once
// The portal both portal fuzzers drive: a fake backend holding three
// certificates (valid, revoked, expired; a name with HTML in it) and two
// webhook sources with secrets of their own, at a fixed time.

#include <memory>
#include <string>

#include "portal/portal.hpp"
#include "tests/portal/fake_portal_backend.hpp"

namespace certd::portal::fuzzing {

inline constexpr std::int64_t k_now = 1795437296;  // 2026-11-23T12:34:56Z
inline constexpr const char* k_moodle_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
inline constexpr const char* k_reports_secret = "whsec_c2Vjb25kIHNvdXJjZSBzZWNyZXQgb2YgMzIgYnl0ZXM=";

inline store::CertificateRow certificate(const std::string& number, const std::string& claim) {
  store::CertificateRow row;
  row.id = 1;
  row.certificate.number = number;
  row.certificate.student_name = "Алексей <Смирнов> \"&\" 'x'";
  row.certificate.course = "Swimming <b>Level</b> 3";
  row.certificate.issued_at = k_now - 86400;
  row.certificate.claim_token = claim;
  return row;
}

inline void fill(FakePortalBackend& backend) {
  backend.certificates["SWL3-7K4M-9QXR"] = certificate("SWL3-7K4M-9QXR", "family1");
  auto revoked = certificate("SWL3-AAAA-BBBE", "family1");
  revoked.status = store::CertificateStatus::revoked;
  revoked.revoked_at = k_now - 3600;
  revoked.revoke_reason = "reissued <as> SWL3-7K4M-9QXR";
  backend.certificates["SWL3-AAAA-BBBE"] = revoked;
  auto expired = certificate("FA-CCCC-DDDE", "family2");
  expired.certificate.expires_at = k_now - 1;
  backend.certificates["FA-CCCC-DDDE"] = expired;
}

inline std::unique_ptr<WebhookVerifier> two_sources() {
  auto verifier = std::make_unique<WebhookVerifier>(Duration(300));
  if (!verifier->add_source("moodle", k_moodle_secret) || !verifier->add_source("reports", k_reports_secret))
    std::abort();
  return verifier;
}

inline PortalOptions options() {
  return PortalOptions{"Riverside <Swim> School", "https://certs.example", "-----BEGIN PUBLIC KEY-----", 4096};
}

}  // namespace certd::portal::fuzzing
