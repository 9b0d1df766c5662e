#pragma once
// The console's JSON API (/api/v1/, docs/console.md): a school's scripts
// do what the console's pages do (the queue, Issue now, issued
// certificates, awards, batches), with `Authorization: Bearer certd_...`
// (a token of a local account: certd token create). Every route is a row
// of one table (api.cpp), from which both the router and the OpenAPI 3.1
// document at /api/v1/openapi.json are built, so they cannot disagree;
// the handlers are in api_*.cpp (api_call.hpp).
//
// Answers are JSON (an award's preview: a PDF), errors
// {"error":{"status":N,"message":"..."}}: 401 (with WWW-Authenticate:
// Bearer) for a missing, unknown or revoked token or a disabled account,
// 403 for a course the account does not teach, 400 for a body or query
// not of the documented shape (the message names the field) or a body
// above k_max_api_body, 404 for an unknown certificate or batch, 409
// where the backend says conflict. Every action is in the audit log,
// naming the account. Thread-safe (const; the backend is).

#include <cstddef>
#include <string>
#include <vector>

#include "console/console_backend.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "portal/http_types.hpp"

namespace certd::console {

inline constexpr std::size_t k_max_api_body = 64 * 1024;
inline constexpr const char* k_api_token_prefix = "certd_";
// Where Prometheus looks by default; answered as /api/v1/metrics.
inline constexpr const char* k_metrics_path = "/metrics";

// A new API token: "certd_" and 32 random bytes in URL-safe base64 (the
// prefix lets secret scanners find leaked ones).
Result<std::string> new_api_token();

// What a route is, as the OpenAPI document and the tests see it.
struct ApiRouteInfo {
  std::string method;  // "GET", "POST"
  std::string path;    // "/api/v1/courses/{course}/queue"
  std::string summary;
  bool authenticated = true;
};

// Every route the API serves, in the table's order.
std::vector<ApiRouteInfo> api_routes();

class Api {
 public:
  Api(ConsoleBackend& backend, const Clock& clock);

  static bool owns(const std::string& path);
  portal::Response handle(const portal::Request& request) const;
  // The OpenAPI 3.1 document of api_routes().
  std::string openapi_json() const;

 private:
  ConsoleBackend& m_backend;
  const Clock& m_clock;
};

}  // namespace certd::console
