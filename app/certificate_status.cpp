#include "app/certificate_status.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>

#include "app/store_factory.hpp"
#include "connector/http_get.hpp"
#include "core/time_format.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

const std::map<std::string, CertificateState>& portal_states() {
  static const std::map<std::string, CertificateState> k_states = {{"valid", CertificateState::valid},
                                                                   {"revoked", CertificateState::revoked},
                                                                   {"expired", CertificateState::expired},
                                                                   {"unknown", CertificateState::unknown}};
  return k_states;
}

// "2026-12-01T10:00:00Z" -> "2026-12-01"; nullopt for anything else.
std::optional<std::string> date_of(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  auto time = parse_iso8601(it->get<std::string>());
  if (!time) return std::nullopt;
  return format_date(*time);
}

}  // namespace

Result<std::optional<CertificateStatus>> status_from_store(const config::Config& config, const std::string& number,
                                                           TimePoint now) {
  std::error_code ec;
  // Verification never creates a SQLite store where there was none.
  if (is_sqlite_store(config) && !std::filesystem::is_regular_file(config.data_dir + "/certd.sqlite", ec))
    return std::optional<CertificateStatus>();
  CERTD_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, open_store(config));
  CERTD_ASSIGN_OR_RETURN(std::optional<store::CertificateRow> row, store->certificate_by_number(number));
  if (!row) return std::optional<CertificateStatus>();
  CertificateStatus status;
  status.source = describe_store(config);
  const std::optional<std::int64_t>& expires_at = row->certificate.expires_at;
  if (row->status == store::CertificateStatus::revoked) {
    status.state = CertificateState::revoked;
    status.revoked_on = format_date(from_unix(row->revoked_at.value_or(0)));
    status.reason = row->revoke_reason;
  } else if (expires_at && *expires_at <= to_unix(now)) {
    status.state = CertificateState::expired;
    status.expired_on = format_date(from_unix(*expires_at));
  } else {
    status.state = CertificateState::valid;
  }
  return std::optional<CertificateStatus>(std::move(status));
}

Result<CertificateStatus> status_from_portal(const std::string& public_url, const std::string& number) {
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string url = base + "/v/" + number + ".json";
  CERTD_ASSIGN_OR_RETURN(connector::HttpGetReply reply, connector::http_get(url, connector::HttpGetOptions()));
  // The portal answers 404 with {"status": "unknown"} for a number it did
  // not issue; any other status is not an answer about the certificate.
  if (reply.status != 200 && reply.status != 404)
    return Error(ErrorCode::unavailable, url + " answered HTTP " + std::to_string(reply.status));
  nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  auto state = body.is_object() && body.contains("status") && body["status"].is_string()
                   ? portal_states().find(body["status"].get<std::string>())
                   : portal_states().end();
  if (state == portal_states().end())
    return Error(ErrorCode::parse_error, url + " did not answer with a certificate status");
  if (state->second != CertificateState::unknown &&
      (!body.contains("number") || body["number"] != nlohmann::json(number)))
    return Error(ErrorCode::parse_error, url + " answered about another certificate");
  CertificateStatus status;
  status.state = state->second;
  status.source = url;
  status.revoked_on = date_of(body, "revoked_at");
  status.expired_on = date_of(body, "expires_at");
  if (body.contains("revoke_reason") && body["revoke_reason"].is_string())
    status.reason = body["revoke_reason"].get<std::string>();
  return status;
}

}  // namespace certd::app
