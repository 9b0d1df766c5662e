#pragma once
// The portal's own request/response values: handlers never see the HTTP
// library's types, so they are tested without sockets and the server
// underneath can change (docs/libraries.md §2).

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace certd::portal {

struct Request {
  std::string method;  // "GET", "POST", "HEAD", "OPTIONS"
  std::string path;    // percent-decoded path, no query
  std::map<std::string, std::string> headers;  // lower-case names; repeats joined with ", "
  std::string body;
  std::string client;  // the peer's IP address; empty in unit tests
  std::string query;   // raw query string after '?', not decoded

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"error": {"status": 404, "message": "..."}} with that status.
Response json_error(int status, const std::string& message);

}  // namespace certd::portal
