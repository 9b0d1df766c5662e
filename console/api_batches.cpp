// The API's ad-hoc awards and CSV batches of a course: what
// console/award_page.cpp and console/batches_page.cpp do, as JSON.
//
// A batch's CSV travels inside the JSON body, so it is bounded by
// k_max_api_body (64 KiB) like every API body: the HTTP server's larger
// upload limit (portal.max_upload) applies under /console/ only, and is
// chosen before the token is read, so raising it for /api/ would let
// anyone make connections hold megabytes. Larger files go through the
// console's Batches page.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "console/api.hpp"
#include "console/api_call.hpp"
#include "core/time_format.hpp"

namespace certd::console::api_handlers {
namespace {

using nlohmann::json;
using portal::json_error;
using portal::Response;

constexpr std::size_t k_max_students = 200;  // as the award page
constexpr std::size_t k_max_id = 200;
constexpr std::size_t k_max_title = 200;
constexpr std::size_t k_max_notes = 2000;
constexpr std::size_t k_max_request_id = 64;
constexpr std::size_t k_max_file_name = 255;

// The client's idempotency key: 1 to 64 of [A-Za-z0-9_-], so that it is
// one word in logs and the audit entry.
bool plausible_request_id(const std::string& id) {
  return !id.empty() && id.size() <= k_max_request_id &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

// An award's body without request_id (the preview has none).
Result<AwardRequest> award_request(const json& body) {
  AwardRequest request;
  CERTD_ASSIGN_OR_RETURN(request.template_id, text_field(body, "template", Presence::required, k_max_id));
  const Error bad(ErrorCode::invalid_argument,
                  "\"students\" must be a list of 1 to 200 LMS user ids (non-empty strings)");
  auto it = body.find("students");
  if (it == body.end() || !it->is_array() || it->empty() || it->size() > k_max_students) return bad;
  for (const json& id : *it) {
    if (!id.is_string() || id.get<std::string>().empty() || id.get<std::string>().size() > k_max_id) return bad;
    request.student_ids.push_back(id.get<std::string>());
  }
  CERTD_ASSIGN_OR_RETURN(request.title, text_field(body, "title", Presence::optional, k_max_title));
  CERTD_ASSIGN_OR_RETURN(request.notes, text_field(body, "notes", Presence::optional, k_max_notes));
  return request;
}

json summary_json(const BatchSummary& b) {
  return {{"id", b.id},
          {"file_name", b.file_name},
          {"template", b.template_id},
          {"status", b.status},
          {"total", b.total},
          {"issued", b.issued},
          {"failed", b.failed},
          {"cancelled", b.cancelled},
          {"remaining", std::max<std::int64_t>(0, b.total - b.issued - b.failed - b.cancelled)},
          {"created_at", format_iso8601(from_unix(b.created_at))},
          {"created_by", b.created_by}};
}

// "line 4: why" (app/batch_csv.hpp words them so) as {line, message};
// line 0 when the text names none.
json check_error_json(const std::string& text) {
  int line = 0;
  if (text.rfind("line ", 0) == 0) line = std::atoi(text.c_str() + 5);
  return {{"line", line}, {"message", text}};
}

// A batch id: digits only, as the pages' links carry it.
std::optional<store::Id> batch_id(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  store::Id id = std::stoll(text);
  if (id <= 0) return std::nullopt;
  return id;
}

}  // namespace

Response award_templates(const Call& call) {
  if (auto no = refused(call, call.params.at("course"))) return *no;
  auto templates = call.backend.award_templates();
  if (!templates) return failure(templates.error());
  json list = json::array();
  for (const AwardTemplate& t : *templates) list.push_back({{"id", t.id}, {"name", t.name}});
  return json_ok({{"templates", list}});
}

Response award(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto body = object_body(call.request);
  if (!body) return failure(body.error());
  auto request = award_request(*body);
  if (!request) return failure(request.error());
  auto request_id = text_field(*body, "request_id", Presence::required, k_max_request_id);
  if (!request_id || !plausible_request_id(*request_id))
    return json_error(400, "\"request_id\" must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'");
  request->request_id = *request_id;
  auto outcome = call.backend.award(course, *request, call.caller->session.display_name);
  if (!outcome) return lms_failure(outcome.error());
  json issued = json::array();
  std::vector<std::string> numbers;
  std::size_t fresh = 0;
  for (const AwardIssued& a : outcome->issued) {
    issued.push_back({{"student_name", a.student_name}, {"number", a.number}, {"already_issued", a.already_issued}});
    numbers.push_back(a.number);
    if (!a.already_issued) ++fresh;
  }
  record(call, "console.award", course,
         {{"request", request->request_id}, {"template", request->template_id}, {"title", request->title},
          {"students", request->student_ids}, {"numbers", numbers}, {"new", fresh},
          {"failed", outcome->failed.size()}});
  return json_ok({{"issued", issued}, {"failed", outcome->failed}});
}

Response award_preview(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto body = object_body(call.request);
  if (!body) return failure(body.error());
  auto request = award_request(*body);
  if (!request) return failure(request.error());
  auto pdf = call.backend.award_preview_pdf(course, *request, call.caller->session.display_name);
  if (!pdf) return lms_failure(pdf.error());
  Response r;
  r.content_type = "application/pdf";
  r.body = std::move(*pdf);
  return r;
}

Response batch_templates(const Call& call) {
  if (auto no = refused(call, call.params.at("course"))) return *no;
  auto templates = call.backend.batch_templates();
  if (!templates) return failure(templates.error());
  json list = json::array();
  for (const BatchTemplateChoice& t : *templates) list.push_back({{"id", t.id}, {"name", t.name}});
  return json_ok({{"templates", list}});
}

Response batches(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto list = call.backend.course_batches(course);
  if (!list) return failure(list.error());
  json out = json::array();
  for (const BatchSummary& b : *list) out.push_back(summary_json(b));
  return json_ok({{"course", course}, {"batches", out}});
}

Response batch(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto id = batch_id(call.params.at("id"));
  if (!id) return json_error(404, "no such batch in this course");
  auto detail = call.backend.course_batch(course, *id);
  if (!detail) return failure(detail.error());
  json body = summary_json(detail->summary);
  json failed = json::array();
  for (const BatchFailure& f : detail->failed)
    failed.push_back({{"line", f.line}, {"student", f.student}, {"name", f.name}, {"reason", f.reason}});
  body["failed_rows"] = failed;
  return json_ok(body);
}

Response check_batch(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto body = object_body(call.request);
  if (!body) return failure(body.error());
  BatchUpload upload;
  // The ticket is the caller's: only a token of the same account starts it.
  upload.owner = call.caller->session.user_key;
  auto file_name = text_field(*body, "file_name", Presence::required, k_max_file_name);
  if (!file_name) return failure(file_name.error());
  auto template_id = text_field(*body, "template", Presence::required, k_max_id);
  if (!template_id) return failure(template_id.error());
  auto csv = text_field(*body, "csv", Presence::required, k_max_api_body);
  if (!csv) return failure(csv.error());
  upload.file_name = *file_name;
  upload.template_id = *template_id;
  upload.csv = *csv;
  if (auto it = body->find("skip_bad"); it != body->end() && !it->is_null()) {
    if (!it->is_boolean()) return json_error(400, "\"skip_bad\" must be true or false");
    upload.skip_bad = it->get<bool>();
  }
  auto check = call.backend.check_batch(course, upload);
  if (!check) return failure(check.error());
  json errors = json::array();
  for (const std::string& e : check->errors) errors.push_back(check_error_json(e));
  return json_ok({{"errors", errors},
                  {"good_rows", check->good_rows},
                  {"ticket", check->ticket.empty() ? json(nullptr) : json(check->ticket)}});
}

Response start_batch(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto body = object_body(call.request);
  if (!body) return failure(body.error());
  auto ticket = text_field(*body, "ticket", Presence::required, k_max_id);
  if (!ticket) return failure(ticket.error());
  auto started = call.backend.start_batch(course, *ticket, call.caller->session.user_key, actor_of(call));
  if (!started) return failure(started.error());
  if (started->batch)
    record(call, "console.batch_start", course, {{"batch", *started->batch}, {"rows", started->new_rows}});
  json already = json::array();
  for (const BatchHolder& h : started->already)
    already.push_back({{"batch", h.batch}, {"status", h.status}, {"rows", h.rows}});
  return json_ok({{"batch", started->batch ? json(*started->batch) : json(nullptr)},
                  {"new_rows", started->new_rows},
                  {"already", already}});
}

Response cancel_batch(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto id = batch_id(call.params.at("id"));
  if (!id) return json_error(404, "no such batch in this course");
  auto body = object_body(call.request);
  if (!body) return failure(body.error());
  auto reason = text_field(*body, "reason", Presence::required, k_max_title);
  if (!reason) return failure(reason.error());
  auto revoked = call.backend.cancel_batch(course, *id, *reason, actor_of(call));
  if (!revoked) return failure(revoked.error());
  record(call, "console.batch_cancel", course, {{"batch", *id}, {"revoked", *revoked}});
  return json_ok({{"batch", *id}, {"revoked", *revoked}});
}

}  // namespace certd::console::api_handlers
