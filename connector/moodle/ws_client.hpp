#pragma once
// Moodle's REST web-service protocol over an HttpTransport: the request
// (wstoken, wsfunction, moodlewsrestformat=json, PHP bracket fields) and
// every error shape of docs/moodle-api.md §3 turned into certd::Error. Internal to
// the Moodle adapter: nothing outside connector/moodle sees JSON.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "connector/moodle/form_encoding.hpp"
#include "connector/moodle/http_transport.hpp"
#include "core/result.hpp"

namespace certd::connector::moodle {

inline constexpr const char* k_rest_path = "/webservice/rest/server.php";

// A failure reported by Moodle itself.
struct WsError {
  std::string exception;  // PHP class, e.g. "core\exception\moodle_exception"
  std::string errorcode;  // empty for a bare PHP error (TypeError)
  std::string message;
  std::string debuginfo;  // only with developer debugging on
};

// The Moodle error in an answer, if it is one: an exception object, an
// upload.php error object, or an XML EXCEPTION document.
std::optional<WsError> find_ws_error(const std::string& body);
std::optional<WsError> find_ws_error(const nlohmann::json& answer);
// The certd error for a Moodle error: "[errorcode] message (function)",
// `unavailable` for the few codes that mean "try again later".
Error to_error(const std::string& function, const WsError& error);
// unavailable for 408, 425, 429 and 5xx; a permanent error otherwise.
Error http_status_error(const std::string& function, int status);

enum class Retry { none, reads };

// Requests this thread has sent through any WsClient so far (each attempt
// counts). Read it before and after work for one course on one thread to
// attribute requests to that course (PollStats::courses), also inside
// parallel_for.
long long thread_requests();

// Thread-safe.
class WsClient {
 public:
  // `retry_pause`: the first pause before a read is tried again.
  WsClient(std::unique_ptr<HttpTransport> transport, std::string token,
           std::chrono::milliseconds retry_pause = std::chrono::milliseconds(50))
      : m_transport(std::move(transport)), m_token(std::move(token)), m_retry_pause(retry_pause) {}

  // Calls `function` with `params`. Reads (Retry::reads) are tried up to
  // three times on transient failures; writes once (the outbox retries).
  Result<nlohmann::json> call(const std::string& function, const FormBuilder& params, Retry retry = Retry::none);
  long long requests_sent() const { return m_transport->requests_sent(); }
  // Later reads (Retry::reads) fail at once as unavailable; writes still
  // go (connector::Lms::stop_reading).
  void stop_reading() { m_reads_stopped.store(true); }

 private:
  Result<nlohmann::json> call_once(const std::string& function, const FormBuilder& params);

  std::unique_ptr<HttpTransport> m_transport;
  std::string m_token;
  std::chrono::milliseconds m_retry_pause;
  std::atomic<bool> m_reads_stopped{false};
};

}  // namespace certd::connector::moodle
