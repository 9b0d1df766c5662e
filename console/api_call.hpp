#pragma once
// What the JSON API's handlers share (console/api.hpp is the contract).
// api.cpp holds the one route table, the router and the OpenAPI document;
// the handlers of a group of routes live in api_*.cpp. Internal to the
// console module: no other module includes it. Pure functions over a Call.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "console/console_backend.hpp"
#include "console/sessions.hpp"
#include "core/result.hpp"
#include "portal/http_types.hpp"

namespace certd::console {

class Api;

namespace api_handlers {

using Params = std::map<std::string, std::string>;

// What a handler gets: the request, the caller (null on open routes), the
// path's {parameters} and the time the request is handled at.
struct Call {
  const portal::Request& request;
  const Viewer* caller;
  const Params& params;
  ConsoleBackend& backend;
  const Api& api;
  std::int64_t now = 0;
};

using RouteHandler = portal::Response (*)(const Call&);

portal::Response json_ok(const nlohmann::json& body);
// The error's code as a status: invalid_argument 400, not_found 404,
// permission_denied 403, conflict 409, unavailable 503, internal 500
// (logged, not shown).
portal::Response failure(const Error& e);
// As failure, but unavailable keeps the backend's words: those calls read
// the LMS, and "busy" would hide that the LMS is the cause.
portal::Response lms_failure(const Error& e);

// The body as a JSON object of at most k_max_api_body bytes, else
// invalid_argument.
Result<nlohmann::json> object_body(const portal::Request& request);
// The query string's fields, decoded (console/form.hpp).
Result<std::map<std::string, std::string>> query_fields(const portal::Request& request);

enum class Presence { required, optional };
// body[name] as a string of at most max_length bytes; `required` also
// refuses an empty or blank one. Absent and optional: "". Each error
// names the field.
Result<std::string> text_field(const nlohmann::json& body, const char* name, Presence presence,
                               std::size_t max_length);

// Course scoping as on the pages: admins act on every course, teachers on
// theirs. The 403 to answer, if any.
std::optional<portal::Response> refused(const Call& call, const std::string& course);

// A time as ISO 8601, or null.
nlohmann::json time_or_null(std::optional<std::int64_t> at);
// A certificate as the Certificate schema has it (api.cpp), its status
// as of `now` (console/certificate_text.hpp).
nlohmann::json certificate_json(const store::CertificateRow& row, std::int64_t now);
// One e-mail about a certificate and what became of it.
nlohmann::json delivery_json(const store::NotificationRow& n);

// The caller as the backend's actions name them.
ConsoleActor actor_of(const Call& call);
// An audit entry for what the caller did, as Console::record writes the
// pages' (the same actions, `"via": "api"` in the details); a failure to
// write it is logged.
void record(const Call& call, const std::string& action, const std::string& subject, nlohmann::json details);

// --- Handlers (api_certificates.cpp): Issue now and issued certificates.
portal::Response issue_now_choices(const Call& call);
portal::Response issue_now_preview(const Call& call);
portal::Response issue_now(const Call& call);
portal::Response certificates(const Call& call);
portal::Response certificate(const Call& call);
portal::Response reissue(const Call& call);
portal::Response revoke(const Call& call);
portal::Response resend(const Call& call);

// --- Handlers (api_reports.cpp): a course's certificates, e-mails,
// verifications and the monthly quota.
portal::Response report(const Call& call);

// --- Handlers (api_batches.cpp): ad-hoc awards and CSV batches.
portal::Response award_templates(const Call& call);
portal::Response award(const Call& call);
portal::Response award_preview(const Call& call);
portal::Response batch_templates(const Call& call);
portal::Response batches(const Call& call);
portal::Response batch(const Call& call);
portal::Response check_batch(const Call& call);
portal::Response start_batch(const Call& call);
portal::Response cancel_batch(const Call& call);

}  // namespace api_handlers
}  // namespace certd::console
