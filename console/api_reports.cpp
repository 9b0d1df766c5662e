// The API's report of a course: what console/reports_page.cpp shows (the
// monthly quota, the certificates, their e-mails and their verifications),
// as JSON. Each list is the newest `limit` rows with the total beside it,
// so a script sees when there are more (the page's CSV files have them).
#include <algorithm>
#include <cctype>

#include "console/api_call.hpp"
#include "core/time_format.hpp"

namespace certd::console::api_handlers {
namespace {

using nlohmann::json;
using portal::Response;

constexpr std::size_t k_default_rows = 100;

// "limit": 1 to k_report_rows; absent: k_default_rows.
Result<std::size_t> rows_of(const std::map<std::string, std::string>& query) {
  auto it = query.find("limit");
  if (it == query.end() || it->second.empty()) return k_default_rows;
  const Error bad(ErrorCode::invalid_argument,
                  "\"limit\" must be a whole number from 1 to " + std::to_string(k_report_rows));
  const std::string& text = it->second;
  if (text.size() > 5 || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    return bad;
  std::size_t limit = std::stoul(text);
  if (limit < 1 || limit > k_report_rows) return bad;
  return limit;
}

template <typename Row, typename ToJson>
json list_json(const std::vector<Row>& rows, std::size_t total, std::size_t limit, ToJson to_json) {
  json shown = json::array();
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) shown.push_back(to_json(rows[i]));
  return {{"total", total}, {"rows", shown}};
}

}  // namespace

Response report(const Call& call) {
  const std::string& course = call.params.at("course");
  if (auto no = refused(call, course)) return *no;
  auto query = query_fields(call.request);
  if (!query) return failure(query.error());
  auto limit = rows_of(*query);
  if (!limit) return failure(limit.error());
  auto report = call.backend.course_report(course, call.now);
  if (!report) return failure(report.error());
  const MonthlyQuota& q = report->quota;
  json quota = {{"month", q.month},
                {"used", q.used},
                {"per_month", q.per_month > 0 ? json(q.per_month) : json(nullptr)},
                {"left", q.per_month > 0 ? json(q.left) : json(nullptr)}};
  const std::int64_t now = call.now;
  return json_ok(
      {{"course", course},
       {"quota", quota},
       {"certificates", list_json(report->certificates, report->certificates_total, *limit,
                                  [now](const store::CertificateRow& r) { return certificate_json(r, now); })},
       {"deliveries", list_json(report->deliveries, report->deliveries_total, *limit, delivery_json)},
       {"verifications",
        list_json(report->verifications, report->verifications_total, *limit, [](const store::VerificationRow& v) {
          return json{{"number", v.number}, {"result", v.result}, {"via", v.via},
                      {"at", format_iso8601(from_unix(v.at))}};
        })}});
}

}  // namespace certd::console::api_handlers
