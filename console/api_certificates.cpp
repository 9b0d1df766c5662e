// The API's "Issue now" and issued certificates of a course: what
// console/issue_now_page.cpp and console/issued_page.cpp do, as JSON.
// api.cpp's table has the routes and their schemas; the backend scopes
// every number to the course (another course's is not_found).
#include <algorithm>
#include <cctype>

#include "console/api_call.hpp"
#include "core/time_format.hpp"

namespace certd::console::api_handlers {
namespace {

using nlohmann::json;
using portal::json_error;
using portal::Response;

constexpr std::size_t k_default_limit = 50;
constexpr std::size_t k_max_limit = 500;
constexpr std::size_t k_max_id = 200;      // a student's or a rule's id
constexpr std::size_t k_max_query = 200;   // as the Issued page's search field
constexpr std::size_t k_max_reason = 200;  // as the Issued page's reason field

// Certificate numbers are letters, digits and '-' (as the Issued page's
// links carry them): anything else is no certificate, without asking.
bool plausible_number(const std::string& text) {
  return !text.empty() && text.size() <= 40 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c) || c == '-'; });
}

// The course and number of a .../certificates/{number} route, or the
// answer that refuses them.
std::optional<Response> refused_number(const Call& call) {
  if (auto no = refused(call, call.params.at("course"))) return no;
  if (!plausible_number(call.params.at("number"))) return json_error(404, "no such certificate in this course");
  return std::nullopt;
}

// "limit": 1 to k_max_limit digits-only; absent: k_default_limit.
Result<std::size_t> limit_of(const std::map<std::string, std::string>& query) {
  auto it = query.find("limit");
  if (it == query.end() || it->second.empty()) return k_default_limit;
  const Error bad(ErrorCode::invalid_argument, "\"limit\" must be a whole number from 1 to 500");
  const std::string& text = it->second;
  if (text.size() > 3 || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    return bad;
  std::size_t limit = std::stoul(text);
  if (limit < 1 || limit > k_max_limit) return bad;
  return limit;
}

}  // namespace

Response issue_now_choices(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto choices = call.backend.issue_now_choices(course);
  if (!choices) return lms_failure(choices.error());
  json students = json::array();
  for (const IssueNowStudent& s : choices->students) students.push_back({{"id", s.id}, {"name", s.name}});
  json rules = json::array();
  for (const IssueNowRule& r : choices->rules) rules.push_back({{"id", r.id}, {"certificate", r.certificate}});
  return json_ok({{"course", course}, {"students", students}, {"rules", rules}});
}

Response issue_now_preview(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto query = query_fields(call.request);
  if (!query) return failure(query.error());
  const std::string student = query->count("student") ? query->at("student") : "";
  const std::string rule = query->count("rule") ? query->at("rule") : "";
  if (student.empty() || student.size() > k_max_id) return json_error(400, "\"student\" (an LMS user id) is required");
  if (rule.empty() || rule.size() > k_max_id) return json_error(400, "\"rule\" (a rule id) is required");
  auto preview = call.backend.preview_issue_now(course, student, rule);
  if (!preview) return lms_failure(preview.error());
  return json_ok({{"student_name", preview->student_name},
                  {"certificate", preview->certificate},
                  {"unmet", preview->unmet},
                  {"existing_number", preview->existing_number.empty() ? json(nullptr)
                                                                       : json(preview->existing_number)}});
}

Response issue_now(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto body = object_body(call.request);
  if (!body) return failure(body.error());
  auto student = text_field(*body, "student", Presence::required, k_max_id);
  if (!student) return failure(student.error());
  auto rule = text_field(*body, "rule", Presence::required, k_max_id);
  if (!rule) return failure(rule.error());
  auto done = call.backend.issue_now(course, *student, *rule, call.caller->session.display_name);
  if (!done) return lms_failure(done.error());
  if (!done->already_issued)
    record(call, "console.issue_now", course, {{"student", *student}, {"rule", *rule}, {"number", done->number}});
  return json_ok({{"number", done->number},
                  {"student_name", done->student_name},
                  {"certificate", done->certificate},
                  {"already_issued", done->already_issued}});
}

Response certificates(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto query = query_fields(call.request);
  if (!query) return failure(query.error());
  const std::string q = query->count("q") ? query->at("q") : "";
  if (q.size() > k_max_query) return json_error(400, "\"q\" must be at most 200 bytes long");
  auto limit = limit_of(*query);
  if (!limit) return failure(limit.error());
  auto list = call.backend.course_certificates(course, q, *limit);
  if (!list) return failure(list.error());
  json shown = json::array();
  for (const store::CertificateRow& row : list->shown) shown.push_back(certificate_json(row, call.now));
  return json_ok({{"course", course}, {"matched", list->matched}, {"certificates", shown}});
}

Response certificate(const Call& call) {
  if (auto no = refused_number(call)) return *no;
  auto detail = call.backend.certificate_detail(call.params.at("course"), call.params.at("number"));
  if (!detail) return failure(detail.error());
  json body = certificate_json(detail->row, call.now);
  json deliveries = json::array();
  for (const store::NotificationRow& n : detail->deliveries) deliveries.push_back(delivery_json(n));
  body["deliveries"] = deliveries;
  return json_ok(body);
}

// reissue, revoke and resend write their audit entries in the backend
// (console_backend.hpp), naming the actor: not again here.
Response reissue(const Call& call) {
  if (auto no = refused_number(call)) return *no;
  const std::string& number = call.params.at("number");
  auto reissued = call.backend.reissue(call.params.at("course"), number, actor_of(call));
  if (!reissued) return failure(reissued.error());
  return json_ok({{"number", *reissued}, {"replaces", number}});
}

Response revoke(const Call& call) {
  if (auto no = refused_number(call)) return *no;
  auto body = object_body(call.request);
  if (!body) return failure(body.error());
  auto category_text = text_field(*body, "category", Presence::required, 20);
  if (!category_text) return failure(category_text.error());
  auto category = store::parse_revocation_category(*category_text);
  if (!category) return json_error(400, "\"category\" must be error, replaced or withdrawn");
  auto reason = text_field(*body, "reason", Presence::required, k_max_reason);
  if (!reason) return failure(reason.error());
  const std::string& number = call.params.at("number");
  if (Status revoked = call.backend.revoke(call.params.at("course"), number, *category, *reason, actor_of(call));
      !revoked)
    return failure(revoked.error());
  return json_ok({{"number", number}, {"status", "revoked"}, {"category", store::to_string(*category)}});
}

Response resend(const Call& call) {
  if (auto no = refused_number(call)) return *no;
  auto resent = call.backend.resend(call.params.at("course"), call.params.at("number"), actor_of(call));
  if (!resent) return failure(resent.error());
  return json_ok({{"queued", resent->queued}, {"skipped", resent->skipped}});
}

}  // namespace certd::console::api_handlers
