#pragma once
// The portal's request handlers (docs/architecture.md "Portal and API"): the
// home page with its number form, public verification pages and JSON, the
// issuer's public key, the family page with downloads, and signed
// webhooks. Pure request -> response over a PortalBackend; the HTTP
// listener is a separate adapter (http_server.hpp).
//
// People get HTML, errors included; machines get JSON: paths ending in
// .json, under /api, /hooks/*, /keys and /healthz. Every answer carries the
// security headers (a strict Content-Security-Policy without scripts,
// no framing, no referrer, noindex); family pages and their PDFs are
// never stored by caches.

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "portal/http_types.hpp"
#include "portal/lookup_limiter.hpp"
#include "portal/portal_backend.hpp"
#include "portal/webhook_verifier.hpp"

namespace certd::portal {

struct PortalOptions {
  std::string issuer_name;
  std::string public_url;      // e.g. https://certs.example.edu (no trailing slash)
  std::string public_key_pem;  // the issuer's Ed25519 public key
  std::size_t max_webhook_body = 256 * 1024;
};

// Who a path is for: a person's browser (HTML) or a program (JSON).
enum class Audience { people, machines };
Audience audience_of(const std::string& path);

// The answer to an error the HTTP server raises itself, before a request
// reaches a Portal (http_server.hpp: 400, 405, 408, 413, 414, 431, 503):
// the same form, words and security headers as the Portal's own errors.
// `path` is only read to choose the form; empty when the request line was
// not read, which gets a page: a browser is the likelier reader.
Response server_error(const std::string& issuer, const std::string& path, int status, const std::string& message);

// Thread-safe if the backend and clock are.
class Portal {
 public:
  // `webhooks` holds a secret per source; /hooks/{source} answers 404 for
  // a source it does not hold. May be null: no source is configured.
  Portal(PortalOptions options, PortalBackend& backend, const Clock& clock,
         std::unique_ptr<WebhookVerifier> webhooks);

  Response handle(const Request& request) const;

  // An error answer in the form the path's audience reads: an HTML page
  // for people, {"error": {...}} for machines.
  Response error(const std::string& path, int status, const std::string& message) const;

 private:
  Response route(const Request& request) const;
  Response home() const;
  Response readiness() const;
  Response number_form(const Request& request) const;
  Response verification_page(const std::string& typed, bool as_json, const Request& request) const;
  Response family_page(const std::string& claim_token) const;
  Response family_download(const std::string& claim_token, const std::string& number, const Request& request) const;
  Response keys() const;
  Response webhook(const std::string& source, const Request& request) const;
  Response answer_webhook(const std::string& source, const Request& request) const;
  Response failure(const std::string& path, const Error& error) const;

  PortalOptions m_options;
  PortalBackend& m_backend;
  const Clock& m_clock;
  std::unique_ptr<WebhookVerifier> m_webhooks;
  std::unique_ptr<LookupLimiter> m_lookups;  // the one mutable part; thread-safe
};

}  // namespace certd::portal
