#include "portal/portal.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/log.hpp"
#include "core/time_format.hpp"
#include "portal/pages.hpp"
#include "render/certificate_number.hpp"

namespace certd::portal {
namespace {

using nlohmann::json;

constexpr std::size_t k_max_token = 64;

// Certificate numbers and claim tokens: letters, digits and '-', bounded.
// Anything else cannot be ours, so it never reaches the store.
bool plausible_token(const std::string& text) {
  return !text.empty() && text.size() <= k_max_token && std::all_of(text.begin(), text.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '_';
         });
}

std::string normalized_number(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string status_of(const store::CertificateRow& row, TimePoint now) {
  if (row.status == store::CertificateStatus::revoked) return "revoked";
  if (row.certificate.expires_at && *row.certificate.expires_at <= to_unix(now)) return "expired";
  return "valid";
}

Response json_response(int status, const json& body) {
  Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

Response html_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response from_error(const Error& error) {
  switch (error.code()) {
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error: return json_error(400, error.message());
    case ErrorCode::permission_denied: return json_error(401, error.message());
    case ErrorCode::not_found: return json_error(404, error.message());
    case ErrorCode::conflict: return json_error(409, error.message());
    case ErrorCode::unavailable: return json_error(503, "temporarily unavailable, try again");
    case ErrorCode::internal: break;
  }
  CERTD_LOG_ERROR("portal: internal error: {}", error.message());
  return json_error(500, "internal error");
}

}  // namespace

Response json_error(int status, const std::string& message) {
  return json_response(status, json{{"error", {{"status", status}, {"message", message}}}});
}

Portal::Portal(PortalOptions options, PortalBackend& backend, const Clock& clock,
               std::unique_ptr<WebhookVerifier> webhooks)
    : m_options(std::move(options)),
      m_backend(backend),
      m_clock(clock),
      m_webhooks(std::move(webhooks)),
      m_lookups(std::make_unique<LookupLimiter>()) {}

Response Portal::handle(const Request& request) const {
  const std::string& path = request.path;
  bool is_hook = starts_with(path, "/hooks/");
  const char* allowed = is_hook ? "POST, OPTIONS" : "GET, HEAD, OPTIONS";
  if (request.method == "OPTIONS") {
    Response r;
    r.status = 204;
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  if (is_hook && request.method == "POST") return webhook(path.substr(7), request);
  if (is_hook || (request.method != "GET" && request.method != "HEAD")) {
    Response r = json_error(405, "method not allowed");
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  if (path == "/keys") return keys();
  if (starts_with(path, "/v/")) {
    std::string number = path.substr(3);
    bool as_json = ends_with(number, ".json");
    if (as_json) number.resize(number.size() - 5);
    return verification_page(normalized_number(number), as_json, request);
  }
  if (starts_with(path, "/c/")) {
    std::string rest = path.substr(3);
    auto slash = rest.find('/');
    if (slash == std::string::npos) return family_page(rest);
    std::string file = rest.substr(slash + 1);
    if (!ends_with(file, ".pdf")) return json_error(404, "no such page");
    return family_download(rest.substr(0, slash), file.substr(0, file.size() - 4));
  }
  if (path == "/healthz") return json_response(200, json{{"status", "ok"}});
  return json_error(404, "no such page");
}

Response Portal::verification_page(const std::string& number, bool as_json, const Request& request) const {
  // Only a well-formed number with the right check character reaches the
  // store; anything else cannot be ours, is not recorded and is not shown
  // back (it could be 4 KB of anything).
  if (!render::valid_number(number)) {
    if (as_json) return json_response(404, json{{"status", "not_a_number"}});
    return html_response(404, render_verification_page(m_options.issuer_name, "", nullptr));
  }
  TimePoint now = m_clock.now();
  auto found = m_backend.certificate(number);
  if (!found) return from_error(found.error());
  std::optional<store::CertificateRow> row = std::move(*found);
  std::string status = row ? status_of(*row, now) : "unknown";
  if (request.method != "HEAD" && m_lookups->should_record(request.client, number, to_unix(now))) {
    auto recorded = m_backend.record_verification({number, status, as_json ? "json" : "web", to_unix(now)});
    if (!recorded) CERTD_LOG_WARN("portal: could not record a verification: {}", recorded.error().message());
  }

  if (as_json) {
    if (!row) return json_response(404, json{{"number", number}, {"status", "unknown"}});
    const store::NewCertificate& c = row->certificate;
    json body{{"number", c.number},   {"status", status},   {"student", c.student_name},
              {"course", c.course},   {"issuer", m_options.issuer_name},
              {"issued_at", format_iso8601(from_unix(c.issued_at))}};
    body["expires_at"] = c.expires_at ? json(format_iso8601(from_unix(*c.expires_at))) : json(nullptr);
    if (row->revoked_at) {
      body["revoked_at"] = format_iso8601(from_unix(*row->revoked_at));
      body["revoke_reason"] = row->revoke_reason;
    }
    return json_response(200, body);
  }
  if (!row) return html_response(404, render_verification_page(m_options.issuer_name, number, nullptr));
  CertificateView view;
  const store::NewCertificate& c = row->certificate;
  view = CertificateView{c.number, c.student_name, c.course, format_date(from_unix(c.issued_at)),
                         c.expires_at ? format_date(from_unix(*c.expires_at)) : "", status, "", "", ""};
  if (status == "valid") view.status_text = "Valid";
  if (status == "expired") view.status_text = "Expired on " + view.expires_on;
  if (status == "revoked")
    view.status_text = "Revoked on " + format_date(from_unix(row->revoked_at.value_or(0))) +
                       (row->revoke_reason.empty() ? "" : ": " + row->revoke_reason);
  return html_response(200, render_verification_page(m_options.issuer_name, number, &view));
}

Response Portal::family_page(const std::string& claim_token) const {
  if (!plausible_token(claim_token)) return json_error(404, "no such page");
  auto rows = m_backend.certificates_for_claim(claim_token);
  if (!rows) return from_error(rows.error());
  if (rows->empty()) return json_error(404, "no such page");
  TimePoint now = m_clock.now();
  if (auto claimed = m_backend.mark_claimed(claim_token, to_unix(now)); !claimed)
    CERTD_LOG_WARN("portal: could not mark a claim: {}", claimed.error().message());
  std::vector<CertificateView> views;
  for (const store::CertificateRow& row : *rows) {
    const store::NewCertificate& c = row.certificate;
    std::string status = status_of(row, now);
    views.push_back(CertificateView{
        c.number, c.student_name, c.course, format_date(from_unix(c.issued_at)),
        c.expires_at ? format_date(from_unix(*c.expires_at)) : "", status,
        status == "valid" ? "Valid" : status == "expired" ? "Expired" : "Revoked",
        m_options.public_url + "/v/" + c.number, "/c/" + claim_token + "/" + c.number + ".pdf"});
  }
  return html_response(200, render_family_page(m_options.issuer_name, views));
}

Response Portal::family_download(const std::string& claim_token, const std::string& number) const {
  if (!plausible_token(claim_token) || !plausible_token(number)) return json_error(404, "no such file");
  auto row = m_backend.certificate(normalized_number(number));
  if (!row) return from_error(row.error());
  // Only the family holding the claim token may download; anyone else gets
  // the same 404 as for a number that does not exist.
  if (!*row || (*row)->certificate.claim_token != claim_token) return json_error(404, "no such file");
  auto bytes = m_backend.pdf_bytes(**row);
  if (!bytes) return from_error(bytes.error());
  Response r;
  r.content_type = "application/pdf";
  r.body = std::move(*bytes);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"certificate-" + (*row)->certificate.number + ".pdf\"");
  return r;
}

Response Portal::keys() const {
  return json_response(200, json{{"issuer", m_options.issuer_name},
                                 {"keys", json::array({{{"alg", "Ed25519"}, {"pem", m_options.public_key_pem}}})}});
}

Response Portal::webhook(const std::string& source, const Request& request) const {
  // Each source has a secret of its own: one that is not configured (or
  // none at all) has nothing to verify with, like a page that is not there.
  if (!plausible_token(source) || !m_webhooks || !m_webhooks->has_source(source))
    return json_error(404, "no such webhook source");
  if (request.body.size() > m_options.max_webhook_body) return json_error(413, "body too large");
  WebhookHeaders headers{request.header("webhook-id"), request.header("webhook-timestamp"),
                         request.header("webhook-signature")};
  if (auto verified = m_webhooks->verify(source, headers, request.body, m_clock.now()); !verified)
    return from_error(verified.error());
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("type") || !body["type"].is_string())
    return json_error(400, "body must be a JSON object with a string 'type'");
  store::NewEvent event{"webhook:" + source, headers.id, body["type"].get<std::string>(), request.body,
                        to_unix(m_clock.now())};
  // The 2xx below is sent only once the event row is committed.
  auto recorded = m_backend.record_event(event);
  if (!recorded) return from_error(recorded.error());
  return json_response(200, json{{"status", recorded->created ? "accepted" : "duplicate"},
                                 {"event_id", recorded->id}});
}

}  // namespace certd::portal
