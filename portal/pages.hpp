#pragma once
// HTML pages of the portal (mustache, values HTML-escaped).

#include <map>
#include <string>
#include <vector>

namespace certd::portal {

// One certificate as a page shows it.
struct CertificateView {
  std::string number;
  std::string student;
  std::string course;
  std::string issued_on;
  std::string expires_on;  // empty: does not expire
  std::string status;      // valid | revoked | expired
  std::string status_text;  // "Valid", "Revoked on 2026-12-01: reissued", ...
  std::string verify_url;
  std::string download_url;
};

std::string render_verification_page(const std::string& issuer, const std::string& number,
                                      const CertificateView* certificate);
std::string render_family_page(const std::string& issuer, const std::vector<CertificateView>& certificates);

}  // namespace certd::portal
