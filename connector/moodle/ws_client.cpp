#include "connector/moodle/ws_client.hpp"

#include <thread>

#include "core/log.hpp"

namespace certd::connector::moodle {
namespace {

using nlohmann::json;

// Per thread, so work done for one course is counted on the thread doing it.
thread_local long long t_requests = 0;

std::string xml_element(const std::string& body, const std::string& name) {
  std::size_t open = body.find("<" + name + ">");
  if (open == std::string::npos) return {};
  open += name.size() + 2;
  std::size_t close = body.find("</" + name + ">", open);
  return close == std::string::npos ? std::string() : body.substr(open, close - open);
}

std::optional<WsError> find_xml_error(const std::string& body) {
  std::size_t start = body.find("<EXCEPTION");
  if (start == std::string::npos) return std::nullopt;
  WsError error;
  std::size_t cls = body.find("class=\"", start);
  if (cls != std::string::npos) {
    cls += 7;
    error.exception = body.substr(cls, body.find('"', cls) - cls);
  }
  error.errorcode = xml_element(body, "ERRORCODE");
  error.message = xml_element(body, "MESSAGE");
  error.debuginfo = xml_element(body, "DEBUGINFO");
  return error;
}

std::string text_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool starts_like_xml(const std::string& body) {
  std::size_t first = body.find_first_not_of(" \t\r\n");
  return first != std::string::npos && body[first] == '<';
}

// Codes that mean "the site is busy or being maintained", not "you asked wrong".
bool transient_code(const std::string& code) {
  return code == "sitemaintenance" || code == "upgraderunning" || code == "dbconnectionfailed" ||
         code == "dmlreadexception" || code == "dmlwriteexception";
}

ErrorCode code_for(const std::string& errorcode) {
  if (transient_code(errorcode)) return ErrorCode::unavailable;
  if (errorcode == "invalidtoken" || errorcode == "accessexception" || errorcode == "nopermissions" ||
      errorcode == "requireloginerror" || errorcode == "errorcoursecontextnotvalid" ||
      errorcode == "cannotviewreport" || errorcode == "wsusercannotassign" || errorcode == "cannotmanualctrack" ||
      errorcode == "nottracked")
    return ErrorCode::permission_denied;
  if (errorcode == "invalidrecord" || errorcode == "invaliduser" || errorcode == "usernotenroled" ||
      errorcode == "invaliduserid")
    return ErrorCode::not_found;
  if (errorcode == "wsnoinstance") return ErrorCode::conflict;
  if (errorcode.empty()) return ErrorCode::internal;
  return ErrorCode::invalid_argument;
}

}  // namespace

std::optional<WsError> find_ws_error(const std::string& body) {
  if (starts_like_xml(body)) return find_xml_error(body);
  return find_ws_error(json::parse(body, nullptr, /*allow_exceptions=*/false));
}

std::optional<WsError> find_ws_error(const json& answer) {
  if (!answer.is_object()) return std::nullopt;
  if (answer.contains("exception")) {
    return WsError{text_of(answer, "exception"), text_of(answer, "errorcode"), text_of(answer, "message"),
                   text_of(answer, "debuginfo")};
  }
  // webservice/upload.php has its own shape (docs/moodle-api.md §3e).
  if (answer.contains("error") && answer.contains("errorcode") && answer.size() <= 6)
    return WsError{"", text_of(answer, "errorcode"), text_of(answer, "error"), text_of(answer, "debuginfo")};
  return std::nullopt;
}

Error to_error(const std::string& function, const WsError& error) {
  // A PHP error inside Moodle has no errorcode (docs/moodle-api.md §3a): an
  // internal error of the LMS, told by its class and message.
  if (error.errorcode.empty())
    return Error(ErrorCode::internal,
                 "LMS internal error " + error.exception + ": " + error.message + " (" + function + ")");
  std::string text = "[" + error.errorcode + "] " + error.message + " (" + function + ")";
  if (!error.debuginfo.empty()) text += ": " + error.debuginfo;
  return Error(code_for(error.errorcode), text);
}

Error http_status_error(const std::string& function, int status) {
  bool transient = status == 408 || status == 425 || status == 429 || status >= 500;
  std::string text = "HTTP " + std::to_string(status) + " from the LMS (" + function + ")";
  if (status == 404) text += ": is lms.url the Moodle site's address?";
  return Error(transient ? ErrorCode::unavailable : ErrorCode::invalid_argument, text);
}

long long thread_requests() { return t_requests; }

Result<json> WsClient::call(const std::string& function, const FormBuilder& params, Retry retry) {
  const int attempts = retry == Retry::reads ? 3 : 1;
  for (int attempt = 1;; ++attempt) {
    if (retry == Retry::reads && m_reads_stopped.load())
      return Error(ErrorCode::unavailable, "certd is stopping (" + function + " not read)");
    Result<json> answer = call_once(function, params);
    if (answer || answer.error().code() != ErrorCode::unavailable || attempt >= attempts) return answer;
    CERTD_LOG_DEBUG("lms {}: attempt {} failed, retrying: {}", function, attempt, answer.error().message());
    std::this_thread::sleep_for(m_retry_pause * attempt * attempt);
  }
}

Result<json> WsClient::call_once(const std::string& function, const FormBuilder& params) {
  FormBuilder request;
  request.add("wstoken", m_token).add("wsfunction", function).add("moodlewsrestformat", std::string("json"));
  for (const auto& [name, value] : params.fields()) request.add(name, value);
  ++t_requests;
  CERTD_ASSIGN_OR_RETURN(HttpReply reply, m_transport->post_form(k_rest_path, request.encode()));
  if (reply.status != 200) return http_status_error(function, reply.status);
  if (starts_like_xml(reply.body)) {
    // Only without moodlewsrestformat=json, which we always send: a proxy
    // or a Moodle plugin in the way. Report its error if it has one.
    if (std::optional<WsError> error = find_xml_error(reply.body)) return to_error(function, *error);
    return Error(ErrorCode::internal, "the LMS answered XML instead of JSON (" + function + ")");
  }
  // Some functions answer `null` (enrol_manual_enrol_users); an empty body too.
  if (reply.body.find_first_not_of(" \t\r\n") == std::string::npos) return json();
  json answer = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded())
    return Error(ErrorCode::internal, "the LMS answer is not JSON (" + function + "): " + reply.body.substr(0, 120));
  if (std::optional<WsError> error = find_ws_error(answer)) return to_error(function, *error);
  return answer;
}

}  // namespace certd::connector::moodle
