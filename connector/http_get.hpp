#pragma once
// One bounded GET of an absolute URL over cpprestsdk, for a short JSON
// answer from a certd portal (`certd verify --online`). No cpprest type
// in here (docs/libraries.md §2). Thread-safe.

#include <chrono>
#include <cstddef>
#include <string>

#include "core/result.hpp"

namespace certd::connector {

struct HttpGetOptions {
  std::chrono::seconds timeout{10};  // the whole request, answer included
  std::size_t max_body = 64 * 1024;  // a longer answer is an error, not read further
};

struct HttpGetReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// Errors: invalid_argument for a URL that is not http(s)://host...;
// unavailable when no answer came (refused, unknown host, TLS failure,
// timeout); parse_error for an answer over max_body. HTTP error statuses
// are replies.
Result<HttpGetReply> http_get(const std::string& url, const HttpGetOptions& options);

}  // namespace certd::connector
