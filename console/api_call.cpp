#include "console/api_call.hpp"

#include <algorithm>
#include <cctype>

#include "console/api.hpp"
#include "console/certificate_text.hpp"
#include "console/form.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"

namespace certd::console::api_handlers {

using nlohmann::json;
using portal::json_error;
using portal::Request;
using portal::Response;

Response json_ok(const json& body) {
  Response r;
  r.content_type = "application/json";
  // replace: what a client sent need not be UTF-8 (portal.cpp json_response).
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Response failure(const Error& e) {
  switch (e.code()) {
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error: return json_error(400, e.message());
    case ErrorCode::not_found: return json_error(404, e.message());
    case ErrorCode::permission_denied: return json_error(403, e.message());
    case ErrorCode::conflict: return json_error(409, e.message());
    case ErrorCode::unavailable: return json_error(503, "busy right now: try again in a minute");
    case ErrorCode::internal: break;
  }
  CERTD_LOG_ERROR("api: internal error: {}", e.message());
  return json_error(500, "something went wrong; the error was logged");
}

json time_or_null(std::optional<std::int64_t> at) {
  return at ? json(format_iso8601(from_unix(*at))) : json(nullptr);
}

json certificate_json(const store::CertificateRow& row, std::int64_t now) {
  const store::NewCertificate& c = row.certificate;
  return {{"number", c.number},
          {"student_id", c.student_id},
          {"student_name", c.student_name},
          {"title", title_of(c)},
          {"course", c.course},
          {"kind", c.kind},
          {"status", status_of(row, now)},
          {"issued_at", format_iso8601(from_unix(c.issued_at))},
          {"expires_at", time_or_null(c.expires_at)},
          {"teacher", c.teacher},
          {"requested_by", c.requested_by},
          {"notes", c.notes},
          {"revoked_at", time_or_null(row.revoked_at)},
          {"revoke_category", row.revoke_category ? json(store::to_string(*row.revoke_category)) : json(nullptr)},
          {"revoke_reason", row.revoke_reason}};
}

json delivery_json(const store::NotificationRow& n) {
  return {{"number", n.number},
          {"recipient", n.recipient},
          {"role", n.role},
          {"status", n.status},
          {"resend_count", n.resend_count},
          {"sent_at", time_or_null(n.sent_at)},
          {"claimed_at", time_or_null(n.claimed_at)},
          {"server_reply", n.server_reply}};
}

Response lms_failure(const Error& e) {
  if (e.code() == ErrorCode::unavailable) return json_error(503, e.message());
  return failure(e);
}

Result<json> object_body(const Request& request) {
  if (request.body.size() > k_max_api_body) return Error(ErrorCode::invalid_argument, "the body is too large");
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return Error(ErrorCode::invalid_argument, "the body must be a JSON object");
  return body;
}

Result<std::map<std::string, std::string>> query_fields(const Request& request) {
  CERTD_ASSIGN_OR_RETURN(FormFields fields, parse_form(request.query, /*max_fields=*/20));
  std::map<std::string, std::string> out;
  // The first of a repeated name wins, as field() reads forms.
  for (auto& [name, value] : fields) out.emplace(std::move(name), std::move(value));
  return out;
}

Result<std::string> text_field(const json& body, const char* name, Presence presence, std::size_t max_length) {
  const std::string quoted = std::string("\"") + name + "\"";
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (presence == Presence::optional) return std::string();
    return Error(ErrorCode::invalid_argument, quoted + " is required");
  }
  if (!it->is_string()) return Error(ErrorCode::invalid_argument, quoted + " must be a string");
  std::string text = it->get<std::string>();
  if (text.size() > max_length)
    return Error(ErrorCode::invalid_argument,
                 quoted + " must be at most " + std::to_string(max_length) + " bytes long");
  const bool blank =
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
  if (presence == Presence::required && blank)
    return Error(ErrorCode::invalid_argument, quoted + " must not be empty");
  return text;
}

std::optional<Response> refused(const Call& call, const std::string& course) {
  if (call.caller->teaches(course)) return std::nullopt;
  return json_error(403, "this account does not teach " + course);
}

ConsoleActor actor_of(const Call& call) {
  return {call.caller->session.user_key, call.caller->session.display_name};
}

void record(const Call& call, const std::string& action, const std::string& subject, json details) {
  // The pages' action names, so that one query of the audit log finds a
  // teacher's actions however they were done.
  details["by"] = call.caller->session.display_name;
  details["via"] = "api";
  Status written = call.backend.audit({call.caller->session.user_key, action, subject,
                                       details.dump(-1, ' ', false, json::error_handler_t::replace), call.now});
  if (!written) CERTD_LOG_WARN("api: could not write the audit log: {}", written.error().message());
}

}  // namespace certd::console::api_handlers
