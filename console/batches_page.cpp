// CSV batches (/console/course/{course}/batches): a teacher uploads a CSV
// file (multipart/form-data, multipart.hpp), sees its bad rows by line
// before anything starts, confirms, and watches the batch's progress;
// the page fetches its progress again every few seconds while it runs
// (console_pages.cpp live.js; without script, a link refreshes it). The rows are checked, kept and imported by the
// backend exactly as `certd batch import` does; the confirm form carries
// only the backend's ticket for the checked file, never the file again.
//
//   GET  batches              the upload form and the course's batches
//   POST batches              (multipart) check the file
//   POST batches/start        start the checked file: 303 to its page
//   GET  batches/{id}         progress and failed rows
//   POST batches/{id}/cancel  cancel it (revokes what it issued)
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "console/console.hpp"
#include "console/console_pages.hpp"
#include "console/form.hpp"
#include "console/multipart.hpp"
#include "core/time_format.hpp"

namespace certd::console {
namespace {

namespace mustache = kainjow::mustache;
using portal::Request;
using portal::Response;

constexpr int k_refresh_seconds = 3;

constexpr const char* k_list = R"html(<h1>Batches</h1>
<p class="lead">{{course_title}}: issue many certificates at once from a CSV file. Every row must be for this course ({{course}}): rows for another course, or with no course, are refused by line.</p>
<form method="post" action="{{action}}" enctype="multipart/form-data" class="card">
<input type="hidden" name="csrf" value="{{csrf}}">
<label for="csv">CSV file</label>
<input type="file" id="csv" name="csv" accept=".csv,text/csv" required aria-describedby="csv-hint">
<p class="hint" id="csv-hint">Columns: student (LMS user id or e-mail), name, course ({{course}}), and optionally title, expires_on (YYYY-MM-DD) and notes. The first row names the columns.</p>
<label for="template">Template</label>
<select id="template" name="template" required>{{#templates}}<option value="{{id}}">{{name}}</option>
{{/templates}}</select>
<label class="choice"><input type="checkbox" name="skip_bad" value="1"> Skip bad rows (issue the good ones)</label>
<div class="actions"><button type="submit">Check the file</button></div>
</form>
<h2>Batches of this course</h2>
{{#any}}<table class="stack"><thead><tr><th scope="col">Batch</th><th scope="col">File</th><th scope="col">Status</th><th scope="col">Done</th><th scope="col">Failed</th><th scope="col">Total</th><th scope="col">Started</th></tr></thead><tbody>
{{#batches}}<tr><td data-label="Batch"><a href="{{href}}">{{id}}</a></td><td data-label="File">{{file}}</td><td data-label="Status">{{status}}</td><td data-label="Done">{{done}}</td><td data-label="Failed">{{failed}}</td><td data-label="Total">{{total}}</td><td data-label="Started">{{started}}</td></tr>
{{/batches}}</tbody></table>{{/any}}
{{^any}}<div class="card"><p>No batches yet in this course.</p></div>{{/any}}
)html";

constexpr const char* k_checked = R"html(<h1>Check of {{file}}</h1>
{{#has_errors}}<div class="notice error" role="alert"><p>{{error_count}}. {{^ticket}}Nothing was started: fix them and upload the file again{{#good}}, or tick "Skip bad rows"{{/good}}.{{/ticket}}{{#ticket}}They are skipped.{{/ticket}}</p></div>
<ul class="unmet">{{#errors}}<li>{{.}}</li>{{/errors}}</ul>{{/has_errors}}
{{^has_errors}}<div class="notice" role="status"><p>Every row is good.</p></div>{{/has_errors}}
{{#ticket}}<form method="post" action="{{start_action}}" class="card">
<input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="ticket" value="{{ticket}}">
<p>Rows already issued by an earlier batch are not issued twice.</p>
<div class="actions"><button type="submit">Start the batch of {{good}} certificates</button></div>
</form>{{/ticket}}
{{^ticket}}{{^good}}<div class="card"><p>The file has no row to issue.</p></div>{{/good}}{{/ticket}}
<p><a href="{{back}}">Back to the batches</a></p>
)html";

constexpr const char* k_nothing_new = R"html(<h1>Nothing new to issue</h1>
<div class="notice" role="status"><p>Every row of this file is already in a batch: nothing is issued twice.</p></div>
<ul>{{#already}}<li><a href="{{href}}">Batch {{id}}</a> ({{status}}) holds {{rows}}</li>{{/already}}</ul>
<p><a href="{{back}}">Back to the batches</a></p>
)html";

constexpr const char* k_detail = R"html(<h1>Batch {{id}}</h1>
<p class="lead">{{file}} · template {{template}} · started by {{by}} on {{started}}</p>
<div id="live">
{{#running}}<p class="hint" role="status">Running: this page updates every few seconds (or <a href="{{self}}">refresh it</a>).</p>{{/running}}
<div class="card preview"><dl><dt>Status</dt><dd>{{status}}</dd><dt>Total</dt><dd>{{total}}</dd><dt>Issued</dt><dd>{{issued}}</dd><dt>Failed</dt><dd>{{failed}}</dd><dt>Cancelled</dt><dd>{{cancelled}}</dd><dt>Remaining</dt><dd>{{remaining}}</dd></dl>
<progress class="batch" max="{{total}}" value="{{done}}" aria-label="Rows done">{{done}} of {{total}}</progress></div>
{{#notice}}<div class="notice" role="status"><p>{{notice}}</p></div>{{/notice}}
{{#any_failed}}<h2>Failed rows</h2>
<table class="stack"><thead><tr><th scope="col">Line</th><th scope="col">Student</th><th scope="col">Name</th><th scope="col">Why</th></tr></thead><tbody>
{{#failed_rows}}<tr><td data-label="Line">{{line}}</td><td data-label="Student">{{student}}</td><td data-label="Name">{{name}}</td><td data-label="Why">{{reason}}</td></tr>
{{/failed_rows}}</tbody></table>{{/any_failed}}
</div>
{{#can_cancel}}<form method="post" action="{{cancel_action}}" class="card">
<h2>Cancel this batch</h2>
<input type="hidden" name="csrf" value="{{csrf}}">
<label for="reason">Why (kept by the school, never shown publicly)</label>
<input type="text" class="plain" id="reason" name="reason" required maxlength="200">
<p class="hint">Rows not issued yet stop, and every certificate this batch issued is revoked.</p>
<div class="actions"><button type="submit" class="danger">Cancel the batch</button></div>
</form>{{/can_cancel}}
<p><a href="{{back}}">Back to the batches</a></p>
)html";

Response html(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response see_other(const std::string& location) {
  Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", location);
  r.body = "See " + location + "\n";
  return r;
}

std::optional<store::Id> parse_id(const std::string& text) {
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), ::isdigit)) return std::nullopt;
  return std::strtoll(text.c_str(), nullptr, 10);
}

std::string rows_text(std::int64_t n) { return n == 1 ? "1 row" : std::to_string(n) + " rows"; }

}  // namespace

Response Console::batches_page(const Request& request, const Viewer& viewer, const std::string& course,
                               const std::string& sub) const {
  Frame frame = frame_for(&viewer, course, "batches");
  const std::string base = "/console/course/" + frame.course_path + "/batches";
  const bool is_post = request.method == "POST";
  auto expired = [&] {
    return message(&viewer, 403, "Not allowed", "This form has expired. Reload the page and try again");
  };
  const ConsoleActor actor{viewer.session.user_key, viewer.session.display_name};

  if (sub == "batches" && is_post) {
    // csrf, csv, template, skip_bad: a few more parts are room, not use.
    // The whole body is bounded by the server (portal.max_upload).
    MultipartLimits limits;
    limits.max_parts = 8;
    auto parts = parse_multipart(request.body, request.header("content-type"), limits);
    if (!parts) return failure(&viewer, parts.error());
    const MultipartPart* csrf = part_named(*parts, "csrf");
    if (!csrf || !csrf_matches(viewer, csrf->body)) return expired();
    const MultipartPart* csv = part_named(*parts, "csv");
    if (!csv || !csv->filename || csv->body.empty())
      return message(&viewer, 400, "That could not be done", "Choose a CSV file");
    const MultipartPart* tmpl = part_named(*parts, "template");
    BatchUpload upload;
    upload.owner = viewer.session.user_key;
    upload.file_name = csv->filename->empty() ? "upload.csv" : *csv->filename;
    upload.csv = csv->body;
    upload.template_id = tmpl ? tmpl->body : "";
    upload.skip_bad = part_named(*parts, "skip_bad") != nullptr;
    auto check = m_backend.check_batch(course, upload);
    if (!check) return failure(&viewer, check.error());
    mustache::data d;
    d.set("file", upload.file_name);
    if (!check->errors.empty()) {
      d.set("has_errors", mustache::data::type::bool_true);
      std::size_t n = check->errors.size();
      d.set("error_count", n == 1 ? std::string("1 row is bad") : std::to_string(n) + " rows are bad");
    }
    mustache::data errors{mustache::data::type::list};
    for (const std::string& e : check->errors) errors.push_back(mustache::data(e));
    d.set("errors", errors);
    if (check->good_rows > 0) d.set("good", std::to_string(check->good_rows));
    if (!check->ticket.empty()) d.set("ticket", check->ticket);
    d.set("csrf", viewer.session.csrf_token);
    d.set("start_action", base + "/start");
    d.set("back", base);
    return html(check->errors.empty() || !check->ticket.empty() ? 200 : 422,
                render_console_layout(frame, "Check of the file", mustache::mustache(k_checked).render(d)));
  }

  if (sub == "batches/start") {
    if (!is_post) return see_other(base);
    auto form = parse_form(request.body);
    if (!form) return failure(&viewer, form.error());
    if (!csrf_matches(viewer, field(*form, "csrf"))) return expired();
    auto started = m_backend.start_batch(course, field(*form, "ticket"), viewer.session.user_key, actor);
    if (!started) return failure(&viewer, started.error());
    if (started->batch) {
      record(viewer, "console.batch_start", course, nlohmann::json{{"batch", *started->batch}, {"rows", started->new_rows}});
      return see_other(base + "/" + std::to_string(*started->batch));
    }
    mustache::data d;
    mustache::data already{mustache::data::type::list};
    for (const BatchHolder& h : started->already) {
      mustache::data item;
      item.set("id", std::to_string(h.batch));
      item.set("href", base + "/" + std::to_string(h.batch));
      item.set("status", h.status);
      item.set("rows", rows_text(h.rows) + " of the file");
      already.push_back(item);
    }
    d.set("already", already);
    d.set("back", base);
    return html(200, render_console_layout(frame, "Nothing new to issue", mustache::mustache(k_nothing_new).render(d)));
  }

  if (sub == "batches") {
    auto batches = m_backend.course_batches(course);
    if (!batches) return failure(&viewer, batches.error());
    auto templates = m_backend.batch_templates();
    if (!templates) return failure(&viewer, templates.error());
    mustache::data d;
    d.set("course_title", frame.course_title.empty() ? frame.course : frame.course_title);
    d.set("course", course);
    d.set("action", base);
    d.set("csrf", viewer.session.csrf_token);
    mustache::data choices{mustache::data::type::list};
    for (const BatchTemplateChoice& t : *templates) {
      mustache::data option;
      option.set("id", t.id);
      option.set("name", t.name.empty() ? t.id : t.name);
      choices.push_back(option);
    }
    d.set("templates", choices);
    mustache::data list{mustache::data::type::list};
    for (const BatchSummary& b : *batches) {
      mustache::data row;
      row.set("id", std::to_string(b.id));
      row.set("href", base + "/" + std::to_string(b.id));
      row.set("file", b.file_name);
      row.set("status", b.status);
      row.set("done", std::to_string(b.issued + b.failed + b.cancelled));
      row.set("failed", std::to_string(b.failed));
      row.set("total", std::to_string(b.total));
      row.set("started", format_date(from_unix(b.created_at)));
      list.push_back(row);
    }
    if (!batches->empty()) d.set("any", mustache::data::type::bool_true);
    d.set("batches", list);
    return html(200, render_console_layout(frame, "Batches", mustache::mustache(k_list).render(d)));
  }

  // batches/{id} and batches/{id}/cancel
  std::string rest = sub.substr(8);
  bool cancel = false;
  if (rest.size() > 7 && rest.compare(rest.size() - 7, 7, "/cancel") == 0) {
    cancel = true;
    rest.resize(rest.size() - 7);
  }
  auto id = parse_id(rest);
  if (!id) return message(&viewer, 404, "Not found", "");
  std::string notice;
  if (cancel) {
    if (!is_post) return see_other(base + "/" + rest);
    auto form = parse_form(request.body);
    if (!form) return failure(&viewer, form.error());
    if (!csrf_matches(viewer, field(*form, "csrf"))) return expired();
    std::string reason = field(*form, "reason");
    auto revoked = m_backend.cancel_batch(course, *id, reason, actor);
    if (!revoked) return failure(&viewer, revoked.error());
    record(viewer, "console.batch_cancel", course, nlohmann::json{{"batch", *id}, {"revoked", *revoked}});
    notice = "Batch cancelled: " + std::to_string(*revoked) +
             (*revoked == 1 ? " certificate it issued is revoked." : " certificates it issued are revoked.");
  } else if (is_post) {
    return message(&viewer, 405, "Not allowed here", "");
  }
  auto detail = m_backend.course_batch(course, *id);
  if (!detail) return failure(&viewer, detail.error());
  const BatchSummary& b = detail->summary;
  std::int64_t done = b.issued + b.failed + b.cancelled;
  mustache::data d;
  d.set("id", std::to_string(b.id));
  d.set("file", b.file_name);
  d.set("template", b.template_id);
  d.set("by", b.created_by);
  d.set("started", format_date(from_unix(b.created_at)));
  d.set("status", b.status);
  d.set("total", std::to_string(b.total));
  d.set("issued", std::to_string(b.issued));
  d.set("failed", std::to_string(b.failed));
  d.set("cancelled", std::to_string(b.cancelled));
  d.set("done", std::to_string(done));
  d.set("remaining", std::to_string(std::max<std::int64_t>(0, b.total - done)));
  if (!notice.empty()) d.set("notice", notice);
  mustache::data failed{mustache::data::type::list};
  for (const BatchFailure& f : detail->failed) {
    mustache::data row;
    row.set("line", std::to_string(f.line));
    row.set("student", f.student);
    row.set("name", f.name);
    row.set("reason", f.reason);
    failed.push_back(row);
  }
  if (!detail->failed.empty()) d.set("any_failed", mustache::data::type::bool_true);
  d.set("failed_rows", failed);
  if (b.status == "running") {
    d.set("running", mustache::data::type::bool_true);
    d.set("can_cancel", mustache::data::type::bool_true);
    if (!cancel) frame.refresh_seconds = k_refresh_seconds;
  } else if (b.status == "done") {
    d.set("can_cancel", mustache::data::type::bool_true);
  }
  d.set("csrf", viewer.session.csrf_token);
  d.set("cancel_action", base + "/" + std::to_string(b.id) + "/cancel");
  d.set("self", base + "/" + std::to_string(b.id));
  d.set("back", base);
  return html(200, render_console_layout(frame, "Batch " + std::to_string(b.id), mustache::mustache(k_detail).render(d)));
}

}  // namespace certd::console
