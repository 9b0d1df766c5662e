#include "portal/portal.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/time_format.hpp"
#include "portal/pages.hpp"
#include "portal/portal_assets.hpp"
#include "portal/typed_number.hpp"
#include "store/revocation.hpp"

namespace certd::portal {
namespace {

using nlohmann::json;

constexpr std::size_t k_max_token = 64;

// No script, no frames, nothing from elsewhere: the pages need only their
// own stylesheet and icon, and their form posts back here. Sent with every
// answer (JSON ignores it).
constexpr const char* k_content_security_policy =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

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

bool has_header(const Response& response, const std::string& name) {
  return std::any_of(response.headers.begin(), response.headers.end(),
                     [&](const auto& header) { return header.first == name; });
}

void set_default_header(Response& response, const std::string& name, const std::string& value) {
  if (!has_header(response, name)) response.headers.emplace_back(name, value);
}

// Family pages and PDFs name a child and are reached by a secret link: no
// cache keeps them, no search engine lists them, no other site learns the
// link from a Referer. Other pages change when a certificate is revoked,
// so caches ask again each time.
void add_security_headers(Response& response) {
  set_default_header(response, "Content-Security-Policy", k_content_security_policy);
  set_default_header(response, "X-Frame-Options", "DENY");
  set_default_header(response, "Referrer-Policy", "no-referrer");
  set_default_header(response, "X-Robots-Tag", "noindex");
  set_default_header(response, "Cache-Control", "no-cache");
}

void mark_private(Response& response) {
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Robots-Tag", "noindex, nofollow");
}

std::string status_of(const store::CertificateRow& row, TimePoint now) {
  if (row.status == store::CertificateStatus::revoked) return "revoked";
  if (row.certificate.expires_at && *row.certificate.expires_at <= to_unix(now)) return "expired";
  return "valid";
}

// What the public is told about a revocation: its category in words, never
// the issuer's own note (revoke_reason).
std::string public_reason(const store::CertificateRow& row) {
  switch (row.revoke_category.value_or(store::RevocationCategory::withdrawn)) {
    case store::RevocationCategory::issued_in_error: return "issued in error";
    case store::RevocationCategory::replaced: return "replaced by a new certificate";
    case store::RevocationCategory::withdrawn: break;
  }
  return "withdrawn by the school";
}

// What a certificate is called. The store fills the title of rows from
// before it had one; a row without one anyway is called by its course, as
// those were.
std::string title_of(const store::NewCertificate& c) { return c.title.empty() ? c.course : c.title; }

CertificateView view_of(const store::CertificateRow& row, TimePoint now) {
  const store::NewCertificate& c = row.certificate;
  CertificateView view;
  view.number = c.number;
  view.student = c.student_name;
  view.title = title_of(c);
  view.course = c.course;
  view.issued_on = format_date(from_unix(c.issued_at));
  view.status = status_of(row, now);
  if (view.status == "valid") {
    view.status_text = "Valid";
    if (c.expires_at) view.expires_on = format_date(from_unix(*c.expires_at));
  } else if (view.status == "expired") {
    view.status_text = "Expired on " + format_date(from_unix(c.expires_at.value_or(0)));
  } else {
    view.status_text = "Revoked on " + format_date(from_unix(row.revoked_at.value_or(0)));
    view.revoked_because = public_reason(row);
  }
  return view;
}

Response json_response(int status, const json& body) {
  Response r;
  r.status = status;
  // replace: a message may quote what a client sent, which need not be
  // UTF-8; dump() would throw on it (found by fuzz_console_request).
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Response html_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

struct ErrorWords {
  int status;
  const char* title;
  const char* advice;  // for people, after the reason
};

constexpr ErrorWords k_error_words[] = {
    {400, "This request could not be read", "Go back to the home page and try again."},
    {401, "Not allowed", "This address is not for browsers."},
    {404, "Page not found",
     "If you followed a link from an e-mail, check that the whole link was copied, or type the certificate number on "
     "the home page."},
    {405, "Not allowed here", "This address can only be opened, not sent to."},
    {408, "Took too long", "The connection may be slow: try again."},
    {409, "Conflict", "Try again."},
    {410, "No longer available", "The family page still offers the certificates that are valid."},
    {413, "Too large", "What was sent is larger than this service accepts."},
    {414, "Address too long",
     "Check that the link was copied whole and nothing was added, or type the certificate number on the home page."},
    {429, "Too many requests", "Wait a minute, then try again."},
    {431, "Request too large",
     "The browser sent more than this service accepts: clear this site's cookies, then try again."},
    {500, "Something went wrong", "The school has been told. Try again later."},
    {503, "Busy right now", "Try again in a minute."},
};

// A person's request for a certificate number that will not be looked up.
Response number_not_looked_up(const std::string& issuer, const TypedNumber& typed, int status) {
  bool shaped = typed.verdict == NumberVerdict::typo;
  return html_response(status, render_typo_page(issuer, shaped ? typed.canonical : "", shaped));
}

bool is_prefetch(const Request& request) {
  // Browsers and link previews that fetch ahead say so; a person did not
  // ask for the file yet.
  std::string purpose = request.header("sec-purpose") + request.header("purpose") + request.header("x-moz");
  return purpose.find("prefetch") != std::string::npos || purpose.find("preview") != std::string::npos;
}

// Portal::error with the issuer's name passed in, so that the server's own
// errors (server_error), which come before any Portal, read the same.
Response error_answer(const std::string& issuer, const std::string& path, int status, const std::string& message) {
  if (audience_of(path) == Audience::machines) return json_error(status, message);
  const ErrorWords* words = std::find_if(std::begin(k_error_words), std::end(k_error_words),
                                         [&](const ErrorWords& w) { return w.status == status; });
  std::string title = words == std::end(k_error_words) ? "Error" : words->title;
  std::string advice = words == std::end(k_error_words) ? "" : words->advice;
  std::string sentence = message.empty() ? advice : advice.empty() ? message : message + ". " + advice;
  if (!sentence.empty()) sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
  return html_response(status, render_error_page(issuer, status, title, sentence));
}

}  // namespace

Response json_error(int status, const std::string& message) {
  return json_response(status, json{{"error", {{"status", status}, {"message", message}}}});
}

Audience audience_of(const std::string& path) {
  if (ends_with(path, ".json") || path == "/api" || starts_with(path, "/api/") || starts_with(path, "/hooks/") ||
      path == "/keys" || path == "/healthz" || path == "/readyz")
    return Audience::machines;
  return Audience::people;
}

Portal::Portal(PortalOptions options, PortalBackend& backend, const Clock& clock,
               std::unique_ptr<WebhookVerifier> webhooks)
    : m_options(std::move(options)),
      m_backend(backend),
      m_clock(clock),
      m_webhooks(std::move(webhooks)),
      m_lookups(std::make_unique<LookupLimiter>()) {}

Response Portal::handle(const Request& request) const {
  Response response = route(request);
  add_security_headers(response);
  return response;
}

Response server_error(const std::string& issuer, const std::string& path, int status, const std::string& message) {
  Response response = error_answer(issuer, path, status, message);
  add_security_headers(response);
  return response;
}

Response Portal::error(const std::string& path, int status, const std::string& message) const {
  return error_answer(m_options.issuer_name, path, status, message);
}

Response Portal::failure(const std::string& path, const Error& e) const {
  switch (e.code()) {
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error: return error(path, 400, e.message());
    case ErrorCode::permission_denied: return error(path, 401, e.message());
    case ErrorCode::not_found: return error(path, 404, e.message());
    case ErrorCode::conflict: return error(path, 409, e.message());
    case ErrorCode::unavailable: {
      Response busy = error(path, 503, "temporarily unavailable, try again");
      busy.headers.emplace_back("Retry-After", "5");
      return busy;
    }
    case ErrorCode::internal: break;
  }
  CERTD_LOG_ERROR("portal: internal error: {}", e.message());
  return error(path, 500, "internal error");
}

Response Portal::route(const Request& request) const {
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
    Response r = error(path, 405, "method not allowed");
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  if (path == "/") return home();
  if (path == "/v") return number_form(request);
  if (path == "/keys" || path == "/keys.json") return keys();
  if (starts_with(path, "/v/")) {
    std::string number = path.substr(3);
    bool as_json = ends_with(number, ".json");
    if (as_json) number.resize(number.size() - 5);
    return verification_page(number, as_json, request);
  }
  if (starts_with(path, "/c/")) {
    std::string rest = path.substr(3);
    auto slash = rest.find('/');
    if (slash == std::string::npos) return family_page(rest);
    std::string file = rest.substr(slash + 1);
    if (!ends_with(file, ".pdf")) return error(path, 404, "");
    return family_download(rest.substr(0, slash), file.substr(0, file.size() - 4), request);
  }
  if (path == "/healthz") return json_response(200, json{{"status", "ok"}});
  if (path == "/readyz") return readiness();
  if (path == k_stylesheet_path || path == k_icon_path) {
    Response r;
    r.content_type = path == k_stylesheet_path ? "text/css; charset=utf-8" : "image/svg+xml";
    r.body = std::string(path == k_stylesheet_path ? portal_stylesheet() : portal_icon_svg());
    r.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return r;
  }
  if (path == "/favicon.ico") {
    // Browsers ask for it whatever the page says; the pages link the SVG
    // icon, so this answers without a body rather than with an error.
    Response r;
    r.status = 204;
    r.content_type = "image/x-icon";
    r.headers.emplace_back("Cache-Control", "public, max-age=86400");
    return r;
  }
  if (path == "/robots.txt") {
    Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "User-agent: *\nDisallow: /\n";
    return r;
  }
  return error(path, 404, audience_of(path) == Audience::machines ? "no such page" : "");
}

// 200 when every check passes, else 503, so a load balancer sends
// families elsewhere while this certd cannot write or reach its LMS; the
// body says which check failed. Details are certd's own words, never a
// client's input.
Response Portal::readiness() const {
  portal::Readiness readiness = m_backend.readiness(to_unix(m_clock.now()));
  json checks = json::object();
  for (const ReadinessCheck& check : readiness.checks) checks[check.name] = {{"ok", check.ok}, {"detail", check.detail}};
  Response r = json_response(readiness.ready() ? 200 : 503,
                             json{{"status", readiness.ready() ? "ready" : "not ready"}, {"checks", checks}});
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Portal::home() const { return html_response(200, render_home_page(m_options.issuer_name, "")); }

Response Portal::number_form(const Request& request) const {
  // The home page's form, sent without a script: a well-formed number goes
  // to its own page (a link worth sharing), which looks it up; anything else
  // is answered here, and nothing is looked up or recorded.
  TypedNumber typed = read_typed_number(form_value(request.query, "number"));
  if (typed.verdict == NumberVerdict::empty)
    return html_response(400, render_home_page(m_options.issuer_name, "Type the certificate number, then press Check."));
  if (typed.verdict != NumberVerdict::well_formed) return number_not_looked_up(m_options.issuer_name, typed, 400);
  Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", "/v/" + typed.canonical);
  r.body = "See /v/" + typed.canonical + "\n";
  return r;
}

Response Portal::verification_page(const std::string& typed_number, bool as_json, const Request& request) const {
  // Only a well-formed number with the right check character reaches the
  // store; anything else cannot be ours, is not recorded and is shown back
  // only as letters, digits and dashes (it could be 4 KB of anything).
  TypedNumber typed = read_typed_number(typed_number);
  if (typed.verdict != NumberVerdict::well_formed) {
    if (as_json) return json_response(404, json{{"status", "not_a_number"}});
    return number_not_looked_up(m_options.issuer_name, typed, 404);
  }
  const std::string& number = typed.canonical;
  TimePoint now = m_clock.now();
  auto found = m_backend.certificate(number);
  if (!found) return failure(request.path, found.error());
  std::optional<store::CertificateRow> row = std::move(*found);
  std::string status = row ? status_of(*row, now) : "unknown";
  if (request.method != "HEAD" && m_lookups->should_record(request.client, number, to_unix(now))) {
    auto recorded = m_backend.record_verification({number, status, as_json ? "json" : "web", to_unix(now)});
    if (!recorded) CERTD_LOG_WARN("portal: could not record a verification: {}", recorded.error().message());
  }

  if (as_json) {
    if (!row) return json_response(404, json{{"number", number}, {"status", "unknown"}});
    const store::NewCertificate& c = row->certificate;
    // "course" stays for the readers that know it; "title" is what the
    // certificate is, and the only name an ad-hoc award may have.
    json body{{"number", c.number},   {"status", status},   {"student", c.student_name},
              {"title", title_of(c)}, {"course", c.course}, {"issuer", m_options.issuer_name},
              {"issued_at", format_iso8601(from_unix(c.issued_at))}};
    body["expires_at"] = c.expires_at ? json(format_iso8601(from_unix(*c.expires_at))) : json(nullptr);
    if (row->revoked_at) {
      body["revoked_at"] = format_iso8601(from_unix(*row->revoked_at));
      // The key stays for the readers that know it; it holds the public
      // category's words now, never the issuer's own note.
      body["revoke_reason"] = public_reason(*row);
      body["revoke_category"] = to_string(row->revoke_category.value_or(store::RevocationCategory::withdrawn));
    }
    return json_response(200, body);
  }
  if (!row) return html_response(404, render_verification_page(m_options.issuer_name, number, nullptr));
  CertificateView view = view_of(*row, now);
  return html_response(200, render_verification_page(m_options.issuer_name, number, &view));
}

Response Portal::family_page(const std::string& claim_token) const {
  // Opening the page claims nothing: mail scanners and link previews open
  // it too. A download does (family_download).
  std::string path = "/c/" + claim_token;
  if (!plausible_token(claim_token)) return error(path, 404, "");
  auto rows = m_backend.certificates_for_claim(claim_token);
  if (!rows) return failure(path, rows.error());
  if (rows->empty()) return error(path, 404, "");
  TimePoint now = m_clock.now();
  std::vector<CertificateView> views;
  for (const store::CertificateRow& row : *rows) {
    CertificateView view = view_of(row, now);
    view.verify_url = m_options.public_url + "/v/" + row.certificate.number;
    if (view.status != "revoked") view.download_url = path + "/" + row.certificate.number + ".pdf";
    views.push_back(std::move(view));
  }
  Response r = html_response(200, render_family_page(m_options.issuer_name, views));
  mark_private(r);
  return r;
}

Response Portal::family_download(const std::string& claim_token, const std::string& number,
                                 const Request& request) const {
  if (!plausible_token(claim_token) || !plausible_token(number)) return error(request.path, 404, "no such file");
  auto row = m_backend.certificate(normalized_number(number));
  if (!row) return failure(request.path, row.error());
  // Only the family holding the claim token may download; anyone else gets
  // the same 404 as for a number that does not exist.
  if (!*row || (*row)->certificate.claim_token != claim_token) return error(request.path, 404, "no such file");
  const store::CertificateRow& certificate = **row;
  if (certificate.status == store::CertificateStatus::revoked) {
    Response gone = error(request.path, 410,
                          "Certificate " + certificate.certificate.number + " was revoked on " +
                              format_date(from_unix(certificate.revoked_at.value_or(0))) + " (" +
                              public_reason(certificate) + ") and can no longer be downloaded");
    mark_private(gone);
    return gone;
  }
  auto bytes = m_backend.pdf_bytes(certificate);
  if (!bytes) return failure(request.path, bytes.error());
  // The download is what shows a person got the e-mail: a HEAD, or a
  // fetch ahead of time, is not.
  if (request.method == "GET" && !is_prefetch(request)) {
    if (auto claimed = m_backend.mark_claimed(claim_token, to_unix(m_clock.now())); !claimed)
      CERTD_LOG_WARN("portal: could not mark a claim: {}", claimed.error().message());
  }
  Response r;
  r.content_type = "application/pdf";
  r.body = std::move(*bytes);
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"certificate-" + certificate.certificate.number + ".pdf\"");
  mark_private(r);
  return r;
}

Response Portal::keys() const {
  return json_response(200, json{{"issuer", m_options.issuer_name},
                                 {"keys", json::array({{{"alg", "Ed25519"}, {"pem", m_options.public_key_pem}}})}});
}

// Every answer is counted for /metrics, by source (only a configured one:
// the path is a stranger's text) and HTTP status.
Response Portal::webhook(const std::string& source, const Request& request) const {
  Response response = answer_webhook(source, request);
  const bool known = m_webhooks && plausible_token(source) && m_webhooks->has_source(source);
  metrics::process().add("certd_webhooks_total", "Webhooks answered, by source and HTTP status",
                         {{"source", known ? source : "unknown"}, {"status", std::to_string(response.status)}});
  return response;
}

Response Portal::answer_webhook(const std::string& source, const Request& request) const {
  // Each source has a secret of its own: one that is not configured (or
  // none at all) has nothing to verify with, like a page that is not there.
  if (!plausible_token(source) || !m_webhooks || !m_webhooks->has_source(source))
    return json_error(404, "no such webhook source");
  if (request.body.size() > m_options.max_webhook_body) return json_error(413, "body too large");
  WebhookHeaders headers{request.header("webhook-id"), request.header("webhook-timestamp"),
                         request.header("webhook-signature")};
  if (auto verified = m_webhooks->verify(source, headers, request.body, m_clock.now()); !verified)
    return failure(request.path, verified.error());
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("type") || !body["type"].is_string())
    return json_error(400, "body must be a JSON object with a string 'type'");
  // The Moodle plugin's "send test event": signed like the rest, answered
  // here and never stored (it names no student, so as an event it would
  // fail for ever).
  if (body["type"] == "ping") return json_response(200, json{{"status", "pong"}, {"source", source}});
  store::NewEvent event{"webhook:" + source, headers.id, body["type"].get<std::string>(), request.body,
                        to_unix(m_clock.now())};
  // The 2xx below is sent only once the event row is committed.
  auto recorded = m_backend.record_event(event);
  if (!recorded) return failure(request.path, recorded.error());
  return json_response(200, json{{"status", recorded->created ? "accepted" : "duplicate"},
                                 {"event_id", recorded->id}});
}

}  // namespace certd::portal
