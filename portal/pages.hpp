#pragma once
// HTML pages of the portal (mustache; every value HTML-escaped). One
// layout for all of them: the issuer's name on top, one stylesheet
// (/assets/portal.css, portal_assets.hpp) and no script, so the strict
// Content-Security-Policy the portal sends holds. Pure.

#include <string>
#include <vector>

namespace certd::portal {

// One certificate as a page shows it.
struct CertificateView {
  std::string number;
  std::string student;
  // What the certificate is: the course's name, or an ad-hoc award's own
  // ("Lifeguard of the month"). The course is only context: shown when it
  // says something the title does not, and empty for an award without one.
  std::string title;
  std::string course;
  std::string issued_on;
  std::string expires_on;   // empty: does not expire, or not shown (revoked)
  std::string status;       // valid | revoked | expired
  std::string status_text;  // "Valid", "Revoked on 2026-12-01", "Expired on 2026-12-01"
  std::string revoked_because;  // revoked: the public category, "issued in error"; else empty
  std::string verify_url;
  std::string download_url;  // empty: no download offered (revoked)
};

// `error`: what was wrong with what the form sent (empty: nothing).
std::string render_home_page(const std::string& issuer, const std::string& error);
// `certificate` null: a well-formed `number` that was never issued.
std::string render_verification_page(const std::string& issuer, const std::string& number,
                                      const CertificateView* certificate);
// A number whose check character does not match (or that is not shaped
// like one): nothing was looked up. `typed` is shown back, so it must be
// canonical (letters, digits, dashes) or empty.
std::string render_typo_page(const std::string& issuer, const std::string& typed, bool shaped_like_a_number);
std::string render_family_page(const std::string& issuer, const std::vector<CertificateView>& certificates);
// An error for a person: its status, a title and a sentence saying what to do.
std::string render_error_page(const std::string& issuer, int status, const std::string& title,
                              const std::string& message);

}  // namespace certd::portal
