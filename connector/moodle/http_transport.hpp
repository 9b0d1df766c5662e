#pragma once
// The HTTP side of the Moodle adapter behind a small interface, so the
// adapter runs over real HTTP (cpprestsdk) in production and over
// recorded answers in tests, and the HTTP library can be replaced
// (cpprestsdk is archived; docs/libraries.md §2). No cpprest type in here.

#include <chrono>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace certd::connector::moodle {

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
  std::chrono::seconds retry_after{0};  // from a 429/503 Retry-After header
};

// Thread-safe.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // POSTs a form body to `path` (e.g. "/webservice/rest/server.php").
  // Errors: unavailable for anything that never produced an HTTP answer
  // (refused, reset, timeout, TLS failure). HTTP error statuses are
  // replies, not errors.
  virtual Result<HttpReply> post_form(const std::string& path, const std::string& body) = 0;
  // Requests sent so far (for the per-cycle statistics).
  virtual long long requests_sent() const = 0;
};

struct TransportOptions {
  std::string base_url;  // "https://moodle.example.edu" (a path prefix is kept)
  std::chrono::seconds timeout{30};  // per request, total
  std::string ca_file;   // extra CA bundle for a private CA; TLS verification stays on
  int max_connections = 4;           // requests in flight at once
  double max_requests_per_second = 20;  // 0: no limit
};

// The cpprestsdk transport: one http_client, at most max_connections
// requests in flight (the others wait their turn), a token-bucket rate
// limit, and a total deadline per request. Errors: invalid_argument for a
// malformed URL.
Result<std::unique_ptr<HttpTransport>> make_http_transport(TransportOptions options);

}  // namespace certd::connector::moodle
