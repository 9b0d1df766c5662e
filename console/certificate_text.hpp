#pragma once
// How the console words a certificate's status, kind and e-mails, shared
// by the pages that list them (issued_page.cpp, reports_page.cpp). Pure.

#include <cstdint>
#include <optional>
#include <string>

#include "store/records.hpp"

namespace certd::console {

// valid | expired | revoked: the badge's class.
std::string status_of(const store::CertificateRow& row, std::int64_t now);
// "Valid", "Expired on 2026-11-23", "Revoked on 2026-11-23", as the
// verification page words it; `status` from status_of.
std::string status_text(const store::CertificateRow& row, const std::string& status);
// "Approved by a teacher" for "approved"; an unknown kind as it is.
std::string kind_text(const std::string& kind);
// What the certificate is called: its title, else its course.
std::string title_of(const store::NewCertificate& c);
// "2026-11-23 12:00 UTC"; empty for none.
std::string when_text(std::optional<std::int64_t> at);
// An e-mail's status in words: "Sent", "Opened", ...
std::string delivery_status(const store::NotificationRow& n);

}  // namespace certd::console
