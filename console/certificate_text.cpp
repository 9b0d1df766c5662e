#include "console/certificate_text.hpp"

#include "core/time_format.hpp"

namespace certd::console {

std::string status_of(const store::CertificateRow& row, std::int64_t now) {
  if (row.status == store::CertificateStatus::revoked) return "revoked";
  if (row.certificate.expires_at && *row.certificate.expires_at <= now) return "expired";
  return "valid";
}

// As the verification page words it (portal/portal.cpp view_of).
std::string status_text(const store::CertificateRow& row, const std::string& status) {
  if (status == "valid") return "Valid";
  if (status == "expired") return "Expired on " + format_date(from_unix(row.certificate.expires_at.value_or(0)));
  return "Revoked on " + format_date(from_unix(row.revoked_at.value_or(0)));
}

std::string kind_text(const std::string& kind) {
  if (kind == "automatic") return "Automatic";
  if (kind == "approved") return "Approved by a teacher";
  if (kind == "adhoc") return "Ad-hoc award";
  if (kind == "forced") return "Issued now by a teacher";
  if (kind == "batch") return "Batch import";
  if (kind == "reissue") return "Reissue";
  return kind;
}

std::string title_of(const store::NewCertificate& c) { return c.title.empty() ? c.course : c.title; }

// To the minute: when an e-mail went or a page was opened.
std::string when_text(std::optional<std::int64_t> at) {
  if (!at) return "";
  std::string iso = format_iso8601(from_unix(*at));  // 2026-11-23T12:00:00Z
  return iso.size() >= 16 ? iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC" : iso;
}

std::string delivery_status(const store::NotificationRow& n) {
  if (n.status == "claimed") return "Opened";
  if (n.status == "sent") return "Sent";
  if (n.status == "queued") return "Waiting to be sent";
  if (n.status == "failed") return "Failed";
  return n.status;
}

}  // namespace certd::console
