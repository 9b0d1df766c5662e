// The "Reports" tab of a course: the school's monthly quota, and the
// course's certificates, e-mails and verifications, each as a table and
// as a CSV file (what `certd report` prints, for one course).
//
//   GET /console/course/{c}/reports
//   GET /console/course/{c}/reports/certificates.csv
//   GET /console/course/{c}/reports/deliveries.csv
//   GET /console/course/{c}/reports/verifications.csv
//
// Console::route has checked that the viewer teaches {c}; the backend
// reports {c}'s rows only. Nothing here changes anything: no forms.
#include <kainjow/mustache.hpp>

#include <cctype>
#include <functional>

#include "console/certificate_text.hpp"
#include "console/console.hpp"
#include "console/console_pages.hpp"
#include "console/csv_cells.hpp"
#include "console/form.hpp"
#include "core/time_format.hpp"

namespace certd::console {
namespace {

namespace mustache = kainjow::mustache;
using portal::Request;
using portal::Response;

constexpr std::size_t k_shown = 200;  // rows a table shows; the CSV file has the rest

constexpr const char* k_page = R"html(<h1>Reports</h1>
<p class="lead">{{course_title}}: what was issued, e-mailed and checked, newest first. Each table downloads as a CSV file for a spreadsheet.</p>
<div class="card quota"><p><strong>{{quota}}</strong></p><p class="hint">{{quota_hint}}</p></div>
{{#sections}}<section class="report" aria-labelledby="{{id}}">
<div class="report-head"><h2 id="{{id}}">{{heading}}</h2>
<a class="button secondary" href="{{csv}}" download>Download CSV<span class="visually-hidden"> of {{heading_lower}}</span></a></div>
{{#any}}<div class="table-wrap"><table class="stack">
<caption class="visually-hidden">{{heading}} of this course</caption>
<thead><tr>{{#columns}}<th scope="col">{{.}}</th>{{/columns}}</tr></thead>
<tbody>
{{#rows}}<tr>{{#cells}}<td data-label="{{label}}">{{#href}}<a class="mono" href="{{href}}">{{text}}</a>{{/href}}{{^href}}{{#badge}}<span class="badge {{badge}}">{{text}}</span>{{/badge}}{{^badge}}<span{{#mono}} class="reply"{{/mono}}>{{text}}</span>{{/badge}}{{/href}}</td>{{/cells}}</tr>
{{/rows}}</tbody></table></div>
{{#more}}<p class="hint" role="status">{{more}}</p>{{/more}}{{/any}}
{{^any}}<div class="card"><p>{{empty}}</p></div>{{/any}}
</section>
{{/sections}}
)html";

// One cell of a page's table.
struct Cell {
  std::string text;
  std::string href;   // a link to the certificate
  std::string badge;  // a status badge's class
  bool mono = false;  // a mail server's reply: long, unbroken
};

struct Section {
  std::string id;
  std::string heading;
  std::string file;  // "certificates": the CSV's name and path
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::size_t total = 0;  // rows the course has, shown or not
  std::string empty;
};

std::string iso(std::optional<std::int64_t> at) { return at ? format_iso8601(from_unix(*at)) : ""; }

std::string count_text(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string quota_text(const MonthlyQuota& q) {
  if (q.per_month <= 0) return count_text(static_cast<std::size_t>(q.used), "certificate", "certificates") +
                               " issued this month; no monthly quota";
  std::string text = std::to_string(q.used) + " of " + std::to_string(q.per_month) +
                     " certificates issued this month; " + std::to_string(q.left) + " left";
  return q.left > 0 ? text : text + ": new certificates wait in the queue until next month";
}

std::string via_text(const std::string& via) {
  if (via == "web") return "Verification page";
  if (via == "json") return "JSON (a program)";
  if (via == "cli") return "Command line";
  return via;
}

std::string result_text(const std::string& result) {
  if (result == "valid") return "Valid";
  if (result == "revoked") return "Revoked";
  if (result == "expired") return "Expired";
  if (result == "unknown") return "Unknown";
  return result;
}

// The CSV's file name: the course's shortname as far as it is plain
// letters, digits, '.', '_' and '-' (a header value and a file name
// cannot hold the rest safely).
std::string file_name(const std::string& course, const std::string& what) {
  std::string safe;
  for (unsigned char c : course) safe += std::isalnum(c) || c == '.' || c == '_' || c == '-' ? char(c) : '_';
  while (!safe.empty() && safe.front() == '.') safe.erase(0, 1);
  return (safe.empty() ? std::string("course") : safe) + "-" + what + ".csv";
}

Response csv_file(const std::string& course, const std::string& what, const std::string& body) {
  Response r;
  r.content_type = "text/csv; charset=utf-8";
  // The byte-order mark tells Excel the file is UTF-8 (else it reads a
  // student's accented name in the system's code page).
  r.body = "\xEF\xBB\xBF" + body;
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file_name(course, what) + "\"");
  return r;
}

std::string certificates_csv(const CourseReport& report, std::int64_t now) {
  std::string out = csv_line({"Number", "Student id", "Student", "Certificate", "Course", "Kind", "Issued",
                              "Expires", "Status", "Revoked", "Requested by"});
  for (const store::CertificateRow& row : report.certificates) {
    const store::NewCertificate& c = row.certificate;
    out += csv_line({c.number, c.student_id, c.student_name, title_of(c), c.course, kind_text(c.kind),
                     iso(c.issued_at), iso(c.expires_at), status_of(row, now), iso(row.revoked_at), c.requested_by});
  }
  return out;
}

std::string deliveries_csv(const CourseReport& report) {
  std::string out = csv_line({"Certificate", "Recipient", "Role", "Status", "When", "Resends", "Server reply"});
  for (const store::NotificationRow& n : report.deliveries)
    out += csv_line({n.number, n.recipient, n.role, delivery_status(n), iso(n.claimed_at ? n.claimed_at : n.sent_at),
                     std::to_string(n.resend_count), n.server_reply});
  return out;
}

std::string verifications_csv(const CourseReport& report) {
  std::string out = csv_line({"Certificate", "Result", "Via", "When"});
  for (const store::VerificationRow& v : report.verifications)
    out += csv_line({v.number, result_text(v.result), via_text(v.via), iso(v.at)});
  return out;
}

Section certificates_section(const CourseReport& report, const std::string& base, std::int64_t now) {
  Section s{"certificates", "Certificates", "certificates",
            {"Number", "Student", "Certificate", "Kind", "Issued on", "Status"}, {}, report.certificates_total,
            "No certificates have been issued in this course yet."};
  for (std::size_t i = 0; i < report.certificates.size() && i < k_shown; ++i) {
    const store::CertificateRow& row = report.certificates[i];
    const store::NewCertificate& c = row.certificate;
    std::string status = status_of(row, now);
    s.rows.push_back({{c.number, base + "/certificates/" + c.number, "", false},
                      {c.student_name, "", "", false},
                      {title_of(c), "", "", false},
                      {kind_text(c.kind), "", "", false},
                      {format_date(from_unix(c.issued_at)), "", "", false},
                      {status_text(row, status), "", status, false}});
  }
  return s;
}

Section deliveries_section(const CourseReport& report, const std::string& base) {
  Section s{"deliveries", "E-mails", "deliveries",
            {"Certificate", "Recipient", "Status", "When", "Resends", "Server reply"}, {}, report.deliveries_total,
            "No e-mail was sent about this course's certificates."};
  for (std::size_t i = 0; i < report.deliveries.size() && i < k_shown; ++i) {
    const store::NotificationRow& n = report.deliveries[i];
    s.rows.push_back({{n.number, base + "/certificates/" + n.number, "", false},
                      {n.recipient + " (" + n.role + ")", "", "", false},
                      {delivery_status(n), "", "", false},
                      {when_text(n.claimed_at ? n.claimed_at : n.sent_at), "", "", false},
                      {std::to_string(n.resend_count), "", "", false},
                      {n.server_reply, "", "", true}});
  }
  return s;
}

Section verifications_section(const CourseReport& report, const std::string& base) {
  Section s{"verifications", "Verifications", "verifications", {"Certificate", "Result", "Via", "When"}, {},
            report.verifications_total, "Nobody has checked this course's certificates yet."};
  for (std::size_t i = 0; i < report.verifications.size() && i < k_shown; ++i) {
    const store::VerificationRow& v = report.verifications[i];
    s.rows.push_back({{v.number, base + "/certificates/" + v.number, "", false},
                      {result_text(v.result), "", v.result == "unknown" ? "" : v.result, false},
                      {via_text(v.via), "", "", false},
                      {when_text(v.at), "", "", false}});
  }
  return s;
}

// "Showing the newest 200 of 1,234": only when some are not shown.
std::string more_text(const Section& s, std::size_t in_file) {
  if (s.total <= s.rows.size()) return "";
  std::string text = "Showing the newest " + std::to_string(s.rows.size()) + " of " + std::to_string(s.total) + ". ";
  if (in_file >= s.total) return text + "The CSV file has them all.";
  return text + "The CSV file has the newest " + std::to_string(in_file) + ".";
}

mustache::data section_data(const Section& s, const std::string& base, std::size_t in_file) {
  mustache::data d;
  d.set("id", "report-" + s.id);
  d.set("heading", s.heading);
  d.set("heading_lower", s.heading == "E-mails" ? "e-mails" : s.id);
  d.set("csv", base + "/reports/" + s.file + ".csv");
  mustache::data columns{mustache::data::type::list};
  for (const std::string& c : s.columns) columns.push_back(mustache::data(c));
  d.set("columns", columns);
  mustache::data rows{mustache::data::type::list};
  for (const std::vector<Cell>& row : s.rows) {
    mustache::data cells{mustache::data::type::list};
    for (std::size_t i = 0; i < row.size(); ++i) {
      mustache::data cell;
      cell.set("label", s.columns[i]);
      cell.set("text", row[i].text);
      if (!row[i].href.empty()) cell.set("href", row[i].href);
      if (!row[i].badge.empty()) cell.set("badge", row[i].badge);
      if (row[i].mono) cell.set("mono", mustache::data::type::bool_true);
      cells.push_back(cell);
    }
    mustache::data r;
    r.set("cells", cells);
    rows.push_back(r);
  }
  d.set("rows", rows);
  if (!s.rows.empty()) d.set("any", mustache::data::type::bool_true);
  d.set("empty", s.empty);
  if (std::string more = more_text(s, in_file); !more.empty()) d.set("more", more);
  return d;
}

}  // namespace

Response Console::reports_page(const Request& request, const Viewer& viewer, const std::string& course,
                               const std::string& sub) const {
  if (request.method == "POST") return message(&viewer, 405, "Not allowed here", "");
  using CsvWriter = std::function<std::string(const CourseReport&)>;
  const std::int64_t now = to_unix(m_clock.now());
  const std::vector<std::pair<std::string, CsvWriter>> files = {
      {"certificates", [now](const CourseReport& r) { return certificates_csv(r, now); }},
      {"deliveries", deliveries_csv},
      {"verifications", verifications_csv},
  };
  const CsvWriter* writer = nullptr;
  std::string what;
  for (const auto& [name, write] : files)
    if (sub == "reports/" + name + ".csv") {
      writer = &write;
      what = name;
    }
  if (sub != "reports" && !writer) return message(&viewer, 404, "Not found", "No such report");

  auto report = m_backend.course_report(course, now);
  if (!report) return failure(&viewer, report.error());
  if (writer) return csv_file(course, what, (*writer)(*report));

  const std::string base = "/console/course/" + url_encode(course);
  Frame frame = frame_for(&viewer, course, "reports");
  mustache::data sections{mustache::data::type::list};
  sections.push_back(section_data(certificates_section(*report, base, now), base, report->certificates.size()));
  sections.push_back(section_data(deliveries_section(*report, base), base, report->deliveries.size()));
  sections.push_back(section_data(verifications_section(*report, base), base, report->verifications.size()));
  mustache::data d;
  d.set("course_title", frame.course_title.empty() ? course : frame.course_title);
  d.set("quota", quota_text(report->quota));
  d.set("quota_hint", "Counted over every course of the school, for " + report->quota.month + " (UTC).");
  d.set("sections", sections);
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = render_console_layout(frame, "Reports", mustache::mustache(k_page).render(d));
  return r;
}

}  // namespace certd::console
