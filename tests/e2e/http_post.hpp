#pragma once
// A POST or GET with curl, as a client outside certd would send it: end-to-end
// tests use it to reach the portal and the simulator's control API.

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace certd::testing {

struct HttpResult {
  int status = 0;
  std::string body;
};

// Runs `command` (curl printing the status code last, on its own line).
inline HttpResult curl_result(const std::string& command) {
  std::string text;
  FILE* pipe = ::popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) text.append(buffer.data(), n);
  ::pclose(pipe);
  auto newline = text.rfind('\n');
  if (newline == std::string::npos) return HttpResult{0, text};
  return HttpResult{std::atoi(text.c_str() + newline + 1), text.substr(0, newline)};
}

// curl with a JSON body.
inline HttpResult post(const std::string& url, const std::string& body, const std::vector<std::string>& headers = {}) {
  std::string file = ::testing::TempDir() + "certd-e2e-body-" + std::to_string(::getpid()) + ".json";
  std::FILE* out = std::fopen(file.c_str(), "wb");
  std::fwrite(body.data(), 1, body.size(), out);
  std::fclose(out);
  std::string command = "curl -s -o - -w '\\n%{http_code}' -H 'Content-Type: application/json'";
  for (const std::string& h : headers) command += " -H '" + h + "'";
  return curl_result(command + " --data-binary @" + file + " '" + url + "' 2>/dev/null");
}

// A GET with curl.
inline HttpResult get(const std::string& url, const std::vector<std::string>& headers = {}) {
  std::string command = "curl -s -o - -w '\\n%{http_code}'";
  for (const std::string& h : headers) command += " -H '" + h + "'";
  return curl_result(command + " '" + url + "' 2>/dev/null");
}

}  // namespace certd::testing
